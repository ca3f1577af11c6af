"""How paragraphs are labelled: ¶7, ¶13–14, ¶3–5, ¶9. (Words, dates and lists of names are the templates' own: templates/phrases.html.)"""
from __future__ import annotations

from typing import Iterable


def paragraph_runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """(first, last) runs of consecutive paragraph numbers: 3, 4, 5, 9 -> (3, 5), (9, 9)."""
    runs: list[tuple[int, int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def paragraph_label(first: int, last: int | None = None) -> str:
    """'¶7' or '¶13–14'."""
    return f"¶{first}" if last is None or first == last else f"¶{first}–{last}"


def paragraphs_label(numbers: Iterable[int]) -> str:
    """'¶3–5, ¶9'."""
    return ", ".join(paragraph_label(first, last) for first, last in paragraph_runs(numbers))


FILTERS = {"paragraph_label": paragraph_label}
