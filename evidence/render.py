"""Render the checked model into pages held in memory: one small function per kind of page."""
from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import jinja2
from markupsafe import Markup
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from .check import CitationIndex
from .jsontext import json_text
from .labels import format_date, join_names  # noqa: F401 - re-exported for tests
from .links import Links, base_path_of
from .model import Explainer, Paragraph, Passage, Site, Source
from .reader import Note, backlink_items, card_html, card_id, escape_text, evidence_rows, excerpt_paragraph, explainer_json, explainer_notes, group_marks, paragraph_runs

CARD_BREAK = "\n    "  # between the card templates, as indented in the page
ENDNOTE_BREAK = MAP_BREAK = "\n      "  # between the items of the endnotes and of a paragraph map, as indented in the page
STATIC_PREFIX = "assets/"  # where the static folder is copied
STYLESHEET = "assets/style.css"
ICON = "assets/favicon.svg"
CARD = "assets/card.png"  # the social-card picture shown when a page is shared
CARD_SIZE = (1200, 630)
FEED = "feed.xml"
SITEMAP = "sitemap.xml"

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


@dataclass(frozen=True)
class Renderer:
    """Everything a page needs besides its own subject: the model, its index, templates, markdown."""

    site: Site
    index: CitationIndex
    templates: jinja2.Environment
    md: MarkdownIt
    base_url: str | None

    def page(
        self, template: str, path: str, *, absolute_links: bool = False, meta: PageMeta = PageMeta(), **context: object,
    ) -> tuple[str, str]:
        links = Links(path, base_path_of(self.base_url) if absolute_links else None, self.base_url)
        html = self.templates.get_template(template).render(
            site=self.site.settings, links=links, page_path=path, stylesheet=STYLESHEET,
            canonical=links.absolute(path) if meta.indexable else None, page_meta=meta, icon=ICON,
            card=links.absolute(CARD), card_size=CARD_SIZE, feed=FEED if self.base_url else None, **context,
        )
        return path, html

    def text(self, template: str, path: str, **context: object) -> tuple[str, str]:
        """A non-HTML file (feed, sitemap), whose URLs are all absolute."""
        links = Links(path, None, self.base_url)
        return path, self.templates.get_template(template).render(site=self.site.settings, links=links, **context)

    # source page ---------------------------------------------------------------------

    def backlinks_html(self, source: Source, number: int, links: Links) -> Markup:
        """The items of ¶number's 'Cited in' list, grouped by passage and speaker, Wikipedia-style: label, then a b c."""
        groups: dict[tuple[str, str, str], tuple[str, list[str]]] = {}
        for backlink in self.index.citing(source, number):
            key = (backlink.explainer.id, backlink.topic, backlink.speaker)
            if key not in groups:
                groups[key] = (f"{backlink.topic} — {backlink.speaker}" if backlink.speaker else backlink.topic, [])
            groups[key][1].append(links.url(f"explainers/{backlink.explainer.id}/index.html#{backlink.citation.anchor}"))
        return backlink_items(list(groups.values()))

    def source_text_html(self, source: Source, links: Links) -> Markup:
        """A source page's paragraphs, numbered, each with its text or excerpts and its 'Cited in' list; and its subheadings."""
        lines = []
        for block in source.blocks:
            if not isinstance(block, Paragraph):
                lines.append(f'    <h2 class="subheading" id="{block.anchor}">{escape_text(block.text)}</h2>')
                continue
            number, citing = block.number, self.index.citing(source, block.number)
            lines.append(f'    <div class="para{"" if citing else " uncited"}" id="{block.anchor}">')
            lines.append(f'      <a class="pnum" href="#{block.anchor}" aria-label="Paragraph {number}">¶{number}</a>')
            if source.shows_full_text:
                lines.append(f"      <p>{escape_text(block.text)}</p>")
            else:
                lines.append(f"      {self.excerpts_html(source, number, bool(citing))}")
            if citing:
                lines += [
                    '      <div class="backlinks">',
                    '        <span class="backlinks-label">Cited in</span>',
                    "        <ul>",
                    f"          {self.backlinks_html(source, number, links)}",
                    "        </ul>",
                    "      </div>",
                ]
            lines.append("    </div>")
        return Markup("\n".join(lines))

    # source excerpts -----------------------------------------------------------------

    def excerpts_html(self, source: Source, number: int, cited: bool) -> Markup:
        """What an excerpts-only source page shows of ¶number: the distinct quoted passages, in order, with deep links."""
        spans = {backlink.quoted[1:] for backlink in self.index.citing(source, number) if backlink.quoted and backlink.quoted[0] == number}
        text = source.paragraph(number).text
        quoted = [text[start:end] for start, end in _merge(sorted(spans))]
        return excerpt_paragraph(quoted, cited, source.url)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class ExplainerView:
    """One explainer page's rendering helpers: prose with citation marks, cards, notes."""

    r: Renderer
    explainer: Explainer
    links: Links
    notes: tuple[Note, ...]

    @classmethod
    def of(cls, r: Renderer, explainer: Explainer) -> "ExplainerView":
        links = Links(f"explainers/{explainer.id}/index.html", None, r.base_url)
        return cls(r, explainer, links, tuple(explainer_notes(explainer, r.site)))

    def note(self, citation_anchor: str) -> Note:
        return self._notes_by_anchor[citation_anchor]

    @functools.cached_property
    def _notes_by_anchor(self) -> dict[str, Note]:
        return {note.anchor: note for note in self.notes}

    def prose(self, passage: Passage) -> Markup:
        """A passage of explainer prose as HTML, its citations rendered as linked marks; the editors' own framing is labelled as such."""
        html = self._prose(passage)
        if passage.kind == "framing":
            return Markup(f'<div class="framing-note">\n  <p class="framing-label">Editors’ note</p>\n  {html}\n</div>')
        return html

    def _prose(self, passage: Passage) -> Markup:
        """A passage as markdown-it renders it, with the inline parts shared (see _inline)."""
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
        return "".join(self.mark(notes[group[0].anchor], with_ids) for group in group_marks(citations))

    def mark(self, note: Note, with_ids: bool) -> str:
        """A citation mark: with ids in the prose; without them in the at-a-glance table, which repeats the summaries."""
        title, body = self._mark_parts.get(note.anchor) or self._make_mark(note)
        if not with_ids:
            return f'<sup class="cite"{title}>{body}</sup>'
        extra_ids = "".join(f'<span id="{c.anchor}"></span>' for c in note.citations[1:])
        return f'<sup class="cite" id="{note.anchor}"{title}>{extra_ids}{body}</sup>'

    @functools.cached_property
    def _mark_parts(self) -> dict[str, tuple[str, str]]:
        return {}

    def _make_mark(self, note: Note) -> tuple[str, str]:
        source = note.source
        several = len(self.explainer.source_ids) > 1
        who = f"{source.label}, " if several else "source "
        anchors = []
        for start, end in paragraph_runs(note.paragraphs):
            label = f"¶{start}" if start == end else f"¶{start}–{end}"
            spoken = f"paragraph {start}" if start == end else f"paragraphs {start} to {end}"
            href = self.links.url(f"sources/{source.id}/index.html#p{start}")
            anchors.append(
                f'<a href="{escape_text(href)}" aria-label="{escape_text(who + spoken)}" data-card="{card_id(note.citations[0], start)}">{escape_text(label)}</a>'
            )
        quotes = note.quotes()
        title = f' title="{escape_text(" … ".join(f"“{quote}”" for quote in quotes) + f" ({note.label()})")}"' if quotes else ""
        prefix = f"{escape_text(source.label)} " if several else ""
        parts = self._mark_parts[note.anchor] = (title, f'{prefix}{", ".join(anchors)}<span class="note-number">[{note.number}]</span>')
        return parts

    def cards(self) -> Markup:
        """Every preview card the page's marks open, each in an inert <template> named by the mark's data-card."""
        return Markup(CARD_BREAK.join(
            f'<template id="{card_id(note.citations[0], first)}">{card_html(note, first, last, self.links)}</template>'
            for note in self.notes
            for first, last in paragraph_runs(note.paragraphs)
        ))

    def endnotes(self) -> Markup:
        """The items of the list print shows for the marks, in order: the quoted words, then where they come from."""
        cited: dict[str, str] = {}  # the words naming each source, the same in every note citing it
        notes = []
        for note in self.notes:
            source = note.source
            where = cited.get(source.id)
            if where is None:
                where = cited[source.id] = (
                    f"{escape_text(source.author.name)}, <cite>{escape_text(source.title)}</cite>, {escape_text(source.publisher)}, {escape_text(format_date(source.date))}"
                )
            quotes = note.quotes()
            quoted = " … ".join(f"“{escape_text(quote)}”" for quote in quotes) + " — " if quotes else ""
            notes.append(f"<li>{quoted}{where}, {escape_text(note.label())}. {escape_text(source.url)}</li>")
        return Markup(ENDNOTE_BREAK.join(notes))

    def evidence(self) -> list[dict]:
        return evidence_rows(self.explainer)

    def coverage(self) -> list[dict]:
        """Per source: how many of its paragraphs this explainer cites, and its paragraph map's items."""
        counts: dict[tuple[str, int], int] = {}
        for citation in self.explainer.citations():
            for number in citation.paragraphs:
                counts[(citation.source_id, number)] = counts.get((citation.source_id, number), 0) + 1
        entries = []
        for source in (self.r.site.source(s) for s in self.explainer.source_ids):
            page = self.links.url(f"sources/{source.id}/index.html")
            items, cited = [], 0
            for paragraph in source.paragraphs:
                count = counts.get((source.id, paragraph.number), 0)
                cited += count > 0
                items.append(
                    f'<li class="{"cited" if count else "uncited"}"><a href="{escape_text(page)}#p{paragraph.number}">'
                    f'<span class="map-number">¶{paragraph.number}</span> <span class="map-count">{f"{count}×" if count else "not cited"}</span></a></li>'
                )
            entries.append({"source": source, "cited": cited, "paragraphs": len(items), "map": Markup(MAP_BREAK.join(items))})
        return entries

    def json(self) -> str:
        page = self.links.absolute(self.links.page) or f"explainers/{self.explainer.id}/"
        data = explainer_json(self.explainer, self.r.site, list(self.notes), page)
        return json_text(data) + "\n"


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
    explainers = sorted(r.site.explainers, key=lambda e: (-e.date.toordinal(), e.title, e.id))
    yield r.page("index.html", "index.html", explainers=explainers, sources_of=lambda e: [r.site.source(s) for s in e.source_ids])


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
        json_path="explainer.json",
    )
    yield f"explainers/{explainer.id}/explainer.json", view.json()


def render_source(r: Renderer, source: Source) -> Iterator[Page]:
    cited = r.index.cited_numbers(source)
    citing_explainers = sorted({b.explainer.id: b.explainer for n in cited for b in r.index.citing(source, n)}.values(), key=lambda e: (e.title, e.id))
    yield r.page(
        "source.html", f"sources/{source.id}/index.html", source=source, cited=cited,
        citing_explainers=citing_explainers, source_text_html=lambda links, s=source: r.source_text_html(s, links),
    )


def render_not_found(r: Renderer) -> Iterator[Page]:
    # GitHub Pages serves 404.html at any missing path, at any depth: its links must not be relative.
    yield r.page("404.html", "404.html", absolute_links=True, meta=PageMeta(indexable=False))


def render_feed(r: Renderer) -> Iterator[Page]:
    """An Atom feed of the explainers; feeds need absolute URLs, so only with a base URL."""
    if r.base_url:
        explainers = sorted(r.site.explainers, key=lambda e: (-last_changed(e).toordinal(), e.title, e.id))
        yield r.text("feed.xml", FEED, explainers=explainers, updated=last_changed(explainers[0]), last_changed=last_changed)


def render_sitemap(r: Renderer) -> Iterator[Page]:
    if r.base_url:
        yield r.text("sitemap.xml", SITEMAP, pages=sitemap_entries(r.site))


def render_robots(r: Renderer) -> Iterator[Page]:
    # Crawlers read robots.txt only at a domain root; under a sub-path it is harmless and ignored.
    sitemap = Links("robots.txt", base_url=r.base_url).absolute(SITEMAP)
    yield "robots.txt", "User-agent: *\nAllow: /\n" + (f"\nSitemap: {sitemap}\n" if sitemap else "")


# Each page sees only what it is declared to depend on, so that a rebuild can tell which
# pages an edit touches (evidence/incremental.py). Pages about the whole site see every
# explainer and source as a summary (model.ExplainerSummary, model.SourceSummary); an
# explainer's pages see it in full with its sources; a source's pages see it in full with
# the backlinks of the passages citing it.
PAGES: list[tuple[str, Callable[[Renderer], Iterator[Page]]]] = [
    ("home", render_home),
    ("not found", render_not_found),
    ("feed", render_feed),
    ("sitemap", render_sitemap),
    ("robots", render_robots),
]
EXPLAINER_PAGES: list[tuple[str, Callable[[Renderer, Explainer], Iterator[Page]]]] = [
    ("explainer", render_explainer),
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
    entries = [("index.html", newest)]
    entries += sorted((f"explainers/{e.id}/index.html", last_changed(e)) for e in site.explainers)
    entries += sorted((f"sources/{s.id}/index.html", None) for s in site.sources)
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
        "image": links.absolute(CARD),
        "isBasedOn": works,
        "citation": [{"@id": work["@id"]} for work in works],
    }
    return {key: value for key, value in data.items() if value is not None}


def creative_work(source: Source) -> dict:
    work = {
        "@type": SOURCE_SCHEMA_TYPES.get(source.kind, "CreativeWork"),
        "@id": source.url,
        "url": source.url,
        "headline": source.title,
        "author": {"@type": "Person", "name": source.author.name},
        "publisher": organisation(source.publisher),
        "datePublished": source.date.isoformat(),
    }
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
