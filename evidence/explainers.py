"""Read an explainer: front matter, then a Markdown body shaped as topics and positions."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .citations import normalise
from .errors import Problems
from .markdown import ELSEWHERE_MARKER
from .model import Citation, Explainer, Party, Passage, Position, Topic
from .yamlfile import (
    Field, YList, YMap, date, describe, id_for, identifier, list_of, mapping, read_fields, read_text, slugify, split_front_matter,
    text,
)

EXPLAINER_FIELDS = [
    Field("id", identifier),
    Field("title", text, required=True),
    Field("dek", text, required=True),
    Field("date", date, required=True),
    Field("updated", date),
    Field("byline", text),
    Field("sources", list_of(identifier), required=True),
    Field("parties", list_of(mapping), required=True),
    Field("tags", list_of(identifier)),
]
PARTY_FIELDS = [Field("id", identifier, required=True), Field("name", text, required=True), Field("short", text)]
ANALYSIS = "analysis"
RESERVED_IDS = {ANALYSIS, "context", "intro", "summary", "unstated"}
# Ids the page templates write as they are (grep templates/ for id="): a topic's ids must not meet them.
# tests/test_every_block_cited.py keeps this list in step with the templates.
PAGE_IDS = {"main", "glance-heading", "evidence-heading", "sources-heading", "notes-heading", "explainers-heading", "highlights-heading", "cite_card",
            "search-input", "search-filter", "search-result", "search-phrases"}
MAX_LEVEL = 16  # token nesting (a list counts 2, a quote 1) beyond any real prose; markdown-it drops text at 20
LABELS = {"Summary:": "summary", "Not stated:": "unstated", "Framing:": "framing"}
LEAF_BLOCKS = {"paragraph_open", "heading_open", "code_block", "fence", "table_open", "hr", "html_block"}
CONTAINER_MARKERS = re.compile(r"^(?:[ \t]*(?:>|[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$))*[ \t]*")
LEFTOVER_MARKER = re.compile(r"\{\.[A-Za-z][\w-]*\}")
HEADING_ID = re.compile(r"^(?P<words>.*?)\s*\{#(?P<id>[^}]*)\}\s*$")
UNSAFE_LINK = "javascript:, vbscript:, data: and file: links are refused; link to an http:// or https:// address"
CODE_BLOCK = {
    "code_block": "this block is indented by four spaces (or a tab), so it would be shown as code, uncited; remove the indentation",
    "fence": "a code block would be shown as it is, uncited: an explainer's prose is cited paragraphs; remove the fence lines around it",
}
NESTED_HEADING = (
    "a heading inside a list or block quote is shown uncited; write it as a cited paragraph, "
    "or as '## ' or '### ' at the start of a line"
)
ROW_CITATION_NEEDED = (
    "citation needed: every row of a table cites its source in one of its cells, like [@{source} ¶3]; "
    "the header row too, or leave its cells empty"
)
CITATION_NEEDED = (
    "citation needed: every paragraph of prose cites its source, like [@{source} ¶3]; "
    "start it with 'Framing:' if it is the explainer's own framing"
)


def load_explainer(path: Path, md: MarkdownIt, problems: Problems, data: bytes | None = None) -> Explainer | None:
    content = read_text(path, problems, data)
    document = split_front_matter(content, path, problems) if content is not None else None
    if document is None:
        return None
    values = read_fields(document.meta, EXPLAINER_FIELDS, "explainer front matter", path, 1, problems)
    meta: YMap = document.meta
    parties = _read_parties(meta["parties"], path, problems) if values is not None else None
    # The body is read even when the front matter is broken, so one build shows every mistake.
    sources = values["sources"] if values is not None else []
    reader = BodyReader(path, document.body_line, parties, sources[0] if sources else "source", problems)
    reader.read(md.parse(document.body, {}), document.body)
    if values is None or parties is None:
        return None
    if not reader.drafts:
        line = min(_first_text_line(document.body, document.body_line), document.last_line)
        problems.error(path, line, "the explainer has no topics: add at least one '## A question?' with a '### ' section for each party")
    _check_listed_sources(meta["sources"], values["sources"], path, problems)
    if values["updated"] is not None and values["updated"] < values["date"]:
        problems.error(
            path, meta.key_lines["updated"],
            f"'updated' ({values['updated'].isoformat()}) is before 'date' ({values['date'].isoformat()}); "
            "'updated' is the date of the last change after publication",
        )
    id_ = id_for(path, values["id"], problems)
    if not values["sources"]:
        problems.error(path, meta.key_lines["sources"], "'sources' must list at least one source id")
    if id_ is None or not values["sources"]:
        return None
    return Explainer(
        id=id_, path=path, title=values["title"], dek=values["dek"], date=values["date"], updated=values["updated"],
        byline=values["byline"], source_ids=tuple(values["sources"]), source_lines=tuple(meta["sources"].item_lines),
        parties=parties, intro=tuple(reader.intro), topics=reader.topics(), tags=tuple(dict.fromkeys(values["tags"] or ())),
    )


def _first_text_line(body: str, body_line: int) -> int:
    """The file line of the body's first non-blank line (the line after the front matter if none)."""
    for offset, line in enumerate(body.split("\n")):
        if line.strip():
            return body_line + offset
    return body_line - 1  # the closing '---' of the front matter


def _check_listed_sources(listed: YList, ids: list[str], path: Path, problems: Problems) -> None:
    first: dict[str, int] = {}
    for source_id, line in zip(ids, listed.item_lines):
        if source_id in first:
            again = f" (first on line {first[source_id]})" if first[source_id] != line else ""
            problems.error(path, line, f"source '{source_id}' is listed twice in 'sources'{again}; list each source once")
        first.setdefault(source_id, line)


def _read_parties(items: list, path: Path, problems: Problems) -> tuple[Party, ...] | None:
    parties: list[Party] = []
    ok = True
    for index, (item, line) in enumerate(zip(items, items.item_lines), start=1):
        values = read_fields(item, PARTY_FIELDS, "a party", path, line, problems)
        if values is None:
            ok = False
            continue
        if values["id"] in RESERVED_IDS:
            problems.error(path, line, f"party id '{values['id']}' is reserved; choose another (reserved: {', '.join(sorted(RESERVED_IDS))})")
            ok = False
        elif any(party.id == values["id"] for party in parties):
            problems.error(path, line, f"duplicate party id '{values['id']}'; give each party its own id")
            ok = False
        parties.append(Party(values["id"], values["name"], values["short"] or values["name"], index, line))
    if ok and not 2 <= len(parties) <= 3:
        problems.error(path, items.line, f"an explainer compares 2 or 3 parties; found: {len(parties)}")
        ok = False
    return tuple(parties) if ok else None


@dataclass
class Section:
    """A `### ` section while it is being read: one party's position, or the analysis."""

    key: str
    line: int
    anchor: str
    passages: list[Passage] = field(default_factory=list)
    summary: Passage | None = None
    unstated: Passage | None = None


@dataclass
class TopicDraft:
    id: str
    title: str
    line: int
    context: list[Passage] = field(default_factory=list)
    sections: dict[str, Section] = field(default_factory=dict)
    has_unknown_section: bool = False


class BodyReader:
    """Walks the top-level Markdown blocks of an explainer body and sorts them into topics."""

    def __init__(self, path: Path, body_line: int, parties: tuple[Party, ...] | None, example_source: str, problems: Problems):
        """`parties` is None when the front matter could not be read: party checks are skipped."""
        self.path, self.body_line, self.parties, self.problems = path, body_line, parties, problems
        self.example_source = example_source
        self.intro: list[Passage] = []
        self.drafts: list[TopicDraft] = []
        self.section: Section | None = None

    def read(self, tokens: list[Token], body: str) -> None:
        """Read the tokens markdown-it made of `body` (the body's text is needed to find lines it dropped)."""
        if self._check_nesting(tokens):
            self._check_dropped_lines(tokens, body)
        for block in _top_level_blocks(tokens):
            line = block[0].map[0] + self.body_line if block[0].map else self.body_line
            if block[0].type == "heading_open":
                self._heading(block, line)
            else:
                self._passage(block, line)
        self._finish_topic()
        self._check_page_ids()

    def _check_nesting(self, tokens: list[Token]) -> bool:
        """markdown-it stops reading blocks nested too deep and drops their text: refuse them first. True if none is."""
        line = self.body_line
        for token in tokens:
            line = token.map[0] + self.body_line if token.map else line
            if token.level >= MAX_LEVEL:
                self.problems.error(self.path, line, "lists and block quotes nested this deep cannot be shown; nest them less deeply")
                return False
        return True

    def _check_dropped_lines(self, tokens: list[Token], body: str) -> None:
        """Text on lines no block that shows text covers, at any depth, was read as a link definition
        ('[label]: address') and is not shown. The markers of lists and quotes around it are not text."""
        covered = bytearray(body.count("\n") + 1)
        for token in tokens:
            if token.type in LEAF_BLOCKS and token.map:
                covered[token.map[0]:token.map[1]] = b"\1" * (token.map[1] - token.map[0])
        lines = [CONTAINER_MARKERS.sub("", line, count=1) for line in body.split("\n")]
        start = None
        for index, line in enumerate([*lines, ""]):
            if index < len(lines) and line.strip() and not covered[index]:
                start = index if start is None else start
                continue
            if start is not None:
                self._dropped(lines, start, index)
                start = None

    def _dropped(self, lines: list[str], start: int, end: int) -> None:
        text = "\n".join(lines[start:end])
        label = re.match(r"\s*\[((?:[^\]\\]|\\.)*)\]:", text)
        line = start + self.body_line
        if label and label.group(1).startswith("@"):
            self.problems.error(
                self.path, line,
                f"'[{label.group(1)}]:' at the start of a line makes it a link definition, which is never shown; "
                "put the citation at the end of the sentence it supports",
            )
        elif label is None or not _is_used(label.group(1), lines, start, end):
            shown = label.group(1) if label else text.split("\n")[0].strip()
            self.problems.error(
                self.path, line,
                f"'[{shown}]: ...' is read as a link definition that no link uses, and is never shown; "
                f"remove it, or link to it like [words][{shown}]",
            )

    def topics(self) -> tuple[Topic, ...]:
        return tuple(self._topic(draft) for draft in self.drafts)

    # headings ------------------------------------------------------------------------

    def _heading(self, block: list[Token], line: int) -> None:
        level, title = int(block[0].tag[1]), _plain_text(block[1]).strip()
        typed = block[1].content.strip()
        if any(child.type == "citation" for child in block[1].children or []):
            written = block[1].content.strip()
            shown = match.group("words") if (match := HEADING_ID.match(written)) else written
            self.problems.error(self.path, line, f"a citation in the heading '{shown}': cite in the paragraphs below it, not in a heading")
        if level == 2:
            self._finish_topic()
            self._start_topic(title, line)
        elif level == 3 and not self.drafts:
            self.problems.error(self.path, line, f"'### {title}' must come after a topic heading ('## A question?')")
        elif level == 3:
            self._start_section(typed, title, line)
        else:
            self.problems.error(
                self.path, line,
                f"unexpected heading level {level}: use '## ' for a topic and '### ' for a party or the analysis "
                "(the title comes from the front matter)",
            )

    def _start_topic(self, heading: str, line: int) -> None:
        match = HEADING_ID.match(heading)
        title = match.group("words") if match else heading
        if not title:
            self.problems.error(self.path, line, "a topic heading without a title: write the question, like '## Why did the talks collapse?'")
        topic_id = match.group("id") if match else slugify(title, "topic")
        try:
            identifier(topic_id)
        except ValueError as expected:
            self.problems.error(self.path, line, f"topic id '{topic_id}' must be {expected}")
        if topic_id in RESERVED_IDS or topic_id in PAGE_IDS:
            self.problems.error(self.path, line, f"topic id '{topic_id}' is reserved; choose another")
        for draft in self.drafts:
            if draft.id == topic_id:
                self.problems.error(self.path, line, f"duplicate topic id '{topic_id}' (first on line {draft.line}); give each topic its own, like '## A question? {{#an-id}}'")
        if title and not title.endswith("?"):
            self.problems.warn(self.path, line, f"topic title '{title}' is not a question; readers scan topics as questions")
        self.drafts.append(TopicDraft(topic_id, title, line))
        self.section = None

    def _start_section(self, heading: str, typeset: str, line: int) -> None:
        """A `### ` section: `heading` as typed, and as typeset (without Markdown such as `*us*`)."""
        topic = self.drafts[-1]
        key = self._section_key(heading) or self._section_key(typeset)
        if key is None and self.parties is None:
            key = heading.casefold()  # the parties are unknown: take any name, check the rest
        if key is None:
            choices = ", ".join([party.id for party in self.parties] + [ANALYSIS])
            self.problems.error(self.path, line, f"unknown section '### {heading}'; expected one of: {choices}; found: '{heading}'")
            topic.has_unknown_section = True
            self.section = Section("?", line, f"{topic.id}-unknown")  # swallows its passages quietly
            return
        if key in topic.sections:
            self.problems.error(self.path, line, f"duplicate section '### {heading}' in topic '{topic.id}' (first on line {topic.sections[key].line})")
        self.section = Section(key, line, f"{topic.id}-{key}")
        topic.sections.setdefault(key, self.section)

    def _section_key(self, heading: str) -> str | None:
        """The section a `### ` heading names, compared as typed: quotes, dashes and spaces as in quotes, any case."""
        wanted = _comparable(heading)
        if wanted in (ANALYSIS, "the author's analysis"):
            return ANALYSIS
        for party in self.parties or ():
            if wanted in (_comparable(party.id), _comparable(party.name), _comparable(party.short)):
                return party.id
        return None

    # passages ------------------------------------------------------------------------

    def _passage(self, block: list[Token], line: int) -> None:
        kind = _take_label(block)
        where = self._where()
        if self.section is not None and self.section.key == "?":
            return
        if kind == "summary" and (self.section is None or self.section.key == ANALYSIS):
            self.problems.error(self.path, line, "'Summary:' belongs at the start of a party's position ('### <party>')")
        if kind == "unstated" and (self.section is None or self.section.key == ANALYSIS):
            self.problems.error(self.path, line, "'Not stated:' belongs in a party's position ('### <party>')")
        if kind == "framing" and self.section is not None:
            self.problems.error(self.path, line, "'Framing:' paragraphs belong in the introduction or a topic's context, not under '### '")
        anchor = self._anchor(kind, where)
        block[0].attrSet("id", anchor)
        if kind == "framing":
            block[0].attrJoin("class", "framing")
        for token in block:
            if token.type == "inline":
                self._check_links(token)
                self._check_markers(token)
        text = "\n".join(token.content for token in block if token.type == "inline").strip()
        passage = Passage(anchor, kind or "prose", text, tuple(block), self._citations(block, anchor, kind), line)
        self._place(passage)

    def _where(self) -> list[Passage]:
        if not self.drafts:
            return self.intro
        if self.section is None:
            return self.drafts[-1].context
        return self.section.passages

    def _anchor(self, kind: str | None, where: list[Passage]) -> str:
        if self.section is not None and kind in ("summary", "unstated"):
            return f"{self.section.anchor}-{kind}"
        prefix = "intro" if not self.drafts else (self.section.anchor if self.section else f"{self.drafts[-1].id}-context")
        return f"{prefix}-{len(where) + 1}"

    def _place(self, passage: Passage) -> None:
        section = self.section
        if section is None:
            self._where().append(passage)
            return
        if passage.kind == "summary":
            if section.summary or section.passages or section.unstated:
                self.problems.error(self.path, passage.line, "'Summary:' must be the first paragraph of a position, and appear once")
            section.summary = passage
        elif passage.kind == "unstated":
            if section.summary or section.passages or section.unstated:
                self.problems.error(self.path, passage.line, "a 'Not stated:' position holds nothing else: remove its other paragraphs or the 'Not stated:' line")
            section.unstated = passage
        else:
            if section.unstated:
                self.problems.error(self.path, passage.line, "a 'Not stated:' position holds nothing else: remove its other paragraphs or the 'Not stated:' line")
            section.passages.append(passage)

    def _citations(self, block: list[Token], anchor: str, kind: str | None) -> tuple[Citation, ...]:
        """The block's citations; every part of it a reader sees as text must cite, unless it is declared editorial."""
        citations: list[Citation] = []
        needs_citation = kind not in ("framing", "unstated")
        row: list[Token] | None = None  # the inline tokens of the table row being read: a row counts on its own
        row_line = self.body_line
        for index, token in enumerate(block):
            line = token.map[0] + self.body_line if token.map else self.body_line
            if token.type in CODE_BLOCK:
                self.problems.error(self.path, line, CODE_BLOCK[token.type])
            elif token.type == "heading_open":
                self.problems.error(self.path, line, NESTED_HEADING)
            elif token.type == "tr_open":
                row, row_line = [], line
            elif token.type == "tr_close" and row is not None:
                if needs_citation and any(cell.content.strip() for cell in row) and not any(_has_citation(cell) for cell in row):
                    self.problems.error(self.path, row_line, ROW_CITATION_NEEDED.format(source=self.example_source))
                row = None
            if token.type != "inline":
                continue
            citations.extend(self._inline_citations(token, anchor, citations))
            if row is not None:
                row.append(token)
            elif needs_citation and block[index - 1].type == "paragraph_open" and not _has_citation(token):
                self.problems.error(self.path, line, CITATION_NEEDED.format(source=self.example_source))
        return tuple(citations)

    def _lines_of(self, inline: Token) -> Iterator[tuple[Token, int]]:
        """Each child of an inline token with the file line it stands on."""
        line = inline.map[0] + self.body_line if inline.map else self.body_line
        for child in inline.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            yield child, line

    def _check_links(self, inline: Token) -> None:
        if not inline.meta.get("has_unsafe_link"):
            return
        for child, line in self._lines_of(inline):
            for token in _walk(child):
                if "unsafe_link" in token.meta:
                    self.problems.error(self.path, line, f"unsafe link {describe(token.meta['unsafe_link'])}: {UNSAFE_LINK}")

    def _check_markers(self, inline: Token) -> None:
        """A `{.term}` marker left as text was not right after a closing quotation mark; an unknown one is a typo."""
        for child, line in self._lines_of(inline):
            for marker in LEFTOVER_MARKER.finditer(child.content if child.type == "text" else ""):
                if ELSEWHERE_MARKER.fullmatch(marker.group()):
                    message = f"'{marker.group()}' marks words in quotation marks as quoted from elsewhere: put it right after the closing quotation mark, like \"so-called\"{marker.group()}"
                else:
                    message = f"unknown marker '{marker.group()}': words in quotation marks that are not from the source are marked {{.term}}, {{.title}} or {{.scare}}"
                self.problems.error(self.path, line, message)

    def _inline_citations(self, inline: Token, anchor: str, earlier: list[Citation]) -> Iterator[Citation]:
        made: list[Citation] = []
        brackets = earlier[-1].bracket if earlier else 0  # brackets are numbered in order through a passage
        for child, line in self._lines_of(inline):
            if child.type != "citation":
                continue
            if "error" in child.meta:
                self.problems.error(self.path, line, f"citation {child.content}: {child.meta['error']}")
                child.meta["citations"] = ()
                continue
            group = []
            brackets += 1
            for ref in child.meta["refs"]:
                number = len(earlier) + len(made) + 1
                citation = Citation(ref.source_id, ref.paragraphs, ref.quote, child.content, brackets, self.path, line, f"{anchor}-c{number}")
                made.append(citation)
                group.append(citation)
            child.meta["citations"] = tuple(group)
        yield from made

    # finishing -----------------------------------------------------------------------

    def _finish_topic(self) -> None:
        if not self.drafts or self.parties is None:
            return
        topic = self.drafts[-1]
        for party in self.parties:
            section = topic.sections.get(party.id)
            if section is None and topic.has_unknown_section:
                continue
            if section is None:
                self.problems.error(
                    self.path, topic.line,
                    f"topic '{topic.id}' has no position for {party.name}: add '### {party.id}' with a 'Summary:', "
                    "or 'Not stated:' if the source does not say",
                )
            elif section.summary is None and section.unstated is None:
                self.problems.error(
                    self.path, section.line,
                    f"the position of {party.name} in topic '{topic.id}' needs a 'Summary:' paragraph first "
                    "(one cited line, shown at a glance), or 'Not stated:'",
                )

    def _check_page_ids(self) -> None:
        """Every id the page will carry is unique: a topic's ids ('why-us', 'why-us-title'...) may meet another topic's
        ('why' with party 'us') or the page's own ('main'); report each meeting once, with both lines."""
        owners: dict[str, tuple[int, str]] = {page_id: (0, "the page template") for page_id in PAGE_IDS}
        reported: set[tuple[int, int]] = set()
        for page_id, line, owner in self._page_ids():
            first = owners.setdefault(page_id, (line, owner))
            if first == (line, owner) or (first[0], line) in reported:
                continue
            reported.add((first[0], line))
            if first[0] == 0:
                self.problems.error(self.path, line, f"{owner} gives the page the id '{page_id}', which the page itself uses; give the topic another id")
                continue
            self.problems.error(
                self.path, line,
                f"{owner} gives the page the id '{page_id}', which {first[1]} (line {first[0]}) gives it too; "
                "give one of the topics its own id, like '## A question? {#an-id}'",
            )

    def _page_ids(self) -> Iterator[tuple[str, int, str]]:
        """(id, line, what makes it) for every id an explainer page is given from the content, in reading order."""
        for passage in self.intro:
            yield from _passage_ids(passage, "the introduction")
        seen: set[str] = set()
        for draft in self.drafts:
            if draft.id in RESERVED_IDS or draft.id in PAGE_IDS or draft.id in seen:
                continue  # reported as reserved, or as a duplicate topic
            seen.add(draft.id)
            owner = f"topic '{draft.id}'"
            yield draft.id, draft.line, owner
            yield f"{draft.id}-title", draft.line, owner
            for passage in draft.context:
                yield from _passage_ids(passage, owner)
            for key in [party.id for party in self.parties or ()] + [ANALYSIS]:
                section = draft.sections.get(key)
                if section is None and key == ANALYSIS:
                    continue
                anchor, line = f"{draft.id}-{key}", section.line if section else draft.line
                yield anchor, line, f"the section '### {key}' of {owner}"
                yield f"{anchor}-title", line, f"the section '### {key}' of {owner}"
                for passage in (section.summary, *section.passages, section.unstated) if section else ():
                    if passage is not None:
                        yield from _passage_ids(passage, f"the section '### {key}' of {owner}")

    def _topic(self, draft: TopicDraft) -> Topic:
        positions = []
        for party in self.parties or ():
            section = draft.sections.get(party.id) or Section(party.id, draft.line, f"{draft.id}-{party.id}")
            positions.append(Position(party, section.summary, tuple(section.passages), section.unstated, section.anchor))
        analysis = draft.sections.get(ANALYSIS)
        return Topic(draft.id, draft.title, draft.line, tuple(draft.context), tuple(positions), tuple(analysis.passages) if analysis else ())


def _walk(token: Token) -> Iterator[Token]:
    """A token and every token nested in it (an image's alt text holds its own tokens)."""
    yield token
    for child in token.children or []:
        yield from _walk(child)


def _top_level_blocks(tokens: list[Token]) -> Iterator[list[Token]]:
    block: list[Token] = []
    for token in tokens:
        block.append(token)
        if token.level == 0 and token.nesting != 1:
            yield block
            block = []


def _passage_ids(passage: Passage, owner: str) -> Iterator[tuple[str, int, str]]:
    yield passage.anchor, passage.line, owner
    for citation in passage.citations:
        yield citation.anchor, citation.line, owner


def _has_citation(inline: Token) -> bool:
    """Whether an inline token holds a citation, written well or not (a bad one is reported as such)."""
    return any(child.type == "citation" for child in inline.children or [])


def _take_label(block: list[Token]) -> str | None:
    """If a paragraph starts with a label such as 'Summary:', remove it and say which."""
    if block[0].type != "paragraph_open":
        return None
    inline = block[1]
    first = inline.children[0] if inline.children else None
    if first is None or first.type != "text":
        return None
    for label, kind in LABELS.items():
        if first.content.startswith(label):
            first.content = _capitalise(first.content[len(label):].lstrip())
            inline.content = _capitalise(inline.content[len(label):].lstrip())
            return kind
    return None


def _plain_text(inline: Token) -> str:
    """An inline token's words as typeset (curly quotes), without Markdown markup."""
    return "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline", "softbreak")) or inline.content


def _comparable(name: str) -> str:
    return normalise(name).casefold()


def _is_used(label: str, lines: list[str], start: int, end: int) -> bool:
    """Whether a link definition's label is used by a link elsewhere in the body (labels match in any case)."""
    wanted = "[" + " ".join(label.split()).casefold() + "]"
    rest = " ".join(" ".join(lines[:start] + lines[end:]).split()).casefold()
    return wanted in rest


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
