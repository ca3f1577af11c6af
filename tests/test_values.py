"""Content values the build must refuse or survive: characters that are not text, base URLs, the feed, long sources."""
from __future__ import annotations

import time
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import EXPLAINER, SOURCE, write_tree

from evidence.build import Paths, build
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


def test_ten_thousand_identical_subheadings_load_in_linear_time():
    body = "## Same heading\n\n" * 10_000 + "A paragraph.\n"  # 170 KB; the quadratic loop took 7.7 s here
    started = time.perf_counter()
    found = anchors(body)
    assert time.perf_counter() - started < 1.5  # 0.02 s when linear
    assert found[:2] == ["h-same-heading", "h-same-heading-2"] and found[-1] == "h-same-heading-10000"
    assert len(set(found)) == 10_000


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
