"""In a real browser, under /repo-name/ as GitHub Pages serves a project site: every page loads all it
asks for, and the 404 page at a deep missing address is styled and leads back home."""
from __future__ import annotations

import pytest

from conftest import PROJECT
from sitecheck import serve_like_github_pages

from evidence.build import Paths, build

PUBLIC = "https://user.github.io/repo-name/"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages") / "dist"
    build(Paths(content=PROJECT / "content"), out, base_url=PUBLIC)
    with serve_like_github_pages(out, "/repo-name/") as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.failures = []  # every request that failed or answered 4xx/5xx, besides the page itself
    page.on("requestfailed", lambda request: page.failures.append(f"{request.url}: {request.failure}"))
    page.on("response", lambda response: response.status >= 400 and response.request.resource_type != "document"
            and page.failures.append(f"{response.url}: {response.status}"))
    page.on("console", lambda message: message.type == "error" and message.location.get("url") != page.url
            and page.failures.append(f"{message.location.get('url')}: {message.text}"))
    yield page
    context.close()


@pytest.mark.parametrize("path", ["", "explainers/russia-syria/", "sources/lain/"])
def test_page_loads_everything_it_asks_for_under_the_repository_path(page, site_url, path):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    assert page.goto(site_url + path).status == 200
    page.wait_for_load_state("load")
    assert page.failures == []  # no request failed and nothing was refused by the Content-Security-Policy
    assert not any(url.endswith(".css") for url in requested), "the stylesheet is inside the page"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(253, 252, 249)", "the stylesheet did not apply"


def test_not_found_page_at_a_deep_missing_address_is_styled_and_leads_home(page, site_url):
    response = page.goto(site_url + "a/b/missing")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.failures == []
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(253, 252, 249)", "the stylesheet did not apply"
    page.get_by_role("link", name="Go to the list of explainers").click()
    page.wait_for_url(site_url)
    assert page.locator("h1").inner_text() == "Both Sides, Cited"
