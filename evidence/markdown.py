"""The one markdown-it factory: CommonMark, raw HTML off, unsafe links refused, citations parsed."""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .citations import CitationSyntaxError, find_group_end, parse_group

UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)


def is_safe_link(url: str) -> bool:
    """Only ordinary links: no script, data or local-file URLs, however they are disguised."""
    squashed = re.sub(r"[\x00-\x20]", "", url)
    return not UNSAFE_SCHEME.match(squashed)


def citation_rule(state: StateInline, silent: bool) -> bool:
    """Read `[@...]` as a citation token. Malformed ones become tokens carrying the error."""
    src, pos = state.src, state.pos
    if not src.startswith("[@", pos):
        return False
    end = find_group_end(src, pos)
    raw = src[pos:] if end < 0 else src[pos : end + 1]
    if end < 0:
        raw = raw.split("\n", 1)[0]
    if not silent:
        state.pending = state.pending.rstrip(" ")  # the mark hugs the word it supports
        token = state.push("citation", "", 0)
        token.content = raw
        token.meta = {"offset": pos}
        if end < 0 and "]" in raw:
            token.meta["error"] = "the ']' is read as part of the quote, as its double quotes do not pair up; write quotation marks inside a quote as “ and ”"
        elif end < 0:
            token.meta["error"] = "the citation is not closed; add ']'"
        elif src.startswith("](", end + 1):
            token.meta["error"] = (
                "a citation inside a link's text stops the link working, and its brackets are printed; "
                "put the citation after the link, like [the report](https://example.org/) [@src ¶1]"
            )
        elif pos > 0 and src[pos - 1] == "[" and src.startswith("]", end + 1):
            token.meta["error"] = f"the extra brackets around it are printed as they are; write {raw}"
        else:
            try:
                token.meta["refs"] = parse_group(raw)
            except CitationSyntaxError as error:
                token.meta["error"] = str(error)
    state.pos = pos + len(raw)
    return True


def refuse_unsafe_links(state: StateCore) -> None:
    """Strip the address from any link or image that could run script, and mark it for an error.

    markdown-it's own validateLink would quietly turn such a link into text; an author who
    wrote one deserves to be told where, so the explainer reader reports `meta["unsafe_link"]`.
    """
    for token in state.tokens:
        if token.type == "inline" and _refuse_in(token.children or []):
            token.meta["has_unsafe_link"] = True  # so that only these are searched for the error's line


def _refuse_in(tokens: list[Token]) -> bool:
    refused = False
    for token in tokens:
        attribute = LINK_ATTRIBUTES.get(token.type)
        if attribute and not is_safe_link(str(token.attrGet(attribute) or "")):
            token.meta["unsafe_link"] = token.attrs.pop(attribute)
            refused = True
        if token.children and _refuse_in(token.children):
            refused = True
    return refused


LINK_ATTRIBUTES = {"link_open": "href", "image": "src"}
ALIGNMENT = re.compile(r"^text-align:(left|center|right)$")


def align_with_classes(state: StateCore) -> None:
    """Table alignment as classes: the pages' Content-Security-Policy refuses inline styles."""
    for token in state.tokens:
        align = ALIGNMENT.match(str(token.attrGet("style") or "")) if token.type in ("th_open", "td_open") else None
        if align:
            token.attrs.pop("style")
            token.attrSet("class", f"align-{align.group(1)}")


# `"so-called"{.term}`: words in quotation marks that are not quoted from the cited source (a term, a title,
# scare quotes). The marker is removed and the quotation wrapped in a span of ELSEWHERE_CLASS, which the quote
# check (evidence/quotes.py) and the reader's view of the page (tests/test_every_block_cited.py) skip.
ELSEWHERE_MARKER = re.compile(r"\{\.(term|title|scare)\}")
ELSEWHERE_CLASS = "quoted-elsewhere"
OPENERS_OF = {"”": "“\"", '"': '"“', "“": "„", "’": "‘", "»": "«"}  # a closing quotation mark: the marks that open it


def mark_quoted_elsewhere(state: StateCore) -> None:
    """Wrap each `"words"{.term}` in a span marking words quoted from elsewhere. Runs after smartquotes, on typeset quotes.

    A marker that follows no closing quotation mark is left as text, for the explainer reader to report.
    """
    for token in state.tokens:
        if token.type == "inline" and any(child.type == "text" and "{." in child.content for child in token.children or []):
            token.children = _mark_elsewhere(token.children or [])


def _mark_elsewhere(children: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in children:
        if token.type != "text":
            out.append(token)
            continue
        text, start = token.content, 0
        for marker in ELSEWHERE_MARKER.finditer(token.content):
            close = marker.start() - 1
            if close < start or text[close] not in OPENERS_OF:
                continue
            opened = _find_opener(text, start, close, OPENERS_OF[text[close]])
            if opened >= 0:  # the quotation starts in this text token
                out.append(_text(text[start:opened], token.level))
                out.append(_span(True, token.level))
                out.append(_text(text[opened:close + 1], token.level))
            elif start > 0 or not _open_span_in(out, token.level, OPENERS_OF[text[close]]):
                continue  # left as text, and reported
            else:
                out.append(_text(text[start:close + 1], token.level))
            out.append(_span(False, token.level))
            start = marker.end()
        out.append(_text(text[start:], token.level))
    return [token for token in out if token.type != "text" or token.content]


def _find_opener(text: str, start: int, close: int, openers: str) -> int:
    """The index of the quotation mark opening the one at text[close], searching back to `start`; -1 if none."""
    for index in range(close - 1, start - 1, -1):
        if text[index] in openers:
            return index
    return -1


def _open_span_in(out: list[Token], level: int, openers: str) -> bool:
    """Open the span in an earlier text token of the same element (the quotation holds emphasis or a link)."""
    for index in range(len(out) - 1, -1, -1):
        earlier = out[index]
        if earlier.level < level or earlier.type == "span_close":
            return False  # the quotation would open outside the element the marker is in, or in another marked one
        if earlier.level > level or earlier.type != "text":
            continue
        opened = _find_opener(earlier.content, 0, len(earlier.content), openers)
        if opened >= 0:
            out[index:index + 1] = [_text(earlier.content[:opened], level), _span(True, level), _text(earlier.content[opened:], level)]
            return True
    return False


def _text(content: str, level: int) -> Token:
    token = Token("text", "", 0)
    token.content, token.level = content, level
    return token


def _span(opening: bool, level: int) -> Token:
    token = Token("span_open" if opening else "span_close", "span", 1 if opening else -1)
    token.level = level
    if opening:
        token.attrSet("class", ELSEWHERE_CLASS)
    return token


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "smartquotes"])
    md.validateLink = lambda url: True  # refuse_unsafe_links decides, and reports what it refused
    md.core.ruler.after("inline", "refuse_unsafe_links", refuse_unsafe_links)
    md.core.ruler.push("align_with_classes", align_with_classes)
    md.core.ruler.push("mark_quoted_elsewhere", mark_quoted_elsewhere)
    md.inline.ruler.before("link", "citation", citation_rule)
    return md
