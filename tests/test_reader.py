"""Reader features in a real browser: previews, keyboard, touch, no-JS, phones, print, accessibility."""
from __future__ import annotations

import contextlib
import json
import re

import pytest

from browser import serve_folder
from evidence.build import Paths, build
from evidence.links import text_fragment_url

EXPLAINER = "explainers/russia-syria/"
PAGES = ["", EXPLAINER, "sources/lain/", "404.html"]
MARK = "#talks-collapse-us-1-c1 a"  # cites ¶7, quoting "the US has decided to suspend talks..."


@pytest.fixture
def site_url(bundled_url):
    return bundled_url


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def card(page):
    return page.locator(".cite-card")


def test_hover_opens_a_card_with_the_cited_paragraph_and_the_quote_highlighted(new_page, site_url):
    page = new_page()
    page.goto(site_url + EXPLAINER)
    page.hover(MARK)
    expect_card = card(page)
    expect_card.wait_for(state="visible")
    assert "¶7" in expect_card.locator(".card-number").inner_text()
    assert expect_card.locator("mark").inner_text() == "“the US has decided to suspend talks with Russia on Syria”"
    assert expect_card.locator("a", has_text="Go to ¶7").get_attribute("href") == "../../sources/lain/#p7"


def test_card_is_hoverable_and_persists_until_the_pointer_leaves(new_page, site_url):
    page = new_page()
    page.goto(site_url + EXPLAINER)
    page.hover(MARK)
    box = card(page).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.wait_for_timeout(600)  # longer than the close delay: the card must still be there
    assert card(page).is_visible()
    page.mouse.move(5, 5, steps=5)
    card(page).wait_for(state="detached")


def test_keyboard_tab_opens_escape_closes_enter_follows(new_page, site_url):
    page = new_page()
    page.goto(site_url + EXPLAINER)
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.cite') !== null"):
            break
    else:
        pytest.fail("Tab never reached a citation")
    focused = page.locator(":focus")
    assert card(page).is_visible()
    assert focused.get_attribute("aria-expanded") == "true"
    outline = focused.evaluate("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth")
    assert not outline.startswith("none") and not outline.endswith(" 0px"), outline

    page.keyboard.press("Escape")
    assert card(page).count() == 0
    assert page.evaluate("document.activeElement.closest('.cite') !== null"), "Esc must leave focus on the mark"

    href = focused.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href.split("#")[1]) + "$"))
    assert page.locator(":target").get_attribute("id") == href.split("#")[1]


def test_tab_moves_from_the_mark_into_the_card_links(new_page, site_url):
    page = new_page()
    page.goto(site_url + EXPLAINER)
    page.focus(MARK)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.cite-card') !== null")
    assert card(page).is_visible()
    page.keyboard.press("Escape")
    assert card(page).count() == 0
    assert page.evaluate("document.activeElement.matches('#talks-collapse-us-1-c1 a')")


def test_touch_tap_opens_card_and_tap_elsewhere_closes_it(new_page, site_url):
    page = new_page(has_touch=True, is_mobile=True, viewport={"width": 375, "height": 800})
    page.goto(site_url + EXPLAINER)
    page.locator(MARK).scroll_into_view_if_needed()
    page.tap(MARK)
    card(page).wait_for(state="visible")
    assert page.url == site_url + EXPLAINER, "the first tap previews instead of navigating"
    page.tap("h1")
    card(page).wait_for(state="detached")


def test_without_javascript_a_citation_lands_on_the_highlighted_paragraph(new_page, site_url):
    page = new_page(java_script_enabled=False)
    page.goto(site_url + EXPLAINER)
    page.click(MARK)
    page.wait_for_url(site_url + "sources/lain/#p7")
    target = page.locator(":target")
    assert target.get_attribute("id") == "p7"
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    way_back = target.locator(".backlinks a").first
    assert "explainers/russia-syria/#" in way_back.get_attribute("href")


# The fixture sites (tests/fixtures/<name>), each with its pages and its explainer.
FIXTURE_SITES = {
    "site": ["", "explainers/harbour/", "sources/harbour/", "sources/minutes/"],  # three parties, two sources, analysis
    "long-names": ["", "explainers/ferry/", "sources/statement/", "sources/courier/"],  # long "The" names, no analysis
}
FIXTURE_PAGES = [(site, path) for site, paths in FIXTURE_SITES.items() for path in paths]


@pytest.fixture(scope="module")
def fixture_urls(tmp_path_factory):
    """Each fixture site, built and served."""
    with contextlib.ExitStack() as stack:
        urls = {}
        for site in FIXTURE_SITES:
            out = tmp_path_factory.mktemp(f"reader-{site}") / "dist"
            build(Paths(content=Paths().content.parent / "tests/fixtures" / site), out)
            urls[site] = stack.enter_context(serve_folder(out))
        yield urls


@pytest.fixture
def fixture_url(fixture_urls):
    """The three-party, two-source fixture site, whose source is shown in full."""
    return fixture_urls["site"]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(new_page, site_url, path):
    page = new_page(viewport={"width": 375, "height": 800})
    page.goto(site_url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("site, path", FIXTURE_PAGES)
def test_three_party_pages_do_not_scroll_sideways_on_a_phone(new_page, fixture_urls, site, path):
    page = new_page(viewport={"width": 375, "height": 800})
    page.goto(fixture_urls[site] + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_full_text_card_shows_the_whole_paragraph_with_the_quote_marked(new_page, fixture_url):
    page = new_page()
    page.goto(fixture_url + "explainers/harbour/")
    page.hover("#wants-council-1-c1 a")
    card(page).wait_for(state="visible")
    text = card(page).locator(".card-text").inner_text()
    assert text == "The council wants a bigger harbour, and says the town's trade depends on it."
    assert card(page).locator("mark").inner_text() == "the town's trade depends on it"


def test_every_card_shows_its_paragraphs_quotes_and_links(new_page, fixture_url):
    """Cards are put together by cite.js from parts written once per page: each mark's card says what the mark cites."""
    page = new_page()
    page.goto(fixture_url + "explainers/harbour/")
    links = page.locator("p sup.cite[id] a[data-card], li sup.cite[id] a[data-card], td sup.cite a[data-card]")
    assert links.count() > 10
    for index in range(links.count()):
        link = links.nth(index)
        source_id, _, run = link.get_attribute("data-card").rpartition(":")
        first, _, last = run.partition("-")
        quotes = json.loads(link.get_attribute("data-quotes") or "[]")
        source = page.locator(f"#cite_source_{source_id}")
        url, full_text = source.get_attribute("data-url"), source.get_attribute("data-text") == "full"
        link.focus()
        card(page).wait_for(state="visible")
        assert card(page).locator(".card-number").inner_text() == link.inner_text()
        assert card(page).get_by_role("link", name=f"Go to {link.inner_text()} on the source page").get_attribute("href") == link.get_attribute("href")
        original = text_fragment_url(url, quotes[0][1]) if quotes else url
        assert card(page).get_by_role("link", name="Find it in the original ↗").get_attribute("href") == original
        marked = card(page).locator("mark").all_inner_texts()
        if full_text:
            assert card(page).locator(".card-text").count() == int(last or first) - int(first) + 1
            assert marked == [words for _, words in quotes]
        else:
            assert marked == [f"“{words}”" for _, words in quotes]
            assert card(page).locator(".card-rights").count() == 1
            assert card(page).locator(".card-none").count() == (0 if quotes else 1)
        page.keyboard.press("Escape")
        assert card(page).count() == 0


def test_phone_glance_keeps_each_topics_positions_together(new_page, site_url):
    page = new_page(viewport={"width": 375, "height": 800})
    page.goto(site_url + EXPLAINER)
    rows = page.locator(".glance-table tbody tr")
    tops = []
    for index in range(rows.count()):
        row = rows.nth(index)
        cells = row.locator("td")
        boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
        heading = row.locator("th").bounding_box()
        assert all(heading["y"] < box["y"] for box in boxes), "the question comes first"
        tops.append((heading["y"], max(box["y"] + box["height"] for box in boxes)))
    for (_, previous_bottom), (next_top, _) in zip(tops, tops[1:]):
        assert next_top >= previous_bottom, "a topic's positions stay above the next topic"
    labels = page.locator(".glance-table td").first.evaluate("e => getComputedStyle(e, '::before').content")
    assert labels == '"US"'


def test_print_turns_citations_into_numbered_endnotes(new_page, site_url):
    page = new_page()
    page.goto(site_url + EXPLAINER)
    page.emulate_media(media="print")
    notes = page.locator(".endnotes li")
    assert notes.first.is_visible()
    marks = page.locator(".positions .cite, .intro .cite, .context .cite, .analysis .cite")
    assert notes.count() == marks.count()
    first = notes.nth(0).inner_text()
    assert first.startswith("“have returned to diplomatic stalemate on Syria”")
    assert "¶1" in first and "https://www.cnn.com/2016/10/05/opinions/" in first
    assert page.locator("#intro-1-c1 .note-number").inner_text() == "[1]"
    assert not page.locator("#intro-1-c1 a").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violations(new_page, site_url, scheme, width):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for path in PAGES:
        page = new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page.goto(site_url + path)
        results = axe.run(page)
        assert results.violations_count == 0, f"{path or 'home'} ({scheme}, {width}px):\n{results.generate_report()}"
    # And with a preview card open.
    page = new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.goto(site_url + EXPLAINER)
    page.focus(MARK)
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_prose_lines_hold_about_65_to_75_characters(new_page, site_url, scheme):
    page = new_page(color_scheme=scheme)
    page.goto(site_url + EXPLAINER)
    per_line = page.evaluate(
        """() => {
          const p = document.querySelector('#talks-collapse-analysis-1');
          const style = getComputedStyle(p);
          const context = document.createElement('canvas').getContext('2d');
          context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          const text = p.textContent;
          const average = context.measureText(text).width / text.length;
          return p.clientWidth / average;
        }"""
    )
    assert 60 <= per_line <= 80, per_line


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("site", FIXTURE_SITES)
def test_axe_finds_no_violations_on_the_fixture_sites(new_page, fixture_urls, site, scheme, width):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for path in FIXTURE_SITES[site]:
        page = new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page.goto(fixture_urls[site] + path)
        results = axe.run(page)
        assert results.violations_count == 0, f"{site}/{path} ({scheme}, {width}px):\n{results.generate_report()}"
    # And with a preview card open, on the explainer.
    page = new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.goto(fixture_urls[site] + FIXTURE_SITES[site][1])
    page.locator("p sup.cite[id] a[data-card]").first.focus()
    card(page).wait_for(state="visible")
    results = axe.run(page)
    assert results.violations_count == 0, f"{site} explainer with a card open ({scheme}, {width}px):\n{results.generate_report()}"
