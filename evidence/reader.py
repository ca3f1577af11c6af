"""What a reader checks claims with, as data: numbered notes (marks, cards, endnotes) and the JSON export."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Iterable

from markupsafe import Markup

from . import urls
from .labels import paragraph_runs, paragraphs_label
from .links import Links, text_fragment_url
from .model import Citation, Explainer, Site, Source

CONTEXT_CHARS = 32  # prefix and suffix length of a TextQuoteSelector


def group_marks(citations: Iterable[Citation]) -> list[tuple[Citation, ...]]:
    """Citations as marks: those of one bracket citing the same place share a mark."""
    groups: list[list[Citation]] = []
    for citation in citations:
        previous = groups[-1][0] if groups else None
        if previous and (previous.bracket, previous.source_id, previous.paragraphs) == (citation.bracket, citation.source_id, citation.paragraphs):
            groups[-1].append(citation)
        else:
            groups.append([citation])
    return [tuple(group) for group in groups]


@dataclass(frozen=True)
class Note:
    """One citation mark, numbered in reading order: what print endnotes and preview cards show."""

    number: int
    citations: tuple[Citation, ...]
    source: Source
    topic: str
    speaker: str
    spans: tuple[tuple[int, int, int], ...]  # (paragraph, start, end) of each of its quotations, as the check found them

    @property
    def anchor(self) -> str:
        return self.citations[0].anchor

    @property
    def paragraphs(self) -> tuple[int, ...]:
        return self.citations[0].paragraphs

    def quotes(self) -> list[str]:
        return list(self._quotes)

    @functools.cached_property
    def _quotes(self) -> tuple[str, ...]:
        return tuple(self.source.paragraph(n).text[start:end] for n, start, end in self.spans)

    def original_url(self) -> str:
        """The original article, scrolled to the first quotation where there is one."""
        quotes = self.quotes()
        return text_fragment_url(self.source.url, quotes[0]) if quotes else self.source.url

    def label(self) -> str:
        return self._label

    @functools.cached_property
    def _label(self) -> str:
        return paragraphs_label(self.paragraphs)


def explainer_notes(explainer: Explainer, site: Site, quote_places: dict[str, tuple[int, int, int]]) -> list[Note]:
    """Every mark of an explainer, numbered; `quote_places` is where the check found each quotation (CitationIndex.quote_places)."""
    notes: list[Note] = []
    for topic, speaker, passage in explainer.labelled_passages():
        for group in group_marks(passage.citations):
            spans = tuple(sorted({quote_places[c.anchor] for c in group if c.anchor in quote_places}))
            notes.append(Note(len(notes) + 1, group, site.source(group[0].source_id), topic, speaker, spans))
    return notes


# Temporary: the cards move into a component in the next commit.
def card_html(note: Note, first: int, last: int, links: Links) -> Markup:
    """The preview of paragraphs first..last for a mark: text with the quotation highlighted, or excerpts."""
    source = note.source
    head, rights = _card_frame(source.label, source.publisher)
    label = f"¶{first}" if first == last else f"¶{first}–{last}"
    parts = [f'{head}<span class="card-number">{label}</span></span>']
    spans = note.spans
    if source.shows_full_text:
        for number in range(first, last + 1):
            text = source.paragraph(number).text
            marked = [(start, end) for n, start, end in spans if n == number]
            parts.append(f'<span class="card-text">{_highlight(text, marked)}</span>')
    else:
        quoted = [source.paragraph(n).text[start:end] for n, start, end in spans if first <= n <= last]
        if quoted:
            parts.append('<span class="card-text">' + " … ".join(f"<mark>“{escape_text(q)}”</mark>" for q in quoted) + "</span>")
        else:
            parts.append('<span class="card-text card-none">This citation quotes no words.</span>')
        parts.append(rights)
    href = links.url(urls.source_paragraph(source.id, first))
    parts.append(
        f'<span class="card-links"><a href="{escape_text(href)}">Go to {label} on the source page</a>'
        f' <a href="{escape_text(note.original_url())}" rel="external noopener">Find it in the original ↗</a></span>'
    )
    return Markup("".join(parts))


@functools.lru_cache(maxsize=256)
def _card_frame(label: str, publisher: str) -> tuple[str, str]:
    """What every card of a source says: its name (the head, left open for the ¶ number) and, for excerpts, its rights."""
    head = f'<span class="card-head"><span class="card-source">{escape_text(label)}, {escape_text(publisher)}</span> '
    rights = f'<span class="card-rights">Only quoted words are shown here; the full text is at {escape_text(publisher)}.</span>'
    return head, rights


def escape_text(text: str) -> str:
    """HTML-escaped text, as markupsafe.escape writes it, for HTML built here rather than in a template."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace('"', "&#34;")


def _highlight(text: str, spans: list[tuple[int, int]]) -> str:
    out, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            continue
        out.append(escape_text(text[position:start]))
        out.append(f"<mark>{escape_text(text[start:end])}</mark>")
        position = end
    out.append(escape_text(text[position:]))
    return "".join(out)


def explainer_json(explainer: Explainer, site: Site, notes: list[Note], page: str, quote_places: dict[str, tuple[int, int, int]]) -> dict[str, Any]:
    """The explainer as data: topics, positions and every citation as a W3C Web Annotation target.

    `page` is the explainer page's URL: absolute when the site's base URL is known.
    """

    def passage_data(passage):
        return {"id": passage.anchor, "kind": passage.kind, "markdown": passage.text, "citations": [c.anchor for c in passage.citations]}

    topics = []
    for topic in explainer.topics:
        topics.append({
            "id": topic.id,
            "title": topic.title,
            "context": [passage_data(p) for p in topic.context],
            "positions": [
                {
                    "party": position.party.id,
                    "stated": position.is_stated,
                    "summary": passage_data(position.summary) if position.summary else None,
                    "passages": [passage_data(p) for p in position.passages],
                    "not_stated": passage_data(position.unstated) if position.unstated else None,
                }
                for position in topic.positions
            ],
            "analysis": [passage_data(p) for p in topic.analysis],
        })
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": page + "explainer.json",
        "type": "AnnotationCollection",
        "label": explainer.title,
        "explainer": {
            "id": explainer.id,
            "title": explainer.title,
            "dek": explainer.dek,
            "date": explainer.date.isoformat(),
            "updated": explainer.updated.isoformat() if explainer.updated else None,
            "byline": explainer.byline,
            "parties": [{"id": p.id, "name": p.name, "short": p.short} for p in explainer.parties],
            "intro": [passage_data(p) for p in explainer.intro],
            "topics": topics,
        },
        "sources": [_source_data(site.source(s)) for s in explainer.source_ids],
        "total": sum(len(note.citations) for note in notes),
        "items": [annotation for note in notes for annotation in _annotations(note, page, quote_places)],
    }


def _source_data(source: Source) -> dict[str, Any]:
    return {
        "id": source.id, "title": source.title, "author": source.author.name, "publisher": source.publisher,
        "date": source.date.isoformat(), "url": source.url, "kind": source.kind, "rights": source.rights,
        "paragraphs": len(source.paragraphs),
    }


def _annotations(note: Note, page: str, quote_places: dict[str, tuple[int, int, int]]) -> list[dict[str, Any]]:
    annotations = []
    for citation in note.citations:
        target: dict[str, Any] = {"source": note.source.url, "paragraphs": list(citation.paragraphs)}
        found = quote_places.get(citation.anchor)
        if found:
            number, start, end = found
            text = note.source.paragraph(number).text
            target["selector"] = {
                "type": "TextQuoteSelector",
                "exact": text[start:end],
                "prefix": text[max(0, start - CONTEXT_CHARS):start],
                "suffix": text[end:end + CONTEXT_CHARS],
            }
        annotations.append({
            "id": f"{page}#{citation.anchor}",
            "type": "Annotation",
            "motivation": "linking",
            "body": {"id": f"{page}#{citation.anchor.rsplit('-c', 1)[0]}", "type": "Text", "topic": note.topic, "speaker": note.speaker or None},
            "target": target,
            "note": note.number,
        })
    return annotations
