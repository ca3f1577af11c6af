"""Render the checked model into pages held in memory: one small function per kind of page.

Python computes what each page says, as the small records of evidence/views.py; the templates
and their components (templates/components/) write every tag and phrase.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable, Iterator

import jinja2
from markupsafe import Markup
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from . import urls
from .check import CitationIndex
from .errors import Problem
from .jsontext import json_text
from .labels import paragraph_label, paragraph_runs
from .links import Links, base_path_of, text_fragment_url
from .model import Explainer, ExplainerSummary, Paragraph, Passage, Site, Source, SourceSummary
from .reader import Note, explainer_json, explainer_notes, group_marks
from .views import (
    Backlinks, CardParagraph, Cards, Coverage, Endnote, EvidenceCount, EvidenceRow, Excerpt, MapItem, Mark, MarkLink, PartyInExplainer,
    SourceBlock, StatedPosition, Stylesheet,
)
from .browse import BrowsePage, browse_lists, browse_pages, newest_first

STATIC_PREFIX = urls.STATIC_PREFIX
CARD_SIZE = (1200, 630)

# schema.org types for each kind of source, for the explainer's structured data.
SOURCE_SCHEMA_TYPES = {
    "opinion": "OpinionNewsArticle",
    "analysis": "AnalysisNewsArticle",
    "news": "NewsArticle",
    "report": "Report",
}


@dataclass(frozen=True)
class PageMeta:
    """What a page tells search engines and link previews, beyond its title and description."""

    indexable: bool = True  # False for 404.html: no canonical URL, and robots are told not to index it
    kind: str = "website"  # og:type
    published: dt.date | None = None
    modified: dt.date | None = None
    json_ld: Markup | None = None  # a schema.org block, already serialised


def stylesheet_of(path, data: bytes | None) -> Stylesheet | Problem:
    """The record base.html inlines the stylesheet from (a page then waits for no other file to show),
    or a problem when its text would end the <style> element early."""
    if data is None:
        return Stylesheet(urls.STYLESHEET, None, "")
    text = data.decode("utf-8", errors="replace")
    end = text.lower().find("</style")
    if end >= 0:
        return Problem(path, text.count("\n", 0, end) + 1, "the stylesheet contains '</style', which would end it early inside a page")
    return Stylesheet(urls.STYLESHEET, Markup(text), base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii"))


@dataclass(frozen=True)
class Renderer:
    """Everything a page needs besides its own subject: the model, its index, templates, markdown."""

    site: Site
    index: CitationIndex
    templates: jinja2.Environment
    md: MarkdownIt
    base_url: str | None
    stylesheet: Stylesheet
    views: dict = field(default_factory=dict, compare=False)  # an explainer's view, made once for its page and its parties' pages

    def page(
        self, template: str, path: str, *, absolute_links: bool = False, meta: PageMeta = PageMeta(), **context: object,
    ) -> tuple[str, str]:
        links = Links(path, base_path_of(self.base_url) if absolute_links else None, self.base_url)
        html = self.templates.get_template(template).render(
            site=self.site.settings, links=links, urls=urls, page_path=path, stylesheet=self.stylesheet,
            canonical=links.absolute(path) if meta.indexable else None, page_meta=meta, icon=urls.ICON,
            card=links.absolute(urls.CARD), card_size=CARD_SIZE, feed=urls.FEED if self.base_url else None,
            party_href=lambda party_id: links.url(urls.party_page(party_id)), **context,
        )
        return path, html

    def sources_of(self, explainer: ExplainerSummary) -> list[SourceSummary]:
        """The sources a listed explainer is based on, for its "Based on:" line (the page's site holds them)."""
        return [self.site.source(source_id) for source_id in explainer.source_ids]

    def text(self, template: str, path: str, **context: object) -> tuple[str, str]:
        """A non-HTML file (feed, sitemap), whose URLs are all absolute."""
        links = Links(path, None, self.base_url)
        return path, self.templates.get_template(template).render(site=self.site.settings, links=links, urls=urls, **context)

    def component(self, name: str, macro: str) -> Callable[..., Markup]:
        """A macro of templates/components/<name>.html, for the one place Python calls one: a mark inside prose."""
        return getattr(self.templates.get_template(f"components/{name}.html").module, macro)


# --- source page -------------------------------------------------------------------------

def source_blocks(r: Renderer, source: Source, links: Links) -> list[SourceBlock]:
    """A source page's paragraphs, each with its text or excerpts and the passages citing it; and its subheadings."""
    blocks = []
    for block in source.blocks:
        if not isinstance(block, Paragraph):
            blocks.append(SourceBlock(block.anchor, None, block.text, (), ()))
            continue
        citing = r.index.citing(source, block.number)
        excerpts = () if source.shows_full_text else excerpts_of(source, block.number, citing)
        blocks.append(SourceBlock(block.anchor, block.number, block.text if source.shows_full_text else None,
                                  excerpts, backlinks_of(citing, links)))
    return blocks


def backlinks_of(citing, links: Links) -> tuple[Backlinks, ...]:
    """The passages citing a paragraph, grouped by explainer section, in reading order."""
    groups: dict[tuple, list[str]] = {}
    for backlink in citing:
        key = (backlink.explainer.id, backlink.topic, backlink.role, backlink.party)
        groups.setdefault(key, []).append(links.url(f"{urls.explainer_page(backlink.explainer.id)}#{backlink.citation.anchor}"))
    return tuple(Backlinks(topic, role, party, tuple(hrefs)) for (_, topic, role, party), hrefs in groups.items())


def excerpts_of(source: Source, number: int, citing) -> tuple[Excerpt, ...]:
    """What an excerpts-only source page shows of ¶number: the distinct quoted passages, in order, with deep links."""
    spans = {backlink.quoted[1:] for backlink in citing if backlink.quoted and backlink.quoted[0] == number}
    text = source.paragraph(number).text
    quoted = [text[start:end] for start, end in _merge(sorted(spans))]
    page = source.original_link  # an archived copy holds the same words; with no address there is no link
    return tuple(Excerpt(words, text_fragment_url(page, words) if page else None) for words in quoted)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# --- explainer page ------------------------------------------------------------------------

@dataclass(frozen=True)
class ExplainerView:
    """One explainer page's rendering helpers: prose with citation marks, and the records its components take."""

    r: Renderer
    explainer: Explainer
    links: Links
    notes: tuple[Note, ...]
    quote_places: dict[str, tuple[int, int, int]]

    @classmethod
    def of(cls, r: Renderer, explainer: Explainer) -> "ExplainerView":
        made = r.views.get(explainer.id)
        if made is None:
            links = Links(urls.explainer_page(explainer.id), None, r.base_url)
            places = r.index.quote_places()
            made = r.views[explainer.id] = cls(r, explainer, links, tuple(explainer_notes(explainer, r.site, places)), places)
        return made

    def statements(self) -> dict[str, tuple[StatedPosition, ...]]:
        """By party id: the summary of its position on each topic, as its browse page shows them."""
        found: dict[str, list[StatedPosition]] = {party.id: [] for party in self.explainer.parties}
        for topic in self.explainer.topics:
            for position in topic.positions:
                passage = position.summary or position.unstated
                if passage is None:
                    continue
                href = Links(urls.party_page(position.party.id)).url(f"{urls.explainer_page(self.explainer.id)}#{position.anchor}")
                found[position.party.id].append(StatedPosition(topic.title, href, self.glance(passage), position.is_stated))
        return {party_id: tuple(positions) for party_id, positions in found.items()}

    @functools.cached_property
    def _notes_by_anchor(self) -> dict[str, Note]:
        return {note.anchor: note for note in self.notes}

    def prose(self, passage: Passage) -> Markup:
        """A passage of explainer prose as markdown-it renders it, its citations rendered as marks (inline parts shared: see _inline)."""
        out = []
        for index, token in enumerate(passage.tokens):
            if token.type == "inline":
                if token.children:
                    out.append(self._inline(passage, index, with_ids=True))
            else:
                out.append(_render_token(self.r.md, passage.tokens, index))
        return Markup("".join(out))

    def glance(self, passage: Passage) -> Markup:
        """A summary's words for the at-a-glance table: inline only, and no ids (they live in the topic)."""
        index = next(index for index, token in enumerate(passage.tokens) if token.type == "inline")
        return Markup(self._inline(passage, index, with_ids=False))

    def _inline(self, passage: Passage, index: int, with_ids: bool) -> str:
        """The HTML of one inline token of a passage: its words are rendered once (a summary shows twice), its marks as asked."""
        key = (passage.anchor, index)
        rendered = self._inline_html.get(key)
        if rendered is None:
            rendered = self._inline_html[key] = _render_inline(self.r.md, passage.tokens[index].children or [])
        pieces, marked = rendered
        out = [pieces[0]]
        for citations, piece in zip(marked, pieces[1:]):
            out += (self.marks(citations, with_ids), piece)
        return "".join(out)

    @functools.cached_property
    def _inline_html(self) -> dict[tuple[str, int], tuple[list[str], list[tuple]]]:
        return {}

    def marks(self, citations: tuple, with_ids: bool) -> str:
        notes = self._notes_by_anchor
        render_mark = self._mark_component
        return "".join(render_mark(self.mark(notes[group[0].anchor]), with_ids) for group in group_marks(citations))

    @functools.cached_property
    def _marks(self) -> dict[str, Mark]:
        return {}

    @functools.cached_property
    def _mark_component(self) -> Callable[..., Markup]:
        return self.r.component("mark", "mark")

    def mark(self, note: Note) -> Mark:
        """What a citation mark shows: its quoted words, its paragraph links, its note number (made once: a summary's marks show twice)."""
        made = self._marks.get(note.anchor)
        if made is None:
            made = self._marks[note.anchor] = self._make_mark(note)
        return made

    def _make_mark(self, note: Note) -> Mark:
        source = note.source
        several = len(self.explainer.source_ids) > 1
        links = tuple(
            MarkLink(self.links.url(urls.source_paragraph(source.id, first)), first, last, paragraph_label(first, last),
                     f"{source.id}:{first}" if first == last else f"{source.id}:{first}-{last}", _quotes_json(note, first, last))
            for first, last in paragraph_runs(note.paragraphs)
        )
        return Mark(note.anchor, tuple(c.anchor for c in note.citations[1:]), note.number, source.label if several else None,
                    tuple(note.quotes()), note.label(), links)

    def cards(self) -> Cards:
        """Each cited source once, and each cited paragraph of a source shown in full once: cite.js builds the cards from them."""
        sources: dict[str, Source] = {}
        numbers: dict[str, set[int]] = {}
        for note in self.notes:
            sources.setdefault(note.source.id, note.source)
            if note.source.shows_full_text:
                numbers.setdefault(note.source.id, set()).update(note.paragraphs)
        paragraphs = tuple(
            CardParagraph(source_id, number, sources[source_id].paragraph(number).text)
            for source_id in numbers for number in sorted(numbers[source_id])
        )
        return Cards(tuple(sources.values()), paragraphs)

    def endnotes(self) -> list[Endnote]:
        """The list print shows for the marks, in order."""
        return [Endnote(tuple(note.quotes()), note.source, note.label()) for note in self.notes]

    def evidence(self) -> list[EvidenceRow]:
        """Per topic: how many citations each party's position and the analysis rest on."""
        rows = []
        for topic in self.explainer.topics:
            counts = []
            for position in topic.positions:
                passages = [p for p in (position.summary, *position.passages, position.unstated) if p]
                counts.append(EvidenceCount(position.party, position.is_stated, sum(len(p.citations) for p in passages)))
            rows.append(EvidenceRow(topic, tuple(counts), sum(len(p.citations) for p in topic.analysis)))
        return rows

    def coverage(self) -> list[Coverage]:
        """Per source: how many of its paragraphs this explainer cites, and its paragraph map."""
        counts: dict[tuple[str, int], int] = {}
        for citation in self.explainer.citations():
            for number in citation.paragraphs:
                counts[(citation.source_id, number)] = counts.get((citation.source_id, number), 0) + 1
        entries = []
        for source in (self.r.site.source(s) for s in self.explainer.source_ids):
            page = self.links.url(urls.source_page(source.id))
            items = tuple(
                MapItem(f"{page}#{paragraph.anchor}", paragraph.number, counts.get((source.id, paragraph.number), 0))
                for paragraph in source.paragraphs
            )
            entries.append(Coverage(source, sum(1 for item in items if item.count), len(items), items))
        return entries

    def json(self) -> str:
        page = self.links.absolute(self.links.page) or self.links.page.removesuffix("index.html")
        data = explainer_json(self.explainer, self.r.site, list(self.notes), page, self.quote_places)
        return json_text(data) + "\n"


def _quotes_json(note: Note, first: int, last: int) -> str | None:
    quoted = [[number, note.source.paragraph(number).text[start:end]] for number, start, end in note.spans if first <= number <= last]
    return json.dumps(quoted, ensure_ascii=False, separators=(",", ":")) if quoted else None


def _render_inline(md: MarkdownIt, children: list) -> tuple[list[str], list[tuple]]:
    """Inline tokens as markdown-it renders them, split where citation marks go, and the citations of each mark.

    What markdown-it's renderInline does, with its commonest token, text, handled here; citation
    tokens are rendered only here, by ExplainerView.marks, as they need the page's notes.
    """
    renderer = md.renderer
    plain_text = getattr(renderer.rules.get("text"), "__func__", None) is type(renderer).text  # the text rule is markdown-it's own
    pieces, marked, out = [], [], []
    for index, token in enumerate(children):
        if token.type == "text" and plain_text:
            out.append(escapeHtml(token.content))
        elif token.type == "citation":
            pieces.append("".join(out))
            out = []
            marked.append(token.meta["citations"])
        else:
            out.append(_render_token(md, children, index))
    pieces.append("".join(out))
    return pieces, marked


def _render_token(md: MarkdownIt, tokens: list, index: int) -> str:
    """One token as markdown-it's renderer writes it: by its rule for that type, or as a plain tag."""
    renderer = md.renderer
    rule = renderer.rules.get(tokens[index].type)
    return rule(tokens, index, md.options, {}) if rule else renderer.renderToken(tokens, index, md.options, {})


# --- pages ---------------------------------------------------------------------------

Page = tuple[str, str]


def render_home(r: Renderer) -> Iterator[Page]:
    explainers = newest_first(r.site.explainers)
    yield r.page("index.html", "index.html", explainers=explainers[: r.site.settings.home], total=len(explainers),
                 sources_of=r.sources_of)


def list_counts(site: Site, kind: str) -> list[tuple[str, int]]:
    """Each party id, tag or year (`kind`), with how many explainers it has."""
    return [(key, len(members)) for (of, key), members in browse_lists(site.explainers).items() if of == kind]


def render_parties(r: Renderer) -> Iterator[Page]:
    names = {party.id: party.name for e in r.site.explainers for party in e.parties}  # one name per id: stages.check_party_names
    parties = sorted(((names[key], key, count) for key, count in list_counts(r.site, "party")), key=lambda p: (p[0].casefold(), p[1]))
    yield r.page("parties.html", urls.PARTIES, parties=parties)


def render_tags(r: Renderer) -> Iterator[Page]:
    yield r.page("tags.html", urls.TAGS, tags=list_counts(r.site, "tag"))


def render_archive(r: Renderer) -> Iterator[Page]:
    yield r.page("archive.html", urls.ARCHIVE, years=list_counts(r.site, "year")[::-1])


def render_search(r: Renderer) -> Iterator[Page]:
    yield r.page("search.html", urls.SEARCH)


def render_browse(r: Renderer, page: BrowsePage, statements: tuple[PartyInExplainer, ...]) -> Iterator[Page]:
    """A page of a party's, a tag's or a year's explainers, newest first; a party's with its summaries of the party's positions."""
    party = next((p for e in page.explainers for p in e.parties if p.id == page.key), None) if page.kind == "party" else None
    yield r.page("browse.html", urls.browse_page(page.kind, page.key, page.number), page=page, party=party, statements=statements,
                 page_url=lambda number: urls.browse_page(page.kind, page.key, number), sources_of=r.sources_of)


def render_explainer(r: Renderer, explainer: Explainer) -> Iterator[Page]:
    view = ExplainerView.of(r, explainer)
    meta = PageMeta(
        kind="article", published=explainer.date, modified=explainer.updated,
        json_ld=json_ld(article_data(r, explainer, Links(view.links.page, base_url=r.base_url))),
    )
    yield r.page(
        "explainer.html", view.links.page, meta=meta, explainer=explainer, view=view,
        sources=[r.site.source(s) for s in explainer.source_ids],
        prose=view.prose, glance=view.glance,
        analysts=lambda topic: [r.site.source(c.source_id).author.name for p in topic.analysis for c in p.citations],
        json_path=urls.EXPLAINER_DATA,
    )
    yield urls.explainer_data(explainer.id), view.json()


def search_document(r: Renderer, explainer: Explainer | None = None, source: Source | None = None) -> str:
    """What search indexes of an explainer page, or of a source page shown in full (templates/search_document.html)."""
    subject = {"explainer": explainer, "sources": [r.site.source(s) for s in explainer.source_ids]} if explainer else {"source": source}
    return r.templates.get_template("search_document.html").render(plain=plain_words, **subject)


def plain_words(passage: Passage) -> str:
    """A passage's words, without its citation marks or markup."""
    words = []
    for token in passage.tokens:
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
    return " ".join("".join(words).split())


def render_source(r: Renderer, source: Source) -> Iterator[Page]:
    path = urls.source_page(source.id)
    cited = r.index.cited_numbers(source)
    citing_explainers = sorted({b.explainer.id: b.explainer for n in cited for b in r.index.citing(source, n)}.values(), key=lambda e: (e.title, e.id))
    yield r.page(
        "source.html", path, source=source, cited=cited, citing_explainers=citing_explainers,
        blocks=source_blocks(r, source, Links(path, None, r.base_url)),
    )


def render_not_found(r: Renderer) -> Iterator[Page]:
    # GitHub Pages serves 404.html at any missing path, at any depth: its links must not be relative.
    yield r.page("404.html", "404.html", absolute_links=True, meta=PageMeta(indexable=False))


def render_feed(r: Renderer) -> Iterator[Page]:
    """An Atom feed of the explainers; feeds need absolute URLs, so only with a base URL."""
    if r.base_url:
        explainers = sorted(r.site.explainers, key=lambda e: (-last_changed(e).toordinal(), e.title, e.id))
        yield r.text("feed.xml", urls.FEED, explainers=explainers, updated=last_changed(explainers[0]), last_changed=last_changed)


def render_sitemap(r: Renderer) -> Iterator[Page]:
    if r.base_url:
        yield r.text("sitemap.xml", urls.SITEMAP, pages=sitemap_entries(r.site))


def render_robots(r: Renderer) -> Iterator[Page]:
    # Crawlers read robots.txt only at a domain root; under a sub-path it is harmless and ignored.
    sitemap = Links("robots.txt", base_url=r.base_url).absolute(urls.SITEMAP)
    yield "robots.txt", "User-agent: *\nAllow: /\n" + (f"\nSitemap: {sitemap}\n" if sitemap else "")


# Each page sees only what it is declared to depend on, so that a rebuild can tell which
# pages an edit touches (evidence/incremental.py). Pages about the whole site see every
# explainer and source as a summary (model.ExplainerSummary, model.SourceSummary); an
# explainer's pages see it in full with its sources; a source's pages see it in full with
# the backlinks of the passages citing it.
PAGES: list[tuple[str, Callable[[Renderer], Iterator[Page]]]] = [
    ("home", render_home),
    ("parties", render_parties),
    ("tags", render_tags),
    ("archive", render_archive),
    ("search", render_search),
    ("not found", render_not_found),
    ("feed", render_feed),
    ("sitemap", render_sitemap),
    ("robots", render_robots),
]
EXPLAINER_PAGES: list[tuple[str, Callable[[Renderer, Explainer], Iterator[Page]]]] = [
    ("explainer", render_explainer),
]
BROWSE_PAGES: list[tuple[str, Callable[[Renderer, BrowsePage, tuple], Iterator[Page]]]] = [
    ("browse", render_browse),
]
SOURCE_PAGES: list[tuple[str, Callable[[Renderer, Source], Iterator[Page]]]] = [
    ("source", render_source),
]
CONSTANT_PAGES = {".nojekyll": ""}


# --- dates, sitemap and structured data ---------------------------------------------

def last_changed(explainer: Explainer) -> dt.date:
    return explainer.updated or explainer.date


def sitemap_entries(site: Site) -> list[tuple[str, dt.date | None]]:
    """Every page worth indexing, with the content date it last changed when one is known."""
    newest = max(last_changed(e) for e in site.explainers)
    entries = [("index.html", newest), (urls.SEARCH, None), (urls.PARTIES, None), (urls.TAGS, None), (urls.ARCHIVE, None)]
    entries += [(urls.browse_page(page.kind, page.key, page.number), max(last_changed(e) for e in page.explainers))
                for page in browse_pages(site.explainers)]
    entries += sorted((urls.explainer_page(e.id), last_changed(e)) for e in site.explainers)
    entries += sorted((urls.source_page(s.id), None) for s in site.sources)
    return entries


def article_data(r: Renderer, explainer: Explainer, links: Links) -> dict:
    """schema.org Article for an explainer: who wrote it, when, and the articles it is based on."""
    settings = r.site.settings
    works = [creative_work(r.site.source(source_id)) for source_id in explainer.source_ids]
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": explainer.title,
        "description": explainer.dek,
        "inLanguage": settings.language,
        "datePublished": explainer.date.isoformat(),
        "dateModified": last_changed(explainer).isoformat(),
        "author": agent(explainer.byline) if explainer.byline else organisation(settings.publisher or settings.title),
        "publisher": organisation(settings.publisher or settings.title),
        "url": links.absolute(links.page),
        "mainEntityOfPage": links.absolute(links.page),
        "image": links.absolute(urls.CARD),
        "isBasedOn": works,
        "citation": [{"@id": work["@id"]} if "@id" in work else work for work in works],
    }
    return {key: value for key, value in data.items() if value is not None}


def creative_work(source: Source) -> dict:
    work = {
        "@type": SOURCE_SCHEMA_TYPES.get(source.kind, "CreativeWork"),
        "@id": source.url,
        "url": source.url,
        "archivedAt": source.archive_url,
        "headline": source.title,
        "author": {"@type": "Person", "name": source.author.name},
        "publisher": organisation(source.publisher),
        "datePublished": source.date.isoformat(),
    }
    work = {key: value for key, value in work.items() if value is not None}  # a text with no address has no @id
    if source.author.description:
        work["author"]["description"] = source.author.description
    return work


def agent(name: str) -> dict:
    """A byline as schema.org data: one that starts with 'The' (The editors) names a group."""
    return organisation(name) if name.startswith("The ") else {"@type": "Person", "name": name}


def organisation(name: str) -> dict:
    return {"@type": "Organization", "name": name}


def json_ld(data: dict) -> Markup:
    """JSON for a <script type="application/ld+json"> block: '<', '>' and '&' escaped so no
    text in it can close the element; the browser never runs it, so it stands under any CSP."""
    text = json_text(data)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))
