"""Check every citation against its source, and index which passages cite which paragraphs."""
from __future__ import annotations

import dataclasses

from collections import defaultdict
from dataclasses import dataclass
from typing import Collection, Iterator

from .citations import find_quote
from .errors import Problems
from .model import Citation, Explainer, ExplainerSummary, Passage, Source
from .quotes import check_quoted_words, missing_hint


@dataclass(frozen=True)
class Backlink:
    """A passage of an explainer that cites a source paragraph."""

    explainer: ExplainerSummary
    topic: str | None  # the topic's title; None in the introduction
    role: str  # where the passage stands: "intro", "context", "party" or "analysis"
    party: str | None  # the party's name, for role "party"
    citation: Citation
    quoted: tuple[int, int, int] | None = None  # where its quote stands: (paragraph, start, end)


@dataclass(frozen=True)
class CitationIndex:
    """For each (source id, paragraph number), the passages that cite it, in reading order."""

    backlinks: dict[tuple[str, int], tuple[Backlink, ...]]
    count: int

    def citing(self, source: Source, number: int) -> tuple[Backlink, ...]:
        return self.backlinks.get((source.id, number), ())

    def quote_places(self) -> dict[str, tuple[int, int, int]]:
        """Where each checked quotation stands, by its citation's anchor: (paragraph, start, end)."""
        return {b.citation.anchor: b.quoted for links in self.backlinks.values() for b in links if b.quoted}

    def cited_numbers(self, source: Source) -> list[int]:
        return [p.number for p in source.paragraphs if (source.id, p.number) in self.backlinks]


@dataclass(frozen=True)
class ExplainerCitations:
    """One explainer's verified citations, as backlinks to the paragraphs they cite, in reading order."""

    backlinks: tuple[tuple[tuple[str, int], Backlink], ...]
    count: int

    def index(self) -> CitationIndex:
        """These citations as an index: what the explainer's own pages are rendered with, so nothing is resolved twice."""
        backlinks: dict[tuple[str, int], list[Backlink]] = defaultdict(list)
        for key, backlink in self.backlinks:
            backlinks[key].append(backlink)
        return CitationIndex({key: tuple(value) for key, value in backlinks.items()}, self.count)


def check_explainer(explainer: Explainer, sources: dict[str, Source], problems: Problems) -> ExplainerCitations:
    """Check one explainer's citations against the sources; it depends on no other explainer."""
    summary = dataclasses.replace(ExplainerSummary.of(explainer), tags=())  # source pages do not show tags: retagging leaves them be
    backlinks: list[tuple[tuple[str, int], Backlink]] = []
    count = 0
    for source_id, line in zip(explainer.source_ids, explainer.source_lines):
        if source_id not in sources:
            problems.error(explainer.path, line, f"unknown source '{source_id}'; known sources: {', '.join(sorted(sources)) or 'none'}")
    for topic, role, party, passage in passages_in_order(explainer):
        for citation in passage.citations:
            source = sources.get(citation.source_id)
            holds, quoted = check_citation(citation, source, explainer, problems)
            if holds:
                count += 1
                for number in citation.paragraphs:
                    backlinks.append(((source.id, number), Backlink(summary, topic, role, party, citation, quoted)))
    check_quoted_words(explainer, sources, problems)
    return ExplainerCitations(tuple(backlinks), count)


def passages_in_order(explainer: Explainer) -> Iterator[tuple[str | None, str, str | None, Passage]]:
    """Every passage in reading order, as (topic title, role, party name, passage); see Backlink."""
    for passage in explainer.intro:
        yield None, "intro", None, passage
    for topic in explainer.topics:
        for passage in topic.context:
            yield topic.title, "context", None, passage
        for position in topic.positions:
            for passage in (position.summary, *position.passages, position.unstated):
                if passage is not None:
                    yield topic.title, "party", position.party.name, passage
        for passage in topic.analysis:
            yield topic.title, "analysis", None, passage


def warn_uncited(source: Source, cited: Collection[int], problems: Problems) -> None:
    for paragraph in source.paragraphs:
        if paragraph.number not in cited:
            problems.warn(source.path, paragraph.line, f"¶{paragraph.number} is not cited by any explainer")


def check_citation(citation: Citation, source: Source | None, explainer: Explainer,
                   problems: Problems) -> tuple[bool, tuple[int, int, int] | None]:
    """Whether the citation holds, and where its quote stands in the source (None without a quote)."""
    where = f"citation {citation.raw}"
    if source is None:
        problems.error(citation.path, citation.line, f"{where}: unknown source '{citation.source_id}'; this explainer's sources: {', '.join(explainer.source_ids)}")
        return False, None
    if source.id not in explainer.source_ids:
        problems.error(citation.path, citation.line, f"{where}: source '{source.id}' is not listed in this explainer's 'sources'")
        return False, None
    total = len(source.paragraphs)
    missing = [n for n in citation.paragraphs if not 1 <= n <= total]
    if missing:
        problems.error(citation.path, citation.line, f"{where}: source '{source.id}' has {total} paragraphs; there is no ¶{missing[0]}")
        return False, None
    quoted = locate_quote(citation, source) if citation.quote else None
    if citation.quote and quoted is None:
        cited = ", ".join(f"¶{n}" for n in citation.paragraphs)
        hint = missing_hint(citation.quote, [(source, n) for n in citation.paragraphs], in_prose=False)
        problems.error(citation.path, citation.line, f"{where}: the quote \"{citation.quote}\" does not appear in {cited} of '{source.id}'{hint}")
        return False, None
    return True, quoted


def locate_quote(citation: Citation, source: Source) -> tuple[int, int, int] | None:
    """(paragraph number, start, end) of the citation's quote in the source, or None."""
    for number in citation.paragraphs:
        span = find_quote(source.paragraph(number).text, citation.quote or "")
        if span:
            return number, span[0], span[1]
    return None
