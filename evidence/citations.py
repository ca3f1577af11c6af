"""Citation syntax ([@lain ¶13-14 "quote"]) and verbatim-quote matching against paragraphs."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass


class CitationSyntaxError(ValueError):
    """A citation that cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class CiteRef:
    """A citation as written, before it is checked against the sources."""

    source_id: str
    paragraphs: tuple[int, ...]
    quote: str | None


KEY = re.compile(r"@([A-Za-z0-9][A-Za-z0-9_-]*)")
PILCROW_ITEM = re.compile(r"¶\s*([0-9]+)(?:\s*[-–—]\s*¶?\s*([0-9]+))?")
OPEN_QUOTES = {'"': '"', "“": "”", "„": "“"}
MAX_PARAGRAPH = 9999  # keeps a typo like ¶1-99999999 from expanding into a huge range


def find_group_end(text: str, start: int) -> int:
    """Index of the `]` closing the citation group that opens at text[start] == '[', or -1.

    A `]` inside a quotation does not close it; a blank line outside one ends the search.
    """
    index = start + 1
    while True:
        found = _GROUP_STOP.search(text, index)
        if found is None or found.group() == "\n\n":
            return -1
        if found.group() == "]":
            return found.start()
        index = _quote_end(text, found.group(), found.end())
        if index < 0:
            return -1


_GROUP_STOP = re.compile(r'["“„\]]|\n\n')
_SEPARATOR_OR_QUOTE = re.compile(r'["“„;]')


def _quote_end(text: str, opening: str, start: int) -> int:
    """The index after the quotation mark closing the one opened before `start`, or -1 if none does."""
    closing = OPEN_QUOTES[opening]
    end = text.find(closing, start)
    if closing == "”":  # a straight quote also closes a curly one
        straight = text.find('"', start)
        if straight >= 0 and (end < 0 or straight < end):
            end = straight
    return end + 1 if end >= 0 else -1


def parse_group(raw: str) -> list[CiteRef]:
    """Parse `[@key ¶N ...; @key ...]` into references, or raise CitationSyntaxError."""
    inner = raw[1:-1]
    parts = _split_outside_quotes(inner)
    return [_parse_one(part.strip()) for part in parts]


def _split_outside_quotes(text: str) -> list[str]:
    """Split at each ';' that is not inside a quotation."""
    parts, start, index = [], 0, 0
    while True:
        found = _SEPARATOR_OR_QUOTE.search(text, index)
        if found is None:
            break
        if found.group() == ";":
            parts.append(text[start : found.start()])
            start = index = found.end()
            continue
        index = _quote_end(text, found.group(), found.end())
        if index < 0:
            break
    parts.append(text[start:])
    return parts


def _other_digit(text: str) -> str | None:
    """An error for paragraph numbers written with digits other than 0-9 (full-width １, Arabic-Indic ١...),
    which int() would quietly read as numbers, or None."""
    written = re.match(r"[¶\s\d,–—-]*", text).group().strip()
    other = next((char for char in written if char.isdigit() and not "0" <= char <= "9"), None)
    if other is None:
        return None
    meant = "".join(str(unicodedata.digit(char, 0)) if char.isdigit() else char for char in written)
    name = unicodedata.name(other, f"U+{ord(other):04X}").lower()
    return f"'{written}' is written with '{other}' ({name}); write the number with the digits 0-9: {meant}"


def _parse_one(text: str) -> CiteRef:
    key = KEY.match(text)
    if not key:
        raise CitationSyntaxError(f"expected '@' and a source id, like @lain; found: '{text}'")
    source_id, rest = key.group(1), text[key.end():].strip()
    if not rest or rest[0] in OPEN_QUOTES:
        raise CitationSyntaxError(f"'@{source_id}' needs a paragraph number, like [@{source_id} ¶13]")
    paragraphs: list[int] = []
    while True:
        item = PILCROW_ITEM.match(rest)
        other = _other_digit(rest)
        if other:
            raise CitationSyntaxError(other)
        if not item:
            found = rest.split()[0] if rest.split() else rest
            if paragraphs and found.startswith("@"):
                raise CitationSyntaxError(f"separate sources with ';', like [@a ¶2; @b ¶3]; found: ', {found}'")
            raise CitationSyntaxError(f"expected ¶ and a paragraph number, like ¶13; found: '{found}'")
        first = int(item.group(1))
        last = int(item.group(2)) if item.group(2) else first
        if last < first:
            raise CitationSyntaxError(f"the range ¶{first}-{last} runs backwards; write ¶{last}-{first}")
        if last > MAX_PARAGRAPH:
            raise CitationSyntaxError(f"¶{last} is beyond the last paragraph of any source (at most ¶{MAX_PARAGRAPH}); check the number")
        known = set(paragraphs)
        paragraphs.extend(n for n in range(first, last + 1) if n not in known)
        rest = rest[item.end():].strip()
        if rest.startswith(","):
            rest = rest[1:].strip()
            continue
        break
    quote = None
    if rest:
        if rest[0] not in OPEN_QUOTES:
            raise CitationSyntaxError(f"unexpected text '{rest}'; a quote goes in double quotes, like \"exact words\"")
        closing = OPEN_QUOTES[rest[0]]
        end = max(rest.rfind(closing), rest.rfind('"') if closing == "”" else -1)
        if end <= 0:
            raise CitationSyntaxError("the quote is not closed; add the closing double quote")
        if rest[end + 1:].strip():
            raise CitationSyntaxError(f"unexpected text after the quote: '{rest[end + 1:].strip()}'")
        quote = " ".join(rest[1:end].split())
        if not quote:
            raise CitationSyntaxError("the quote is empty; remove the quotes or put the cited words between them")
    return CiteRef(source_id, tuple(paragraphs), quote)


# --- quotes --------------------------------------------------------------------------

_EQUIVALENTS = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)


def _normalise_char(char: str) -> str:
    return unicodedata.normalize("NFKC", char.translate(_EQUIVALENTS))


def normalise(text: str) -> str:
    """Text as compared for quotes: one space for any whitespace, plain quotes and dashes."""
    translated = text.translate(_EQUIVALENTS)
    if translated.isascii():  # ASCII is its own NFKC form
        return " ".join(translated.split())
    return " ".join("".join(_normalise_char(c) for c in text).split())


@functools.lru_cache(maxsize=16384)
def find_quote(paragraph: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` stands in `paragraph` (start, end in the paragraph's own characters).

    Cached: a quote is looked for by the check, then again by its mark, card, note and JSON.
    """
    haystack, origins = searchable(paragraph)
    needle = normalise(quote)
    found = haystack.find(needle)
    if found < 0 or not needle:
        return None
    last = found + len(needle) - 1
    if origins is None:
        return found, last + 1
    return origins[found], origins[last] + 1


@functools.lru_cache(maxsize=4096)
def searchable(paragraph: str) -> tuple[str, tuple[int, ...] | None]:
    """A paragraph as quotes are matched against it, and the origin of each character.

    A paragraph is searched once per citation of it, and most are plain text whose
    normal form has the same characters at the same places: then the origins are None.
    Cached because every citation of a paragraph searches it again, in checks and pages.
    """
    translated = paragraph.translate(_EQUIVALENTS)
    if translated.isascii() and " ".join(translated.split()) == translated:
        return translated, None  # ASCII is its own NFKC form; single spaces stay as they are
    normal_chars: list[str] = []
    origins: list[int] = []
    previous_space = True
    for index, char in enumerate(paragraph):
        normal = _normalise_char(char)
        if normal.isspace():
            if previous_space:
                continue
            normal = " "
        previous_space = normal == " "
        for piece in normal:
            normal_chars.append(piece)
            origins.append(index)
    return "".join(normal_chars), tuple(origins)

