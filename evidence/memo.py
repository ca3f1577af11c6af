"""The incremental cache: a memo over the pipeline's steps, which skips a step whose declared inputs (KEYS) did not change.

Every step's result is kept with its key, the digest of what the step read. The next build
computes the key again from the current inputs; where it is the same, and the output folder
still holds the pages the step rendered with that key, the step is skipped. KEYS below is
the one place that says what each step depends on. `Site.key` covers what shapes every page:
the generator's code, the templates (and overrides), site.yaml and the base URL.

A memo that remembers nothing (NO_MEMO) runs every step: that is the plain pipeline, which
tests/test_incremental.py holds every memoized build to, byte for byte, after random edits.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from . import plain
from .errors import Problem, Problems
from .inputs import Inputs, Known, digest
from .load import load_source
from .model import Settings, Source
from .output import OutputState
from .steps import ExplainerRecord, SourceRecord, Tools


@dataclass(frozen=True)
class Site:
    """What a build learnt from site.yaml, the sources and the template folders, that the keys are made of."""

    settings: Settings | None
    base_url: str | None
    key: bytes  # see KEYS["site"]
    templates_key: bytes  # see KEYS["templates"]
    source_digests: Mapping[str, bytes]  # by source id


def sources_read(referenced: Iterable[str], source_digests: Mapping[str, bytes]) -> tuple:
    """What an explainer's check reads of other files: the digest of each source it refers to, or None if there is none.

    When one is missing, the error names every source ("unknown source 'x'; known sources:
    a, b, c"), so the list of every source id is read too.
    """
    read = tuple((source_id, source_digests.get(source_id)) for source_id in sorted(referenced))
    if any(found is None for _, found in read):
        read += (("known sources", tuple(sorted(source_digests))),)
    return read


# What each step's result depends on. An explainer's key is made with what the explainer
# itself says it read (the sources it lists or cites): it is checked against the last result.
KEYS: dict[str, Callable[..., bytes]] = {
    "site": lambda code, templates, settings_digest, stylesheet_digest, base_url: digest(
        code, templates, settings_digest or b"-", stylesheet_digest or b"-", base_url or "-"),
    "templates": lambda *template_trees: digest(*(repr(sorted(tree.items())) for tree in template_trees)),
    "source": lambda site, file_digest: file_digest,
    "explainer": lambda site, file_digest, record: digest(file_digest, repr(sources_read(record.referenced, site.source_digests)), site.key),
    "uncited": lambda site, file_digest, cited: digest(file_digest, repr(cited)),
    "source pages": lambda site, file_digest, backlink_digests: digest(site.key, file_digest, *backlink_digests),
    "site pages": lambda site, *shown: digest(site.key, *shown),  # what each page shows: see stages.site_tasks
    "search": lambda site, *documents: digest(site.key, *documents),  # every explainer's search document and every source's file
    "browse pages": lambda site, pages, *digests: digest(site.key, pages, *digests),
    "file": lambda site, file_digest: digest("file", file_digest),
}


SELF_DECLARED = {"explainer"}  # steps whose key is made with what their last result says they read

# What each step's results are kept under (its task ids) and what they are: the cache file
# (evidence/cache.py) holds them as plain JSON, checked against these types when read.
RESULTS: dict[str, tuple[type, object]] = {
    "source": (Path, SourceRecord),
    "explainer": (Path, ExplainerRecord),
    "uncited": (Path, tuple[Problem, ...]),
    "source pages": (Path, Problem | None),
    "site pages": (str, Problem | None),
    "browse pages": (str, Problem | None),
    "search": (str, Problem | None),
    "file": (str, type(None)),
}


class Task(NamedTuple):
    """One call of a step: the id its result is kept under, what its key is made of, and its arguments."""

    id: object
    inputs: tuple
    args: tuple | Callable[[], tuple]  # a callable when making them costs (reads a file): called only if the step runs


@dataclass(frozen=True)
class Entry:
    key: bytes
    result: object
    pages: tuple[str, ...]
    plain: bytes | None = field(default=None, compare=False, repr=False)  # its line of the cache file, when read from it: written back as it is


@dataclass
class State:
    """Everything a build leaves for the next one (evidence/cache.py keeps it between processes)."""

    known: dict[Path, Known] = field(default_factory=dict)  # input files' digests
    results: dict[str, dict[object, Entry]] = field(default_factory=dict)  # by step, then task id
    output: OutputState = field(default_factory=OutputState)

    def to_lines(self) -> list[bytes]:
        """The state as lines of JSON (see evidence/plain.py): what the known files are, what the output folders hold,
        the steps, then one line per kept result. A result read from the cache file is written back as the very line it was."""
        lines = [_dumps(plain.encoder(dict[Path, Known])(self.known)), _dumps(plain.encoder(OutputState)(self.output)),
                 _dumps(list(self.results))]
        for step, entries in self.results.items():
            write_task, write_entry = plain.encoder(RESULTS[step][0]), plain.encoder(_entry_type(step))
            lines += (entry.plain if entry.plain is not None else _dumps([step, write_task(task), write_entry((entry.key, entry.result, entry.pages))])
                      for task, entry in entries.items())
        return lines

    def fingerprint(self) -> tuple:
        """What to_lines would write, in short: a state whose fingerprint did not change since it was read need not be written again."""
        output = self.output
        return (dict(self.known), {step: len(entries) for step, entries in self.results.items()}, dict(output.manifest),
                dict(output.staged), output.staged_identity, output.out_identity,
                all(entry.plain is not None for entries in self.results.values() for entry in entries.values()))

    @classmethod
    def from_lines(cls, lines: list[bytes]) -> "State":
        """The state written by to_lines; raises plain.Invalid (a ValueError) at the first value of a wrong type."""
        if len(lines) < 3:
            raise plain.Invalid("expected the known files, the output and the steps")
        known = plain.decoder(dict[Path, Known])(json.loads(lines[0]))
        output = plain.decoder(OutputState)(json.loads(lines[1]))
        output.verified = False  # the folders may have changed since it was written
        steps = plain.decoder(tuple[str, ...])(json.loads(lines[2]))
        if not set(steps) <= RESULTS.keys():
            raise plain.Invalid(f"results of an unknown step: {', '.join(sorted(set(steps) - RESULTS.keys()))}")
        results: dict[str, dict[object, Entry]] = {step: {} for step in steps}
        readers = {step: (plain.decoder(RESULTS[step][0]), plain.decoder(_entry_type(step))) for step in steps}
        for line, (step, task, entry) in zip(lines[3:], plain.decoder(tuple[tuple[str, object, object], ...])(json.loads(b"[" + b",".join(lines[3:]) + b"]"))):
            if step not in readers:
                raise plain.Invalid(f"a result of the step '{step}', which is not listed")
            read_task, read_entry = readers[step]
            results[step][read_task(task)] = Entry(*read_entry(entry), plain=line)
        return cls(known, results, output)


def _dumps(value: object) -> bytes:
    """One line of JSON (a newline in text is written \\n)."""
    return json.dumps(value, separators=(",", ":")).encode("ascii")


def _entry_type(step: str) -> object:
    """The type of a kept result of a step: its key, result and pages (an Entry's fields)."""
    return tuple[bytes | None, RESULTS[step][1], tuple[str, ...]]


class Memo:
    """Runs steps through a memo kept in `state` (and on disk between processes); a long-lived process also keeps parsed sources and compiled templates."""

    def __init__(self, state: State):
        self.state = state
        self.known = state.known
        self.parsed: dict[Path, tuple[bytes, Source]] = {}  # sources parsed, by the digest they were parsed from
        self.site: Site | None = None
        self._tools: tuple[bytes, Tools] | None = None
        self.stale: set[str] = set()  # steps whose last result was kept out of date this build (map's stale_ok)

    def key(self, step: str, task: Task, result: object) -> bytes | None:
        """The task's key (see KEYS), None if it has none: an input could not be read, and the step runs every time."""
        if None in task.inputs:
            return None
        if step in SELF_DECLARED:
            return KEYS[step](self.site, *task.inputs, result)
        return KEYS[step](self.site, *task.inputs)

    def map(self, step: str, run: Callable, tasks: list[Task], pool: Callable, out, stale_ok: bool = False) -> Iterator:
        """The results of `run` over the tasks, in order: kept ones where the key holds and `out` still has their pages, the others run by `pool`.

        `pool(run, args)` runs the step (Pool.map on the workers, Pool.here in this process); the
        pages each run renders go to `out` with the key of its inputs. With `stale_ok`, a last
        result is kept even when its inputs changed (the step is then in `stale`): it keeps its old
        key, so the next build without stale_ok runs the step.
        """
        previous = self.state.results.get(step, {})
        kept: dict[object, Entry] = {}
        todo: list[Task] = []
        for task in tasks:
            entry = previous.get(task.id)
            known = entry is not None and entry.key is not None
            fresh = known and entry.key == self.key(step, task, entry.result)
            if (fresh or known and stale_ok) and out.holds(entry.pages, entry.key):
                if not fresh:
                    self.stale.add(step)
                kept[task.id] = entry
                if entry.pages:
                    out.keep(entry.pages, entry.key)
            else:
                todo.append(task)
        ran = pool(run, [task.args() if callable(task.args) else task.args for task in todo])
        self.state.results[step] = kept  # filled as results come; what this build did not ask for is forgotten

        def results() -> Iterator:
            finished = zip(todo, ran)
            for task in tasks:
                entry = kept.get(task.id)
                if entry is None:
                    _, (result, pages) = next(finished)
                    key = self.key(step, task, result)
                    for page, data in pages.items():
                        out.put(page, key, data)
                    entry = kept[task.id] = Entry(key, result, tuple(pages))
                yield entry.result
        return results()

    def tools(self, template_dirs: tuple[Path, ...], bytecode_dir: Path | None) -> Callable[[], Tools]:
        """This process's markdown parser and compiled templates, made when first needed, again only when a template changed."""
        templates_key = self.site.templates_key

        def tools() -> Tools:
            if self._tools is None or self._tools[0] != templates_key:
                self._tools = (templates_key, Tools(template_dirs, bytecode_dir))
            return self._tools[1]
        return tools


class NoMemo(Memo):
    """Remembers nothing, so every step runs: the plain pipeline."""

    def __init__(self):
        super().__init__(State())

    def key(self, step: str, task: Task, result: object) -> None:
        return None  # no key: nothing is kept


class SourceModels(Mapping):
    """Sources by id, parsed only when a step needs one; parsed ones are kept (in `parsed`) for the next build."""

    def __init__(self, records: dict[Path, SourceRecord], parsed: dict[Path, tuple[bytes, Source]], inputs: Inputs):
        self.paths: dict[str, Path] = {}
        for path, record in records.items():
            if record.summary is not None:
                self.paths.setdefault(record.summary.id, path)  # a duplicate id fails the build anyway
        self.digests = {source_id: records[path].digest for source_id, path in self.paths.items()}
        self.records, self.parsed, self.inputs = records, parsed, inputs

    def __getitem__(self, source_id: str) -> Source:
        return self.model(self.paths[source_id])

    def model(self, path: Path) -> Source:
        record = self.records[path]
        parsed = self.parsed.get(path)
        if parsed is None or parsed[0] != record.digest:
            source = load_source(path, Problems(), self.inputs.data(path, record.digest))
            assert source is not None, "a source that loaded once loads again from the same bytes"
            parsed = self.parsed[path] = (record.digest, source)
        return parsed[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)
