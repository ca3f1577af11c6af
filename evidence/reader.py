"""What a reader checks claims with, as data: numbered notes (marks, cards, endnotes) and the JSON export."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Iterable

from .labels import paragraphs_label
from .model import Citation, Explainer, Party, Passage, Site, Source

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
    section: str  # "intro", "context", "position" or "analysis"
    party: Party | None  # whose position the passage gives, for section "position"
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

    def label(self) -> str:
        return self._label

    @functools.cached_property
    def _label(self) -> str:
        return paragraphs_label(self.paragraphs)


def explainer_notes(explainer: Explainer, site: Site, quote_places: dict[str, tuple[int, int, int]]) -> list[Note]:
    """Every mark of an explainer, numbered; `quote_places` is where the check found each quotation (CitationIndex.quote_places)."""
    notes: list[Note] = []
    roles = passage_roles(explainer)
    for topic, _, passage in explainer.labelled_passages():
        section, party = roles[passage.anchor]
        for group in group_marks(passage.citations):
            spans = tuple(sorted({quote_places[c.anchor] for c in group if c.anchor in quote_places}))
            notes.append(Note(len(notes) + 1, group, site.source(group[0].source_id), topic, section, party, spans))
    return notes


def passage_roles(explainer: Explainer) -> dict[str, tuple[str, Party | None]]:
    """Each passage's anchor: which section of the page it stands in, and whose position it gives (if a party's)."""
    roles: dict[str, tuple[str, Party | None]] = {p.anchor: ("intro", None) for p in explainer.intro}
    for topic in explainer.topics:
        roles.update((p.anchor, ("context", None)) for p in topic.context)
        for position in topic.positions:
            passages: tuple[Passage | None, ...] = (position.summary, *position.passages, position.unstated)
            roles.update((p.anchor, ("position", position.party)) for p in passages if p is not None)
        roles.update((p.anchor, ("analysis", None)) for p in topic.analysis)
    return roles


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
    data = {
        "id": source.id, "title": source.title, "author": source.author.name, "publisher": source.publisher,
        "date": source.date.isoformat(), "url": source.url, "archive_url": source.archive_url, "kind": source.kind,
        "rights": source.rights, "partial": source.partial or None, "partial_note": source.partial_note,
        "paragraphs": len(source.paragraphs),
    }
    return {key: value for key, value in data.items() if value is not None}  # no empty addresses


def _annotations(note: Note, page: str, quote_places: dict[str, tuple[int, int, int]]) -> list[dict[str, Any]]:
    annotations = []
    for citation in note.citations:
        target: dict[str, Any] = {"source": note.source.url, "paragraphs": list(citation.paragraphs)}
        if note.source.url is None:
            del target["source"]  # a text with no web address: the paragraphs and selector still place the words
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
            "body": {
                "id": f"{page}#{citation.anchor.rsplit('-c', 1)[0]}", "type": "Text", "topic": note.topic, "section": note.section,
                # Whose position the passage gives, and who gives the account of it: the US's account of Russia's
                # position is Russia's position according to the US, not something Russia said.
                "position_of": note.party.id if note.party else None,
                "according_to": {"source": note.source.id, "author": note.source.author.name},
            },
            "target": target,
            "note": note.number,
        })
    return annotations
