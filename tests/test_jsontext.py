"""explainer.json is written by a fast encoder: the same values as json.dumps, one member or item per line."""
import json
import math
import random

import pytest

from evidence.jsontext import json_text


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(["a", "é", "“", "\"", "\\", "\n", "\u2028", "\x01", " ", "¶"]) for _ in range(rng.randint(0, 6)))


def random_value(rng: random.Random, depth: int = 0):
    kinds = ["str", "int", "float", "none", "bool"] + (["list", "dict"] * 2 if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "str":
        return random_text(rng)
    if kind == "int":
        return rng.randint(-10**6, 10**6)
    if kind == "float":
        return rng.uniform(-1e6, 1e6)
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "list":
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {random_text(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_json_text_reads_back_as_the_same_value():
    rng = random.Random(5)
    for _ in range(2000):
        value = random_value(rng)
        text = json_text(value)
        assert json.loads(text) == value
        assert all(line.strip() for line in text.split("\n")), "no line of it is blank"


def test_objects_have_one_member_and_lists_one_item_per_line():
    value = {"a": 1, "items": [{"x": "¶1 “quoted”", "y": [1, 2]}, {"x": "b"}], "empty": [],
             "nested": {"k": {"deep": {"deeper": [1]}}, "list": [[1, 2], {}]}}
    assert json_text(value) == (
        '{\n'
        '  "a": 1,\n'
        '  "items": [\n'
        '    {"x": "¶1 “quoted”", "y": [1, 2]},\n'
        '    {"x": "b"}\n'
        '  ],\n'
        '  "empty": [],\n'
        '  "nested": {\n'
        '    "k": {\n'
        '      "deep": {"deeper": [1]}\n'
        '    },\n'
        '    "list": [\n'
        '      [1, 2],\n'
        '      {}\n'
        '    ]\n'
        '  }\n'
        '}'
    )


def test_values_json_cannot_hold_are_refused():
    with pytest.raises(ValueError):
        json_text({"x": math.nan})
    with pytest.raises(TypeError):
        json_text({1: "a"})
    with pytest.raises(TypeError):
        json_text({"x": object()})
