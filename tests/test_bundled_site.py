"""The bundled Syria explainer: builds clean, and every citation and backlink resolves."""
from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from evidence.build import Paths, build
from evidence.errors import Problems
from evidence.load import load_site
from evidence.markdown import make_markdown


def load_bundled():
    return load_site(Paths().content, make_markdown(), Problems())


class Page(HTMLParser):
    """The ids and links of one built page, plus its prose paragraphs and source paragraphs."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.open: list[dict] = []  # elements not yet closed, outermost first
        self.paragraphs: list[dict] = []  # explainer prose blocks: id, class, number of citation marks
        self.source_paras: list[dict] = []  # source paragraphs: id, number of backlinks

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        for element in self.open:
            element["cites"] += tag == "sup" and "cite" in classes
            element["links"] += tag == "a"
        if tag not in ("meta", "link", "br", "img", "input", "hr"):
            self.open.append({"tag": tag, "attrs": attrs, "classes": classes, "cites": 0, "links": 0})

    def handle_endtag(self, tag):
        while self.open:
            element = self.open.pop()
            if element["tag"] == tag:
                break
        else:
            return
        if tag in ("p", "ul", "ol") and "id" in element["attrs"]:
            self.paragraphs.append({"id": element["attrs"]["id"], "classes": element["classes"], "cites": element["cites"]})
        if tag == "div" and "backlinks" in element["classes"]:
            self.open[-1]["backlinks"] = element["links"]
        if tag == "div" and "para" in element["classes"]:
            self.source_paras.append({"id": element["attrs"]["id"], "backlinks": element.get("backlinks", 0)})


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, Page], object]:
    out = tmp_path_factory.mktemp("bundled") / "dist"
    report = build(Paths(), out)
    pages = {}
    for path in sorted(out.rglob("*.html")):
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(out).as_posix()] = page
    return out, pages, report


def resolve(page_path: str, href: str) -> tuple[str, str]:
    """The output file and fragment a relative link from page_path points at."""
    parts = urlsplit(href)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), parts.path)) if parts.path else page_path
    if parts.path.endswith("/") or parts.path in ("", ".") and href.startswith(("./", "../")):
        target = posixpath.join(target, "index.html")
    return target.lstrip("./") if target != "." else "index.html", parts.fragment


def test_bundled_site_builds_with_zero_warnings(built):
    _, pages, report = built
    assert report.warnings == []
    assert set(pages) == {"index.html", "404.html", "explainers/russia-syria/index.html", "sources/lain/index.html",
                          "parties/index.html", "parties/us/index.html", "parties/russia/index.html", "tags/index.html",
                          "archive/index.html", "archive/2026/index.html", "search/index.html"}
    assert report.citations >= 40


def test_every_internal_link_and_fragment_resolves(built):
    out, pages, _ = built
    checked = 0
    for page_path, page in pages.items():
        if page_path == "404.html":
            continue  # its links are root-based on purpose; tested where it is served
        for href in page.links:
            if urlsplit(href).scheme:
                continue
            target, fragment = resolve(page_path, href)
            assert (out / target).is_file(), f"{page_path}: broken link {href} -> {target}"
            if fragment:
                assert fragment in pages[target].ids, f"{page_path}: link {href} has no #{fragment} in {target}"
            checked += 1
    assert checked > 100


def test_every_explainer_paragraph_carries_a_citation(built):
    _, pages, _ = built
    paragraphs = pages["explainers/russia-syria/index.html"].paragraphs
    assert len(paragraphs) > 30
    for paragraph in paragraphs:
        if "framing" in paragraph["classes"] or paragraph["id"].endswith("-unstated"):
            continue
        assert paragraph["cites"] >= 1, f"#{paragraph['id']} has no citation"


def test_every_source_paragraph_lists_its_backlinks(built):
    _, pages, _ = built
    paragraphs = pages["sources/lain/index.html"].source_paras
    assert [p["id"] for p in paragraphs] == [f"p{n}" for n in range(1, 16)]
    for paragraph in paragraphs:
        assert paragraph["backlinks"] >= 1, f"¶{paragraph['id'][1:]} lists no backlinks"


def test_excerpts_only_source_does_not_republish_the_article(built):
    out, _, _ = built
    html = (out / "sources/lain/index.html").read_text(encoding="utf-8").replace("&#39;", "'")
    source = next(s for s in load_bundled().sources if s.id == "lain")
    assert source.rights == "excerpts"
    for paragraph in source.paragraphs:
        assert paragraph.text not in html, f"¶{paragraph.number} is published in full"
    assert html.count("#:~:text=") >= 15


def test_repeated_subheadings_get_distinct_anchors(tmp_path):
    from conftest import SOURCE, write_tree

    source = SOURCE + "\n## More\n\nThird.\n\n## More\n\nFourth.\n"
    out = tmp_path / "out"
    build(Paths(content=write_tree(tmp_path / "c", {"sources/src.md": source})), out)
    html = (out / "sources/src/index.html").read_text(encoding="utf-8")
    assert 'id="h-more"' in html and 'id="h-more-2"' in html
