"""What the writer typed is what is published, and quoted words are checked against what their sentence cites."""
import json

import pytest

from conftest import EXPLAINER, write_tree
from evidence.build import Paths, render


def built(tmp_path, explainer: str) -> dict[str, str]:
    pages, _ = render(Paths(content=write_tree(tmp_path / "content", {"explainers/ex.md": explainer})))
    return pages


@pytest.mark.parametrize("typed", ["12:30", "0x1F", "007", "yes", "off", ".nan", "1e3", "true", "~x"])
def test_text_fields_keep_the_characters_typed(tmp_path, typed):
    pages = built(tmp_path, EXPLAINER.replace("title: An explainer", f"title: {typed}").replace("name: Russia", f"name: {typed}"))
    data = json.loads(pages["explainers/ex/explainer.json"])
    assert f"<h1>{typed}</h1>" in pages["explainers/ex/index.html"]
    assert typed in json.dumps(data, ensure_ascii=False)


def test_dates_are_still_dates(tmp_path):
    pages = built(tmp_path, EXPLAINER.replace("date: 2020-02-03", "date: 2020-02-03\nupdated: 2020-03-04"))
    assert '<time datetime="2020-03-04">' in pages["explainers/ex/index.html"]


def test_a_party_is_addressed_by_its_name_as_typed(tmp_path):
    explainer = EXPLAINER.replace("name: Russia", "name: People's Republic").replace("### russia", "### People's Republic")
    assert '<span class="party-name">People&#39;s Republic</span>' in built(tmp_path, explainer)["explainers/ex/index.html"]


def test_a_party_typed_with_a_curly_apostrophe_matches_a_straight_one(tmp_path):
    explainer = EXPLAINER.replace("name: Russia", "name: People’s Republic").replace("### russia", "### People's republic")
    assert "explainers/ex/index.html" in built(tmp_path, explainer)


def test_a_quotation_may_come_from_any_paragraph_its_sentence_cites(site):
    assert site({"explainers/ex.md": EXPLAINER.replace(
        "Intro [@src ¶1].", 'Intro "with a dash" [@src ¶1; @src ¶2]. Then "the West’s view" [@src ¶1].')}) == []


def test_a_quotation_in_a_sentence_citing_nothing_may_come_from_its_paragraphs_citations(site):
    assert site({"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", 'Ann Author says "with a dash". Intro [@src ¶2].')}) == []


def test_a_quotation_is_held_to_its_own_sentence_when_that_cites(site):
    reported = site({"explainers/ex.md": EXPLAINER.replace(
        "Intro [@src ¶1].", 'Intro "with a dash" [@src ¶1]. Then more [@src ¶2].')})
    assert reported == ["explainers/ex.md:13: the quoted words \"with a dash\" are not in ¶1 of 'src', which the sentence cites (found in ¶2)"]


def test_quotation_marks_in_editorial_prose_are_not_checked(site):
    assert site({"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", 'Intro [@src ¶1].\n\nFraming: the editors call it "a guide".')}) == []


def test_a_quotation_line_is_the_line_it_opens_on(site):
    reported = site({"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", 'Intro, and\nthen "not there" [@src ¶1].')})
    assert [problem.split(": ")[0] for problem in reported] == ["explainers/ex.md:14"]


def test_a_party_heading_with_emphasis_still_names_the_party(site):
    assert site({"explainers/ex.md": EXPLAINER.replace("### us", "### *The US*")}) == []
