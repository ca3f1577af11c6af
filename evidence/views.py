"""What the templates' components are handed: small slotted records that Python fills in and templates lay out.

Python decides what a page says (which words are quoted, where a link points, how many times a
paragraph is cited); the components in templates/components/ decide every tag, class and phrase.
docs/templates.md lists each component with the record it takes.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from .model import SourceSummary


@dataclass(frozen=True, slots=True)
class MarkLink:
    """One linked run of paragraphs in a citation mark: ¶7, or ¶13–14."""

    href: str  # the paragraph on the source page
    first: int
    last: int
    label: str  # "¶7", "¶13–14"
    card: str  # the data-card key cite.js opens a preview card from: "<source id>:<first>" or "<source id>:<first>-<last>"
    quotes: str | None  # JSON [[paragraph, "words"], ...]: the mark's quotations in these paragraphs, which its card highlights


@dataclass(frozen=True, slots=True)
class Mark:
    """A citation mark, as it stands in the prose: its paragraph links and its note number."""

    anchor: str  # the id of the mark (its first citation's)
    extra_anchors: tuple[str, ...]  # the ids of the other citations it stands for (same bracket, same place)
    number: int  # its note number, in reading order
    source_label: str | None  # the source's short name, when the explainer has several sources
    quotes: tuple[str, ...]  # the quoted words, in the source's own characters
    label: str  # every paragraph it cites: "¶8, ¶15"
    links: tuple[MarkLink, ...]


@dataclass(frozen=True, slots=True)
class CardParagraph:
    """The text of a cited paragraph of a source shown in full, written once per page for the cards that preview it."""

    source_id: str
    number: int
    text: str


@dataclass(frozen=True, slots=True)
class Cards:
    """What cite.js builds an explainer page's preview cards from: each cited source, and the cited paragraphs shown in full."""

    sources: tuple[SourceSummary, ...]
    paragraphs: tuple[CardParagraph, ...]


@dataclass(frozen=True, slots=True)
class Endnote:
    """A mark as print lists it: the quoted words, then where they come from."""

    quotes: tuple[str, ...]
    source: SourceSummary
    label: str  # "¶13–14"


@dataclass(frozen=True, slots=True)
class MapItem:
    """One paragraph in an explainer's paragraph map: how often the explainer cites it."""

    href: str
    number: int
    count: int


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which paragraphs of one source an explainer cites."""

    source: SourceSummary
    cited: int
    paragraphs: int
    items: tuple[MapItem, ...]


@dataclass(frozen=True, slots=True)
class EvidenceCount:
    """How many citations one party's position on one topic rests on."""

    party: object  # model.Party
    stated: bool
    count: int


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    topic: object  # model.Topic
    counts: tuple[EvidenceCount, ...]
    analysis: int


@dataclass(frozen=True, slots=True)
class Backlinks:
    """The passages of one explainer section that cite a source paragraph: one link, or a b c for several."""

    topic: str | None  # the topic's title; None for the introduction
    role: str  # "intro", "context", "party" or "analysis"
    party: str | None  # the party's name, for role "party"
    hrefs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Excerpt:
    """Words of an excerpts-only source that an explainer quotes, with a link that finds them in the original."""

    text: str
    href: str | None


@dataclass(frozen=True, slots=True)
class SourceBlock:
    """A numbered paragraph of a source page, or (with `number` None) a subheading."""

    anchor: str
    number: int | None
    text: str | None  # the paragraph's text when the source is shown in full; a subheading's words
    excerpts: tuple[Excerpt, ...]  # otherwise, the words quoted from it
    backlinks: tuple[Backlinks, ...]

    @property
    def is_subheading(self) -> bool:
        return self.number is None

    @property
    def is_cited(self) -> bool:
        return bool(self.backlinks)


@dataclass(frozen=True, slots=True)
class Stylesheet:
    """The site's stylesheet (static/style.css), which base.html puts inside every page, or links to."""

    url: str  # where the static folder's copy is published
    text: Markup | None  # its rules, ready to stand inside <style>; None when the static folder has no style.css
    sha256: str  # base64 SHA-256 of `text`'s UTF-8 bytes, for the Content-Security-Policy ('sha256-<it>')


@dataclass(frozen=True, slots=True)
class StatedPosition:
    """One topic's summary of a party's position in an explainer, as the party's page shows it (links made from a page two folders deep)."""

    topic: str  # the topic's title
    href: str  # the position on the explainer page
    summary: Markup  # the summary's words with their citation marks, or what the source does not say
    stated: bool


@dataclass(frozen=True, slots=True)
class PartyInExplainer:
    """What a party's page shows of one explainer: its card, and its summary of the party's position on each topic."""

    explainer: object  # model.ExplainerSummary
    positions: tuple[StatedPosition, ...]
