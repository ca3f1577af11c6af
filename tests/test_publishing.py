"""What a published page tells browsers, search engines and link previews, with and without a base URL."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import EXPLAINER, write_tree

from evidence.build import Paths, build
from evidence.errors import ContentError, display_path
from evidence.render import agent


class Head(HTMLParser):
    """The head of a page: lang, title, metas by name/property, links by rel, JSON-LD blocks."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang = ""
        self.title = ""
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.meta_http_equiv: dict[str, str] = {}
        self.json_ld: list[dict] = []
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang", "")
        elif tag == "meta" and "http-equiv" in attrs:
            self.meta_http_equiv[attrs["http-equiv"]] = attrs.get("content", "")
        elif tag == "meta" and ("name" in attrs or "property" in attrs):
            self.meta[attrs.get("name") or attrs["property"]] = attrs.get("content", "")
        elif tag == "link":
            key = attrs["rel"] if attrs["rel"] != "alternate" else f"alternate {attrs.get('type')}"
            self.links[key] = attrs["href"]
        elif tag == "title" or (tag == "script" and attrs.get("type") == "application/ld+json"):
            self._in = tag

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "script":
            self.json_ld.append(json.loads(data))

    def handle_endtag(self, tag):
        self._in = None


def built(tmp_path: Path, files: dict[str, str] | None = None, base_url: str | None = None) -> Path:
    out = tmp_path / "dist"
    build(Paths(content=write_tree(tmp_path / "content", files or {})), out, base_url=base_url)
    return out


def head(out: Path, page: str) -> Head:
    return Head((out / page).read_text(encoding="utf-8"))


PAGES = ["index.html", "explainers/ex/index.html", "sources/src/index.html", "404.html"]


def test_without_a_base_url_only_what_needs_absolute_urls_is_left_out(tmp_path):
    out = built(tmp_path)
    assert not (out / "feed.xml").exists()
    assert not (out / "sitemap.xml").exists()
    assert (out / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"
    for page in PAGES:
        tags = head(out, page)
        assert "canonical" not in tags.links
        assert not any(href.endswith("feed.xml") for href in tags.links.values())
        assert "og:url" not in tags.meta and "og:image" not in tags.meta
        assert tags.meta["og:title"] == tags.title
        assert tags.meta["twitter:card"] == "summary"
    assert head(out, "explainers/ex/index.html").links["icon"] == "../../assets/favicon.svg"
    assert head(out, "404.html").links["icon"] == "/assets/favicon.svg"  # right at a domain root only


def test_base_url_makes_canonical_and_preview_urls_absolute(tmp_path):
    out = built(tmp_path, base_url="https://user.github.io/repo-name/")
    tags = head(out, "explainers/ex/index.html")
    assert tags.links["canonical"] == tags.meta["og:url"] == "https://user.github.io/repo-name/explainers/ex/"
    assert tags.meta["og:image"] == "https://user.github.io/repo-name/assets/card.png"
    assert tags.meta["twitter:card"] == "summary_large_image"
    assert tags.links["icon"] == "../../assets/favicon.svg"
    assert tags.links["alternate application/atom+xml"] == "../../feed.xml"
    assert head(out, "404.html").links["icon"] == "/repo-name/assets/favicon.svg"
    assert (out / "robots.txt").read_text(encoding="utf-8").endswith("\nSitemap: https://user.github.io/repo-name/sitemap.xml\n")


def test_base_url_in_site_yaml_works_like_the_option(tmp_path):
    out = built(tmp_path, {"site.yaml": "title: T\ndescription: D\nbase_url: https://example.org/desk\n"})
    assert head(out, "index.html").links["canonical"] == "https://example.org/desk/"
    assert head(out, "404.html").links["icon"] == "/desk/assets/favicon.svg"


def test_not_found_page_is_not_indexed_and_claims_no_address(tmp_path):
    tags = head(built(tmp_path, base_url="https://example.org/"), "404.html")
    assert tags.meta["robots"] == "noindex"
    assert "canonical" not in tags.links and "og:url" not in tags.meta


def test_every_page_has_its_language_a_descriptive_title_and_a_description(tmp_path):
    out = built(tmp_path, base_url="https://example.org/")
    titles = {page: head(out, page).title for page in PAGES}
    assert titles == {
        "index.html": "T",
        "explainers/ex/index.html": "An explainer · T",
        "sources/src/index.html": "Source: A source · T",
        "404.html": "Page not found · T",
    }
    for page in PAGES:
        tags = head(out, page)
        assert tags.lang == "en"
        assert tags.meta["description"] and tags.meta["og:description"] == tags.meta["description"]
    assert head(out, "explainers/ex/index.html").meta["description"] == "Two sides."
    assert head(out, "explainers/ex/index.html").meta["og:type"] == "article"
    assert head(out, "index.html").meta["og:type"] == "website"


def test_explainer_carries_an_article_based_on_its_source(tmp_path):
    explainer = EXPLAINER.replace("date: 2020-02-03\n", "date: 2020-02-03\nupdated: 2020-03-01\nbyline: Jo Writer\n")
    out = built(tmp_path, {"explainers/ex.md": explainer}, base_url="https://example.org/")
    [article] = head(out, "explainers/ex/index.html").json_ld
    assert article == {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": "An explainer",
        "description": "Two sides.",
        "inLanguage": "en",
        "datePublished": "2020-02-03",
        "dateModified": "2020-03-01",
        "author": {"@type": "Person", "name": "Jo Writer"},
        "publisher": {"@type": "Organization", "name": "T"},
        "url": "https://example.org/explainers/ex/",
        "mainEntityOfPage": "https://example.org/explainers/ex/",
        "image": "https://example.org/assets/card.png",
        "isBasedOn": [{
            "@type": "NewsArticle",
            "@id": "https://example.org/source",
            "url": "https://example.org/source",
            "headline": "A source",
            "author": {"@type": "Person", "name": "Ann Author"},
            "publisher": {"@type": "Organization", "name": "Paper"},
            "datePublished": "2020-01-02",
        }],
        "citation": [{"@id": "https://example.org/source"}],
    }
    assert all(head(out, page).json_ld == [] for page in PAGES if page != "explainers/ex/index.html")


def test_article_without_a_base_url_still_names_its_sources(tmp_path):
    [article] = head(built(tmp_path), "explainers/ex/index.html").json_ld
    assert "url" not in article and "image" not in article
    assert article["author"] == {"@type": "Organization", "name": "T"}  # no byline: the site's publisher
    assert article["isBasedOn"][0]["url"] == "https://example.org/source"


def test_structured_data_cannot_close_its_script_element(tmp_path):
    explainer = EXPLAINER.replace("dek: Two sides.", "dek: \"Two sides </script><script>alert('x') & more\"")
    html = (built(tmp_path, {"explainers/ex.md": explainer}) / "explainers/ex/index.html").read_text(encoding="utf-8")
    assert html.count("</script>") == 2  # the JSON-LD block and cite.js: the dek closed nothing
    assert "<script>alert" not in html
    [article] = Head(html).json_ld
    assert article["description"] == "Two sides </script><script>alert('x') & more"


def test_a_byline_starting_with_the_names_a_group():
    assert agent("The editors") == {"@type": "Organization", "name": "The editors"}
    assert agent("Jo Writer") == {"@type": "Person", "name": "Jo Writer"}


def test_every_page_carries_the_stylesheet_under_the_hash_its_policy_allows(tmp_path):
    out = built(tmp_path)
    stylesheet = (Path(__file__).parent.parent / "static/style.css").read_text(encoding="utf-8")
    allowed = "'sha256-" + base64.b64encode(hashlib.sha256(stylesheet.encode("utf-8")).digest()).decode("ascii") + "'"
    for page in PAGES:
        html = (out / page).read_text(encoding="utf-8")
        assert re.findall(r"<style>(.*?)</style>", html, re.DOTALL) == [stylesheet], page
        policy = head(out, page).meta_http_equiv["Content-Security-Policy"]
        assert f"style-src 'self' {allowed};" in policy, page
        assert "stylesheet" not in head(out, page).links, "nothing for the page to wait for"
    assert (out / "assets/style.css").read_text(encoding="utf-8") == stylesheet, "still published, for a template that links it"


def test_a_stylesheet_that_would_end_its_style_element_is_refused_with_its_line(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "style.css").write_text("body { color: red }\n/* </STYLE><script>alert(1)</script> */\n", encoding="utf-8")
    paths = Paths(content=write_tree(tmp_path / "content", {}), static=static)
    with pytest.raises(ContentError) as error:
        build(paths, tmp_path / "dist")
    assert [str(problem) for problem in error.value.problems] == [
        f"{display_path(static / 'style.css')}:2: the stylesheet contains '</style', which would end it early inside a page"
    ]
    assert not (tmp_path / "dist").exists()
