"""Two sources in one bracket are separated by ';': a comma before the second says so."""
from conftest import EXPLAINER


def test_a_comma_between_two_sources_says_they_are_separated_by_a_semicolon(site):
    explainer = EXPLAINER.replace("Intro [@src ¶1].", "Intro [@src ¶1, @src ¶2].")
    assert site({"explainers/ex.md": explainer}) == [
        "explainers/ex.md:13: citation [@src ¶1, @src ¶2]: separate sources with ';', like [@a ¶2; @b ¶3]; found: ', @src'"
    ]


def test_a_comma_between_paragraphs_of_one_source_is_still_right(site):
    assert site({"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", "Intro [@src ¶1, ¶2].")}) == []
