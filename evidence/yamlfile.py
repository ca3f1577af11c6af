"""YAML and front matter, read with the line of every key kept, so errors can point at it."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import Problems


class YMap(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class YList(list):
    """A YAML sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


def _node_line(node: yaml.Node, offset: int) -> int:
    return node.start_mark.line + 1 + offset


def _to_python(node: yaml.Node, offset: int, path: Path, problems: Problems) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = YMap()
        result.line = _node_line(node, offset)
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = _to_python(key_node, offset, path, problems)
            line = _node_line(key_node, offset)
            if not isinstance(key, str):
                problems.error(path, line, f"keys must be text; found: {key!r}")
                continue
            if key in result:
                problems.error(path, line, f"duplicate key '{key}' (first on line {result.key_lines[key]})")
                continue
            result[key] = _to_python(value_node, offset, path, problems)
            result.key_lines[key] = line
        return result
    if isinstance(node, yaml.SequenceNode):
        items = YList(_to_python(item, offset, path, problems) for item in node.value)
        items.line = _node_line(node, offset)
        items.item_lines = [_node_line(item, offset) for item in node.value]
        return items
    return _SCALARS.construct_object(node, deep=True)


_SCALARS = yaml.constructor.SafeConstructor()


MALFORMED = object()  # what parse_yaml returns once it has reported malformed YAML


def parse_yaml(text: str, path: Path, problems: Problems, line_offset: int = 0) -> Any:
    """Parse one YAML document; on malformed YAML record a problem and return MALFORMED."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context and "quoted scalar" in error.context and error.context_mark:
            mark = error.context_mark
        line = mark.line + 1 + line_offset if mark else line_offset + 1
        problems.error(path, line, f"malformed YAML: {_describe_yaml_error(error)}")
        return MALFORMED
    if node is None:
        return None
    try:
        return _to_python(node, line_offset, path, problems)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        line = mark.line + 1 + line_offset if mark else line_offset + 1
        problems.error(path, line, f"malformed YAML: {_describe_yaml_error(error)}")
        return MALFORMED


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
    return yaml.compose(text, Loader=yaml.SafeLoader)


FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _describe_yaml_error(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "cannot be read"
    if "'\\t'" in problem:
        return "a tab character; indent YAML with spaces"
    if error.context and "quoted scalar" in error.context:
        return "a quoted value is never closed; add the closing quote"
    if error.context:
        return f"{problem} ({error.context})"
    return problem


@dataclass(frozen=True)
class Document:
    """A Markdown file split into its front matter and its body."""

    meta: Any
    body: str
    body_line: int  # 1-based line of the first body line in the file


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
            return Document(meta, "\n".join(lines[index + 1 :]), index + 2)
    problems.error(path, 1, "front matter is not closed: add a line '---' after it")
    return None


def read_text(path: Path, problems: Problems, data: bytes | None = None) -> str | None:
    """A content file's text, or a problem if it is unreadable, empty or not UTF-8.

    `data` is the file's bytes when the caller has read them already (to know if they changed).
    """
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.error(path, 1, f"cannot read file: {error.strerror}")
            return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.error(path, line, f"not UTF-8 text: byte 0x{data[error.start]:02x} cannot be decoded; save the file as UTF-8")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        problems.error(path, 1, "the file is empty")
        return None
    return text


# --- typed fields --------------------------------------------------------------------

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Field:
    """One key a mapping may hold: its name, what type its value must be, and if required."""

    name: str
    kind: Callable[[Any], Any]  # returns the converted value or raises ValueError(expected)
    required: bool = False
    default: Any = None


def text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (YMap, YList)):
        raise ValueError("text")
    if isinstance(value, (int, float, dt.date)):
        return str(value)
    if not value.strip():
        raise ValueError("non-empty text")
    return value.strip()


def identifier(value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError("an id of lower-case ASCII letters, digits and single hyphens, like 'russia-syria'")
    return value


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
    for field in fields:
        if field.name not in node or node[field.name] is None:
            if field.required:
                problems.error(path, node.key_lines.get(field.name, node.line), f"{what} is missing required key '{field.name}'")
                ok = False
            values[field.name] = field.default
            continue
        raw = node[field.name]
        try:
            values[field.name] = field.kind(raw)
        except ValueError as expected:
            problems.error(path, node.key_lines[field.name], f"'{field.name}' must be {expected}; found: {describe(raw)}")
            ok = False
            continue
        item_kind = getattr(field.kind, "item_kind", None)
        if item_kind is not None:
            items = read_list(raw, item_kind, field.name, path, problems)
            ok = ok and items is not None
            values[field.name] = items
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

