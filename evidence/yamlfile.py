"""YAML and front matter, read with the line of every key kept, so errors can point at it."""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import Problems, os_message
from .inputs import MAX_CONTENT_BYTES, NotReadable, read_file


class YMap(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class YList(list):
    """A YAML sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


NEWLINE = re.compile("\n")


@dataclass(frozen=True)
class _Lines:
    """File lines of positions in a YAML text. PyYAML's own mark.line also counts U+2028,
    U+2029 and U+0085 as line breaks, which editors do not: count the newlines instead."""

    newlines: list[int]  # index of every "\n" in the text
    offset: int  # lines of the file above the text

    @classmethod
    def of(cls, text: str, offset: int) -> _Lines:
        return cls([found.start() for found in NEWLINE.finditer(text)], offset)

    def at(self, mark: yaml.Mark | None) -> int:
        return self.at_index(mark.index) if mark else self.offset + 1

    def at_index(self, index: int) -> int:
        return bisect.bisect_left(self.newlines, index) + 1 + self.offset

    def of_node(self, node: yaml.Node) -> int:
        return self.at(node.start_mark)


# Far beyond any real front matter; they stop an alias "billion laughs" or deep nesting
# from taking the build down with it.
MAX_VALUES = 10_000
MAX_DEPTH = 20


class _CannotConvert(Exception):
    """Well-formed YAML that cannot be turned into values (too big, looping, a bad scalar)."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


@dataclass
class _Converter:
    """Turns a composed YAML node graph into YMap, YList and scalars, within limits."""

    lines: _Lines
    path: Path
    problems: Problems
    scalars: yaml.constructor.SafeConstructor = field(default_factory=yaml.constructor.SafeConstructor)
    budget: int = MAX_VALUES
    open_nodes: list[yaml.Node] = field(default_factory=list)  # being converted: an alias to one is a loop

    def value(self, node: yaml.Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self._cannot_convert(f"more than {MAX_VALUES} values, usually from repeated aliases (*name); write the values out", node)
        if any(node is open_node for open_node in self.open_nodes):
            raise self._cannot_convert("an alias (*name) refers to the value that contains it; write the value out", node)
        if len(self.open_nodes) >= MAX_DEPTH:
            raise self._cannot_convert(f"values nested more than {MAX_DEPTH} levels deep", node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        self.open_nodes.append(node)
        try:
            return self.mapping(node) if isinstance(node, yaml.MappingNode) else self.sequence(node)
        finally:
            self.open_nodes.pop()

    def _cannot_convert(self, message: str, node: yaml.Node) -> _CannotConvert:
        # An alias jumps back to where its anchor was written, so the latest line on the way
        # down is where the alias itself was used: the line to fix.
        return _CannotConvert(f"malformed YAML: {message}", max(self.lines.of_node(n) for n in [*self.open_nodes, node]))

    def mapping(self, node: yaml.MappingNode) -> YMap:
        result = YMap()
        result.line = self.lines.of_node(node)
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            line = self.lines.of_node(key_node)
            if not isinstance(key, str):
                self.problems.error(self.path, line, f"keys must be text; found: {describe(key)}")
                continue
            if key in result:
                self.problems.error(self.path, line, f"duplicate key '{key}' (first on line {result.key_lines[key]}); keep one of them")
                continue
            result[key] = self.value(value_node)
            result.key_lines[key] = line
        return result

    def sequence(self, node: yaml.SequenceNode) -> YList:
        items = YList(self.value(item) for item in node.value)
        items.line = self.lines.of_node(node)
        items.item_lines = [self.lines.of_node(item) for item in node.value]
        return items

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == STR_TAG:
            if found := NOT_TEXT.search(node.value):  # only an escape, like "\ud800", can put one here: read_text refuses the rest
                raise _CannotConvert(not_text(found.group()), self.lines.of_node(node))
            return node.value  # what PyYAML's constructor returns for text, the usual case
        try:
            return self.scalars.construct_object(node, deep=True)
        except (ValueError, TypeError, AttributeError, OverflowError) as error:
            # PyYAML's constructors fail this way on values that only look like their
            # type, such as the date 2020-02-30 or `!!int abc`.
            kind = node.tag.rsplit(":", 1)[-1]
            reason = f" ({error})" if isinstance(error, ValueError) and kind == "timestamp" else ""
            raise _CannotConvert(f"malformed YAML: '{node.value}' is not a valid {'date' if kind == 'timestamp' else kind}{reason}", self.lines.of_node(node)) from None


STR_TAG = "tag:yaml.org,2002:str"
MALFORMED = object()  # what parse_yaml returns once it has reported malformed YAML


def parse_yaml(text: str, path: Path, problems: Problems, line_offset: int = 0) -> Any:
    """Parse one YAML document; on malformed YAML record a problem and return MALFORMED."""
    lines = _Lines.of(text, line_offset)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context and "quoted scalar" in error.context and error.context_mark:
            mark = error.context_mark
        problems.error(path, lines.at(mark), f"malformed YAML: {_describe_yaml_error(error)}")
        return MALFORMED
    except yaml.reader.ReaderError as error:
        problems.error(path, lines.at_index(error.position), f"malformed YAML: the character U+{error.character:04X} is not allowed in YAML; remove it")
        return MALFORMED
    except RecursionError:  # PyYAML composes nested values recursively
        problems.error(path, line_offset + 1, f"malformed YAML: values nested more than {MAX_DEPTH} levels deep")
        return MALFORMED
    if node is None:
        return None
    try:
        return _Converter(lines, path, problems).value(node)
    except _CannotConvert as error:
        problems.error(path, error.line, str(error))
        return MALFORMED
    except yaml.constructor.ConstructorError as error:
        problems.error(path, lines.at(error.problem_mark), f"malformed YAML: {_describe_yaml_error(error)}")
        return MALFORMED


# PyYAML's wording for the usual slips, and what to say instead: (context, problem, message).
YAML_HINTS = [
    (None, "'\\t'", "a tab character; indent YAML with spaces"),
    ("quoted scalar", None, "a quoted value is never closed; add the closing quote"),
    (None, "mapping values are not allowed", "unexpected ':' here; check this line's indentation, or put quotes around a value that contains ': '"),
    (None, "that cannot start any token", "a value cannot start with this character; put the value in quotes"),
    ("simple key", "could not find expected ':'", "expected 'key: value'; found a line without ':'"),
    ("block mapping", "found '<scalar>'", "text after a quoted value; put the whole value inside the quotes"),
    ("block mapping", "found '<block mapping start>'", "this key is indented differently from the keys above it; line them up"),
    ("block mapping", "found '-'", "a list item ('- ') where a key was expected; check the indentation"),
    ("block collection", "found '?'", "a key where a list item ('- ') was expected; check the indentation"),
    ("single document", "another document", "a second document ('---') in a file that holds one; remove the extra '---'"),
]


def _compose(text: str) -> yaml.Node | None:
    """The document's node tree, parsed by libyaml when installed (several times faster).

    libyaml words its errors differently, so a document it rejects is parsed again by
    PyYAML's own parser: the message, and whether the document is rejected at all, stay PyYAML's.
    """
    if FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=SAFE_LOADER)


def _keeping_text(loader: type) -> type:
    """`loader`, resolving plain values as the writer typed them: only `null` (or nothing) and dates written
    YYYY-MM-DD are typed; YAML 1.1 would turn `12:30` into 750, `0x1F` into 31, `007` into 7 and `yes` into true.
    No field of the format is a number or a yes/no, so nothing is lost; an explicit tag (`!!int 12`) still types."""
    kept = type(f"TextKeeping{loader.__name__}", (loader,), {"yaml_implicit_resolvers": {}})
    kept.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    kept.add_implicit_resolver("tag:yaml.org,2002:timestamp", re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), list("0123456789"))
    return kept


SAFE_LOADER = _keeping_text(yaml.SafeLoader)
FAST_LOADER = _keeping_text(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else None


def _describe_yaml_error(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "cannot be read"
    unknown_tag = re.search(r"constructor for the tag '([^']*)'", problem)
    if unknown_tag:
        tag = unknown_tag.group(1).replace("tag:yaml.org,2002:", "!!")
        return f"unknown tag '{tag}'; remove it: content files hold plain text, numbers, dates, lists and mappings"
    for context, wording, message in YAML_HINTS:
        if (context is None or context in (error.context or "")) and (wording is None or wording in problem):
            return message
    if error.context:
        return f"{problem} ({error.context})"
    return problem


@dataclass(frozen=True)
class Document:
    """A Markdown file split into its front matter and its body."""

    meta: Any
    body: str
    body_line: int  # 1-based line of the first body line in the file
    last_line: int  # 1-based line of the file's last line


FRONT_MATTER_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


def split_front_matter(text: str, path: Path, problems: Problems) -> Document | None:
    """Split `---`-fenced YAML front matter from a Markdown body, keeping line numbers."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        problems.error(path, 1, "expected front matter: the file must start with a line '---'")
        return None
    for index in range(1, len(lines)):
        if FRONT_MATTER_FENCE.match(lines[index]):
            meta = parse_yaml("\n".join(lines[1:index]), path, problems, line_offset=1)
            last_line = len(lines) - 1 if len(lines) > 1 and lines[-1] == "" else len(lines)
            return Document(meta, "\n".join(lines[index + 1 :]), index + 2, last_line)
    problems.error(path, 1, "front matter is not closed: add a line '---' after it")
    return None


MAX_FILE_BYTES = MAX_CONTENT_BYTES


def read_text(path: Path, problems: Problems, data: bytes | None = None) -> str | None:
    """A content file's text, or a problem if it is unreadable, too big, empty or not UTF-8.

    `data` is the file's bytes when the caller has read them already (to know if they changed).
    """
    if data is None:
        try:
            data = read_file(path, MAX_FILE_BYTES)  # refuses a named pipe, a device or a file too big before reading it
        except NotReadable as refused:
            problems.error(path, 1, str(refused))
            return None
        except OSError as error:
            problems.error(path, 1, f"cannot read file: {os_message(error)}")
            return None
    elif len(data) > MAX_FILE_BYTES:
        problems.error(path, 1, f"the file is {len(data) / 1e6:.1f} MB; content files must be under {MAX_FILE_BYTES // 1_000_000} MB")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.error(path, line, f"not UTF-8 text: byte 0x{data[error.start]:02x} cannot be decoded; save the file as UTF-8")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if found := NOT_TEXT.search(text):
        problems.error(path, text.count("\n", 0, found.start()) + 1, not_text(found.group()))
        return None
    if not text.strip():
        problems.error(path, 1, "the file is empty; write its content or delete it")
        return None
    return text


# Code points that are not text: lone surrogates (UTF-8 cannot hold one, but a YAML escape like "\ud800" can
# make one) and the 66 Unicode non-characters. XML forbids surrogates, U+FFFE and U+FFFF, so one in a title
# would make feed.xml ill-formed; a page cannot be written with a surrogate at all.
NOT_TEXT = re.compile("[\ud800-\udfff\ufdd0-\ufdef" + "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000)) + "]")


def not_text(character: str) -> str:
    kind = "a lone surrogate" if "\ud800" <= character <= "\udfff" else "a Unicode non-character"
    return f"the character U+{ord(character):04X} ({kind}) is not text; remove it"


# --- typed fields --------------------------------------------------------------------

CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# No whitespace or control characters anywhere: they hide a URL's real target from readers.
URL_PATTERN = re.compile(r"^https?://[^\x00-\x20\x7f/$.?#][^\x00-\x20\x7f]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Field:
    """One key a mapping may hold: its name, what type its value must be, and if required."""

    name: str
    kind: Callable[[Any], Any]  # returns the converted value or raises ValueError(expected)
    required: bool = False
    default: Any = None


def text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)):
        raise ValueError("text")
    if not isinstance(value, str):
        return str(value)
    if CONTROL_CHARACTER.search(value):
        raise ValueError("text without control characters")
    if not value.strip():
        raise ValueError("non-empty text")
    return value.strip()


def identifier(value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError("an id of lower-case ASCII letters, digits and single hyphens, like 'russia-syria'")
    return value


def id_for(path: Path, declared: str | None, problems: Problems) -> str | None:
    """A file's id: the declared one, else its file name, if that is a usable id."""
    if declared:
        return declared
    try:
        return identifier(path.stem)
    except ValueError as expected:
        problems.error(path, 1, f"the file name '{path.stem}' is not a usable id: rename it or set 'id' to {expected}")
        return None


def slugify(title: str, fallback: str = "section") -> str:
    """A URL-safe id made from a title: lower-case ASCII words joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", title.lower().replace("'", "").replace("’", ""))
    return "-".join(words)[:60].strip("-") or fallback


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError("a date written YYYY-MM-DD")
    return value


def url(value: Any) -> str:
    if not isinstance(value, str) or not URL_PATTERN.match(value.strip()):
        raise ValueError("an http:// or https:// URL")
    return value.strip()


def one_of(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"one of: {', '.join(choices)}")
        return value

    return check


def list_of(kind: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, list):
            raise ValueError("a list")
        return value  # items are checked one by one by read_list

    check.item_kind = kind  # type: ignore[attr-defined]
    return check


def mapping(value: Any) -> YMap:
    if not isinstance(value, YMap):
        raise ValueError("a mapping of keys to values")
    return value


def describe(value: Any) -> str:
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, YList):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'}"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    return repr(value) if not isinstance(value, dt.date) else value.isoformat()


def read_fields(node: Any, fields: list[Field], what: str, path: Path, line: int, problems: Problems) -> dict[str, Any] | None:
    """Check a mapping against its fields: unknown keys, missing keys and wrong types."""
    if node is MALFORMED:
        return None
    if not isinstance(node, YMap):
        problems.error(path, line, f"{what} must be a mapping of keys to values; found: {describe(node)}")
        return None
    known = {field.name: field for field in fields}
    values: dict[str, Any] = {}
    ok = True
    for key in node:
        if key not in known:
            valid = ", ".join(sorted(known))
            problems.error(path, node.key_lines[key], f"unknown key '{key}' in {what}; valid keys: {valid}")
            ok = False
    for spec in fields:
        if spec.name not in node or node[spec.name] is None:
            if spec.required:
                problems.error(path, node.key_lines.get(spec.name, line), f"{what} is missing required key '{spec.name}'")
                ok = False
            values[spec.name] = spec.default
            continue
        raw = node[spec.name]
        try:
            values[spec.name] = spec.kind(raw)
        except ValueError as expected:
            problems.error(path, node.key_lines[spec.name], f"'{spec.name}' must be {expected}; found: {describe(raw)}")
            ok = False
            continue
        item_kind = getattr(spec.kind, "item_kind", None)
        if item_kind is not None:
            items = read_list(raw, item_kind, spec.name, path, problems)
            ok = ok and items is not None
            values[spec.name] = items
    return values if ok else None


def read_list(items: YList, kind: Callable[[Any], Any], name: str, path: Path, problems: Problems) -> list[Any] | None:
    result, ok = [], True
    for item, line in zip(items, items.item_lines):
        try:
            result.append(kind(item))
        except ValueError as expected:
            problems.error(path, line, f"each item of '{name}' must be {expected}; found: {describe(item)}")
            ok = False
    return result if ok else None

