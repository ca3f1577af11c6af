"""Records as plain JSON values and back, checked field by field against their declared types: reading one can never run code.

A frozen dataclass or a named tuple is a list of its fields' values in order; a tuple, frozenset or list is a
list; a dict is an object when its keys are text or paths, else a list of [key, value] pairs;
bytes are hexadecimal text, a path is text, a date is YYYY-MM-DD, markup (HTML made by a
template) is its text. `decoder(type)` returns a
function that rebuilds a value of that type from plain values, or raises Invalid at the first
value that is not what the type says.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
import types
import typing
from pathlib import Path
from typing import Any, Callable

from markupsafe import Markup


class Invalid(ValueError):
    """A plain value does not have the type its record declares."""


def _fail(expected: str, found: object) -> typing.NoReturn:
    raise Invalid(f"expected {expected}; found {type(found).__name__}")


@functools.cache
def decoder(kind: Any) -> Callable[[object], Any]:
    """A function from plain values to a value of `kind`, checking every field on the way."""
    if kind in SCALARS:
        name = kind.__name__

        def scalar(value: object, kind=kind) -> Any:
            if type(value) is kind:
                return value
            _fail(name, value)
        return scalar
    if kind is type(None):
        return lambda value: value if value is None else _fail("null", value)
    if kind is object:
        return _same  # any value: its reader checks it
    if kind is bytes:
        return lambda value: bytes.fromhex(value) if type(value) is str else _fail("hexadecimal text", value)
    if kind is Path:
        paths: dict[str, Path] = {}  # the same path is read many times (a file's digest, its step's results)

        def path(value: object) -> Path:
            if type(value) is not str:
                _fail("a path", value)
            found = paths.get(value)
            if found is None:
                found = paths[value] = Path(value)
            return found
        return path
    if kind is dt.date:
        return lambda value: dt.date.fromisoformat(value) if type(value) is str else _fail("a date", value)
    if kind is Markup:
        return lambda value: Markup(value) if type(value) is str else _fail("markup", value)
    if dataclasses.is_dataclass(kind) or _is_named_tuple(kind):
        return _dataclass_decoder(kind)
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return _optional(kind, arguments, decoder)
    if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        item = decoder(arguments[0])
        return lambda value: tuple(map(item, value)) if type(value) is list else _fail("a list", value)
    if origin is tuple:
        return _written_out(f"a list of {len(arguments)}", arguments, lambda values: f"return ({values},)", {})
    if origin in (frozenset, list):
        item = decoder(arguments[0])
        return lambda value: origin(map(item, value)) if type(value) is list else _fail("a list", value)
    if origin is dict:
        return _dict_decoder(*arguments)
    raise TypeError(f"no plain form for {kind!r}")


@functools.cache
def encoder(kind: Any) -> Callable[[Any], object]:
    """A function from a value of `kind` to plain values (the inverse of decoder(kind))."""
    if kind in SCALARS or kind is type(None):
        return _same
    if kind is bytes:
        return bytes.hex
    if kind is Path or kind is Markup:
        return str
    if kind is dt.date:
        return dt.date.isoformat
    if _is_named_tuple(kind):
        fields = tuple(encoder(hint) for _, hint in _fields(kind))
        if all(write is _same for write in fields):
            return _same  # a tuple already: JSON writes it as a list
        return lambda value: [write(part) for write, part in zip(fields, value)]
    if dataclasses.is_dataclass(kind):
        fields = tuple((name, encoder(hint)) for name, hint in _fields(kind))
        if all(write is _same for _, write in fields) and len(fields) > 1:
            return operator.attrgetter(*(name for name, _ in fields))  # a tuple, made in C: JSON writes it as a list
        return lambda value: [write(getattr(value, name)) for name, write in fields]
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return _optional(kind, arguments, encoder)
    if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        item = encoder(arguments[0])
        return lambda value: [item(part) for part in value]
    if origin is tuple:
        items = tuple(encoder(argument) for argument in arguments)
        return lambda value: [write(part) for write, part in zip(items, value)]
    if origin is frozenset:
        item = encoder(arguments[0])
        return lambda value: sorted(item(part) for part in value)
    if origin is list:
        item = encoder(arguments[0])
        return lambda value: [item(part) for part in value]
    if origin is dict:
        write_key, write_value = encoder(arguments[0]), encoder(arguments[1])
        if arguments[0] in (str, Path):
            return lambda value: {write_key(key): write_value(part) for key, part in value.items()}
        return lambda value: [[write_key(key), write_value(part)] for key, part in value.items()]
    raise TypeError(f"no plain form for {kind!r}")


SCALARS = (str, int, bool)


def _same(value: object) -> object:
    return value


def _is_named_tuple(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields")


def _fields(kind: type) -> list[tuple[str, Any]]:
    """A record's fields: their names and types."""
    hints = typing.get_type_hints(kind)
    names = kind._fields if _is_named_tuple(kind) else [field.name for field in dataclasses.fields(kind)]
    return [(name, hints[name]) for name in names]


def _dataclass_decoder(kind: type) -> Callable[[object], Any]:
    fields = _fields(kind)
    namespace: dict[str, Any] = {"kind": kind, "new": object.__new__, "new_tuple": tuple.__new__}
    if _is_named_tuple(kind):
        make = lambda values: f"return new_tuple(kind, ({values},))"  # noqa: E731
    elif hasattr(kind, "__slots__") or hasattr(kind, "__post_init__"):
        make = lambda values: f"return kind({values})"  # noqa: E731
    else:  # a frozen dataclass's __init__ sets each field the slow way; the values are checked already
        def make(values: str) -> str:
            pairs = ", ".join(f"{name!r}: {value}" for (name, _), value in zip(fields, values.split(", ")))
            return f"made = new(kind)\n    made.__dict__.update({{{pairs}}})\n    return made"
    return _written_out(f"a {kind.__name__} of {len(fields)} fields", [hint for _, hint in fields], make, namespace)


def _written_out(expected: str, kinds: list, make: Callable[[str], str], namespace: dict[str, Any]) -> Callable[[object], Any]:
    """A decoder of a list of len(kinds) values written out as one function, the way dataclasses writes __init__: a cache
    file holds tens of thousands of records, and a function call per field would double the time it takes to read them."""
    names = [f"a{number}" for number in range(len(kinds))]
    namespace.update(fail=_fail, fromhex=bytes.fromhex)
    lines = ["def read(value):",
             f"    if type(value) is not list or len(value) != {len(kinds)}:",
             f"        fail({expected!r}, value)",
             f"    {', '.join(names)}, = value"]
    lines += ["    " + _check(name, kind, namespace) for name, kind in zip(names, kinds)]
    lines.append("    " + make(", ".join(names)))
    exec("\n".join(lines), namespace)  # noqa: S102 - code made here from the declared types, never from data
    return namespace["read"]


def _check(variable: str, hint: Any, namespace: dict[str, Any]) -> str:
    """One line of a record's decoder: check (or decode) one field's value in `variable`."""
    scalars = _scalar_types(hint)
    if scalars:
        namespace[f"{variable}_types"] = frozenset(scalars)
        expected = " or ".join("null" if kind is type(None) else kind.__name__ for kind in scalars)
        return f"if type({variable}) not in {variable}_types: fail({expected!r}, {variable})"
    if hint is bytes:
        return f"{variable} = fromhex({variable}) if type({variable}) is str else fail('hexadecimal text', {variable})"
    if hint == (bytes | None):
        return f"{variable} = None if {variable} is None else fromhex({variable}) if type({variable}) is str else fail('hexadecimal text', {variable})"
    if hint is object:
        return "pass  # any value: its reader checks it"
    namespace[f"{variable}_read"] = decoder(hint)
    return f"{variable} = {variable}_read({variable})"


def _scalar_types(kind: Any) -> tuple[type, ...] | None:
    """The JSON types a field of this kind can hold if it is a scalar (text, a number, true/false, or X | None), else None."""
    if kind in SCALARS:
        return (kind,)
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        arguments = typing.get_args(kind)
        if all(argument in SCALARS or argument is type(None) for argument in arguments):
            return arguments
    return None


def _optional(kind: Any, arguments: tuple, make: Callable) -> Callable:
    others = [argument for argument in arguments if argument is not type(None)]
    if len(others) != 1 or len(arguments) != 2:
        raise TypeError(f"no plain form for {kind!r}: only X | None unions have one")
    inner = make(others[0])
    return lambda value: None if value is None else inner(value)


def _dict_decoder(key_kind: Any, value_kind: Any) -> Callable[[object], dict]:
    read_key, read_value = decoder(key_kind), decoder(value_kind)
    if key_kind in (str, Path):
        def mapping(value: object) -> dict:
            if type(value) is not dict:
                _fail("an object", value)
            return {read_key(key): read_value(part) for key, part in value.items()}
        return mapping

    def pairs(value: object) -> dict:
        if type(value) is not list:
            _fail("a list of pairs", value)
        found = {}
        for pair in value:
            if type(pair) is not list or len(pair) != 2:
                _fail("a [key, value] pair", pair)
            found[read_key(pair[0])] = read_value(pair[1])
        return found
    return pairs
