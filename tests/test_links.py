"""Every link, stylesheet, icon and #fragment resolves, wherever the site is served: at a domain root,
under /repo-name/ as GitHub Pages serves a project site, and from the README's local preview server.
404.html is fetched at a deep missing path, as GitHub Pages serves it, and must work there too."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from browser import serve_folder
from conftest import PROJECT
from sitecheck import Crawl, pages_response, serve_like_github_pages

from evidence.build import Paths, build

SITES = {
    "bundled": PROJECT / "content",
    "fixture": PROJECT / "tests/fixtures/site",
    "long-names": PROJECT / "tests/fixtures/long-names",
}
PROJECT_SITE = "https://user.github.io/repo-name/"
DEEP_MISSING = "a/b/missing"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Builds by (site, base URL), made once each."""
    cache: dict[tuple[str, str | None], Path] = {}

    def make(site: str, base_url: str | None) -> Path:
        if (site, base_url) not in cache:
            out = tmp_path_factory.mktemp(site) / "dist"
            build(Paths(content=SITES[site]), out, base_url=base_url)
            cache[(site, base_url)] = out
        return cache[(site, base_url)]

    return make


def served_url(site_url: str, relative: str) -> str:
    """The URL at which a built file is served: folders for index.html, as every link writes them."""
    return site_url + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def html_files(out: Path) -> set[str]:
    return {path.relative_to(out).as_posix() for path in out.rglob("*.html")}


def crawl_site(out: Path, site_url: str, public_url: str | None) -> Crawl:
    crawl = Crawl(site_url, public_url)
    crawl.crawl(site_url)
    crawl.crawl(site_url + DEEP_MISSING, expect_status=404)
    return crawl


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize(
    "base_url, prefix",
    [(None, "/"), ("https://desk.example/", "/"), (PROJECT_SITE, "/repo-name/")],
    ids=["no-base-url-at-root", "base-url-at-root", "base-url-under-repo-name"],
)
def test_every_reference_resolves_when_served_like_github_pages(built, site, base_url, prefix):
    out = built(site, base_url)
    with serve_like_github_pages(out, prefix) as site_url:
        crawl = crawl_site(out, site_url, base_url)
    assert crawl.broken == []
    reached = set(crawl.pages)
    expected = {served_url(site_url, path) for path in html_files(out) - {"404.html"}} | {site_url + DEEP_MISSING}
    assert reached == expected, "pages no link leads to, or pages that are not files"
    assert crawl.checked > 50
    assert not any(url.startswith(("http://127.0.0.1", PROJECT_SITE, "https://desk.example/")) for url in crawl.external)


def test_not_found_page_at_any_depth_is_the_404_file_with_its_assets(built):
    out = built("bundled", PROJECT_SITE)
    with serve_like_github_pages(out, "/repo-name/") as site_url:
        crawl = crawl_site(out, site_url, PROJECT_SITE)
    not_found = crawl.fetched[site_url + DEEP_MISSING]
    assert not_found.status == 404
    assert not_found.body == (out / "404.html").read_bytes()
    fetched_from_it = {url for url in crawl.fetched if url.endswith(("style.css", "favicon.svg"))}
    assert fetched_from_it == {site_url + "assets/favicon.svg"}  # its stylesheet is inside it


@pytest.mark.parametrize("site", SITES)
def test_sitemap_feed_and_robots_point_at_real_pages(built, site):
    out = built(site, PROJECT_SITE)
    namespaces = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "atom": "http://www.w3.org/2005/Atom"}
    sitemap = [loc.text for loc in ET.parse(out / "sitemap.xml").getroot().findall("sm:url/sm:loc", namespaces)]
    feed = [link.get("href") for link in ET.parse(out / "feed.xml").getroot().iter(f"{{{namespaces['atom']}}}link")]
    robots = re.findall(r"^Sitemap: (\S+)$", (out / "robots.txt").read_text(encoding="utf-8"), re.MULTILINE)
    assert robots == [PROJECT_SITE + "sitemap.xml"]
    assert sorted(sitemap) == sorted(served_url(PROJECT_SITE, path) for path in html_files(out) - {"404.html"})
    with serve_like_github_pages(out, "/repo-name/") as site_url:
        crawl = Crawl(site_url, PROJECT_SITE)
        for url in sitemap + feed + robots:
            crawl.check("sitemap, feed or robots.txt", url)
    assert crawl.broken == []
    assert crawl.checked == len(sitemap) + len(feed) + 1


@pytest.mark.parametrize("site", SITES)
def test_without_a_base_url_every_page_but_404_works_under_a_sub_path(built, site):
    """Links are relative, so a build that does not know its base URL still works under /repo-name/;
    only 404.html, served at unknown depths, needs the base URL (it falls back to the domain root)."""
    out = built(site, None)
    with serve_like_github_pages(out, "/repo-name/") as site_url:
        crawl = Crawl(site_url)
        crawl.crawl(site_url)
        not_found = Crawl(site_url)
        not_found.crawl(site_url + DEEP_MISSING, expect_status=404)
    assert crawl.broken == []
    assert set(crawl.pages) == {served_url(site_url, path) for path in html_files(out) - {"404.html"}}
    assert any("/assets/favicon.svg -> status 404" in problem for problem in not_found.broken)


@pytest.mark.parametrize("site", SITES)
def test_site_works_from_the_readme_preview_server(built, site):
    """`python -m http.server --directory dist` (Python's plain file server) serves every page."""
    out = built(site, None)
    with serve_folder(out) as site_url:
        crawl = Crawl(site_url)
        crawl.crawl(site_url)
    assert crawl.broken == []
    assert set(crawl.pages) == {served_url(site_url, path) for path in html_files(out) - {"404.html"}}


# --- the stand-in for GitHub Pages behaves like it -----------------------------------

def test_stand_in_server_answers_like_github_pages(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/index.html").write_text("docs")
    (tmp_path / "404.html").write_text("missing")
    assert pages_response(tmp_path, "/repo/", "/repo/docs/").file == tmp_path / "docs/index.html"
    assert pages_response(tmp_path, "/repo/", "/repo/docs").location == "/repo/docs/"
    assert pages_response(tmp_path, "/repo/", "/repo").location == "/repo/"
    assert pages_response(tmp_path, "/repo/", "/repo/a/b/c") == pages_response(tmp_path, "/repo/", "/repo/x")
    assert pages_response(tmp_path, "/repo/", "/repo/a/b/c").file == tmp_path / "404.html"
    assert pages_response(tmp_path, "/repo/", "/repo/a/b/c").status == 404
    assert pages_response(tmp_path, "/repo/", "/docs/").file is None


def test_crawler_reports_a_broken_link_and_a_missing_fragment(tmp_path):
    (tmp_path / "index.html").write_text('<a href="there/">x</a> <a href="#nowhere">y</a> <a href="ok.html#here">z</a>')
    (tmp_path / "ok.html").write_text('<p id="here">ok</p>')
    with serve_like_github_pages(tmp_path) as site_url:
        crawl = Crawl(site_url)
        crawl.crawl(site_url)
    assert crawl.broken == [
        f"{site_url}: {site_url}there/ -> status 404",
        f"{site_url}: #nowhere -> no element with id 'nowhere'",
    ]
