"""The content model: frozen records built and validated once, when the content is loaded."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from markdown_it.token import Token


@dataclass(frozen=True)
class Settings:
    title: str
    description: str
    language: str
    base_url: str | None
    publisher: str | None
    copyright: str | None
    license: str | None
    repository: str | None
    path: Path
    home: int = 20  # how many of the newest explainers the home page shows


@dataclass(frozen=True)
class Author:
    name: str
    description: str | None


@dataclass(frozen=True)
class Paragraph:
    """A numbered body paragraph of a source: ¶number."""

    number: int
    text: str
    line: int

    @property
    def anchor(self) -> str:
        return f"p{self.number}"


@dataclass(frozen=True)
class Subheading:
    """A subheading inside a source: shown, never numbered."""

    text: str
    line: int
    anchor: str


# What a source's `kind` may be; how each reads on the page is the templates' (phrases.html `kinds`).
SOURCE_KINDS = ("opinion", "analysis", "news", "statement", "report", "interview", "transcript",
                "press statement", "speech", "remarks")


@dataclass(frozen=True)
class SourceSummary:
    """What pages about the whole site see of a source: everything but its text."""

    id: str
    path: Path
    title: str
    author: Author
    editors_note: str | None
    publisher: str
    section: str | None
    date: dt.date
    url: str | None  # None for a text with no web address (a transcript, a print article)
    archive_url: str | None  # an archived copy of the original
    kind: str
    rights: str  # "full" or "excerpts"
    rights_note: str | None
    highlights: tuple[str, ...]
    label: str
    description: str | None  # the publisher's own summary, verbatim
    partial: bool  # the text is only part of the original
    partial_note: str | None  # which part, e.g. "the transcript's opening only"

    @property
    def shows_full_text(self) -> bool:
        return self.rights == "full"

    @property
    def original_link(self) -> str | None:
        """Where a reader can read the original: its address, else an archived copy, else nowhere."""
        return self.url or self.archive_url


@dataclass(frozen=True)
class Source(SourceSummary):
    blocks: tuple[Paragraph | Subheading, ...]

    @functools.cached_property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Paragraph))

    def paragraph(self, number: int) -> Paragraph:
        return self.paragraphs[number - 1]

    def summary(self) -> SourceSummary:
        return SourceSummary(**{f.name: getattr(self, f.name) for f in dataclasses.fields(SourceSummary)})


@dataclass(frozen=True)
class Citation:
    """One cited place: a source, one or more of its paragraphs, perhaps a verbatim quote."""

    source_id: str
    paragraphs: tuple[int, ...]
    quote: str | None
    raw: str  # the citation as written, e.g. [@lain ¶13]
    bracket: int  # which bracket of its passage it stands in: [@a ¶1; @a ¶2] is one bracket
    path: Path
    line: int
    anchor: str  # the id of its mark in the explainer page


@dataclass(frozen=True)
class Passage:
    """A top-level block of explainer prose: the unit that citations and backlinks point at."""

    anchor: str
    kind: str  # "prose", "summary", "framing" or "unstated"
    text: str  # the Markdown of its inline content, labels removed
    tokens: tuple[Token, ...] = field(repr=False, compare=False)
    citations: tuple[Citation, ...]
    line: int


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    short: str
    index: int  # 1-based order of declaration, used for its colour
    line: int = field(default=0, compare=False)  # where the explainer declares it: an id shared across explainers names one party


@dataclass(frozen=True)
class Position:
    party: Party
    summary: Passage | None
    passages: tuple[Passage, ...]
    unstated: Passage | None  # set when the source does not state this party's position
    anchor: str

    @property
    def is_stated(self) -> bool:
        return self.unstated is None


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    line: int
    context: tuple[Passage, ...]
    positions: tuple[Position, ...]  # in the order the parties are declared
    analysis: tuple[Passage, ...]

    def passages(self) -> Iterator[tuple[str, Passage]]:
        """Every passage with the label of who it speaks for."""
        for passage in self.context:
            yield "Context", passage
        for position in self.positions:
            for passage in (position.summary, *position.passages, position.unstated):
                if passage is not None:
                    yield position.party.name, passage
        for passage in self.analysis:
            yield "The author’s analysis", passage


@dataclass(frozen=True)
class Explainer:
    id: str
    path: Path
    title: str
    dek: str
    date: dt.date
    updated: dt.date | None
    byline: str | None
    source_ids: tuple[str, ...]
    source_lines: tuple[int, ...]
    parties: tuple[Party, ...]
    intro: tuple[Passage, ...]
    topics: tuple[Topic, ...]
    tags: tuple[str, ...] = ()  # regions, subjects: a browse page each

    def citations(self) -> Iterator[Citation]:
        for _, _, passage in self.labelled_passages():
            yield from passage.citations

    def labelled_passages(self) -> Iterator[tuple[str, str, Passage]]:
        """Every passage as (topic title, speaker label, passage), in reading order."""
        for passage in self.intro:
            yield "Introduction", "", passage
        for topic in self.topics:
            for label, passage in topic.passages():
                yield topic.title, label, passage


@dataclass(frozen=True)
class TopicSummary:
    id: str
    title: str


@dataclass(frozen=True)
class ExplainerSummary:
    """What pages about the whole site, and source pages' backlinks, see of an explainer.

    Those pages are rebuilt from summaries kept between builds, so they cannot see an
    explainer's prose: a template that reaches for it fails loudly, in every build.
    """

    id: str
    path: Path
    title: str
    dek: str
    date: dt.date
    updated: dt.date | None
    byline: str | None
    source_ids: tuple[str, ...]
    parties: tuple[Party, ...]
    topics: tuple[TopicSummary, ...]
    tags: tuple[str, ...] = ()

    @classmethod
    def of(cls, explainer: Explainer) -> "ExplainerSummary":
        return cls(
            explainer.id, explainer.path, explainer.title, explainer.dek, explainer.date, explainer.updated,
            explainer.byline, explainer.source_ids, explainer.parties,
            tuple(TopicSummary(topic.id, topic.title) for topic in explainer.topics), explainer.tags,
        )


@dataclass(frozen=True)
class Site:
    settings: Settings
    sources: tuple[Source, ...]
    explainers: tuple[Explainer, ...]

    def source(self, source_id: str) -> Source:
        return self._sources_by_id[source_id]

    @functools.cached_property
    def _sources_by_id(self) -> dict[str, Source]:
        # Looked up once per citation mark: a scan of every source would make builds quadratic.
        return {source.id: source for source in reversed(self.sources)}
