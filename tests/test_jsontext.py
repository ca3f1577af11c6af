"""explainer.json is written by a faster encoder that must write what json.dumps(indent=2) writes."""
import json
import random

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


def test_json_text_is_what_json_dumps_writes_with_an_indent_of_two():
    rng = random.Random(5)
    for _ in range(2000):
        value = random_value(rng)
        assert json_text(value) == json.dumps(value, ensure_ascii=False, indent=2)
