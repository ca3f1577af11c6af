"""Content values the build must refuse or survive: characters that are not text, base URLs, the feed, long sources."""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import EXPLAINER, SOURCE, write_tree

from evidence.build import Paths, build
from evidence.cli import main
from evidence.load import _source_blocks
from evidence.model import Subheading

SETTINGS = "title: T\ndescription: D\nbase_url: https://example.org/\n"


# --- characters that are not text ---------------------------------------------------------------

@pytest.mark.parametrize("files, expected", [
    ({"explainers/ex.md": EXPLAINER.replace("title: An explainer", 'title: "\\ud800"')},
     "explainers/ex.md:2: the character U+D800 (a lone surrogate) is not text; remove it"),
    ({"site.yaml": 'title: "A \\uFFFF"\ndescription: D\n'},
     "site.yaml:1: the character U+FFFF (a Unicode non-character) is not text; remove it"),
    ({"sources/src.md": SOURCE.replace("title: A source", 'title: "\\uFDD0 news"')},
     "sources/src.md:2: the character U+FDD0 (a Unicode non-character) is not text; remove it"),
    ({"site.yaml": 'title: T\ndescription: D\n"\\U0010FFFF": 1\n'},
     "site.yaml:3: the character U+10FFFF (a Unicode non-character) is not text; remove it"),
    ({"sources/src.md": SOURCE.replace("Second paragraph", "Second \ufffe paragraph")},
     "sources/src.md:14: the character U+FFFE (a Unicode non-character) is not text; remove it"),
    ({"explainers/ex.md": EXPLAINER.replace("## Why? {#why}", "## Why\U0001FFFF? {#why}")},
     "explainers/ex.md:15: the character U+1FFFF (a Unicode non-character) is not text; remove it"),
], ids=["surrogate-escape-in-a-title", "non-character-escape-in-site-title", "non-character-escape-in-a-source-title",
        "non-character-in-a-key", "non-character-in-a-source-paragraph", "non-character-in-a-topic-heading"])
def test_characters_that_are_not_text_are_refused_at_their_line(site, files, expected):
    assert site(files) == [expected]


# --- sources with many subheadings ------------------------------------------------------------

def anchors(body: str) -> list[str]:
    return [block.anchor for block in _source_blocks(body, 1) if isinstance(block, Subheading)]


def test_repeated_subheadings_take_the_next_free_number_even_when_a_heading_took_it():
    body = "## A\n\n## A 2\n\n## A\n\n## A\n\n## A 3\n\n## B\n\nText.\n"
    assert anchors(body) == ["h-a", "h-a-2", "h-a-3", "h-a-4", "h-a-3-2", "h-b"]


def lines_run(body: str) -> int:
    """How many lines of _source_blocks run to load `body`: a count, where a time would depend on the machine."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if frame.f_code is not _source_blocks.__code__:
            return None
        count += event == "line"
        return trace
    sys.settrace(trace)
    try:
        anchors(body)
    finally:
        sys.settrace(None)
    return count


def test_identical_subheadings_load_in_linear_time():
    # The quadratic loop took 7.7 s for 10,000 of them (170 KB); it ran ~n*n/2 lines, so doubling n quadrupled them.
    small, large = (lines_run("## Same heading\n\n" * n + "A paragraph.\n") for n in (1_000, 2_000))
    assert large < 2.2 * small
    found = anchors("## Same heading\n\n" * 10_000 + "A paragraph.\n")
    assert found[:2] == ["h-same-heading", "h-same-heading-2"] and found[-1] == "h-same-heading-10000"
    assert len(set(found)) == 10_000


# --- the base URL -------------------------------------------------------------------------------

BAD_BASE_URLS = {
    "malformed-host": ("http://[::1", "with a well-formed host"),
    "query": ("https://example.org/?utm=1", "without a query ('?...')"),
    "fragment": ("https://example.org/#top", "without a fragment ('#...')"),
    "credentials": ("https://user:secret@example.org/", "without a user name or password ('user@')"),
    "dot-segments": ("https://example.org/a/../b/", "without '.' or '..' path segments"),
    "escaped-dot-segment": ("https://example.org/%2e%2E/", "without '.' or '..' path segments"),
    "port-out-of-range": ("https://example.org:99999/", "whose port, if any, is a number from 1 to 65535"),
    "bad-percent": ("https://example.org/100%/", "whose every '%' starts an escape like %20"),
    "backslash": ("https://example.org\\@evil.example/", "without backslashes"),
    "host-with-angle-bracket": ("https://exa<mple.org/", "with a well-formed host"),
}


@pytest.mark.parametrize("case", BAD_BASE_URLS)
def test_a_bad_base_url_in_site_yaml_is_refused_at_its_line(site, case):
    value, expected = BAD_BASE_URLS[case]
    assert site({"site.yaml": f"title: T\ndescription: D\nbase_url: '{value}'\n"}) == [
        f"site.yaml:3: 'base_url' must be an http:// or https:// URL {expected}; found: {value!r}"
    ]


@pytest.mark.parametrize("case", BAD_BASE_URLS)
def test_a_bad_base_url_on_the_command_line_is_a_usage_error(tmp_path, capsys, case):
    value, expected = BAD_BASE_URLS[case]
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--content", str(write_tree(tmp_path / "content", {})), "--out", str(tmp_path / "out"), "--base-url", value])
    assert exit_.value.code == 2
    last_line = capsys.readouterr().err.splitlines()[-1]
    assert last_line == f"build.py build: error: argument --base-url: expected an http:// or https:// URL {expected}; found: {value!r}"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value, published_as", [
    ("https://example.org", "https://example.org/"),
    ("https://user.github.io/repo-name/", "https://user.github.io/repo-name/"),
    ("https://example.org/my%20site/", "https://example.org/my%20site/"),
    ("http://[::1]:8000/preview/", "http://[::1]:8000/preview/"),
    ("https://bücher.example/café/", "https://bücher.example/café/"),
])
def test_a_good_base_url_is_published_ending_in_a_slash(tmp_path, value, published_as):
    report = build(Paths(content=write_tree(tmp_path / "content", {"site.yaml": f"title: T\ndescription: D\nbase_url: {value}\n"})), tmp_path / "out")
    assert report.base_url == published_as
    assert f"Sitemap: {published_as}sitemap.xml" in (tmp_path / "out/robots.txt").read_text(encoding="utf-8")


# --- the feed -------------------------------------------------------------------------------------

TRICKY_TITLES = [
    "Tom & Jerry <script>alert(1)</script>", "]]> and --> and <!-- and <![CDATA[", "\"quotes\" and 'apostrophes'",
    "No-break \u00a0, soft hyphen \u00ad", "Right-to-left \u202e mark, zero width \u200b joiner",
    "Emoji \U0001F600 and U+FFFD \ufffd", "The last character \U0010FFFD", "&amp; &#xFFFF; &nbsp;",
]


def test_the_feed_is_well_formed_xml_whatever_the_titles_hold(tmp_path):
    explainer = EXPLAINER.replace("title: An explainer", "title: TITLE").replace("dek: Two sides.", "dek: DEK")
    for title in TRICKY_TITLES:
        quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
        content = write_tree(tmp_path / "content", {
            "site.yaml": f"title: {quoted}\ndescription: {quoted}\nbase_url: https://example.org/\npublisher: {quoted}\n",
            "explainers/ex.md": explainer.replace("TITLE", quoted).replace("DEK", quoted),
        })
        build(Paths(content=content), tmp_path / "out")
        feed = ElementTree.parse(tmp_path / "out/feed.xml").getroot()
        atom = "{http://www.w3.org/2005/Atom}"
        assert feed.findtext(f"{atom}title") == title
        assert feed.findtext(f"{atom}entry/{atom}title") == title
        assert feed.findtext(f"{atom}entry/{atom}summary") == title
        ElementTree.parse(tmp_path / "out/sitemap.xml")
