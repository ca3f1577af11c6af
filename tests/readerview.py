"""The reader's view of an explainer page: which of its text is cited, and whether its quoted words are.

This reads the rendered HTML, not the Markdown, so it checks the build's promise independently of the parser:
every element of an explainer's main content that shows text contains a citation mark (`sup.cite`), or is
editorial by the page's own markup; and every run in quotation marks in a cited element stands, word for word,
in a source paragraph that its sentence's marks (else its element's) point at. It knows the page only by its
class names (cite, framing-note, unstated, glance, evidence, endnotes...), so a restyled template keeps it working.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from evidence.errors import Problems
from evidence.load import load_site
from evidence.markdown import ELSEWHERE_CLASS, make_markdown
from evidence.model import Source
from evidence.quotes import find_pieces, pieces_of, quoted_runs, quoted_words, sentence_spans

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements that hold text as a unit a citation must support; a table row counts as one (its cells together).
BLOCKS = {"p", "li", "blockquote", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "dd", "figcaption", "caption",
          "div", "section", "article", "table", "thead", "tbody", "ul", "ol", "dl", "figure", "details", "summary", "header", "footer"}
# Parts of the page that are not the explainer's prose: the page head (front matter), the at-a-glance table (which
# repeats the summaries), the evidence panel, the sources list, the endnotes and the preview cards.
NOT_PROSE = {"glance", "evidence", "sources", "endnotes", "card-templates", "page-head"}
# Editorial text the format declares: the framing note, "Not stated" notes and the template's own labels.
EDITORIAL = {"framing-note", "unstated", "unstated-label", "attribution"}
# Sections whose own heading is the structure's: a topic's question, a party's name, the analysis.
STRUCTURE = {"topic", "position", "analysis"}
MARK_TARGET = re.compile(r"sources/(?P<source>[a-z0-9-]+)/(?:index\.html)?#p(?P<number>[0-9]+)$")
MARK_LABEL = re.compile(r"¶(?P<first>[0-9]+)(?:[–-](?P<last>[0-9]+))?")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def elements(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.elements()

    def describe(self) -> str:
        return f"<{self.tag} {' '.join(f'{k}={v!r}' for k, v in self.attrs.items())}> {' '.join(self.text().split())[:120]!r}"


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def explainer_article(root: Element) -> Element:
    main = next(element for element in root.elements() if element.tag == "main")
    return next((element for element in main.elements() if element.tag == "article"), main)


@dataclass(frozen=True)
class Block:
    """A text-bearing element: its own text (nested blocks left out) and the marks in it."""

    element: Element
    text: str
    marks: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]  # (offset, the (source, paragraph) it points at)
    exempt: tuple[tuple[int, int], ...]  # quotations marked as from elsewhere


def prose_blocks(article: Element) -> tuple[list[Block], list[Element]]:
    """The text-bearing blocks of an explainer's prose, and the editorial elements the walk left out."""
    blocks: list[Block] = []
    editorial: list[Element] = []

    def walk(element: Element) -> None:
        for child in element.children:
            if not isinstance(child, Element):
                continue
            if child.classes & NOT_PROSE or child.tag in ("template", "header", "script", "style"):
                continue
            if child.classes & EDITORIAL or _is_structure_heading(child):
                editorial.append(child)
                continue
            if child.tag in BLOCKS:
                block = _read_block(child)
                if block.text.strip():
                    blocks.append(block)
                walk(child)
            else:
                walk(child)

    walk(article)
    return blocks, editorial


def _is_structure_heading(element: Element) -> bool:
    parent = element.parent
    return element.tag in ("h2", "h3") and parent is not None and parent.tag == "section" and bool(parent.classes & STRUCTURE)


def _read_block(block: Element) -> Block:
    text: list[str] = []
    marks: list[tuple[int, tuple[tuple[str, int], ...]]] = []
    exempt: list[tuple[int, int]] = []
    length = 0

    def inline(element: Element) -> None:
        nonlocal length
        for child in element.children:
            if isinstance(child, str):
                text.append(child)
                length += len(child)
            elif child.tag in BLOCKS or child.tag == "template":
                continue  # a nested block is a unit of its own
            elif child.tag == "sup" and "cite" in child.classes:
                marks.append((length, _targets(child)))
            elif ELSEWHERE_CLASS in child.classes:
                start = length
                inline(child)
                exempt.append((start, length))
            else:
                inline(child)

    inline(block)
    return Block(block, "".join(text), tuple(marks), tuple(exempt))


def _targets(mark: Element) -> tuple[tuple[str, int], ...]:
    """The source paragraphs a citation mark points at: each link's target, over the range its label names."""
    found = []
    for link in (element for element in mark.elements() if element.tag == "a"):
        target = MARK_TARGET.search(link.attrs.get("href", ""))
        label = MARK_LABEL.search(link.text())
        if target:
            first = int(target["number"])
            last = int(label["last"]) if label and label["last"] else first
            found += [(target["source"], number) for number in range(first, last + 1)]
    return tuple(found)


def uncited(blocks: list[Block]) -> list[str]:
    return [block.element.describe() for block in blocks if not block.marks]


def unverified_quotes(blocks: list[Block], sources: dict[str, Source]) -> list[str]:
    """Each quoted run of a cited block not found in a paragraph its sentence (else its block) points at."""
    failures = []
    for block in blocks:
        block_targets = [target for _, targets in block.marks for target in targets]
        if not block_targets:
            continue
        runs = [run for run in quoted_runs(block.text) if not any(start <= run.start < end for start, end in block.exempt)]
        sentences = sentence_spans(block.text, [(run.start, run.ends[-1]) for run in runs])
        for run in runs:
            start, end = next((span for span in sentences if span[0] <= run.start < span[1]), sentences[-1])
            targets = [t for offset, group in block.marks if start < offset <= end or offset == start == 0 for t in group]
            paragraphs = [sources[source].paragraph(number).text for source, number in (targets or block_targets)]
            candidates = [quoted_words(block.text, run, run_end) for run_end in run.ends]
            if not any(not pieces_of(words) or any(find_pieces(text, pieces_of(words)) for text in paragraphs) for words in candidates):
                failures.append(f"{candidates[0]!r} in {block.element.describe()}")
    return failures


def duplicate_ids(root: Element) -> list[str]:
    seen: set[str] = set()
    duplicates = []
    for element in root.elements():
        element_id = element.attrs.get("id")
        if element_id is not None and element_id in seen:
            duplicates.append(element_id)
        seen.add(element_id)
    return duplicates


def load_sources(content: Path) -> dict[str, Source]:
    site = load_site(content, make_markdown(), Problems())
    return {source.id: source for source in site.sources}


def explainer_pages(pages: dict[str, str]) -> dict[str, str]:
    return {path: html for path, html in pages.items() if path.startswith("explainers/") and path.endswith(".html")}
