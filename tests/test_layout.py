"""Layout on a phone, measured in a real browser: tables keep readable columns and whole words, every citation
mark and backlink is a target of at least 24 by 24 px (WCAG 2.2 SC 2.5.8), and an open card's links are on screen."""
from __future__ import annotations

import contextlib

import pytest

from browser import serve_folder
from conftest import PROJECT

from evidence.build import Paths, build

PHONE = {"width": 375, "height": 667}
SITES = {
    "bundled": (PROJECT / "content", "explainers/russia-syria/", ["sources/lain/"]),
    "site": (PROJECT / "tests/fixtures/site", "explainers/harbour/", ["sources/harbour/", "sources/minutes/"]),
    "long-names": (PROJECT / "tests/fixtures/long-names", "explainers/ferry/", ["sources/statement/", "sources/courier/"]),
}
EXPLAINERS = [(site, explainer) for site, (_, explainer, _) in SITES.items()]
PAGES = [(site, page) for site, (_, explainer, sources) in SITES.items() for page in ["", explainer, *sources]]
MIN_CELL = 64  # px
MIN_TARGET = 24  # px, WCAG 2.2 SC 2.5.8

# Whether an element is on screen for sighted readers: visible, and not inside a visually hidden box (the tables'
# header rows on a phone, which screen readers still read).
SHOWN = """const shown = (element) => {
  if (!element.checkVisibility()) return false;
  for (let e = element; e; e = e.parentElement) {
    if (e.getBoundingClientRect().width <= 1 && getComputedStyle(e).overflow === 'hidden') return false;
  }
  return true;
};"""

# Each word (letters and digits: a hyphen or a dash may end a line) that the browser laid out over more than one line.
BROKEN_WORDS = """(root) => {
  """ + SHOWN + """
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!shown(node.parentElement) || node.parentElement.closest('[href^="http"]')) continue;
    for (const word of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(word[0]);
    }
  }
  return broken;
}"""

# Every visible link a reader taps to follow a citation, with its size.
TARGETS = """() => {
  """ + SHOWN + """
  return [...document.querySelectorAll('.cite a, .backlinks a, .pnum, .deep-link, .cite-card a')]
  .filter(shown)
  .map(element => {
    const box = element.getBoundingClientRect();
    return {text: element.textContent.trim(), width: box.width, height: box.height};
  });
}"""


@pytest.fixture(scope="module")
def site_urls(tmp_path_factory):
    with contextlib.ExitStack() as stack:
        urls = {}
        for site, (content, _, _) in SITES.items():
            out = tmp_path_factory.mktemp(f"layout-{site}") / "dist"
            build(Paths(content=content), out)
            urls[site] = stack.enter_context(serve_folder(out))
        yield urls


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("site, path", EXPLAINERS)
def test_no_table_cell_is_narrower_than_64px_on_a_phone(phone, site_urls, site, path):
    phone.goto(site_urls[site] + path)
    widths = phone.evaluate(
        "() => {" + SHOWN + "return [...document.querySelectorAll('table th, table td')].filter(shown)"
        ".map(c => [c.textContent.trim(), c.getBoundingClientRect().width]); }"
    )
    assert len(widths) > 10
    assert [(text, width) for text, width in widths if width < MIN_CELL] == []


@pytest.mark.parametrize("site, path", PAGES)
def test_no_word_is_broken_mid_word_on_a_phone(phone, site_urls, site, path):
    phone.goto(site_urls[site] + path)
    assert phone.locator("main").evaluate(BROKEN_WORDS) == []


def test_the_broken_word_check_finds_a_word_broken_mid_word(phone, site_urls):
    phone.goto(site_urls["long-names"] + "explainers/ferry/")
    phone.evaluate("document.querySelector('.evidence-table').style.cssText = 'width: 40px; overflow-wrap: anywhere'")
    assert "subsidy" in phone.locator(".evidence-table").evaluate(BROKEN_WORDS)


@pytest.mark.parametrize("site, path", PAGES)
def test_every_citation_mark_and_backlink_is_at_least_24px_square_on_a_phone(phone, site_urls, site, path):
    phone.goto(site_urls[site] + path)
    targets = phone.evaluate(TARGETS)
    if path.startswith(("explainers/", "sources/")):
        assert targets, "no citation marks or backlinks found"
    assert [t for t in targets if t["width"] < MIN_TARGET or t["height"] < MIN_TARGET] == []


@pytest.mark.parametrize("site, path", EXPLAINERS)
def test_an_open_cards_links_lie_inside_a_phone_screen(phone, site_urls, site, path):
    """Every mark's card, opened by a tap with the mark near the top, the middle and the foot of the screen."""
    phone.goto(site_urls[site] + path)
    marks = phone.locator(".intro sup.cite[id] a[data-card], .positions sup.cite[id] a[data-card]")
    assert marks.count() > 5
    for index in range(marks.count()):
        mark = marks.nth(index)
        for where in ("start", "center", "end"):
            mark.evaluate(f"(m, where) => m.scrollIntoView({{block: where}})", where)
            mark.tap()
            card = phone.locator(".cite-card")
            card.wait_for(state="visible")
            for link in card.locator("a").all():
                box = link.bounding_box()
                assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], f"{mark.inner_text()} ({where}): {link.inner_text()} at {box}"
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{mark.inner_text()} ({where}): {link.inner_text()} at {box}"
            phone.locator("h1").evaluate("h => h.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true, pointerType: 'touch'}))")
            card.wait_for(state="detached")


def test_a_card_taller_than_the_screen_scrolls_its_text_and_keeps_its_links_in_view(browser, site_urls):
    context = browser.new_context(viewport={"width": 375, "height": 420}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(site_urls["long-names"] + "explainers/ferry/")
    mark = page.locator("a[data-card='statement:1-5']").first
    mark.evaluate("m => m.scrollIntoView({block: 'center'})")
    mark.tap()
    card = page.locator(".cite-card")
    card.wait_for(state="visible")
    body = card.locator(".card-body")
    assert body.evaluate("b => b.scrollHeight > b.clientHeight"), "the five paragraphs should not fit a 420 px screen"
    box = card.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 420
    for link in card.locator(".card-links a").all():
        link_box = link.bounding_box()
        assert 0 <= link_box["y"] and link_box["y"] + link_box["height"] <= 420
    context.close()
