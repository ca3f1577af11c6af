"""JSON text that is quick to write and easy to read and diff: one line per member, long lists one item per line.

The standard library encodes in C only without an indent; with one (indent=2) it falls back
to Python generators, which cost a tenth of an explainer's build. Here the outer object and
its lists are laid out by hand, one member or item per line, and every value inside them is
encoded in C, compact: an explainer.json is a few dozen lines, one per citation.
"""
from __future__ import annotations

import json
from typing import Any

_compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False).encode
LAID_OUT_DEPTH = 2  # the outer object, and the objects and lists it holds, one member or item per line


def json_text(value: Any) -> str:
    """`value` as JSON: json.loads(json_text(value)) == value."""
    return _layout(value, "", LAID_OUT_DEPTH)


def _layout(value: Any, indent: str, depth: int) -> str:
    if depth == 0 or not value or not isinstance(value, (dict, list, tuple)):
        return _compact(value)
    inner = indent + "  "
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
        items = [f"{inner}{_compact(key)}: {_layout(item, inner, depth - 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    items = [inner + _layout(item, inner, depth - 1) for item in value]
    return "[\n" + ",\n".join(items) + f"\n{indent}]"
