"""Reader data built without a browser: deep links, stable anchors, the JSON export."""
import json

from conftest import EXPLAINER, write_tree

from evidence.build import Paths, build, render
from evidence.links import text_fragment_url


def test_text_fragment_percent_encodes_dash_comma_ampersand_and_curly_quotes():
    url = text_fragment_url("https://example.org/a#old", "West’s “moderate” view, ends – here & there-ish")
    assert url == (
        "https://example.org/a#:~:text=West%E2%80%99s%20%E2%80%9Cmoderate%E2%80%9D%20view%2C%20ends%20"
        "%E2%80%93%20here%20%26%20there%2Dish"
    )


def test_text_fragment_folds_whitespace():
    assert text_fragment_url("https://e.org/", "a \n  b") == "https://e.org/#:~:text=a%20b"


def ids_of(pages: dict[str, str]) -> set[str]:
    import re

    return set(re.findall(r'id="([^"]+)"', pages["explainers/ex/index.html"]))


def test_inserting_a_topic_keeps_every_other_anchor(tmp_path):
    before, _ = render(Paths(content=write_tree(tmp_path / "a", {})))
    inserted = EXPLAINER.replace(
        "## Why? {#why}",
        "## New? {#new}\n\n### us\n\nSummary: N [@src ¶1]\n\nMore [@src ¶2]\n\n### russia\n\nNot stated:\n\n## Why? {#why}",
    )
    after, _ = render(Paths(content=write_tree(tmp_path / "b", {"explainers/ex.md": inserted})))
    kept = {i for i in ids_of(before) if not i.startswith("card-")}
    assert kept <= ids_of(after)
    assert "new-us-1-c1" in ids_of(after)


def test_explainer_json_has_text_quote_selectors_that_match_the_source(tmp_path):
    out = tmp_path / "out"
    build(Paths(content=write_tree(tmp_path / "c", {})), out, base_url="https://example.org/site/")
    data = json.loads((out / "explainers/ex/explainer.json").read_text(encoding="utf-8"))
    assert data["type"] == "AnnotationCollection"
    assert data["id"] == "https://example.org/site/explainers/ex/explainer.json"
    assert [p["id"] for p in data["explainer"]["parties"]] == ["us", "russia"]
    quoted = [item for item in data["items"] if "selector" in item["target"]]
    assert [item["target"]["selector"] for item in quoted] == [
        {"type": "TextQuoteSelector", "exact": "the West’s view", "prefix": "First paragraph about ", "suffix": "."},
        {"type": "TextQuoteSelector", "exact": "with a dash", "prefix": "Second paragraph – ", "suffix": "."},
    ]
    assert quoted[0]["id"] == "https://example.org/site/explainers/ex/#why-us-summary-c1"
    assert quoted[0]["target"]["source"] == "https://example.org/source"
    page = (out / "explainers/ex/index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/json" href="explainer.json"' in page
