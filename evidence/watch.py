"""The live preview's watching: poll the sources, wait for a burst of saves to settle, rebuild once, and say what happened.

One thread runs watch(); each build is an Attempt, handed to the server's thread (evidence/server.py).
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .build import Paths, Report, rebuild
from .errors import ContentError, Problem, display_path
from .incremental import Builder
from .inputs import is_ignored

POLL_SECONDS = 0.05
SETTLE_SECONDS = 0.05  # a burst of saves is over when nothing changed for this long

Snapshot = dict[Path, tuple[int, int, int]]


@dataclass(frozen=True)
class Attempt:
    """One build attempt: its report, or the problems that stopped it, and what had changed."""

    report: Report | None
    problems: tuple[Problem, ...] = ()
    changed: frozenset[Path] = frozenset()
    stylesheets_only: bool = False
    search_only: bool = False  # it only made the search index again, for pages already shown: nothing to reload

    @property
    def ok(self) -> bool:
        return self.report is not None


@dataclass(frozen=True)
class Preview:
    """What the preview builds, and where to."""

    paths: Paths
    out_dir: Path
    base_url: str | None = None
    strict: bool = False
    # Kept for the whole session: it remembers what each file held and what each page was
    # built from, so a save re-renders only the pages that depend on what changed.
    builder: Builder | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.builder is None:
            object.__setattr__(self, "builder", Builder(self.paths, self.out_dir, base_url=self.base_url, strict=self.strict))

    @property
    def watched(self) -> tuple[Path, ...]:
        return tuple(folder for folder in (self.paths.content, self.paths.overrides, self.paths.templates, self.paths.static) if folder)

    def attempt(self, changed: frozenset[Path] = frozenset(), search_later: bool = False) -> Attempt:
        """Build once; content problems and bugs alike become an Attempt, never an exception. With search_later, an
        out-of-date search index is left as it was (report.search_stale), for index() to make again once the page shows."""
        try:
            report = rebuild(self.builder, search_later)
        except ContentError as error:
            return Attempt(None, tuple(error.problems), changed)
        except Exception as error:  # noqa: BLE001 - a bug in Evidence: keep its traceback, keep serving
            traceback.print_exc()
            message = f"internal error, not a content problem: {type(error).__name__}: {error} (traceback in the terminal)"
            return Attempt(None, (Problem(Path("evidence"), 0, message),), changed)
        return Attempt(report, (), changed, is_stylesheets_only(changed, self.paths.static, report.rendered))

    def level(self) -> None:
        """Between builds, while no one waits: the folder the next build stages into is made level with the output
        (Builder.level), so that the next save writes only its own pages. If this fails, that build does it, and says why."""
        if self.builder.state.output.manifest:
            with contextlib.suppress(ContentError, OSError):
                self.builder.level()

    def index(self) -> Attempt:
        """Make the search index again after an attempt that left it out of date."""
        return replace(self.attempt(), search_only=True)

    def snapshot(self) -> Snapshot:
        return snapshot(self.watched, skip=self.out_dir)


def is_stylesheets_only(changed: frozenset[Path], static_dir: Path, rendered: int) -> bool:
    """Whether the browser can take the change by swapping stylesheets, without a reload: only stylesheets
    of the static folder changed, and the build did no more than copy them (no page inlines them)."""
    return (bool(changed) and rendered <= len(changed)
            and all(path.suffix == ".css" and path.is_relative_to(static_dir) for path in changed))


def snapshot(roots: tuple[Path, ...], skip: Path | None = None) -> Snapshot:
    """Every file under the roots (but not under the absolute path `skip`, the output, nor the
    editors' and systems' files the build ignores, inputs.IGNORED) with its modification time,
    size and inode: any save changes one of them."""
    files: Snapshot = {}
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not is_ignored(d) and Path(folder, d).absolute() != skip]
            for name in names:
                path = Path(folder, name)
                if is_ignored(name):
                    continue
                try:
                    stat = path.stat()
                except OSError:  # removed since the walk listed it, or a dangling link
                    continue
                files[path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return files


def changed_paths(before: Snapshot, after: Snapshot) -> frozenset[Path]:
    return frozenset(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def watch(preview: Preview, before: Snapshot, stop: threading.Event, publish: Callable[[Attempt], None]) -> None:
    """Rebuild after every burst of saves until `stop` is set; runs on its own thread."""
    since_good: frozenset[Path] = frozenset()  # a good build must take in what failed builds missed
    preview.level()
    while not stop.wait(POLL_SECONDS):
        after = preview.snapshot()
        if after == before:
            continue
        after = settle(preview, after, stop)
        since_good |= changed_paths(before, after)
        before = after
        started = time.perf_counter()
        attempt = preview.attempt(since_good, search_later=True)  # the page first; the search index after it, below
        print_attempt(attempt, time.perf_counter() - started)
        if attempt.ok:
            since_good = frozenset()
        publish(attempt)
        if attempt.ok and attempt.report.search_stale and preview.snapshot() == before:  # else the next build comes first
            started = time.perf_counter()
            attempt = preview.index()
            print_attempt(attempt, time.perf_counter() - started)
            publish(attempt)
        if attempt.ok:
            preview.level()


def settle(preview: Preview, state: Snapshot, stop: threading.Event) -> Snapshot:
    """Wait until the files stop changing: an editor's save or a checkout is many writes."""
    while not stop.wait(SETTLE_SECONDS):
        later = preview.snapshot()
        if later == state:
            return state
        state = later
    return state


def print_attempt(attempt: Attempt, seconds: float, first: bool = False) -> None:
    if attempt.report is None:
        for problem in attempt.problems:
            print(problem if problem.line else problem.message, file=sys.stderr, flush=True)
        count = len(attempt.problems)
        still = "nothing to serve until it builds" if first else "still serving the last good site"
        print(f"build failed: {count} problem{'s' if count != 1 else ''}; {still}", file=sys.stderr, flush=True)
        return
    report = attempt.report
    for warning in report.warnings:
        print(f"{warning} (warning)", file=sys.stderr, flush=True)
    summary = f"{report.pages} pages, {report.citations} citations verified, {len(report.warnings)} warning(s)"
    if attempt.search_only:
        print(f"search index made again in {seconds * 1000:.0f} ms", flush=True)
    elif first:
        print(f"built {summary} in {seconds * 1000:.0f} ms", flush=True)
    else:
        later = "; the search index follows" if report.search_stale else ""
        print(f"rebuilt in {seconds * 1000:.0f} ms after {describe_changes(attempt.changed)}: {summary}{later}", flush=True)


def describe_changes(changed: frozenset[Path]) -> str:
    names = sorted(display_path(path) for path in changed)
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


