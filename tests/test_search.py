"""Site search: Pagefind's index is built with the site and runs in the browser, under the search page's CSP, landing on anchors."""
from __future__ import annotations

import re
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import PROJECT, edit_file
from sitecheck import serve_like_github_pages

from evidence import pipeline, search
from evidence.build import Paths, Report, build
from evidence.errors import ContentError
from evidence.server import Status
from evidence.watch import Attempt, Preview, watch

sys.path.insert(0, str(PROJECT / "bench"))
from corpus import write_corpus  # noqa: E402
from test_reproducible import comparable  # noqa: E402

WASM = "'wasm-unsafe-eval'"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    content = write_corpus(root / "content", 12)
    shutil.copy(PROJECT / "content/sources/lain.md", content / "sources/lain.md")
    shutil.copy(PROJECT / "content/explainers/russia-syria.md", content / "explainers/russia-syria.md")
    build(Paths(content=content), root / "dist", base_url="https://user.github.io/repo-name/")
    return root / "dist"


@pytest.fixture(scope="module")
def site_url(built):
    with serve_like_github_pages(built, "/repo-name/") as url:
        yield url


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


def search_for(page, words: str):
    page.fill("#search-input", words)
    page.wait_for_selector(".search-result")
    return page.locator(".search-result")


def test_the_index_is_built_with_the_site_and_only_pagefinds_search_runtime_is_kept(built):
    index = {path.relative_to(built / "pagefind").as_posix() for path in (built / "pagefind").rglob("*") if path.is_file()}
    assert {"pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/pagefind-entry.json"} <= {f"pagefind/{n}" for n in index}
    assert any(name.startswith("fragment/") for name in index)
    assert not any("-ui" in name or "highlight" in name for name in index)


def test_only_the_search_page_allows_webassembly(built):
    policy = re.compile(r'http-equiv="Content-Security-Policy" content="([^"]*)"')
    search_policy = policy.search((built / "search/index.html").read_text(encoding="utf-8"))[1]
    assert f"script-src 'self' {WASM};" in search_policy and "form-action 'self'" in search_policy
    for page in ("index.html", "parties/russia/index.html", "explainers/russia-syria/index.html", "sources/lain/index.html"):
        assert WASM not in policy.search((built / page).read_text(encoding="utf-8"))[1], page


def test_a_result_lands_on_the_position_it_names_and_says_whose_it_is(new_page, site_url):
    page = new_page()
    page.goto(site_url + "search/")
    page.wait_for_selector("#search-filter-year")
    page.select_option("#search-filter-year", "2026")  # the bundled explainer's year: the corpus's are 2020's
    results = search_for(page, "defensive stance conflicting theories")
    assert page.locator(".search-status").inner_text() == "Found in 1 page"  # the explainer, its places listed under it
    first = results.filter(has_text="Russia · ").first
    assert first.locator(".result-link").inner_text().startswith("Russia · Who attacked the aid convoy")
    assert first.locator(".result-where").inner_text() == "What does Russia actually want in Syria?"
    href = first.locator(".result-link").get_attribute("href")
    assert href.startswith(site_url + "explainers/russia-syria/#")
    first.locator(".result-link").click()
    page.wait_for_load_state("load")
    anchor = href.split("#", 1)[1]
    assert page.locator(f"[id='{anchor}']").count() == 1
    assert page.errors == []


def test_source_paragraphs_are_found_and_land_on_their_anchor(new_page, site_url):
    page = new_page()
    page.goto(site_url + "search/?q=" + "Aleppo")
    page.wait_for_selector(".search-result")
    hrefs = page.locator(".search-result .result-link").evaluate_all("links => links.map(link => link.href)")
    assert any(re.search(r"/sources/[a-z0-9-]+/#p\d+$", href) for href in hrefs), hrefs


def test_filters_by_party_narrow_the_results(new_page, site_url):
    page = new_page()
    page.goto(site_url + "search/")
    search_for(page, "Russia")
    assert re.fullmatch(r"Found in \d+ pages", page.locator(".search-status").inner_text())
    page.select_option("#search-filter-party", "Turkey")
    page.wait_for_timeout(1000)  # the page forbids evaluating strings: no wait_for_function
    places = page.locator(".search-result .result-where, .search-result .result-link").all_inner_texts()
    assert places and all(re.match(r"Explainer (3|11):", place) for place in places[::2] if place), places
    assert page.locator("#search-filter-year option").count() > 1
    assert page.locator("#search-filter-source option").count() > 1
    assert page.errors == []


def test_pagefind_runs_in_its_worker_which_the_pages_policy_does_not_govern(new_page, site_url, built, tmp_path):
    """A meta Content-Security-Policy binds the page, not a worker script, and Pagefind compiles its WebAssembly in a worker."""
    with serve_like_github_pages(without_webassembly(built, tmp_path), "/repo-name/") as url:
        page = new_page()
        page.goto(url + "search/?q=Russia")
        page.wait_for_selector(".search-result")


@pytest.mark.parametrize("allowed", [True, False])
def test_where_workers_fail_the_search_page_needs_wasm_unsafe_eval(new_page, site_url, built, tmp_path, allowed):
    """Without workers Pagefind falls back to compiling WebAssembly on the page: what the search page's policy allows it."""
    with serve_like_github_pages(built if allowed else without_webassembly(built, tmp_path), "/repo-name/") as url:
        page = new_page()
        page.add_init_script("delete window.Worker")
        page.goto(url + "search/?q=Russia")
        page.wait_for_timeout(1500)
        if allowed:
            assert page.locator(".search-result").count() > 0
        else:
            assert page.locator(".search-status").inner_text() == "Search could not load its index."
            assert page.locator(".search-result").count() == 0


def without_webassembly(built, tmp_path):
    strict = tmp_path / "dist"
    shutil.copytree(built, strict)
    page_file = strict / "search/index.html"
    page_file.write_text(page_file.read_text(encoding="utf-8").replace(" " + WASM, ""), encoding="utf-8")
    return strict


def test_without_javascript_the_search_page_says_search_needs_it_and_links_the_browse_pages(new_page, site_url):
    page = new_page(java_script_enabled=False)
    page.goto(site_url + "search/")
    assert page.locator(".search-no-script").is_visible()
    assert "needs JavaScript" in page.locator(".search-no-script").inner_text()
    assert page.locator(".browse-links a").count() == 4


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violations_on_the_new_pages_and_none_scrolls_sideways(new_page, site_url, scheme, width):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for path in ("", "parties/", "parties/russia/", "tags/syria/", "archive/", "search/?q=ceasefire"):
        page = new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page.goto(site_url + path)
        if "q=" in path:
            page.wait_for_selector(".search-result")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        results = axe.run(page)
        assert results.violations_count == 0, f"{path or 'home'} ({scheme}, {width}px):\n{results.generate_report()}"


def test_a_missing_pagefind_binary_is_one_line_saying_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "find_binary", lambda: None)
    with pytest.raises(ContentError) as failed:
        build(Paths(content=write_corpus(tmp_path / "content", 2)), tmp_path / "dist")
    assert [str(problem) for problem in failed.value.problems] == [
        "search: the pagefind binary was not found; install it with: python -m pip install 'pagefind[bin]'"]
    assert not (tmp_path / "dist").exists()


def test_a_pagefind_binary_that_stops_as_it_starts_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "find_binary", lambda: Path("/bin/true"))  # exits at once, answering nothing
    with pytest.raises(ContentError) as failed:
        build(Paths(content=write_corpus(tmp_path / "content", 2)), tmp_path / "dist")
    assert [str(problem) for problem in failed.value.problems] == [
        "search: the pagefind binary (/bin/true) stopped as it started; "
        "install it again with: python -m pip install 'pagefind[bin]' --force-reinstall"]
    assert not (tmp_path / "dist").exists()


DOCUMENTS = [(f"explainers/e{n}/", f"<main><h1>Explainer {n}</h1><h2 id='t'>Topic</h2><p>harbour words {n}</p></main>") for n in range(6)]


def comparable_index(pages: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in pages.items() if not name.startswith("pagefind/filter/") and not name.endswith((".pf_meta", ".json"))}


def test_pagefind_configuration_files_where_the_build_runs_do_not_stop_it(tmp_path, monkeypatch):
    """Pagefind looks for its configuration where it runs, even as a service, and stops at once if it finds two:
    it runs in an empty folder of its own."""
    (tmp_path / "pagefind.yml").write_text('exclude_selectors: ["p"]\n')
    (tmp_path / "pagefind.json").write_text('{"exclude_selectors": ["p"]}\n')
    monkeypatch.chdir(tmp_path)
    problem, pages = search.build_index(DOCUMENTS, "en")
    assert problem is None
    assert comparable_index(pages) == comparable_index(search.build_index(DOCUMENTS, "en")[1])


def test_an_index_sent_documents_while_the_pages_render_is_the_index_made_at_the_end():
    problem, at_the_end = search.build_index(DOCUMENTS, "en")
    assert problem is None and "pagefind/pagefind.js" in at_the_end
    with search.Indexer("en") as indexer:
        for url, html in DOCUMENTS[:4]:
            indexer.add(url, html)
        problem, streamed = indexer.finish(DOCUMENTS)
    assert problem is None
    assert comparable_index(streamed) == comparable_index(at_the_end)


def test_an_indexer_sent_other_documents_than_the_build_ends_with_starts_again():
    with search.Indexer("en") as indexer:
        indexer.add("explainers/gone/", "<main><h1>Gone</h1></main>")
        problem, pages = indexer.finish(DOCUMENTS)
    assert problem is None
    assert comparable_index(pages) == comparable_index(search.build_index(DOCUMENTS, "en")[1])


# --- the live preview: the page first, the index after it --------------------------------------

def index_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "pagefind").rglob("*")) if p.is_file()}


def reword(content: Path, word: str) -> Path:
    return edit_file(content / "explainers/explainer-00003.md", "### us\n\nSummary: ", f"### us\n\nSummary: {word} ")


def test_the_preview_shows_an_edit_before_it_indexes_it_and_then_matches_a_full_build(tmp_path):
    content = write_corpus(tmp_path / "content", 12)
    site = tmp_path / "site"
    preview = Preview(Paths(content=content), site)
    assert preview.attempt().ok
    index = index_files(site)
    assert "pagefind/pagefind.js" in index

    changed = reword(content, "Quokkaward")
    shown = preview.attempt(frozenset({changed}), search_later=True)
    assert shown.ok and shown.report.search_stale and not shown.search_only
    assert "Quokkaward" in (site / "explainers/explainer-00003/index.html").read_text(encoding="utf-8")
    assert index_files(site) == index  # the last index, untouched, until the next step

    indexed = preview.index()
    assert indexed.ok and indexed.search_only and not indexed.report.search_stale
    assert index_files(site) != index
    every = {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    assert comparable(every) == comparable(dict(pipeline.render(Paths(content=content)).pages))

    again = preview.attempt(search_later=True)  # nothing changed since: the index is current
    assert again.ok and not again.report.search_stale and again.report.rendered == 0


def test_a_search_only_attempt_reloads_no_page_and_keeps_the_build_number():
    shown = Status(build=5, problems=())
    indexed = Attempt(Report(), search_only=True)
    assert shown.after(indexed, 10_000) == Status(build=5, problems=())
    assert Status(build=5, problems=()).after(Attempt(Report()), 10_000).build == 10_000


def test_the_watcher_reloads_after_an_edit_then_indexes_it_without_a_reload(tmp_path):
    content = write_corpus(tmp_path / "content", 6)
    preview = Preview(Paths(content=content), tmp_path / "site")
    assert preview.attempt().ok
    published: list[Attempt] = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, preview.snapshot(), stop, published.append), daemon=True)
    watcher.start()
    try:
        reword(content, "Quokkaward")
        deadline = time.monotonic() + 60
        while len(published) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        watcher.join()
    [shown, indexed] = published
    assert shown.ok and shown.report.search_stale and not shown.search_only
    assert indexed.ok and indexed.search_only and not indexed.report.search_stale
