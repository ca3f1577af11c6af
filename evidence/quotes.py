"""Quoted words in an explainer's prose: each run in quotation marks stands word for word in a paragraph it cites.

The bracket quote of a citation (`[@lain ¶7 "words"]`) is checked by evidence/check.py; this module checks the
quotation marks of the prose itself. A run's sentence names the paragraphs it may come from; a sentence without a
citation takes its block's (a paragraph, a list item's paragraph, a table row). Words quoted from elsewhere are
marked `"so-called"{.term}` (evidence/markdown.py), and skipped.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Iterator

from markdown_it.token import Token

from .citations import find_quote, normalise, searchable
from .errors import Problems
from .model import Citation, Explainer, Passage, Source

DOUBLE_CLOSERS = {"“": "”\"", "„": "“”\"", "«": "»", '"': '"”'}  # an opening double quotation mark: the marks closing it
LETTER_OR_DIGIT = re.compile(r"\w")
SENTENCE_END = re.compile(r"[.!?…][”’\"')\]]*(?=\s)")
# Omissions and insertions inside a quotation: "Washington … is to blame", "[Russia] has".
GAP = re.compile(r"\s*(?:…|\.\s?\.\s?\.|\[[^\]]*\])\s*")
EDGE_PUNCTUATION = ",.;:"  # punctuation set inside the closing mark by house style, which the source may not have there


@dataclass(frozen=True)
class Run:
    """Words in quotation marks: text[start:end] includes the marks; a single quote may close at any of `ends`."""

    start: int
    ends: tuple[int, ...]


def quoted_runs(text: str) -> list[Run]:
    """The outermost runs in quotation marks of typeset text: “…”, „…“, «…», "…" and ‘…’ (not an apostrophe).

    A ‘ closes at a ’ that no letter follows (West’s is an apostrophe), before the next ‘; when several could close
    it (‘the students’ view’), each is a candidate.
    """
    runs: list[Run] = []
    index = 0
    while index < len(text):
        char = text[index]
        end = -1
        if char in DOUBLE_CLOSERS:
            end = _next_of(text, index + 1, DOUBLE_CLOSERS[char])
            if end >= 0:
                runs.append(Run(index, (end + 1,)))
        elif char == "‘" and (index == 0 or not LETTER_OR_DIGIT.match(text[index - 1])):
            next_opening = text.find("‘", index + 1)
            limit = next_opening if next_opening >= 0 else len(text)
            ends = tuple(k + 1 for k in range(index + 1, limit)
                         if text[k] == "’" and (k + 1 == len(text) or not LETTER_OR_DIGIT.match(text[k + 1])))
            if ends:
                runs.append(Run(index, ends))
                end = ends[0] - 1
        index = end + 1 if end >= 0 else index + 1
    return runs


def _next_of(text: str, start: int, marks: str) -> int:
    found = [position for position in (text.find(mark, start) for mark in marks) if position >= 0]
    return min(found) if found else -1


def quoted_words(text: str, run: Run, end: int) -> str:
    """What a run quotes: the words between its marks, without the punctuation house style puts inside them."""
    return text[run.start + 1 : end - 1].strip().strip(EDGE_PUNCTUATION).strip()


def pieces_of(words: str) -> list[str]:
    """A quotation cut at its omissions (…) and insertions ([Russia]): each piece must stand in the paragraph, in order."""
    return [piece.strip(EDGE_PUNCTUATION + " ") for piece in GAP.split(words) if piece.strip(EDGE_PUNCTUATION + " ")]


def find_pieces(paragraph: str, pieces: list[str]) -> bool:
    """Whether every piece stands in the paragraph, in order, as the quote check compares words."""
    haystack, _ = searchable(paragraph)
    position = 0
    for piece in pieces:
        found = haystack.find(normalise(piece), position)
        if found < 0:
            return False
        position = found + len(normalise(piece))
    return True


def sentence_spans(text: str, protected: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop inside a quotation does not end the sentence, one closing it does."""
    inside = [range(start + 1, end) for start, end in protected]
    spans, start = [], 0
    for found in SENTENCE_END.finditer(text):
        if any(found.end() in span for span in inside):
            continue
        spans.append((start, found.end()))
        start = found.end()
    spans.append((start, len(text)))
    return spans


# --- reading a block's text -----------------------------------------------------------

@dataclass(frozen=True)
class InlineText:
    """An inline token's words as a reader sees them, with where its citation marks and exempt quotations stand."""

    text: str
    marks: tuple[tuple[int, tuple[Citation, ...]], ...]  # (offset, the citations of the mark there)
    exempt: tuple[tuple[int, int], ...]  # spans marked as quoted from elsewhere
    first_line: int  # the file line of its first character


def inline_text(inline: Token, first_line: int) -> InlineText:
    text: list[str] = []
    marks: list[tuple[int, tuple[Citation, ...]]] = []
    exempt: list[tuple[int, int]] = []
    opened: list[int] = []
    length = 0
    for child in inline.children or []:
        piece = ""
        if child.type in ("text", "code_inline"):
            piece = child.content
        elif child.type in ("softbreak", "hardbreak"):
            piece = "\n"
        elif child.type == "citation":
            marks.append((length, tuple(child.meta.get("citations", ()))))
        elif child.type == "span_open":
            opened.append(length)
        elif child.type == "span_close" and opened:
            exempt.append((opened.pop(), length))
        text.append(piece)
        length += len(piece)
    return InlineText("".join(text), tuple(marks), tuple(exempt), first_line)


def text_units(passage: Passage, body_line: int) -> Iterator[list[InlineText]]:
    """The parts of a passage that cite on their own: each paragraph or heading, and each table row (its cells together)."""
    row: list[InlineText] | None = None
    for token in passage.tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            yield row
            row = None
        elif token.type == "inline":
            unit = inline_text(token, (token.map[0] if token.map else 0) + body_line)
            if row is not None:
                row.append(unit)
            else:
                yield [unit]


# --- the check -----------------------------------------------------------------------

def check_quoted_words(explainer: Explainer, sources: dict[str, Source], problems: Problems) -> None:
    """Report every run in quotation marks, in a cited block, that is not word for word in a paragraph it cites."""
    for _, _, passage in explainer.labelled_passages():
        if not passage.citations:
            continue  # editorial prose ('Framing:', 'Not stated:') cites nothing, so claims no words
        body_line = passage.line - (passage.tokens[0].map[0] if passage.tokens and passage.tokens[0].map else 0)
        for unit in text_units(passage, body_line):
            unit_citations = tuple(citation for part in unit for _, group in part.marks for citation in group)
            for part in unit:
                for message, line in _misquotes(part, unit_citations, sources, explainer):
                    problems.error(explainer.path, line, message)


def _misquotes(part: InlineText, unit_citations: tuple[Citation, ...], sources: dict[str, Source],
               explainer: Explainer) -> Iterator[tuple[str, int]]:
    text = part.text
    runs = [run for run in quoted_runs(text) if not any(start <= run.start < end for start, end in part.exempt)]
    sentences = sentence_spans(text, [(run.start, run.ends[-1]) for run in runs])
    for run in runs:
        start, end = next((span for span in sentences if span[0] <= run.start < span[1]), sentences[-1])
        # A mark right after a sentence's full stop belongs to that sentence, not the next.
        cited = tuple(c for offset, group in part.marks if start < offset <= end or offset == start == 0 for c in group)
        places = _paragraphs(cited or unit_citations, sources, explainer)
        if not places:
            continue  # nothing checkable cites it: an uncited block, or citations reported as wrong already
        candidates = [quoted_words(text, run, end) for end in run.ends]
        if any(not pieces_of(words) or any(find_pieces(s.paragraph(n).text, pieces_of(words)) for s, n in places) for words in candidates):
            continue
        words = candidates[0]
        who = "the sentence" if cited else "this paragraph"
        line = part.first_line + text.count("\n", 0, run.start)
        yield f'the quoted words "{words}" are not in {describe_places(places)}, which {who} cites{missing_hint(words, places)}', line


def _paragraphs(citations: Iterable[Citation], sources: dict[str, Source], explainer: Explainer) -> list[tuple[Source, int]]:
    places: list[tuple[Source, int]] = []
    for citation in citations:
        source = sources.get(citation.source_id)
        if source is None or source.id not in explainer.source_ids or not all(1 <= n <= len(source.paragraphs) for n in citation.paragraphs):
            continue
        places += [(source, n) for n in citation.paragraphs if (source, n) not in places]
    return places


def describe_places(places: list[tuple[Source, int]]) -> str:
    """¶7 of 'lain'; ¶7, ¶9 of 'lain'; ¶7 of 'lain' or ¶2 of 'other'."""
    by_source: dict[str, list[int]] = {}
    for source, number in places:
        by_source.setdefault(source.id, []).append(number)
    return " or ".join(f"{', '.join(f'¶{n}' for n in numbers)} of '{source_id}'" for source_id, numbers in by_source.items())


def missing_hint(words: str, places: list[tuple[Source, int]], in_prose: bool = True) -> str:
    """What to tell a writer whose quoted words are not in the paragraphs cited: where they are, or why they differ.

    Words quoted in prose may instead be quoted from elsewhere, and marked so; a citation's own quote may not.
    """
    cited = {(source.id, number) for source, number in places}
    pieces = pieces_of(words)
    elsewhere = [
        (source, paragraph.number)
        for source in dict.fromkeys(source for source, _ in places)
        for paragraph in source.paragraphs
        if (source.id, paragraph.number) not in cited and find_pieces(paragraph.text, pieces)
    ]
    if elsewhere:
        several = len({source.id for source, _ in places}) > 1
        found = ", ".join(f"¶{n}" + (f" of '{source.id}'" if several else "") for source, n in elsewhere[:3])
        return f" (found in {found})"
    invisible = invisible_difference(words, [(f"¶{n} of '{source.id}'", source.paragraph(n).text) for source, n in places])
    if invisible:
        return f"; {invisible}"
    return "; quote the source word for word, or mark words quoted from elsewhere, like \"so-called\"{.term}" if in_prose else ""


# --- characters no one can see ------------------------------------------------------

def _is_hidden(char: str) -> bool:
    """A character that changes the comparison but not what a reader sees: a format character, or a separate accent."""
    return unicodedata.category(char) == "Cf" or unicodedata.combining(char) > 0


def _visible(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFC", text) if unicodedata.category(char) != "Cf")


def invisible_difference(quote: str, paragraphs: list[tuple[str, str]]) -> str | None:
    """If the quote fails only because of a character no one can see, say which and where; else None."""
    for label, paragraph in paragraphs:
        if find_quote(_visible(paragraph), _visible(quote)) is None:
            continue
        for where, text in (("the quote", quote), (label, paragraph)):
            hidden = next((index for index, char in enumerate(text) if _is_hidden(char) and _changes(text, index)), None)
            if hidden is not None:
                return f"{where} has {_describe(text, hidden)}; retype the words around it"
    return None


def _changes(text: str, index: int) -> bool:
    """Whether the hidden character at text[index] is what makes the text differ (an accent that NFC leaves apart does not)."""
    around = text[max(index - 1, 0) : index + 1]
    return _visible(around) != around


def _describe(text: str, index: int) -> str:
    char = text[index]
    name = unicodedata.name(char, "unnamed character").lower()
    code = f"U+{ord(char):04X}"
    before = text[:index].split()[-1] if text[:index].split() else ""
    if unicodedata.combining(char):
        base = text[index - 1] if index else ""
        return f"'{base}' followed by a separate {name} ({code}), not the single letter '{unicodedata.normalize('NFC', base + char)}', in '{before}'"
    return f"an invisible {name} ({code})" + (f" after '{before}'" if before else " at the start")
