"""How pages word what varies from site to site: names starting with "The", several sources, authors' descriptions,
and what explainer.json says about who said what. Built from the long-names fixture (tests/fixtures/long-names)."""
from __future__ import annotations

import json
import re

import pytest

from conftest import PROJECT, write_tree

from evidence.build import Paths, build


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("wording") / "dist"
    build(Paths(content=PROJECT / "tests/fixtures/long-names"), out)

    def read(path: str) -> str:
        """The page's text: its tags and its stylesheet (which every page carries) left out."""
        html = re.sub(r"<style>.*?</style>", "", (out / path).read_text(encoding="utf-8"), flags=re.DOTALL)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("&#39;", "'")

    read.json = lambda path: json.loads((out / path).read_text(encoding="utf-8"))
    return read


def test_home_page_lists_three_parties_as_a_b_and_c_with_the_lowercased_after_the_first(pages):
    assert ("3 questions · The Elmsworth and District Borough Council, the Riverside Ferry Operators' Cooperative "
            "and the Friends of the Elmsworth Crossing") in pages("index.html")


def test_home_page_says_based_on_once_for_two_sources(pages):
    home = pages("index.html")
    assert home.count("Based on:") == 1
    assert "Based on: the Borough Press Office, Statement on the future" in home
    assert "(official statement); Mara Fenwick, Ferry operators" in home


def test_a_byline_and_an_author_starting_with_the_read_lowercase_mid_sentence(pages):
    explainer = pages("explainers/ferry/index.html")
    assert "By the editors · Published" in explainer
    assert "Based on the Borough Press Office, Statement" in explainer
    assert "as the Borough Press Office and Mara Fenwick present them" in explainer
    assert "By the Borough Press Office · Elmsworth" in pages("sources/statement/index.html")


def test_names_keep_their_capital_in_headings_and_at_the_start_of_a_line(pages):
    explainer = pages("explainers/ferry/index.html")
    assert "Explainer · The Elmsworth and District Borough Council, the Riverside" in explainer
    assert "The Friends of the Elmsworth Crossing The Council, at least" in explainer  # the column header, then a cell
    assert "Sources The Borough Press Office, Statement on the future" in explainer


def test_with_two_sources_an_unstated_position_says_neither_source_says(pages):
    explainer = pages("explainers/ferry/index.html")
    assert "Neither source says." in explainer
    assert "The source does not say" not in explainer


def test_one_source_still_says_the_source_does_not_say(tmp_path):
    from conftest import EXPLAINER

    unstated = EXPLAINER.replace('Summary: Two [@src ¶2 "with a dash"]', "Not stated:")
    out = tmp_path / "out"
    build(Paths(content=write_tree(tmp_path / "c", {"explainers/ex.md": unstated})), out)
    assert "The source does not say." in (out / "explainers/ex/index.html").read_text(encoding="utf-8")


def test_an_authors_description_keeps_its_capitals(pages):
    explainer = pages("explainers/ferry/index.html")
    assert "Official statement. Author: UK local-authority communications team" in explainer
    assert "News report. Author: MA student and volunteer reporter" in explainer


def test_the_evidence_table_has_no_analysis_column_when_no_topic_has_analysis(pages):
    evidence = pages("explainers/ferry/index.html").split("The evidence", 1)[1].split("Which paragraphs", 1)[0]
    assert "Question Council Cooperative The Friends of the Elmsworth Crossing" in evidence
    assert "Analysis" not in evidence and "–" not in evidence


def test_explainer_json_names_whose_position_it_is_and_who_gives_the_account(pages):
    items = pages.json("explainers/ferry/explainer.json")["items"]
    bodies = {item["id"].split("#")[1]: item["body"] for item in items}
    assert bodies["subsidy-cooperative-summary-c1"] | {"id": None} == {
        "id": None, "type": "Text", "topic": "Who should pay to run the ferry once the subsidy ends?", "section": "position",
        "position_of": "cooperative", "according_to": {"source": "courier", "author": "Mara Fenwick"},
    }
    assert bodies["intro-1-c1"]["section"] == "intro" and bodies["intro-1-c1"]["position_of"] is None
    assert bodies["subsidy-context-1-c1"]["section"] == "context"
    assert all("speaker" not in body for body in bodies.values())
