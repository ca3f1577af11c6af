"""A deterministic benchmark corpus: N explainers, each citing its own source, in words taken from the bundled site.

Every source has 15 numbered paragraphs and a subheading, drawn from Sarah Lain's article; every
explainer has 6 to 8 topics whose prose (drawn from the bundled explainer) cites its source, often
quoting it word for word, and two or three parties and two tags shared with other explainers.
The same seed and N always give the same bytes, and the site builds without a single problem or
warning.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SEED_SOURCE = PROJECT / "content/sources/lain.md"
SEED_EXPLAINER = PROJECT / "content/explainers/russia-syria.md"
PARAGRAPHS_PER_SOURCE = 15
CITATION = re.compile(r"\s*\[@[^\]]*\]")
LABEL = re.compile(r"^(Summary|Not stated|Framing):\s*")
SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z“\"])")

SITE_YAML = """\
title: Benchmark desk
description: A generated corpus of explainers, each citing its own source.
language: en
publisher: The Benchmark Desk
"""


@dataclass(frozen=True)
class Seed:
    """The text the corpus is made of: the source's paragraphs and the explainer's sentences."""

    paragraphs: tuple[str, ...]
    heading: str
    sentences: tuple[str, ...]
    questions: tuple[str, ...]


def read_seed() -> Seed:
    source_body = SEED_SOURCE.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    blocks = [block.strip() for block in source_body.split("\n\n") if block.strip()]
    paragraphs = tuple(block for block in blocks if not block.startswith("## "))
    heading = next(block[3:] for block in blocks if block.startswith("## "))
    explainer_body = SEED_EXPLAINER.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    sentences: list[str] = []
    questions: list[str] = []
    for block in explainer_body.split("\n\n"):
        block = block.strip()
        if block.startswith("## "):
            questions.append(re.sub(r"\s*\{#[^}]*\}$", "", block[3:]))
        elif block and not block.startswith("#"):
            # Without its quotation marks: the corpus cites paragraphs at random, and quoted words must be in the paragraph cited.
            prose = LABEL.sub("", CITATION.sub("", block)).replace('"', "")
            sentences.extend(s.strip() for s in SENTENCE_END.split(prose) if 30 < len(s.strip()) < 170)
    return Seed(paragraphs, heading, tuple(sentences), tuple(questions))


def write_corpus(root: Path, count: int, seed: int = 7) -> Path:
    """Write a content folder of `count` explainers and `count` sources under root; return root."""
    text = read_seed()
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "explainers").mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for number in range(count):
        rng = random.Random(f"{seed}-{number}")
        paragraphs = source_paragraphs(text, number, rng)
        (root / "sources" / f"{source_id(number)}.md").write_text(source_file(number, paragraphs, text.heading), encoding="utf-8")
        (root / "explainers" / f"{explainer_id(number)}.md").write_text(explainer_file(number, paragraphs, text, rng), encoding="utf-8")
    return root


def source_id(number: int) -> str:
    return f"report-{number:05d}"


def explainer_id(number: int) -> str:
    return f"explainer-{number:05d}"


def source_paragraphs(text: Seed, number: int, rng: random.Random) -> list[str]:
    """15 paragraphs of the seed article, shuffled and each made unique, so no two sources read the same."""
    order = list(range(len(text.paragraphs)))
    rng.shuffle(order)
    return [
        f"{text.paragraphs[i % len(text.paragraphs)]} So says report {number} in paragraph {k}."
        for k, i in enumerate(order[:PARAGRAPHS_PER_SOURCE], start=1)
    ]


def source_file(number: int, paragraphs: list[str], heading: str) -> str:
    day = dt.date(2016, 1, 1) + dt.timedelta(days=number % 3000)
    rights = "full" if number % 2 == 0 else "excerpts"
    body = paragraphs[:10] + [f"## {heading}"] + paragraphs[10:]
    return (
        "---\n"
        f"title: Report {number} on what Russia wants in Syria\n"
        "author:\n"
        f"  name: Analyst Number{number}\n"
        "  description: A research fellow whose work the benchmark corpus quotes\n"
        "publisher: The Benchmark Times\n"
        "section: Opinion\n"
        f"date: {day.isoformat()}\n"
        f"url: https://example.org/reports/{number}\n"
        "kind: opinion\n"
        f"rights: {rights}\n"
        "---\n\n" + "\n\n".join(body) + "\n"
    )


def explainer_file(number: int, paragraphs: list[str], text: Seed, rng: random.Random) -> str:
    source = source_id(number)
    uncited = list(range(1, len(paragraphs) + 1))
    rng.shuffle(uncited)

    def cite() -> str:
        """A citation of a paragraph not cited yet (until all are), quoting it two times in three."""
        paragraph = uncited.pop() if uncited else rng.randint(1, len(paragraphs))
        if rng.random() < 1 / 3:
            return f"[@{source} ¶{paragraph}]"
        words = paragraphs[paragraph - 1].split()
        length = rng.randint(3, 7)
        start = rng.randint(0, max(0, len(words) - length))
        quote = " ".join(words[start : start + length]).strip(",.;:")
        return f'[@{source} ¶{paragraph} "{quote}"]'

    def sentence() -> str:
        return rng.choice(text.sentences)

    day = dt.date(2020, 1, 1) + dt.timedelta(days=number % 2000)
    parties = party_ids(number)
    lines = [
        "---",
        f'title: "Explainer {number}: what does Russia want in Syria?"',
        f'dek: "Generated explainer {number}: two sides of one report, side by side, every paragraph cited."',
        f"date: {day.isoformat()}",
        "byline: The benchmark desk",
        f"sources: [{source}]",
        f"tags: [{', '.join(tags_of(number))}]",
        "parties:",
        *(line for party in parties for line in PARTIES[party]),
        "---",
        "",
        f"{sentence()} {cite()}",
        "",
        f"Framing: This explainer was generated for a benchmark from report {number}.",
    ]
    for topic in range(rng.randint(6, 8)):
        question = text.questions[topic % len(text.questions)]
        lines += ["", f"## {question} {{#topic-{topic + 1}}}", "", f"{sentence()} {cite()}"]
        for party in parties:
            lines += ["", f"### {party}", ""]
            if rng.random() < 0.1:
                lines.append("Not stated: the report does not say.")
                continue
            lines.append(f"Summary: {sentence()} {cite()}")
            if rng.random() < 0.5:
                lines += ["", f"{sentence()} {cite()}"]
        lines += ["", "### analysis", "", f"{sentence()} {cite()}"]
    while uncited:
        lines += ["", f"{sentence()} {cite()}"]
    return "\n".join(lines) + "\n"


# Parties and tags shared across explainers, as a desk's would be: every explainer compares the
# United States and Russia, one in four a third party too; each has two of six tags.
PARTIES = {
    "us": ["  - id: us", "    name: The United States", "    short: US"],
    "russia": ["  - id: russia", "    name: Russia"],
    "turkey": ["  - id: turkey", "    name: Turkey"],
    "iran": ["  - id: iran", "    name: Iran"],
}
TAGS = ("syria", "middle-east", "diplomacy", "ceasefire", "sanctions", "aid")


def party_ids(number: int) -> tuple[str, ...]:
    third = ("turkey", "iran")[number // 4 % 2]
    return ("us", "russia", third) if number % 4 == 3 else ("us", "russia")


def tags_of(number: int) -> tuple[str, ...]:
    return (TAGS[number % 3], TAGS[3 + number // 3 % 3])


def edit_explainer(path: Path, generation: int) -> None:
    """A writer's save: reword the framing paragraph of one explainer (it needs no citation)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(Framing: This explainer was generated for a benchmark)[^\n]*", rf"\1 (revision {generation}).", text, count=1)
    path.write_text(text, encoding="utf-8")
