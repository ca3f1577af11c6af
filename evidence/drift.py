"""What changed between a stored source text and a new one, and which citations the change would break."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .citations import find_quote, normalise
from .model import Citation, Explainer


@dataclass(frozen=True)
class Change:
    """One paragraph that differs: changed, added, removed or moved, with its old and new numbers."""

    kind: str  # "changed", "added", "removed" or "moved"
    old: int | None
    new: int | None
    old_text: str | None
    new_text: str | None


@dataclass(frozen=True)
class Drift:
    changes: tuple[Change, ...]
    new_number: dict[int, int]  # old paragraph number -> the number the same (or changed) words have now

    def is_unchanged(self) -> bool:
        return not self.changes and all(old == new for old, new in self.new_number.items())


@dataclass(frozen=True)
class Broken:
    """A citation that would point at different words, or whose quotation would not be found."""

    path: Path
    line: int
    raw: str
    reason: str
    fix: str | None  # how to renumber it, when the words are still in the new text


def compare(old: list[str], new: list[str]) -> Drift:
    """Paragraph-by-paragraph differences; numbers are 1-based, as cited."""
    old_keys = [normalise(text) for text in old]
    new_keys = [normalise(text) for text in new]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    changes: list[Change] = []
    mapping: dict[int, int] = {}
    removed: list[int] = []
    added: list[int] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            mapping.update({i + 1: j + 1 for i, j in zip(range(i1, i2), range(j1, j2))})
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        for i, j in _pair_similar(olds, news, old_keys, new_keys):
            changes.append(Change("changed", i + 1, j + 1, old[i], new[j]))
            mapping[i + 1] = j + 1
            olds.remove(i)
            news.remove(j)
        removed += olds
        added += news
    for i in list(removed):  # the same words elsewhere: moved, not removed and added
        match = next((j for j in added if new_keys[j] == old_keys[i]), None)
        if match is not None:
            changes.append(Change("moved", i + 1, match + 1, old[i], new[match]))
            mapping[i + 1] = match + 1
            removed.remove(i)
            added.remove(match)
    changes += [Change("removed", i + 1, None, old[i], None) for i in removed]
    changes += [Change("added", None, j + 1, None, new[j]) for j in added]
    changes.sort(key=lambda change: (change.old or change.new or 0, change.new or 0))
    return Drift(tuple(changes), mapping)


def _pair_similar(olds: list[int], news: list[int], old_keys: list[str], new_keys: list[str]) -> list[tuple[int, int]]:
    """Old and new paragraphs in one replaced stretch that are the same paragraph, edited."""
    pairs, start = [], 0
    for i in olds:
        for position in range(start, len(news)):
            j = news[position]
            if difflib.SequenceMatcher(None, old_keys[i], new_keys[j], autojunk=False).ratio() >= 0.6:
                pairs.append((i, j))
                start = position + 1
                break
    return pairs


def broken_citations(source_id: str, old: list[str], new: list[str], drift: Drift,
                     explainers: Iterable[Explainer]) -> list[Broken]:
    """Every citation of `source_id` that the new text would break, in file and line order."""
    broken = []
    for explainer in explainers:
        for citation in explainer.citations():
            if citation.source_id == source_id:
                problem = _check(citation, old, new, drift)
                if problem:
                    broken.append(problem)
    return sorted(broken, key=lambda b: (str(b.path), b.line))


def _check(citation: Citation, old: list[str], new: list[str], drift: Drift) -> Broken | None:
    numbers = citation.paragraphs
    if any(not 1 <= n <= len(old) for n in numbers):
        return None  # already broken today: the build reports it
    renumbered = [drift.new_number.get(n) for n in numbers]
    fix = None
    if None not in renumbered and renumbered != list(numbers):
        fix = f"renumber to {_cite(citation.source_id, renumbered, citation.quote)}"
    if citation.quote:
        if any(n <= len(new) and find_quote(new[n - 1], citation.quote) for n in numbers):
            return None
        now = [j + 1 for j, text in enumerate(new) if find_quote(text, citation.quote)]
        if now:
            fix = f"the words are now in ¶{now[0]}: write {_cite(citation.source_id, [now[0]], citation.quote)}"
        cited = ", ".join(f"¶{n}" for n in numbers)
        return Broken(citation.path, citation.line, citation.raw,
                      f"the quote \"{citation.quote}\" would no longer be found in {cited}", fix)
    differing = [n for n in numbers if n > len(new) or normalise(new[n - 1]) != normalise(old[n - 1])]
    if not differing:
        return None
    n = differing[0]
    if n > len(new):
        reason = f"¶{n} would no longer exist (the new text has {len(new)} paragraphs)"
    elif drift.new_number.get(n) == n:
        reason = f"the words of ¶{n} would change"
    else:
        reason = f"¶{n} would hold different words"
    if fix is None and drift.new_number.get(n) == n:
        fix = f"read the new ¶{n}: if it still bears the claim, import with --force"
    if fix is None and drift.new_number.get(n) is None:
        fix = f"¶{n} was removed: cite the paragraph that now says it, or drop the citation"
    return Broken(citation.path, citation.line, citation.raw, reason, fix)


def _cite(source_id: str, numbers: list[int | None], quote: str | None) -> str:
    marks = ", ".join(f"¶{n}" for n in numbers)
    quoted = f' "{quote}"' if quote else ""
    return f"[@{source_id} {marks}{quoted}]"
