"""Every kind of content mistake gets one line naming file and line, with the exact message."""
import pytest

from conftest import EXPLAINER, SOURCE


def test_minimal_site_has_no_problems(site):
    assert site() == []


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param({"site.yaml": "title: T\n\tdescription: D\n"},
                     ["site.yaml:2: malformed YAML: a tab character; indent YAML with spaces"], id="tab"),
        pytest.param({"site.yaml": 'title: "T\ndescription: D\n'},
                     ["site.yaml:1: malformed YAML: a quoted value is never closed; add the closing quote"], id="unclosed-quote"),
        pytest.param({"site.yaml": "title: T\ndescription: D\ntitle: U\n"},
                     ["site.yaml:3: duplicate key 'title' (first on line 1)"], id="duplicate-key"),
        pytest.param({"site.yaml": "title: T\ndescription: D\ncolour: red\n"},
                     ["site.yaml:3: unknown key 'colour' in site.yaml; valid keys: base_url, copyright, description, "
                      "language, license, publisher, repository, title"], id="unknown-key"),
        pytest.param({"site.yaml": "title: T\n"}, ["site.yaml:1: site.yaml is missing required key 'description'"], id="missing-key"),
        pytest.param({"sources/src.md": SOURCE.replace("date: 2020-01-02", "date: yesterday")},
                     ["sources/src.md:6: 'date' must be a date written YYYY-MM-DD; found: 'yesterday'"], id="wrong-type"),
        pytest.param({"sources/src.md": SOURCE.replace("kind: news", "kind: blog")},
                     ["sources/src.md:8: 'kind' must be one of: opinion, analysis, news, statement, report, interview, "
                      "transcript; found: 'blog'"], id="bad-choice"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("sources: [src]", "sources: src")},
                     ["explainers/ex.md:5: 'sources' must be a list; found: 'src'"], id="not-a-list"),
        pytest.param({"sources/src.md": ""}, ["sources/src.md:1: the file is empty"], id="empty-file"),
        pytest.param({"sources/src.md": SOURCE.encode().replace(b"First", b"F\xffirst")},
                     ["sources/src.md:12: not UTF-8 text: byte 0xff cannot be decoded; save the file as UTF-8"], id="not-utf8"),
        pytest.param({"sources/src.md": SOURCE.split("First")[0]},
                     ["sources/src.md:11: the source has no paragraphs: paste the article's text below the front matter"], id="no-paragraphs"),
        pytest.param({"sources/other.md": SOURCE.replace("title: A source", "id: src\ntitle: A source")},
                     ["sources/src.md:1: duplicate source id 'src' (also used by other.md)"], id="duplicate-source"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("### russia", "### usa")},
                     ["explainers/ex.md:21: unknown section '### usa'; expected one of: us, russia, analysis; found: 'usa'"], id="unknown-party"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace('¶2 "with', '¶31 "with')},
                     ["explainers/ex.md:23: citation [@src ¶31 \"with a dash\"]: source 'src' has 2 paragraphs; there is no ¶31"], id="missing-paragraph"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("Intro [@src", "Intro [@nope")},
                     ["explainers/ex.md:13: citation [@nope ¶1]: unknown source 'nope'; this explainer's sources: src"], id="unknown-source"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("sources: [src]", "sources: [src, gone]")},
                     ["explainers/ex.md:5: unknown source 'gone'; known sources: src"], id="unknown-listed-source"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1]", "Intro [@src 1]")},
                     ["explainers/ex.md:13: citation [@src 1]: expected ¶ and a paragraph number, like ¶13; found: '1'"], id="bad-syntax"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", "Intro\nsecond line [@src ¶1")},
                     ["explainers/ex.md:14: citation [@src ¶1: the citation is not closed; add ']'"], id="unclosed-citation"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("with a dash", "with a hyphen")},
                     ["explainers/ex.md:23: citation [@src ¶2 \"with a hyphen\"]: the quote \"with a hyphen\" does not appear in ¶2 of 'src'"], id="misquote"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", "Intro with no citation.")},
                     ["explainers/ex.md:13: citation needed: every paragraph of prose cites its source, like [@src ¶3]; "
                      "start it with 'Framing:' if it is the explainer's own framing"], id="citation-needed"),
        pytest.param({"explainers/ex.md": EXPLAINER + "\n## Again? {#why}\n\n### us\n\nNot stated: no.\n\n### russia\n\nNot stated: no.\n"},
                     ["explainers/ex.md:25: duplicate topic id 'why' (first on line 15)"], id="duplicate-topic"),
        pytest.param({"explainers/ex.md": EXPLAINER.split("### russia")[0]},
                     ["explainers/ex.md:15: topic 'why' has no position for Russia: add '### russia' with a 'Summary:', "
                      "or 'Not stated:' if the source does not say"], id="missing-position"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("Summary: Two", "Two")},
                     ["explainers/ex.md:21: the position of Russia in topic 'why' needs a 'Summary:' paragraph first "
                      "(one cited line, shown at a glance), or 'Not stated:'"], id="missing-summary"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("title: An explainer", "id: ../evil\ntitle: An explainer")},
                     ["explainers/ex.md:2: 'id' must be an id of lower-case ASCII letters, digits and single hyphens, "
                      "like 'russia-syria'; found: '../evil'"], id="unsafe-id"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("Intro", "# Title\n\nIntro")},
                     ["explainers/ex.md:13: unexpected heading level 1: use '## ' for a topic and '### ' for a party or "
                      "the analysis (the title comes from the front matter)"], id="stray-heading"),
        pytest.param({"explainers/ex.md": "hello\n"},
                     ["explainers/ex.md:1: expected front matter: the file must start with a line '---'"], id="no-front-matter"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("  - id: russia\n    name: Russia\n", "")},
                     ["explainers/ex.md:7: an explainer compares 2 or 3 parties; found: 1"], id="one-party"),
        pytest.param({"explainers/ex.md": EXPLAINER.replace("id: russia", "id: us")},
                     ["explainers/ex.md:9: duplicate party id 'us'"], id="duplicate-party"),
    ],
)
def test_bad_input_reports_file_line_and_exact_message(site, files, expected):
    assert site(files) == expected


def test_all_problems_in_a_file_set_are_reported_together(site):
    reported = site({
        "site.yaml": "title: T\n",
        "explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", "Intro."),
    })
    assert reported == [
        "explainers/ex.md:13: citation needed: every paragraph of prose cites its source, like [@src ¶3]; "
        "start it with 'Framing:' if it is the explainer's own framing",
        "site.yaml:1: site.yaml is missing required key 'description'",
    ]


def test_uncited_source_paragraph_is_a_warning_and_an_error_under_strict(site):
    files = {"sources/src.md": SOURCE + "\nThird.\n"}
    assert site(files) == []
    assert site(files, strict=True) == ["sources/src.md:16: ¶3 is not cited by any explainer (--strict makes warnings errors)"]


def test_line_numbers_count_the_front_matter(site):
    # The citation sits on body line 3 of a paragraph that starts on file line 13.
    reported = site({"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", "Intro\ncontinues\nhere [@src ¶9].")})
    assert reported == ["explainers/ex.md:15: citation [@src ¶9]: source 'src' has 2 paragraphs; there is no ¶9"]
