"""The reader's view of the promise: on every explainer page built, each piece of prose a reader sees is cited
or declared editorial, each quoted run is in a paragraph it cites, and each id is unique (tests/readerview.py)."""
from __future__ import annotations

import re
import sys

import pytest

from conftest import EXPLAINER, PROJECT, write_tree
from evidence.build import Paths, render
from evidence.explainers import PAGE_IDS
from readerview import (
    duplicate_ids, explainer_article, explainer_pages, load_sources, parse, prose_blocks, uncited, unverified_quotes,
)

sys.path.insert(0, str(PROJECT / "bench"))
from corpus import write_corpus  # noqa: E402

FIXTURE = PROJECT / "tests/fixtures/site"


def generated_site(tmp_path):
    return write_corpus(tmp_path / "corpus", 3)


def marked_site(tmp_path):
    """A site using every kind of block the format allows, and the marker for words quoted from elsewhere."""
    body = EXPLAINER.replace("Intro [@src ¶1].", "\n\n".join([
        'Intro, on the so-called "West"{.scare}, quoting "about the West’s view" [@src ¶1].',
        "Framing: the editors' own note, quoting \"anything\".",
        "- A listed claim [@src ¶1]\n- Another [@src ¶2 \"with a dash\"]",
        "> A quoted claim [@src ¶2].",
        "|  |  |\n|---|---|\n| Russia | \"Second paragraph\" [@src ¶2] |",
    ]))
    return write_tree(tmp_path / "content", {"explainers/ex.md": body})


SITES = {
    "bundled": lambda tmp_path: PROJECT / "content",
    "fixture": lambda tmp_path: FIXTURE,
    "generated": generated_site,
    "every-block-kind": marked_site,
}


@pytest.mark.parametrize("name", SITES)
def test_every_text_a_reader_sees_is_cited_or_editorial(name, tmp_path):
    content = SITES[name](tmp_path)
    pages, _ = render(Paths(content=content))
    sources = load_sources(content)
    checked = 0
    for path, html in explainer_pages(pages).items():
        root = parse(html)
        blocks, editorial = prose_blocks(explainer_article(root))
        assert uncited(blocks) == [], path
        assert unverified_quotes(blocks, sources) == [], path
        assert duplicate_ids(root) == [], path
        checked += len(blocks)
    assert checked >= 5  # the walk found the prose: a renamed class cannot make this pass by finding nothing


def test_the_walk_finds_uncited_text_and_unverified_quotes(tmp_path):
    """The check itself can fail: a page with an uncited paragraph, an uncited table row and a misquote."""
    content = write_tree(tmp_path / "content", {})
    pages, _ = render(Paths(content=content))
    html = pages["explainers/ex/index.html"]
    first_mark = re.search(r'<sup class="cite".*?</sup>', html).group()
    tampered = html.replace(
        '<p id="intro-1">', '<p>Uncited claim.</p><table><tr><td>a row</td></tr></table><p>Lain says “not in the source”'
        + first_mark + '.</p><p id="intro-1">', 1,
    )
    blocks, _ = prose_blocks(explainer_article(parse(tampered)))
    assert [description.split(">")[0] for description in uncited(blocks)] == ["<p ", "<tr "]
    assert len(unverified_quotes(blocks, load_sources(content))) == 1


def test_editorial_text_is_told_apart_by_its_markup(tmp_path):
    content = marked_site(tmp_path)
    pages, _ = render(Paths(content=content))
    _, editorial = prose_blocks(explainer_article(parse(pages["explainers/ex/index.html"])))
    kinds = {next(iter(element.classes & {"framing-note", "unstated", "unstated-label", "attribution"}), element.tag) for element in editorial}
    assert kinds == {"framing-note", "h2", "h3"}


def test_words_marked_as_quoted_from_elsewhere_are_wrapped_for_readers_and_checks(tmp_path):
    content = marked_site(tmp_path)
    pages, _ = render(Paths(content=content))
    assert '<span class="quoted-elsewhere">“West”</span>' in pages["explainers/ex/index.html"]


def test_the_page_ids_refused_as_topic_ids_are_the_ids_the_templates_write():
    written = set()
    for template in (PROJECT / "templates").rglob("*.html"):
        written |= set(re.findall(r'\bid="([^"{}]+)"', template.read_text(encoding="utf-8")))
    assert written <= PAGE_IDS, f"add {sorted(written - PAGE_IDS)} to evidence/explainers.py PAGE_IDS"
