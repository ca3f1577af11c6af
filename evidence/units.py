"""The unit of work of a build, one explainer (load, check, render), and what it depends on, by digest.

Units depend on no other explainer, so they run on every core: a process pool whose workers
inherit the build's context (evidence/incremental.py decides which units must run).
"""
from __future__ import annotations

import functools
import gc
import hashlib
import multiprocessing
import os
import pickle
import sys
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import jinja2
import yaml

from .check import Backlink, CitationIndex, check_explainer
from .errors import Problem, Problems
from .explainers import load_explainer
from .markdown import make_markdown
from .model import Explainer, ExplainerSummary, Settings, Site, Source, SourceSummary
from .render import EXPLAINER_PAGES, SOURCE_PAGES, Renderer
from .templates import make_templates, template_problem

# A file whose status last changed this long before it was read can be trusted by its status
# (size, times, inode) from then on: a later change would give it a later ctime. Files changed
# more recently are read again, as file times are only as fine as the kernel's clock tick.
SETTLED_NS = 2_000_000_000
UNITS_PER_TASK = 8  # explainers sent to a worker at a time
MIN_UNITS_PER_WORKER = 24  # below this a pool costs more than it saves
EMPTY_INDEX = CitationIndex({}, 0)
PACKAGE_DIR = Path(__file__).resolve().parent


def digest(*parts: bytes | str) -> bytes:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()


def digest_of(value: object) -> bytes:
    """The digest of model records (frozen dataclasses of text, numbers, dates, paths and tuples: no sets)."""
    return digest(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


@functools.cache
def code_version() -> bytes:
    """The generator's own version: its source code and the libraries that shape its output."""
    parts: list[bytes | str] = [sys.version, str(yaml.__with_libyaml__)]
    for library in ("jinja2", "markdown-it-py", "MarkupSafe", "PyYAML", "mdurl"):
        try:
            parts.append(f"{library}=={metadata.version(library)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{library} not installed")
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts += [path.relative_to(PACKAGE_DIR).as_posix(), path.read_bytes()]
    return digest(*parts)


def encode(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


# --- input files -------------------------------------------------------------------------

@dataclass(frozen=True)
class Stamp:
    """What stat says of a file: while it is unchanged, so are the file's bytes (once settled)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, status: os.stat_result) -> "Stamp":
        return cls(status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


@dataclass(frozen=True)
class Known:
    """A file's digest, and the stamp that vouches for it if the file had settled when read."""

    stamp: Stamp
    digest: bytes
    settled: bool


class InputChanged(Exception):
    """A file changed while the build was reading it: the build starts again."""


class Inputs:
    """The digests of a build's input files: read once per build, or vouched for by a settled stamp."""

    def __init__(self, known: dict[Path, Known]):
        self.known = known  # updated as files are read, for the next build
        self.read: dict[Path, bytes] = {}

    def digest(self, path: Path) -> bytes | None:
        """The file's digest, or None if it cannot be read (loading it will say why)."""
        try:
            stamp = Stamp.of(os.stat(path))
        except OSError:
            self.known.pop(path, None)
            return None
        known = self.known.get(path)
        if known is not None and known.settled and known.stamp == stamp:
            return known.digest
        now = time.time_ns()
        try:
            data = path.read_bytes()
        except OSError:
            self.known.pop(path, None)
            return None
        self.read[path] = data
        value = digest(data)
        settled = max(stamp.ctime_ns, stamp.mtime_ns) < now - SETTLED_NS
        self.known[path] = Known(stamp, value, settled)
        return value

    def data(self, path: Path, expected: bytes) -> bytes:
        """The bytes whose digest is `expected`; if the file has changed since, the build starts again."""
        data = self.read.get(path)
        if data is None:
            try:
                data = path.read_bytes()
            except OSError:
                raise InputChanged(path) from None
        if digest(data) != expected:
            raise InputChanged(path)
        return data

    def tree(self, root: Path) -> dict[str, bytes]:
        """The digest of every file under a folder (templates, static), by relative POSIX path."""
        found: dict[str, bytes] = {}
        for folder, folders, files in os.walk(root):
            folders.sort()
            for name in sorted(files):
                path = Path(folder, name)
                found[path.relative_to(root).as_posix()] = self.digest(path) or b"unreadable"
        return found


# --- output files ------------------------------------------------------------------------

@dataclass(frozen=True)
class OutputStamp:
    """How an output file is recognised as the one we wrote (ctime is left out: hard links change it)."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> "OutputStamp":
        return cls.of_status(os.stat(path))

    @classmethod
    def of_status(cls, status: os.stat_result) -> "OutputStamp":
        return cls(status.st_size, status.st_mtime_ns, status.st_ino)


def replace_file(target: Path, make: Callable[[Path], object]) -> None:
    """Make a file beside target, then rename it over target."""
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        make(temporary)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        make(temporary)
    except FileExistsError:  # left by a build that was killed
        temporary.unlink()
        make(temporary)
    os.replace(temporary, target)


def write_new_file(target: Path, data: bytes) -> "OutputStamp":
    """Write a file that is not there yet; one that is gets replaced, never rewritten: out_dir may share it."""
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        return write_new_file(target, data)
    except FileExistsError:
        replace_file(target, lambda path: path.write_bytes(data))
        return OutputStamp.of(target)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        return OutputStamp.of_status(os.fstat(descriptor))
    finally:
        os.close(descriptor)


# --- results kept between builds ---------------------------------------------------------

@dataclass(frozen=True)
class SourceRecord:
    digest: bytes
    summary: SourceSummary | None  # None if it did not load
    summary_digest: bytes
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


@dataclass(frozen=True)
class ExplainerRecord:
    """What one explainer's load, check and render produced, and the keys they depended on."""

    digest: bytes
    key: bytes  # of its file and of what it read of the sources: see unit_key
    sources_read: tuple  # see unit_inputs
    referenced: tuple[str, ...]  # the source ids it lists or cites
    rendered_with: bytes | None  # the site key its pages were rendered with; None if they were not
    page_key: bytes | None
    summary: ExplainerSummary | None  # None if it did not load
    summary_digest: bytes
    load_errors: tuple[Problem, ...]
    load_warnings: tuple[Problem, ...]
    check_errors: tuple[Problem, ...]
    count: int
    cited: dict[str, frozenset[int]]  # source id -> the paragraphs it cites
    backlinks: dict[str, bytes]  # source id -> its backlinks to that source, pickled: read only to render that source's pages
    backlink_digests: dict[str, bytes]
    render_problem: Problem | None
    pages: tuple[str, ...]


def unit_inputs(referenced: Iterable[str], source_digests: Mapping[str, bytes]) -> tuple:
    """What an explainer's check reads of other files: the digest of each source it refers to, or None if there is none.

    When one is missing, the error names every source ("unknown source 'x'; known sources:
    a, b, c"), so the list of every source id is read too.
    """
    read = tuple((source_id, source_digests.get(source_id)) for source_id in sorted(referenced))
    if any(found is None for _, found in read):
        read += (("known sources", tuple(sorted(source_digests))),)
    return read


def unit_key(file_digest: bytes, path: Path, sources_read: tuple) -> bytes:
    """What an explainer's load and check depend on: its file, and what they read of the sources."""
    return digest(file_digest, str(path), repr(sources_read))


# --- one explainer -----------------------------------------------------------------------

@dataclass(frozen=True)
class UnitContext:
    """What every explainer unit reads besides its own file."""

    sources: Mapping[str, Source]  # by id: the sources that loaded
    source_digests: Mapping[str, bytes]
    settings: Settings | None
    site_key: bytes
    templates_dir: Path
    base_url: str | None


class Tools:
    """A process's markdown parser and template environment, made once per build."""

    def __init__(self, templates_dir: Path):
        self.md = make_markdown()
        self.templates = make_templates([templates_dir])


def run_explainer(context: UnitContext, tools: Tools, path: Path, data: bytes | None, file_digest: bytes) -> tuple[ExplainerRecord, dict[str, bytes]]:
    """Load, check and render one explainer; its pages are rendered only if it has no problems."""
    problems = Problems()
    explainer = load_explainer(path, tools.md, problems, data)
    load_errors, load_warnings = tuple(problems.errors), tuple(problems.warnings)
    if explainer is None:
        key = unit_key(file_digest, path, ())
        return ExplainerRecord(file_digest, key, (), (), None, None, None, b"", load_errors, load_warnings, (), 0, {}, {}, {}, None, ()), {}
    referenced = tuple(sorted(set(explainer.source_ids) | {citation.source_id for citation in explainer.citations()}))
    sources_read = unit_inputs(referenced, context.source_digests)
    key = unit_key(file_digest, path, sources_read)
    checks = Problems()
    citations = check_explainer(explainer, context.sources, checks)
    cited: dict[str, set[int]] = {}
    by_source: dict[str, list] = {}
    for (source_id, number), backlink in citations.backlinks:
        cited.setdefault(source_id, set()).add(number)
        by_source.setdefault(source_id, []).append((number, backlink))
    pages: dict[str, bytes] = {}
    render_problem = rendered_with = None
    if not load_errors and not checks.errors and context.settings is not None:
        pages, render_problem = _render(context, tools, explainer, citations.index())
        rendered_with = None if render_problem else context.site_key
    summary = ExplainerSummary.of(explainer)
    backlinks = {source_id: pickle.dumps(links, protocol=pickle.HIGHEST_PROTOCOL) for source_id, links in by_source.items()}
    record = ExplainerRecord(
        digest=file_digest, key=key, sources_read=sources_read, referenced=referenced, rendered_with=rendered_with,
        page_key=digest(key, rendered_with) if rendered_with else None, summary=summary, summary_digest=digest_of(summary),
        load_errors=load_errors, load_warnings=load_warnings, check_errors=tuple(checks.errors), count=citations.count,
        cited={source_id: frozenset(numbers) for source_id, numbers in cited.items()}, backlinks=backlinks,
        backlink_digests={source_id: digest(pickled) for source_id, pickled in backlinks.items()},
        render_problem=render_problem, pages=tuple(pages),
    )
    return record, pages


def _render(context: UnitContext, tools: Tools, explainer: Explainer, index: CitationIndex) -> tuple[dict[str, bytes], Problem | None]:
    sources = tuple(context.sources[source_id] for source_id in explainer.source_ids)
    renderer = Renderer(Site(context.settings, sources, (explainer,)), index, tools.templates, tools.md, context.base_url)
    try:
        return {path: encode(text) for _, render in EXPLAINER_PAGES for path, text in render(renderer, explainer)}, None
    except jinja2.TemplateError as error:
        return {}, template_problem(error, context.templates_dir)


def render_source(context: UnitContext, tools: Tools, source_id: str, backlinks: list[bytes]) -> tuple[Problem | None, dict[str, bytes]]:
    """A source's pages, from the pickled backlinks of the explainers citing it."""
    source = context.sources[source_id]
    citing: dict[tuple[str, int], list[Backlink]] = {}
    for pickled in backlinks:
        for number, backlink in pickle.loads(pickled):
            citing.setdefault((source_id, number), []).append(backlink)
    index = CitationIndex({key: tuple(links) for key, links in citing.items()}, 0)
    renderer = Renderer(Site(context.settings, (source,), ()), index, tools.templates, tools.md, context.base_url)
    try:
        return None, {page: encode(text) for _, render in SOURCE_PAGES for page, text in render(renderer, source)}
    except jinja2.TemplateError as error:
        return template_problem(error, context.templates_dir), {}


# --- on every core -----------------------------------------------------------------------

Work = tuple[Path, bytes | None, bytes]  # an explainer's path, bytes and their digest
SourceTask = tuple[str, list[bytes]]  # a source's id and the pickled backlinks to it of each explainer citing it


class Workers:
    """Runs a build's units, in order: in worker processes once there are enough to share, else here."""

    def __init__(self, context: UnitContext, tools: Callable[[], Tools], jobs: int | None = None, folder: Path | None = None):
        self.context, self.jobs, self.folder = context, jobs or available_cores(), folder  # workers write pages into folder
        self.tools = tools  # this process's, made when first needed
        self.pool = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def explainers(self, work: list[Work]) -> Iterator[tuple[Path, ExplainerRecord, dict[str, bytes]]]:
        return self._run(_explainer_task, [((path, data, file_digest),) for path, data, file_digest in work])

    def sources(self, tasks: list[SourceTask]) -> Iterator[tuple[Problem | None, dict[str, bytes]]]:
        return self._run(_source_task, [(task,) for task in tasks])

    def _run(self, function, tasks: list[tuple]) -> Iterator:
        """The tasks' results, in order; on the workers, the tasks are handed out at once, so this process can do other work meanwhile."""
        method = start_method()
        if self.pool is None and method and min(self.jobs, len(tasks) // MIN_UNITS_PER_WORKER) >= 2:
            self._start(method)
        if self.pool is None:
            return self._run_here(function, tasks)
        chunks = [tasks[start : start + UNITS_PER_TASK] for start in range(0, len(tasks), UNITS_PER_TASK)]
        results = self.pool.imap(_run_chunk, [(function, chunk, self.folder) for chunk in chunks])
        return (result for chunk in results for result in chunk)

    def _run_here(self, function, tasks: list[tuple]) -> Iterator:
        tools = self.tools()
        for args in tasks:
            yield function(self.context, tools, *args)

    def _start(self, method: str) -> None:
        # Workers get the context as plain data: forked ones inherit it, spawned ones unpickle it.
        context = self.context
        context = UnitContext(dict(context.sources), dict(context.source_digests), context.settings, context.site_key,
                              context.templates_dir, context.base_url)
        gc.freeze()  # forked workers then never scan (or copy, by touching) what they inherit
        try:
            self.pool = multiprocessing.get_context(method).Pool(self.jobs, initializer=_start_worker, initargs=(context,))
        finally:
            gc.unfreeze()


def _explainer_task(context: UnitContext, tools: Tools, work: Work) -> tuple[Path, ExplainerRecord, dict[str, bytes]]:
    path, data, file_digest = work
    return (path, *run_explainer(context, tools, path, data, file_digest))


def _source_task(context: UnitContext, tools: Tools, task: SourceTask) -> tuple[Problem | None, dict[str, bytes]]:
    return render_source(context, tools, *task)


def start_method() -> str | None:
    """How to start worker processes here, or None if they would not start.

    Fork is only safe while this process has a single thread (the live preview has more);
    spawn starts a fresh interpreter, which must be able to import the main script.
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return "spawn" if main and os.path.isfile(main) else None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_worker: tuple[UnitContext, Tools] | None = None  # set in each worker process by _start_worker


def _start_worker(context: UnitContext) -> None:
    global _worker
    _worker = (context, Tools(context.templates_dir))


def _run_chunk(job: tuple) -> list:
    """Run tasks in a worker; with a folder, write their pages there and send back only the files' stamps."""
    function, chunk, folder = job
    assert _worker is not None
    context, tools = _worker
    results = [function(context, tools, *args) for args in chunk]
    if folder is None:
        return results
    return [(*result[:-1], {page: write_new_file(folder / page, data) for page, data in result[-1].items()}) for result in results]
