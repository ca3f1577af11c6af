"""JSON text that is quick to write and easy to read and diff: one line per member, lists one item per line.

The standard library encodes in C only without an indent; with one (indent=2) it falls back
to Python generators, which cost a tenth of an explainer's build. Here objects are laid out
by hand down to LAID_OUT_DEPTH, one member per line, and lists one item per line; every
item, and every value below that depth, is encoded in C, compact. An explainer.json then
has a line per topic and a line per citation.
"""
from __future__ import annotations

import json
from typing import Any

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)
# One C encoder serves every value (JSONEncoder.encode makes one per call); no cycle check, as the data are trees.
_C_ENCODE = json.encoder.c_make_encoder and json.encoder.c_make_encoder(
    None, _ENCODER.default, json.encoder.encode_basestring, None,
    _ENCODER.key_separator, _ENCODER.item_separator, False, False, _ENCODER.allow_nan,
)


def _compact(value: Any) -> str:
    return "".join(_C_ENCODE(value, 0)) if _C_ENCODE else _ENCODER.encode(value)


LAID_OUT_DEPTH = 2  # laid out: the outer object, the objects in it, and the lists in those


def json_text(value: Any) -> str:
    """`value` as JSON: json.loads(json_text(value)) == value."""
    return _layout(value, "", LAID_OUT_DEPTH)


def _layout(value: Any, indent: str, depth: int) -> str:
    if depth < 0 or not value or not isinstance(value, (dict, list, tuple)):
        return _compact(value)
    inner = indent + "  "
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
        items = [f"{inner}{_compact(key)}: {_layout(item, inner, depth - 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    items = [inner + _compact(item) for item in value]
    return "[\n" + ",\n".join(items) + f"\n{indent}]"
