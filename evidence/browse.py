"""Which browse pages the site has: a party's, a tag's and a year's explainers, newest first, cut into pages of a bounded size."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .model import ExplainerSummary

# Sized so that a full page stays under 200 KB of HTML (BENCHMARKS.md): a party's page shows each
# explainer's summaries of that party's positions, a tag's or a year's only each explainer's card.
PAGE_SIZES = {"party": 20, "tag": 100, "year": 100}


@dataclass(frozen=True)
class BrowsePage:
    """One page of a browse list: which list (a party id, a tag, a year), which page of how many, and its explainers."""

    kind: str  # "party", "tag" or "year"
    key: str
    number: int
    pages: int
    explainers: tuple[ExplainerSummary, ...]  # newest first


def newest_first(explainers: Iterable[ExplainerSummary]) -> list[ExplainerSummary]:
    return sorted(explainers, key=lambda e: (-e.date.toordinal(), e.title, e.id))


def browse_lists(explainers: Iterable[ExplainerSummary]) -> dict[tuple[str, str], list[ExplainerSummary]]:
    """Every browse list, by (kind, key), each newest first; in the order of kind, then key."""
    lists: dict[tuple[str, str], list[ExplainerSummary]] = {}
    for explainer in newest_first(explainers):
        keys = [("party", party.id) for party in explainer.parties] + [("tag", tag) for tag in explainer.tags]
        for key in keys + [("year", str(explainer.date.year))]:
            lists.setdefault(key, []).append(explainer)
    order = list(PAGE_SIZES)
    return dict(sorted(lists.items(), key=lambda item: (order.index(item[0][0]), item[0][1])))


def browse_pages(explainers: Iterable[ExplainerSummary]) -> list[BrowsePage]:
    pages = []
    for (kind, key), members in browse_lists(explainers).items():
        size = PAGE_SIZES[kind]
        count = -(-len(members) // size)
        pages += [BrowsePage(kind, key, number, count, tuple(members[(number - 1) * size : number * size])) for number in range(1, count + 1)]
    return pages
