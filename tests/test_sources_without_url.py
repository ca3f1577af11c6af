"""Sources without a web address, with an archived copy, and partial texts: every page says only what is true."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SOURCE, write_tree
from evidence.build import Paths, build

NO_URL = SOURCE.replace("url: https://example.org/source\n", "")
ARCHIVE = "https://web.archive.org/web/2020/https://example.org/source"


def built(tmp_path: Path, source: str) -> dict[str, str]:
    """Every text file of the built site (with a base URL, so JSON-LD and feeds are there too)."""
    out = tmp_path / "dist"
    build(Paths(content=write_tree(tmp_path / "content", {"sources/src.md": source})), out, base_url="https://example.net/")
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in out.rglob("*") if p.suffix in (".html", ".json", ".xml")}


def json_ld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


@pytest.mark.parametrize("rights", ["full", "excerpts"])
def test_a_source_without_url_builds_and_no_page_prints_an_empty_link(tmp_path, rights):
    site = built(tmp_path, NO_URL.replace("rights: full", f"rights: {rights}"))
    for name, text in site.items():
        assert 'href=""' not in text and 'href="None"' not in text and "None" not in text, name
        assert "example.org/source" not in text, name
    explainer = site["explainers/ex/index.html"]
    assert "Read the original" not in explainer and ">Original<" not in explainer
    assert 'data-url=""' in explainer  # cite.js leaves out the card's "Find it in the original" link
    source_page = site["sources/src/index.html"]
    assert "No web address: the text is not online." in source_page
    assert "linked to its place in the original" not in source_page


def test_without_url_the_data_and_structured_data_leave_the_address_out(tmp_path):
    site = built(tmp_path, NO_URL.replace("rights: full", "rights: excerpts"))
    data = json.loads(site["explainers/ex/explainer.json"])
    assert "url" not in data["sources"][0]
    assert all("source" not in item["target"] for item in data["items"])
    work = json_ld(site["explainers/ex/index.html"])["isBasedOn"][0]
    assert "@id" not in work and "url" not in work and work["headline"] == "A source"


def test_an_archived_copy_is_offered_beside_the_original(tmp_path):
    site = built(tmp_path, SOURCE.replace("url: https://example.org/source", f"url: https://example.org/source\narchive_url: {ARCHIVE}"))
    explainer = site["explainers/ex/index.html"]
    assert f'<a href="{ARCHIVE}" rel="external noopener">Archived copy</a>' in explainer
    assert "Read the original" in explainer
    assert f'<dd><a href="{ARCHIVE}" rel="external noopener">{ARCHIVE}</a></dd>' in site["sources/src/index.html"]
    assert json_ld(explainer)["isBasedOn"][0]["archivedAt"] == ARCHIVE
    assert json.loads(site["explainers/ex/explainer.json"])["sources"][0]["archive_url"] == ARCHIVE


def test_an_archived_copy_stands_in_for_an_original_that_is_gone(tmp_path):
    site = built(tmp_path, NO_URL.replace("rights: full", f"rights: excerpts\narchive_url: {ARCHIVE}"))
    explainer, source_page = site["explainers/ex/index.html"], site["sources/src/index.html"]
    assert "Read the original" not in explainer and "Archived copy" in explainer
    assert f'data-url="{ARCHIVE}"' in explainer
    assert f'href="{ARCHIVE}#:~:text=' in source_page  # the quoted words, found in the archived copy
    assert "No web address" not in source_page


def test_a_partial_text_is_never_called_the_full_text(tmp_path):
    site = built(tmp_path, SOURCE.replace("rights: full", "rights: full\npartial: true\npartial_note: the transcript’s opening only"))
    page = site["sources/src/index.html"]
    assert "The full text." not in page
    assert "Part of the text only: the transcript’s opening only." in page
    assert json.loads(site["explainers/ex/explainer.json"])["sources"][0]["partial"] is True


def test_quotations_from_a_partial_text_say_so(tmp_path):
    site = built(tmp_path, SOURCE.replace("rights: full", "rights: excerpts\npartial: true"))
    assert "The text they come from is only part of the original." in site["sources/src/index.html"]


@pytest.mark.parametrize("kind, label", [("press statement", "Press statement"), ("speech", "Speech"), ("remarks", "Remarks")])
def test_the_new_kinds_are_labelled_on_every_page(tmp_path, kind, label):
    site = built(tmp_path, SOURCE.replace("kind: news", f"kind: {kind}"))
    assert f'<span class="badge">{label}</span>' in site["explainers/ex/index.html"]
    assert f"Source · {label}" in site["sources/src/index.html"]
    assert f"({label.lower()})" in site["index.html"]


def test_a_card_for_a_text_without_address_offers_no_link_to_an_original(tmp_path, browser):
    from browser import serve_folder

    out = tmp_path / "dist"
    build(Paths(content=write_tree(tmp_path / "content", {"sources/src.md": NO_URL})), out)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        with serve_folder(out) as url:
            page.goto(url + "explainers/ex/")
            page.hover("#intro-1-c1 a")
            card = page.locator(".cite-card")
            card.wait_for(state="visible")
            assert card.get_by_role("link", name="Go to ¶1 on the source page").count() == 1
            assert card.get_by_role("link", name="Find it in the original ↗").count() == 0
    finally:
        context.close()
