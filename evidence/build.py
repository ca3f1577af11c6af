"""Build a site: the plain pipeline (evidence/pipeline.py), or, with a cache folder, the same steps through the incremental memo.

The site is replaced only once every page rendered.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import cache, pipeline
from .errors import ContentError, Problem, display_path, os_problem
from .incremental import Builder, attempt
from .memo import State
from .output import staging_area
from .stages import Built
from .urls import SEARCH_FOLDER, STATIC_PREFIX

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    content: Path = PROJECT_DIR / "content"
    templates: Path = PROJECT_DIR / "templates"
    static: Path = PROJECT_DIR / "static"
    overrides: Path | None = None  # templates that take precedence over `templates`, file by file (--templates)

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        return (self.overrides, self.templates) if self.overrides else (self.templates,)


@dataclass
class Report:
    pages: int = 0
    citations: int = 0
    sources: int = 0
    explainers: int = 0
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    base_url: str | None = None  # what the links were built for: the option, else site.yaml's
    rendered: int = 0  # files rendered (or copied) afresh; the others were already right
    search_stale: bool = False  # the search index is the last build's: made again by the next build without search_later


def render(paths: Paths, *, base_url: str | None = None, strict: bool = False) -> tuple[dict[str, str], Report]:
    """Load, check and render the site into memory (on every core); raise ContentError listing every problem."""
    started = time.perf_counter()
    try:
        built = attempt(lambda: pipeline.render(paths, pipeline.Options(base_url, strict, jobs=None)))
    except OSError as error:
        raise system_error(error, paths.content) from None
    pages = {path: data.decode("utf-8") for path, data in built.pages.items() if not path.startswith((STATIC_PREFIX, SEARCH_FOLDER))}
    return pages, report_of(built, started)


def build(paths: Paths, out_dir: Path, *, base_url: str | None = None, strict: bool = False,
          cache_dir: Path | None = None, jobs: int | None = None, mtime: int | None = None,
          log: Callable[[str], None] | None = None) -> Report:
    """Build the whole site into out_dir; on any problem, out_dir is left as it was.

    Without a cache folder, or with `mtime` (SOURCE_DATE_EPOCH, the modification time given to
    every file written: a reproducible, archived build), this is the plain pipeline. With one,
    the build starts from what the last build there left (evidence/cache.py), renders only the
    pages whose inputs changed, and keeps the previous output there to update next time.
    `log` is told why a cache file was not used (--verbose).
    """
    started = time.perf_counter()
    try:
        if cache_dir is None or mtime is not None:
            built = attempt(lambda: pipeline.build(paths, out_dir, pipeline.Options(base_url, strict, jobs), mtime))
        else:
            built = _cached_build(paths, out_dir, cache_dir, Builder.options_of(base_url, strict, jobs), log or (lambda _: None))
    except OSError as error:
        raise system_error(error, out_dir, (out_dir, staging_area(out_dir), cache_dir)) from None
    return report_of(built, started)


def _cached_build(paths: Paths, out_dir: Path, cache_dir: Path, options: dict, log: Callable[[str], None]) -> Built:
    cache.check_folder(cache_dir)
    state_file = cache_dir / f"{out_dir.absolute().name}.state"
    identity = cache.identity(paths.content, paths.templates, paths.overrides, paths.static, out_dir, cache_dir)
    with cache.no_collection():
        state, why_not = cache.load(state_file, identity, State.from_lines)
    if why_not:
        log(f"{display_path(state_file)}: not used, as it {why_not}; every page is rendered again")
    as_read = state.fingerprint() if state else None
    builder = Builder(paths, out_dir, cache_dir=cache_dir, state=state, **options)
    try:
        built = builder.build()
    except ContentError:
        try:
            with cache.no_collection():  # what it parsed, and what the previous output now holds, stay good
                cache.save(state_file, identity, builder.state.to_lines())
        except OSError:
            pass  # the old file stays, and stays true: the next build checks both folders against it
        raise
    try:
        if builder.state.fingerprint() != as_read:  # else the file holds this very state (a build that changed nothing)
            with cache.no_collection():
                cache.save(state_file, identity, builder.state.to_lines())
    except OSError as error:
        raise ContentError([os_problem(error, state_file, "cannot save the build's cache")], published=True) from None
    return built


def rebuild(builder: Builder, search_later: bool = False) -> Report:
    """Build again with a Builder kept between builds (the live preview's): only what changed since its last build."""
    started = time.perf_counter()
    try:
        built = builder.build(search_later)
    except OSError as error:
        out_dir = builder.out_dir
        raise system_error(error, out_dir, (out_dir, staging_area(out_dir), builder.cache_dir)) from None
    return report_of(built, started)


def system_error(error: OSError, fallback: Path, written: tuple[Path | None, ...] = ()) -> ContentError:
    """An error the system gave while building, as one problem: reading an input, or writing into one of the `written` folders."""
    name = os.path.abspath(os.fsdecode(error.filename)) if error.filename else ""
    writing = any(folder and (name + os.sep).startswith(os.path.join(os.path.abspath(folder), "")) for folder in written)
    doing = "cannot write the site" if writing else "cannot read" if name else "the build stopped"
    return ContentError([os_problem(error, fallback, doing)])


def report_of(built: Built, started: float) -> Report:
    return Report(
        pages=sum(1 for path in built.pages if path.endswith(".html")), citations=built.citations, sources=built.sources,
        explainers=built.explainers, seconds=time.perf_counter() - started, warnings=list(built.warnings),
        rendered=len(built.rendered), base_url=built.base_url, search_stale=built.search_stale,
    )
