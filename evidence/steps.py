"""The steps of a build, as plain functions: load a source, load-check-render an explainer, render a source's and the site's pages.

Each takes the build's Context (what every step reads besides its own input) and the process's
Tools, and returns its result and the pages it rendered. None of them knows about caches or
processes: evidence/pipeline.py calls them in order, and evidence/memo.py and evidence/pool.py
wrap those calls.
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import jinja2

from . import plain
from .check import Backlink, CitationIndex, check_explainer, warn_uncited
from .errors import Problem, Problems
from .explainers import load_explainer
from .inputs import digest, digest_of, is_ignored
from .load import load_source
from .markdown import make_markdown
from .model import Citation, ExplainerSummary, Settings, Site, Source, SourceSummary
from .browse import BrowsePage
from .render import BROWSE_PAGES, CONSTANT_PAGES, EXPLAINER_PAGES, PAGES, SOURCE_PAGES, ExplainerView, Renderer, search_document
from .search import Indexer, build_index
from .views import PartyInExplainer, StatedPosition
from . import urls
from .templates import make_templates, template_problem
from .urls import STYLESHEET
from .views import Stylesheet

Pages = dict[str, bytes]


@dataclass(frozen=True)
class Context:
    """What every step reads besides its own file: the sources by id, the settings, the templates' folders, the base URL."""

    sources: Mapping[str, Source]
    settings: Settings | None
    template_dirs: tuple[Path, ...]  # overrides first
    base_url: str | None
    bytecode_dir: Path | None = None  # where compiled templates are kept between processes
    stylesheet: Stylesheet = Stylesheet(STYLESHEET, None, "")  # static/style.css, which every page inlines


class Tools:
    """A process's markdown parser and template environment: made once, then used by every step it runs."""

    def __init__(self, template_dirs: Sequence[Path], bytecode_dir: Path | None = None):
        if bytecode_dir is not None:
            try:
                bytecode_dir.mkdir(parents=True, exist_ok=True)
            except OSError:
                bytecode_dir = None  # compiling is slower, not wrong
        self.md = make_markdown()
        self.templates = make_templates(template_dirs, bytecode_dir)

    def compile_all(self) -> "Tools":
        """Compile every template now, before worker processes fork and inherit them; a broken one fails where it is used."""
        for name in self.templates.list_templates(filter_func=lambda name: not any(map(is_ignored, name.split("/")))):
            with contextlib.suppress(jinja2.TemplateError, UnicodeDecodeError):
                self.templates.get_template(name)
        return self


def encode(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


# --- load ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceRecord:
    """What loading a source found: its summary (None if it did not load) and its problems."""

    digest: bytes  # of the file it was loaded from
    summary: SourceSummary | None
    summary_digest: bytes
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def load_source_record(path: Path, data: bytes | None, file_digest: bytes) -> tuple[SourceRecord, Source | None]:
    found = Problems()
    source = load_source(path, found, data)
    summary = source.summary() if source else None
    return SourceRecord(file_digest, summary, digest_of(summary), tuple(found.errors), tuple(found.warnings)), source


# --- one explainer: load, check, render ---------------------------------------------------

@dataclass(frozen=True)
class ExplainerRecord:
    """What one explainer's load, check and render produced."""

    referenced: tuple[str, ...]  # the source ids it lists or cites: what its check read (see memo.sources_read)
    summary: ExplainerSummary | None  # None if it did not load
    summary_digest: bytes
    load_errors: tuple[Problem, ...]
    load_warnings: tuple[Problem, ...]
    check_errors: tuple[Problem, ...]
    count: int  # citations verified
    cited: dict[str, frozenset[int]]  # source id -> the paragraphs it cites
    backlinks: dict[str, str]  # source id -> its backlinks to that source as JSON text (backlinks_text): read only to render that source's pages
    backlink_digests: dict[str, bytes]
    render_problem: Problem | None
    pages: tuple[str, ...]
    statements: dict[str, tuple[StatedPosition, ...]]  # party id -> its summaries, as the party's page shows them
    statement_digests: dict[str, bytes]
    search_document: str | None  # what search indexes of it (render.search_document)


def explain(context: Context, tools: Tools, path: Path, data: bytes | None) -> tuple[ExplainerRecord, Pages]:
    """Load, check and render one explainer; its pages are rendered only if it has no problems."""
    problems = Problems()
    explainer = load_explainer(path, tools.md, problems, data)
    load_errors, load_warnings = tuple(problems.errors), tuple(problems.warnings)
    if explainer is None:
        return ExplainerRecord((), None, b"", load_errors, load_warnings, (), 0, {}, {}, {}, None, (), {}, {}, None), {}
    referenced = tuple(sorted(set(explainer.source_ids) | {citation.source_id for citation in explainer.citations()}))
    checks = Problems()
    checked = check_explainer(explainer, context.sources, checks)
    cited: dict[str, set[int]] = {}
    by_source: dict[str, list] = {}
    for (source_id, number), backlink in checked.backlinks:
        cited.setdefault(source_id, set()).add(number)
        by_source.setdefault(source_id, []).append((number, backlink))
    pages: Pages = {}
    render_problem, statements, document = None, {}, None
    if not load_errors and not checks.errors and context.settings is not None:
        sources = tuple(context.sources[source_id] for source_id in explainer.source_ids)
        renderer = _renderer(context, tools, Site(context.settings, sources, (explainer,)), checked.index())
        render_problem, pages = _render(renderer, context, EXPLAINER_PAGES, explainer)
        if render_problem is None:
            try:
                statements = ExplainerView.of(renderer, explainer).statements()
                document = search_document(renderer, explainer)
            except jinja2.TemplateError as error:
                render_problem = template_problem(error, context.template_dirs)
        renderer.views.clear()  # the view refers to the renderer: left there, the two would be a cycle for the collector
    summary = ExplainerSummary.of(explainer)
    # each with the summary the check gave its backlinks (no tags: a source page does not show them, so retagging leaves it be)
    backlinks = {source_id: backlinks_text(links[0][1].explainer, links) for source_id, links in by_source.items()}
    record = ExplainerRecord(
        referenced=referenced, summary=summary, summary_digest=digest_of(summary),
        load_errors=load_errors, load_warnings=load_warnings, check_errors=tuple(checks.errors), count=checked.count,
        cited={source_id: frozenset(numbers) for source_id, numbers in cited.items()}, backlinks=backlinks,
        backlink_digests={source_id: digest(text) for source_id, text in backlinks.items()},
        render_problem=render_problem, pages=tuple(pages),
        statements=statements, statement_digests={party_id: digest_of(found) for party_id, found in statements.items()},
        search_document=document,
    )
    return record, pages


# One explainer's backlinks to a source, kept between builds as JSON text: its summary once, then each
# backlink's other fields (its citation's but the path, the explainer's own).
BACKLINK_ROWS = tuple[ExplainerSummary, tuple[tuple[int, str | None, str, str | None, str, tuple[int, ...], str | None, str, int, int, str,
                                                    tuple[int, int, int] | None], ...]]


def backlinks_text(explainer: ExplainerSummary, links: list[tuple[int, Backlink]]) -> str:
    rows = []
    for number, b in links:
        c = b.citation
        assert c.path == explainer.path, "an explainer's citations are in its own file"
        rows.append((number, b.topic, b.role, b.party, c.source_id, c.paragraphs, c.quote, c.raw, c.bracket, c.line, c.anchor, b.quoted))
    return json.dumps(plain.encoder(BACKLINK_ROWS)((explainer, rows)), ensure_ascii=False, separators=(",", ":"))


def read_backlinks(text: str) -> list[tuple[int, Backlink]]:
    """The backlinks written by backlinks_text, checked field by field (they may come from the cache file)."""
    explainer, rows = plain.decoder(BACKLINK_ROWS)(json.loads(text))
    return [(number, Backlink(explainer, topic, role, party, Citation(source_id, paragraphs, quote, raw, bracket, explainer.path, line, anchor), quoted))
            for number, topic, role, party, source_id, paragraphs, quote, raw, bracket, line, anchor, quoted in rows]


# --- check what spans files ---------------------------------------------------------------

def find_uncited(source: Source, cited: Sequence[int]) -> tuple[Problem, ...]:
    """The warnings for a source's paragraphs that no explainer cites."""
    found = Problems()
    warn_uncited(source, set(cited), found)
    return tuple(found.warnings)


# --- render the other pages ---------------------------------------------------------------

def render_source_pages(context: Context, tools: Tools, source_id: str, backlinks: list[str]) -> tuple[Problem | None, Pages]:
    """A source's pages, from the backlinks of each explainer citing it (backlinks_text)."""
    source = context.sources[source_id]
    citing: dict[tuple[str, int], list[Backlink]] = {}
    for text in backlinks:
        for number, backlink in read_backlinks(text):
            citing.setdefault((source_id, number), []).append(backlink)
    index = CitationIndex({key: tuple(links) for key, links in citing.items()}, 0)
    return _render(_renderer(context, tools, Site(context.settings, (source,), ()), index), context, SOURCE_PAGES, source)


def render_site_pages(context: Context, tools: Tools, site: Site, name: str) -> tuple[Problem | None, Pages]:
    """One kind of page about the whole site (an entry of render.PAGES), from every explainer's and source's summary."""
    return _render(_renderer(context, tools, site, CitationIndex({}, 0)), context, [entry for entry in PAGES if entry[0] == name])


def render_browse_page(context: Context, tools: Tools, page: BrowsePage, statements: tuple[PartyInExplainer, ...],
                       sources: tuple[SourceSummary, ...]) -> tuple[Problem | None, Pages]:
    """One page of a party's, a tag's or a year's explainers (browse.BrowsePage), and the sources they are based on."""
    site = Site(context.settings, sources, ())
    return _render(_renderer(context, tools, site, CitationIndex({}, 0)), context, BROWSE_PAGES, page, statements)


def index_site(context: Context, tools: Tools, documents: list[tuple[str, str]], source_ids: list[str],
               indexer: Indexer | None = None) -> tuple[Problem | None, Pages]:
    """The search index (evidence/search.py) of the explainers' documents and of every source shown in full; `indexer`, if
    given, may have been sent the first documents already."""
    sources = [context.sources[source_id] for source_id in source_ids]
    renderer = _renderer(context, tools, Site(context.settings, tuple(sources), ()), CitationIndex({}, 0))
    try:
        documents = documents + [(urls.source_page(s.id).removesuffix("index.html"), search_document(renderer, source=s))
                                 for s in sources if s.shows_full_text]
    except jinja2.TemplateError as error:
        return template_problem(error, context.template_dirs), {}
    if indexer is None:
        return build_index(documents, context.settings.language)
    return indexer.finish(documents)


def constant_pages() -> Pages:
    return {path: encode(text) for path, text in CONSTANT_PAGES.items()}


def _renderer(context: Context, tools: Tools, site: Site, index: CitationIndex) -> Renderer:
    return Renderer(site, index, tools.templates, tools.md, context.base_url, context.stylesheet)


def _render(renderer: Renderer, context: Context, table: list, *subject) -> tuple[Problem | None, Pages]:
    try:
        return None, {path: encode(text) for _, render in table for path, text in render(renderer, *subject)}
    except jinja2.TemplateError as error:
        return template_problem(error, context.template_dirs), {}
