"""A reader follows a citation to its source paragraph and comes back, in a real browser."""
from __future__ import annotations

import pytest

from browser import watched_page
from evidence.build import Paths, build


@pytest.fixture
def site_url(bundled_url):
    return bundled_url


@pytest.fixture
def page(browser):
    with watched_page(browser, viewport={"width": 1280, "height": 900}) as page:
        yield page


def test_citation_leads_to_highlighted_paragraph_and_back(page, site_url):
    explainer = site_url + "explainers/russia-syria/"
    page.goto(explainer)
    mark = page.locator("#talks-collapse-us-1-c1 a")
    assert mark.get_attribute("aria-label") == "¶7, source paragraph 7"
    mark.click()
    page.wait_for_url(site_url + "sources/lain/#p7")
    target = page.locator(":target")
    assert target.get_attribute("id") == "p7"
    assert target.is_visible()
    background = target.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "the cited paragraph is not highlighted"
    assert "the US has decided to suspend talks with Russia on Syria" in target.inner_text()

    page.go_back()
    page.wait_for_url(explainer)
    assert page.locator("#talks-collapse-us-1-c1").is_visible()


def test_backlink_returns_to_the_exact_citing_passage(page, site_url):
    page.goto(site_url + "sources/lain/#p7")
    backlink = page.locator("#p7 .backlinks a").first
    href = backlink.get_attribute("href")
    backlink.click()
    fragment = href.split("#", 1)[1]
    page.wait_for_url(f"**/explainers/russia-syria/#{fragment}")
    cited = page.locator(":target")
    assert cited.get_attribute("id") == fragment
    assert cited.is_visible()
    assert cited.locator("a").first.get_attribute("href") == "../../sources/lain/#p7"
