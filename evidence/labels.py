"""How numbers, dates and lists of names are written for readers: ¶ labels, dates, 'A, B and C'."""
from __future__ import annotations

import datetime as dt
import functools
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


@functools.lru_cache(maxsize=4096)  # strftime is slow, and an explainer shows its source's date once per note
def format_date(value: dt.date) -> str:
    return f"{value.day} {value.strftime('%B %Y')}"


def join_names(names: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


FILTERS = {"date": format_date, "join_names": join_names, "paragraph_label": paragraph_label}
