"""How well do imported paragraphs match the article's own? Our importer against plain trafilatura.

For every page in tests/fixtures/articles/ with a hand-written list of its paragraphs
(NAME.txt beside NAME.html, paragraphs separated by blank lines, '## ' lines are
subheadings and are not counted), both extractors' paragraph lists are compared with it.
A paragraph counts as found when it matches an expected one exactly after whitespace,
quote marks and dashes are normalised (the rule citations use). Reported: paragraph-level
precision, recall and F1 over all pages, and how many pages come out exactly right
(the same paragraphs in the same order, so every paragraph number is right).

    python bench/extraction.py            # the table, as in docs/importing.md
    python bench/extraction.py --pages    # and each page's figures
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from evidence.citations import normalise  # noqa: E402
from evidence.fetch import read_input  # noqa: E402
from evidence.importer import read_article  # noqa: E402

ARTICLES = PROJECT / "tests/fixtures/articles"


@dataclass(frozen=True)
class Score:
    expected: int
    predicted: int
    matched: int
    exact_pages: int
    pages: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Score") -> "Score":
        return Score(*(a + b for a, b in zip(
            (self.expected, self.predicted, self.matched, self.exact_pages, self.pages),
            (other.expected, other.predicted, other.matched, other.exact_pages, other.pages))))


def expected_paragraphs(page: Path) -> list[str]:
    text = page.with_suffix(".txt").read_text(encoding="utf-8")
    blocks = [" ".join(block.split()) for block in text.split("\n\n")]
    return [block for block in blocks if block and not block.startswith("## ")]


def ours(page: Path) -> list[str]:
    return list(read_article(read_input(str(page))).paragraphs)


def plain_trafilatura(page: Path) -> list[str]:
    import trafilatura

    text = trafilatura.extract(page.read_text(encoding="utf-8")) or ""
    # Its text output puts one paragraph, heading or list item per line; list items start '- '.
    return [line.removeprefix("- ").strip() for line in text.split("\n") if line.strip()]


def score(expected: list[str], predicted: list[str]) -> Score:
    want = [normalise(p) for p in expected]
    got = [normalise(p) for p in predicted]
    matched = sum((Counter(want) & Counter(got)).values())
    return Score(len(want), len(got), matched, int(want == got), 1)


def pages() -> list[Path]:
    return sorted(page for page in ARTICLES.glob("*.html") if page.with_suffix(".txt").exists())


EXTRACTORS = {"add-source (ours)": ours, "trafilatura.extract, defaults": plain_trafilatura}


def measure() -> dict[str, tuple[Score, dict[str, Score]]]:
    results = {}
    for name, extract in EXTRACTORS.items():
        per_page = {page.stem: score(expected_paragraphs(page), extract(page)) for page in pages()}
        results[name] = (sum(per_page.values(), Score(0, 0, 0, 0, 0)), per_page)
    return results


def table(results) -> str:
    lines = ["| extractor | paragraphs expected | found | correct | precision | recall | F1 | pages exactly right |",
             "|---|---|---|---|---|---|---|---|"]
    for name, (total, _) in results.items():
        lines.append(f"| {name} | {total.expected} | {total.predicted} | {total.matched} | {total.precision:.3f} | "
                     f"{total.recall:.3f} | {total.f1:.3f} | {total.exact_pages} of {total.pages} |")
    return "\n".join(lines)


if __name__ == "__main__":
    measured = measure()
    print(table(measured))
    if "--pages" in sys.argv:
        names = list(measured)
        print(f"\n{'page':24} " + "  ".join(f"{n[:20]:>28}" for n in names))
        for page in measured[names[0]][1]:
            cells = []
            for n in names:
                s = measured[n][1][page]
                cells.append(f"{s.matched:3}/{s.expected:3} exp, {s.predicted:3} found {'=' if s.exact_pages else ' '}")
            print(f"{page:24} " + "  ".join(f"{c:>28}" for c in cells))
