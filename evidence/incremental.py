"""Builds that redo only what an edit touched: every page is a function of declared inputs, whose digests say when to redo it.

The unit of work is one explainer: load it, check its citations against its sources, render
its pages (evidence/units.py). Its result is kept while its keys hold:
- `key`: the digest of its file and of every source it lists or cites (and, when one of those
  does not exist, of every source id, which the error message names: units.unit_inputs);
- `page_key`: `key` plus the site key, which covers what every page depends on: the
  generator's code, the templates, site.yaml and the base URL.
A source's page depends on the site key, the source's file and the backlinks of the passages
citing it; the pages about the whole site (render.PAGES: home, 404) on the site key and the
summaries of every explainer and source (model.ExplainerSummary, model.SourceSummary). The
checks that span files (duplicate ids, uncited paragraphs, the citation count) are redone every
build from per-file results, so a rebuild reports the problems of a full build, in its order.

A full build is the same code with nothing known yet; tests/test_incremental.py replays random
edits and compares every rebuild, byte for byte, with a clean build.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import jinja2

from .check import warn_uncited
from .errors import ContentError, Problem, Problems
from .load import check_unique_ids, is_content_folder, load_settings, load_source, markdown_files
from .model import Site, Source
from .output import _refuse_foreign_folder, _swap_in
from .render import CONSTANT_PAGES, PAGES, STATIC_PREFIX, Renderer
from .templates import template_problem
from .units import (
    EMPTY_INDEX, ExplainerRecord, InputChanged, Inputs, Known, OutputStamp, SourceRecord, Tools, UnitContext, Workers,
    code_version, digest, digest_of, encode, replace_file, unit_inputs, write_new_file,
)

SITE_GROUP = "site"  # the pages of render.PAGES
ATTEMPTS = 3  # builds started again because an editor saved while the build read the files


@dataclass(frozen=True)
class PageRecord:
    """A page an output folder holds: the key it was rendered with, and the stamp of its file there."""

    key: bytes
    stamp: "OutputStamp"


@dataclass
class State:
    """Everything a build leaves for the next one (evidence/cache.py keeps it between processes)."""

    known: dict[Path, Known] = field(default_factory=dict)
    sources: dict[Path, SourceRecord] = field(default_factory=dict)
    explainers: dict[Path, ExplainerRecord] = field(default_factory=dict)
    coverage: dict[Path, tuple[bytes, tuple[Problem, ...]]] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the pages of each source, and of the site
    manifest: dict[str, PageRecord] = field(default_factory=dict)  # what out_dir holds, by relative path
    previous: dict[str, PageRecord] = field(default_factory=dict)  # what Builder.previous_dir holds
    previous_identity: int | None = None  # its inode: a folder deleted and made again holds nothing we know
    out_identity: int | None = None  # out_dir's inode after the last build: if it changed, someone else built or replaced it
    verified: bool = True  # False when read from disk: the folders are compared with the manifests first


@dataclass(frozen=True)
class Outcome:
    """One build: the key of every page, what it (re)rendered, and the figures for the report."""

    keys: dict[str, bytes]
    rendered: dict[str, bytes | None]  # the pages (re)rendered, with their bytes unless they went straight to disk
    citations: int
    sources: int
    explainers: int
    warnings: tuple[Problem, ...]
    base_url: str | None  # what the links were built for: the option, else site.yaml's

    @property
    def pages(self) -> int:
        return sum(1 for path in self.keys if path.endswith(".html"))


class Builder:
    """Builds a site again and again, redoing only what changed since its last build.

    The live preview keeps one Builder for its session; `build.py build` makes one per process,
    its state read from and saved to the cache folder (evidence/cache.py).
    """

    def __init__(self, paths, out_dir: Path | None = None, *, base_url: str | None = None, strict: bool = False,
                 jobs: int | None = None, cache_dir: Path | None = None, state: State | None = None):
        self.paths, self.out_dir, self.base_url, self.strict, self.jobs = paths, out_dir, base_url, strict, jobs
        self.cache_dir = cache_dir or (default_cache_dir(out_dir) if out_dir else None)
        self.state = state or State()
        self.parsed_sources: dict[Path, tuple[bytes, Source]] = {}  # parsed sources, by the digest they were parsed from
        self._tools: tuple[bytes, Tools] | None = None  # compiled templates, kept while the templates are unchanged

    def build(self) -> Outcome:
        """Render what changed and bring out_dir up to date; on any problem, out_dir is left as it was.

        Pages are written as they are rendered into the previous output (a private folder), which
        is swapped in once every page is there: the site changes all at once, at the cost of
        what changed.
        """
        assert self.out_dir is not None, "a Builder without out_dir can only render"
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with open(self.cache_dir / f"{self.out_dir.absolute().name}.lock", "wb") as lock:
            _lock(lock)  # one build at a time per output folder: they share the previous-output folder
            if not self.state.verified or _identity(self.out_dir) != self.state.out_identity:
                self._verify_output()  # read from disk, or another process built here since
            if not self.state.manifest:
                _refuse_foreign_folder(self.out_dir.absolute())
            staged = Staged(self)
            outcome = self._attempt(staged)
            staged.finish(outcome.keys)
            self.state.out_identity = _identity(self.out_dir)
            return outcome

    def render(self) -> Outcome:
        """Load, check and render what changed into memory; raise ContentError listing every problem."""
        return self._attempt(Collected())

    def _attempt(self, sink: "Collected | Staged") -> Outcome:
        for attempt in range(ATTEMPTS):
            try:
                return self._build(sink)
            except InputChanged:
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    # load -> check -> render ----------------------------------------------------------

    def _build(self, sink: "Collected | Staged") -> Outcome:
        problems = Problems()
        if not is_content_folder(self.paths.content, problems):
            problems.raise_if_any()
        inputs = Inputs(self.state.known)
        context, sources, explainer_paths, static, templates_key = self._load_site(inputs, problems)
        with Workers(context, self._tools_for(templates_key), self.jobs, sink.folder) as workers:
            explainers = self._run_explainers(explainer_paths, inputs, context, workers, sink)
            self._check(sources, explainers, context, problems)
            keys: dict[str, bytes] = {}
            for record in explainers.values():
                keys.update(dict.fromkeys(record.pages, record.page_key))
            failures = [record.render_problem for record in explainers.values() if record.render_problem]
            finish_sources = self._render_sources(sources, explainers, context, workers, keys, sink)  # on the workers, while
            site_failures = self._render_site_pages(sources, explainers, context, self._tools_for(templates_key), keys, sink)
            failures += finish_sources()
        failures += site_failures
        if failures:
            raise ContentError([failures[0]])
        for path, text in CONSTANT_PAGES.items():
            self._reuse_or_make(path, digest("constant", text), lambda text=text: encode(text), keys, sink)
        for relative, file_digest in static.items():
            read = lambda path=self.paths.static / relative, expected=file_digest: inputs.data(path, expected)  # noqa: E731
            self._reuse_or_make(STATIC_PREFIX + relative, digest("static", file_digest), read, keys, sink)
        return Outcome(
            keys=keys, rendered=sink.rendered, citations=sum(record.count for record in explainers.values()),
            sources=len(sources), explainers=len(explainers), warnings=tuple(problems.warnings), base_url=context.base_url,
        )

    def _load_site(self, inputs: Inputs, problems: Problems) -> tuple[UnitContext, dict[Path, SourceRecord], list[Path], dict[str, bytes], bytes]:
        """Read site.yaml and the sources (explainers are units: they load with their checks and pages)."""
        paths = self.paths
        settings_path = paths.content / "site.yaml"
        settings_digest = inputs.digest(settings_path)
        settings = load_settings(settings_path, problems, inputs.read.get(settings_path))
        source_paths = markdown_files(paths.content / "sources", problems)
        explainer_paths = markdown_files(paths.content / "explainers", problems)
        templates, static = inputs.tree(paths.templates), inputs.tree(paths.static)
        base_url = self.base_url or (settings.base_url if settings else None)
        site_key = digest(code_version(), repr(sorted(templates.items())), settings_digest or b"-", base_url or "-")
        sources = self._load_sources(source_paths, inputs, problems)
        models = SourceModels(sources, self.parsed_sources, inputs)
        context = UnitContext(models, models.digests, settings, site_key, paths.templates, base_url)
        return context, sources, explainer_paths, static, digest(repr(sorted(templates.items())))

    def _load_sources(self, source_paths: list[Path], inputs: Inputs, problems: Problems) -> dict[Path, SourceRecord]:
        records: dict[Path, SourceRecord] = {}
        for path in source_paths:
            file_digest = inputs.digest(path)
            record = self.state.sources.get(path)
            if record is None or file_digest is None or record.digest != file_digest:
                found = Problems()
                source = load_source(path, found, inputs.read.get(path))
                summary = source.summary() if source else None
                record = SourceRecord(file_digest or b"-", summary, digest_of(summary), tuple(found.errors), tuple(found.warnings))
                if source is not None and file_digest is not None:
                    self.parsed_sources[path] = (file_digest, source)
            problems.errors.extend(record.errors)
            problems.warnings.extend(record.warnings)
            records[path] = record
        for path in set(self.parsed_sources) - set(records):
            del self.parsed_sources[path]
        return records

    def _run_explainers(self, explainer_paths: list[Path], inputs: Inputs, context: UnitContext, workers: Workers,
                        sink: "Collected | Staged") -> dict[Path, ExplainerRecord]:
        """Every explainer's record: kept while its keys hold, else made by running its unit."""
        records: dict[Path, ExplainerRecord] = {}
        work: list[tuple[Path, bytes | None, bytes]] = []
        for path in explainer_paths:
            file_digest = inputs.digest(path)
            record = self.state.explainers.get(path)
            if file_digest is not None and record is not None and record.digest == file_digest and self._is_current(record, context):
                records[path] = record
            else:
                work.append((path, inputs.data(path, file_digest) if file_digest else None, file_digest or b"-"))
        for path, record, pages in workers.explainers(work):
            records[path] = record
            for page, data in pages.items():
                sink.put(page, record.page_key, data)
        records = {path: records[path] for path in explainer_paths}
        self.state.explainers = records
        return records

    def _is_current(self, record: ExplainerRecord, context: UnitContext) -> bool:
        if record.sources_read != unit_inputs(record.referenced, context.source_digests):
            return False
        if record.load_errors or record.check_errors or context.settings is None:
            return True  # it renders nothing; its problems stand
        return record.rendered_with == context.site_key and self._holds(record.pages, record.page_key)

    def _holds(self, pages: tuple[str, ...] | None, key: bytes) -> bool:
        """Whether out_dir holds all these pages, as rendered with this key."""
        manifest = self.state.manifest
        return pages is not None and all(page in manifest and manifest[page].key == key for page in pages)

    def _check(self, sources: dict[Path, SourceRecord], explainers: dict[Path, ExplainerRecord], context: UnitContext, problems: Problems) -> None:
        """What a full build checks, in its order: every file loaded, ids are unique, then every citation."""
        for record in explainers.values():
            problems.errors.extend(record.load_errors)
            problems.warnings.extend(record.load_warnings)
        check_unique_ids([record.summary for record in sources.values()], "source", problems)
        check_unique_ids([record.summary for record in explainers.values()], "explainer", problems)
        self.state.sources = sources
        problems.raise_if_any()
        for record in explainers.values():
            problems.errors.extend(record.check_errors)
        problems.warnings.extend(self._coverage(sources, explainers, context.sources))
        if self.strict:
            problems.errors.extend(Problem(w.path, w.line, f"{w.message} (--strict makes warnings errors)") for w in problems.warnings)
        problems.raise_if_any()

    def _coverage(self, sources: dict[Path, SourceRecord], explainers: dict[Path, ExplainerRecord], models: SourceModels) -> list[Problem]:
        """The paragraphs no explainer cites, source by source: redone only where the citations changed."""
        cited: dict[str, set[int]] = {}
        for record in explainers.values():
            for source_id, numbers in record.cited.items():
                cited.setdefault(source_id, set()).update(numbers)
        coverage, warnings = {}, []
        for path, record in sources.items():
            numbers = sorted(cited.get(record.summary.id, ()))
            key = digest(record.digest, repr(numbers))
            known = self.state.coverage.get(path)
            if known is None or known[0] != key:
                found = Problems()
                warn_uncited(models.model(path), set(numbers), found)
                known = (key, tuple(found.warnings))
            coverage[path] = known
            warnings.extend(known[1])
        self.state.coverage = coverage
        return warnings

    def _render_sources(self, sources: dict[Path, SourceRecord], explainers: dict[Path, ExplainerRecord], context: UnitContext,
                        workers: Workers, keys: dict[str, bytes], sink: "Collected | Staged") -> Callable[[], list[Problem]]:
        """Hand the workers each source's pages that must be rendered again (the source or the backlinks to it changed).

        Returns what takes their pages as they come, so that this process can work meanwhile.
        """
        citing: dict[str, list[tuple[Path, ExplainerRecord]]] = {}
        for path, record in explainers.items():
            for source_id in record.backlinks:
                citing.setdefault(source_id, []).append((path, record))
        todo: list[tuple[str, bytes]] = []
        tasks = []
        groups = {}
        for path, record in sources.items():
            source_id = record.summary.id
            contributors = citing.get(source_id, [])
            key = digest(context.site_key, str(path), record.digest,
                         *(part for p, r in contributors for part in (str(p), r.backlink_digests[source_id])))
            group = f"source:{path}"
            if self._holds(self.state.groups.get(group), key):
                groups[group] = self.state.groups[group]
                keys.update(dict.fromkeys(groups[group], key))
            else:
                todo.append((group, key))
                tasks.append((source_id, [r.backlinks[source_id] for _, r in contributors]))
        results = workers.sources(tasks)

        def finish() -> list[Problem]:
            for (group, key), (problem, pages) in zip(todo, results):
                if problem:
                    return [problem]
                for page, data in pages.items():
                    sink.put(page, key, data)
                groups[group] = tuple(pages)
                keys.update(dict.fromkeys(pages, key))
            self.state.groups = {**{g: p for g, p in self.state.groups.items() if not g.startswith("source:")}, **groups}
            return []
        return finish

    def _render_site_pages(self, sources: dict[Path, SourceRecord], explainers: dict[Path, ExplainerRecord], context: UnitContext,
                           tools: Callable[[], Tools], keys: dict[str, bytes], sink: "Collected | Staged") -> list[Problem]:
        """The pages about the whole site, from every explainer's and source's summary."""
        key = digest(context.site_key, *(r.summary_digest for r in explainers.values()), *(r.summary_digest for r in sources.values()))
        pages = self.state.groups.get(SITE_GROUP)
        if not self._holds(pages, key):
            site = Site(context.settings, tuple(r.summary for r in sources.values()), tuple(r.summary for r in explainers.values()))
            made_tools = tools()
            renderer = Renderer(site, EMPTY_INDEX, made_tools.templates, made_tools.md, context.base_url)
            try:
                made = {page: encode(text) for _, render in PAGES for page, text in render(renderer)}
            except jinja2.TemplateError as error:
                return [template_problem(error, context.templates_dir)]
            for page, data in made.items():
                sink.put(page, key, data)
            pages = tuple(made)
        self.state.groups[SITE_GROUP] = pages
        keys.update(dict.fromkeys(pages, key))
        return []

    def _tools_for(self, templates_key: bytes) -> Callable[[], Tools]:
        """This process's markdown parser and compiled templates, made again only when a template changed."""
        def tools() -> Tools:
            if self._tools is None or self._tools[0] != templates_key:
                self._tools = (templates_key, Tools(self.paths.templates))
            return self._tools[1]
        return tools

    def _reuse_or_make(self, page: str, key: bytes, make: Callable[[], bytes], keys: dict[str, bytes], sink: "Collected | Staged") -> None:
        keys[page] = key
        if not self._holds((page,), key):
            sink.put(page, key, make())

    # write ------------------------------------------------------------------------------

    @property
    def previous_dir(self) -> Path:
        """The output before last, kept to be updated and swapped in by the next build."""
        return self.cache_dir / f"{self.out_dir.absolute().name}.previous"

    def _verify_output(self) -> None:
        """After a restart, or another process's build: forget the files the output folders no longer hold as written."""
        state = self.state
        for folder, manifest in ((self.out_dir.absolute(), state.manifest), (self.previous_dir, state.previous)):
            if not manifest:
                if folder == self.previous_dir:
                    state.previous_identity = None  # whatever it holds, we know nothing of it
                continue
            found = dict(walk_files(folder)) if folder.is_dir() else {}
            for page in list(manifest):
                if found.get(page) != manifest[page].stamp:
                    del manifest[page]
            if any(page not in manifest for page in found):
                manifest.clear()  # a file we did not write: only a whole new folder is sure to drop it
                if folder == self.previous_dir:
                    state.previous_identity = None
        state.verified = True


class Collected:
    """Pages kept in memory: what render() returns."""

    folder = None  # workers hand their pages back

    def __init__(self):
        self.rendered: dict[str, bytes | None] = {}

    def put(self, page: str, key: bytes, data: bytes) -> None:
        self.rendered[page] = data


class Staged:
    """Pages written as they are rendered into the previous output, which finish() swaps in for out_dir."""

    def __init__(self, builder: Builder):
        self.builder, self.state = builder, builder.state
        self.out_dir = builder.out_dir.absolute()
        self.rendered: dict[str, bytes | None] = {}
        self._folder: Path | None = None
        if self.state.manifest and not self.out_dir.is_dir():
            self.state.manifest = {}  # someone removed it

    @property
    def folder(self) -> Path:
        """The previous output, ready for pages; made afresh when it is not the folder we know."""
        if self._folder is None:
            folder, state = self.builder.previous_dir, self.state
            try:
                identity = os.stat(folder).st_ino
            except OSError:
                identity = None
            if identity is None or identity != state.previous_identity:
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                state.previous = {}
            folder.chmod(0o755)
            state.previous_identity = os.stat(folder).st_ino
            self._folder = folder
        return self._folder

    def put(self, page: str, key: bytes, data: bytes | OutputStamp) -> None:
        """A page's bytes, or the stamp of the file a worker process wrote for it in self.folder."""
        stamp = data if isinstance(data, OutputStamp) else write_new_file(self.folder / page, data)
        self.state.previous[page] = PageRecord(key, stamp)
        self.rendered[page] = None

    def finish(self, keys: dict[str, bytes]) -> None:
        """Complete the previous output with the pages that did not change, and swap it in."""
        state, live = self.state, self.state.manifest
        if live and not self.rendered and live.keys() == keys.keys():
            return  # out_dir is up to date
        folder, previous = self.folder, state.previous
        for page, key in keys.items():
            if page not in previous or previous[page].key != key:  # unchanged since the last build: share the file
                replace_file(folder / page, lambda path, page=page: os.link(self.out_dir / page, path))
                previous[page] = live[page]
        stale = [page for page in previous if page not in keys]
        _remove(folder, stale)
        for page in stale:
            del previous[page]
        existed = self.out_dir.exists()
        _swap_in(folder, self.out_dir)  # now `folder` holds what out_dir held, if anything
        state.manifest, state.previous = previous, live
        known = existed and bool(live)  # otherwise `folder` holds files we know nothing of, or nothing
        state.previous_identity = os.stat(folder).st_ino if known else None


def _remove(root: Path, pages: list[str]) -> None:
    """Delete files, and the folders they leave empty."""
    folders = set()
    for page in pages:
        (root / page).unlink(missing_ok=True)
        folders.add((root / page).parent)
    for folder in sorted(folders, key=lambda path: len(path.parts), reverse=True):
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _identity(folder: Path) -> int | None:
    try:
        return os.stat(folder).st_ino
    except OSError:
        return None


def _lock(file) -> None:
    try:
        import fcntl
    except ImportError:  # not on a Unix: builds of one output folder must not overlap
        return
    fcntl.flock(file.fileno(), fcntl.LOCK_EX)


def default_cache_dir(out_dir: Path) -> Path:
    """Beside the output, not in it: .cache/evidence/ in the output's parent folder (safe to delete)."""
    return out_dir.absolute().parent / ".cache" / "evidence"


def walk_files(root: Path) -> Iterator[tuple[str, OutputStamp]]:
    for folder, _, files in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        for name in files:
            page = name if relative == "." else f"{relative}/{name}"
            yield page, OutputStamp.of(Path(folder, name))


class SourceModels(Mapping):
    """Sources by id, parsed only when a unit or page needs one; parsed ones are kept for the next build."""

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
