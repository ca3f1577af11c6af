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


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "smartquotes"])
    md.validateLink = lambda url: True  # refuse_unsafe_links decides, and reports what it refused
    md.core.ruler.after("inline", "refuse_unsafe_links", refuse_unsafe_links)
    md.core.ruler.push("align_with_classes", align_with_classes)
    md.inline.ruler.before("link", "citation", citation_rule)
    return md
