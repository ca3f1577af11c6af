"""What a reader checks claims with: numbered notes, preview cards, the evidence panel, JSON export."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Iterable

from markupsafe import Markup

from .check import locate_quote
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


def paragraph_runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """(first, last) runs of consecutive paragraph numbers: 3, 4, 5, 9 -> (3, 5), (9, 9)."""
    runs: list[tuple[int, int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


@dataclass(frozen=True)
class Note:
    """One citation mark, numbered in reading order: what print endnotes and preview cards show."""

    number: int
    citations: tuple[Citation, ...]
    source: Source
    topic: str
    speaker: str

    @property
    def anchor(self) -> str:
        return self.citations[0].anchor

    @property
    def paragraphs(self) -> tuple[int, ...]:
        return self.citations[0].paragraphs

    def spans(self) -> list[tuple[int, int, int]]:
        """(paragraph, start, end) of each quotation of this mark, in the source's own characters."""
        return list(self._spans)

    @functools.cached_property
    def _spans(self) -> tuple[tuple[int, int, int], ...]:
        # Asked for by the mark, each of its cards, the endnote and the JSON.
        found = (locate_quote(c, self.source) for c in self.citations if c.quote)
        return tuple(sorted({span for span in found if span}))

    def quotes(self) -> list[str]:
        return list(self._quotes)

    @functools.cached_property
    def _quotes(self) -> tuple[str, ...]:
        return tuple(self.source.paragraph(n).text[start:end] for n, start, end in self._spans)

    def original_url(self) -> str:
        """The original article, scrolled to the first quotation where there is one."""
        quotes = self.quotes()
        return text_fragment_url(self.source.url, quotes[0]) if quotes else self.source.url

    def label(self) -> str:
        return self._label

    @functools.cached_property
    def _label(self) -> str:
        return ", ".join(f"¶{a}" if a == b else f"¶{a}–{b}" for a, b in paragraph_runs(self.paragraphs))


def explainer_notes(explainer: Explainer, site: Site) -> list[Note]:
    notes: list[Note] = []
    for topic, speaker, passage in explainer.labelled_passages():
        for group in group_marks(passage.citations):
            notes.append(Note(len(notes) + 1, group, site.source(group[0].source_id), topic, speaker))
    return notes


def card_id(citation: Citation, first_paragraph: int) -> str:
    return f"card-{citation.anchor}-{first_paragraph}"


def card_html(note: Note, first: int, last: int, links: Links) -> Markup:
    """The preview of paragraphs first..last for a mark: text with the quotation highlighted, or excerpts."""
    source = note.source
    head, rights = _card_frame(source.label, source.publisher)
    label = f"¶{first}" if first == last else f"¶{first}–{last}"
    parts = [f'{head}<span class="card-number">{label}</span></span>']
    spans = note.spans()
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
    href = links.url(f"sources/{source.id}/index.html#p{first}")
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


BACKREF_LETTERS = "abcdefghijklmnopqrstuvwxyz"
LIST_ITEM_BREAK = "\n          "  # between the items of a source page's 'Cited in' list, as indented there


def backlink_items(groups: list[tuple[str, list[str]]]) -> Markup:
    """A source paragraph's 'Cited in' items: a link per citing passage, or its label and then a b c when it cites the paragraph more than once."""
    items = []
    for label, hrefs in groups:
        label = escape_text(label)
        if len(hrefs) == 1:
            items.append(f'<li><a href="{escape_text(hrefs[0])}">{label}</a></li>')
            continue
        refs = " ".join(
            f'<a class="backref" href="{escape_text(href)}" aria-label="{label}, citation {index}">{BACKREF_LETTERS[index - 1] if index <= 26 else index}</a>'
            for index, href in enumerate(hrefs, 1)
        )
        items.append(f"<li>{label} {refs}</li>")
    return Markup(LIST_ITEM_BREAK.join(items))


def excerpt_paragraph(quoted: list[str], cited: bool, source_url: str) -> Markup:
    """A paragraph of an excerpts-only source: its quoted words, each with a link to find them in the original."""
    if not quoted:
        why = "Cited without a quotation." if cited else "Not cited."
        return Markup(f'<p class="excerpt none">{why} <a href="{escape_text(source_url)}" rel="external noopener">Read it in the original</a>.</p>')
    parts = " … ".join(
        f'<q>{escape_text(text)}</q> <a class="deep-link" href="{escape_text(text_fragment_url(source_url, text))}" rel="external noopener" aria-label="Find these words in the original">↗</a>'
        for text in quoted
    )
    return Markup(f'<p class="excerpt">{parts}</p>')


def evidence_rows(explainer: Explainer) -> list[dict[str, Any]]:
    """Per topic: how many citations each party's position and the analysis rest on."""
    rows = []
    for topic in explainer.topics:
        counts = []
        for position in topic.positions:
            passages = [p for p in (position.summary, *position.passages, position.unstated) if p]
            counts.append({"party": position.party, "stated": position.is_stated, "count": sum(len(p.citations) for p in passages)})
        rows.append({"topic": topic, "counts": counts, "analysis": sum(len(p.citations) for p in topic.analysis)})
    return rows


def explainer_json(explainer: Explainer, site: Site, notes: list[Note], page: str) -> dict[str, Any]:
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
        "items": [annotation for note in notes for annotation in _annotations(note, page)],
    }


def _source_data(source: Source) -> dict[str, Any]:
    return {
        "id": source.id, "title": source.title, "author": source.author.name, "publisher": source.publisher,
        "date": source.date.isoformat(), "url": source.url, "kind": source.kind, "rights": source.rights,
        "paragraphs": len(source.paragraphs),
    }


def _annotations(note: Note, page: str) -> list[dict[str, Any]]:
    annotations = []
    for citation in note.citations:
        target: dict[str, Any] = {"source": note.source.url, "paragraphs": list(citation.paragraphs)}
        found = locate_quote(citation, note.source) if citation.quote else None
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
