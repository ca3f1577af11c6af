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

_SEPARATORS = (", ", ": ")
_compact_encoder = json.JSONEncoder(ensure_ascii=False, separators=_SEPARATORS, allow_nan=False)
try:  # one C encoder for every value, rather than one made per call by JSONEncoder.encode (no cycle check: the data are trees)
    from json.encoder import c_make_encoder, encode_basestring

    _chunks = c_make_encoder(None, _compact_encoder.default, encode_basestring, None, ": ", ", ", False, False, False)
except (ImportError, TypeError):  # an interpreter without the C accelerator
    _chunks = None


def _compact(value: Any) -> str:
    if _chunks is None or isinstance(value, str):
        return _compact_encoder.encode(value)
    return "".join(_chunks(value, 0))
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
