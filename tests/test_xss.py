"""No content can run script in a published page: XSS payloads through every field, in Chromium.

Pages are loaded with the Content-Security-Policy bypassed, so escaping alone must hold;
a separate test shows the policy stops script that escaping let through.
"""
from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from browser import serve_folder
from conftest import write_tree
from evidence.build import Paths, build, render
from evidence.errors import ContentError

# In the spirit of OWASP's XSS Filter Evasion Cheat Sheet. Each would set window.__xss or
# open a dialog if it ran.
PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=data:text/javascript,window.__xss=1></SCRIPT>",
    "<img src=x onerror=window.__xss=1>",
    "<img src=x onerror=&#119;indow.__xss=1>",
    '<IMG """><SCRIPT>window.__xss=1</SCRIPT>">',
    "<IMG SRC=JaVaScRiPt:window.__xss=1>",
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    "<body onload=window.__xss=1>",
    "<details open ontoggle=window.__xss=1>",
    "<input autofocus onfocus=window.__xss=1>",
    "<iframe src=javascript:parent.__xss=1></iframe>",
    '<object data="javascript:window.__xss=1"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    '<a href="javascript:window.__xss=1">x</a>',
    '"><script>window.__xss=1</script>',
    "'><script>window.__xss=1</script>",
    '" onmouseover="window.__xss=1" x="',
    "' onmouseover='window.__xss=1' x='",
    '" autofocus onfocus="window.__xss=1',
    "</title><script>window.__xss=1</script>",
    "</script><script>window.__xss=1</script>",
    "<!--<script>window.__xss=1//--></script>",
    "</q><script>window.__xss=1</script>",
    "--><script>window.__xss=1</script><!--",
    "<<SCRIPT>window.__xss=1//<</SCRIPT>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% if true %}ran{% endif %}${7*7}",
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
    "\u2028<script>window.__xss=1</script>\u2029",
]

# Addresses for URL fields (a source's url, the site's repository and base_url): refused
# unless http(s), and inert when they are.
REFUSED_URLS = [
    "javascript:window.__xss=1",
    "JaVaScRiPt:window.__xss=1",
    " javascript:window.__xss=1",
    "vbscript:msgbox(1)",
    "data:text/html,<script>window.__xss=1</script>",
    "https://example.org/ onmouseover=window.__xss=1",
]
INERT_URLS = [
    'https://example.org/"><script>window.__xss=1</script>',
    "https://example.org/'onmouseover='window.__xss=1",
    'https://example.org/#"autofocus/onfocus="window.__xss=1',
]

# Destinations of Markdown links in prose: script schemes are an error, however disguised;
# what is left once markdown-it has decoded and percent-encoded the rest is inert.
REFUSED_LINKS = [
    "javascript:window.__xss=1",
    "JaVaScRiPt:window.__xss=1",
    "&#106;avascript:window.__xss=1",
    "javascript&colon;window.__xss=1",
    "<javascript:window.__xss=1>",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==",
]
INERT_LINKS = [
    "<java\tscript:window.__xss=1>",
    "jav&#x09;ascript:window.__xss=1",
    'https://example.org/"onmouseover="window.__xss=1',
]


def yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def quotable(text: str) -> str:
    """The longest piece of `text` a citation can quote: inside “…” a straight " ends the quote."""
    return max(text.split('"'), key=len)


def payload_site(text: str = "Plain", url: str = "https://example.org/source", link: str = "https://example.org/",
                 quote: str | None = None) -> dict[str, str]:
    """A site with `text` in every text field, `url` in every URL field, `link` in prose, `quote` quoted.

    The prose cites ¶2, which is `text` itself, so quotation marks in `text` quote what they cite."""
    t = yaml_text(text)
    quote = quotable(text) if quote is None else quote
    source = f"""---
title: {t}
author:
  name: {t}
  description: {t}
editors_note: {t}
publisher: {t}
section: {t}
date: 2020-01-02
url: {yaml_text(url)}
kind: news
rights: RIGHTS
rights_note: {t}
highlights: [{t}]
label: {t}
---

A plain first paragraph.

{text}
"""
    return {
        "site.yaml": f"title: {t}\ndescription: {t}\npublisher: {t}\ncopyright: {t}\nlicense: {t}\n"
                     f"repository: {yaml_text(url)}\nbase_url: {yaml_text(url)}\n",
        "sources/src.md": source.replace("RIGHTS", "full"),
        "sources/exc.md": source.replace("RIGHTS", "excerpts"),
        "explainers/ex.md": f"""---
title: {t}
dek: {t}
byline: {t}
date: 2020-02-03
sources: [src, exc]
parties:
  - id: us
    name: {t}
    short: {t}
  - id: them
    name: Them
---

{text} [a link]({link}) [@src ¶1-2].

## {text} {{#topic}}

### us

Summary: {text} [@src ¶2 “{quote}”]

### them

Summary: The same words [@exc ¶2 “{quote}”]
""",
    }


def build_payload_site(root: Path, files: dict[str, str]) -> Path:
    out = root / "out"
    build(Paths(content=write_tree(root / "content", files)), out)
    return out


def problems_of(root: Path, files: dict[str, str]) -> list[str]:
    with pytest.raises(ContentError) as error:
        render(Paths(content=write_tree(root / "content", files)))
    return [f"{p.path.relative_to(root / 'content').as_posix()}:{p.line}: {p.message}" for p in error.value.problems]


PAGES = ["index.html", "explainers/ex/index.html", "sources/src/index.html", "sources/exc/index.html", "404.html"]

PROVOKE = """() => {
    for (const element of document.querySelectorAll('*')) {
        for (const type of ['mouseover', 'mouseenter', 'pointerover', 'focus', 'toggle', 'load', 'error'])
            element.dispatchEvent(new Event(type));
    }
}"""

# Anything that could run script: event-handler attributes, script-capable elements, and
# addresses the browser itself parses to a scheme other than http(s) or mailto.
ACTIVE_CONTENT = """() => {
    const found = [];
    for (const element of document.querySelectorAll('*')) {
        for (const attribute of element.attributes) {
            if (attribute.name.startsWith('on')) found.push(`${element.tagName} ${attribute.name}`);
        }
        for (const name of ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster', 'srcdoc']) {
            const value = element.getAttribute(name);
            if (value === null) continue;
            const protocol = new URL(value, document.baseURI).protocol;
            if (!['http:', 'https:', 'mailto:'].includes(protocol)) found.push(`${element.tagName} ${name}=${value}`);
        }
    }
    for (const element of document.querySelectorAll('iframe, frame, object, embed, base, form, svg, math, meta[http-equiv=refresh]'))
        found.push(element.tagName);
    // The site's own scripts: files from its own origin, and JSON-LD data that never runs.
    for (const script of document.querySelectorAll('script')) {
        const own = script.src && new URL(script.src).origin === location.origin && !script.text.trim();
        if (!own && script.type !== 'application/ld+json') found.push(`SCRIPT ${script.outerHTML.slice(0, 80)}`);
    }
    return found;
}"""


@pytest.fixture
def page(browser):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def assert_inert(page, url: str) -> None:
    page.goto(url)
    page.evaluate(PROVOKE)
    page.wait_for_timeout(0)  # let any handler that was triggered finish
    assert page.evaluate("() => window.__xss") is None, f"script ran on {url}"
    assert page.dialogs == [], f"a dialog opened on {url}"
    assert page.evaluate(ACTIVE_CONTENT) == [], f"active content on {url}"


def test_text_payloads_in_every_field_build_and_stay_inert(page, tmp_path):
    for number, text in enumerate(PAYLOADS):
        build_payload_site(tmp_path / str(number), payload_site(text))
    with serve_folder(tmp_path) as base:
        for number, text in enumerate(PAYLOADS):
            for path in PAGES:
                assert_inert(page, f"{base}{number}/out/{path}")
                if path == "explainers/ex/index.html":  # the payload arrived, as the very text written
                    assert page.locator("h1").inner_text() == text.strip()
                    assert page.title().split() == f"{text} · {text}".split()


# Quoted in full, these cannot be read as citations: their straight double quotes end the
# quote early (the message says so). test_text_payloads... quotes their longest quotable piece.
UNQUOTABLE = [
    '<IMG """><SCRIPT>window.__xss=1</SCRIPT>">',
    '<object data="javascript:window.__xss=1"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    '<a href="javascript:window.__xss=1">x</a>',
    '" onmouseover="window.__xss=1" x="',
    '" autofocus onfocus="window.__xss=1',
]


@pytest.mark.parametrize("text", [text for text in PAYLOADS if '"' in text])
def test_payloads_quoted_in_full_build_or_fail_on_their_double_quotes(tmp_path, text):
    files = payload_site(text, quote=text)
    if text not in UNQUOTABLE:
        build_payload_site(tmp_path, files)
        return
    ending = "the ']' is read as part of the quote, as its double quotes do not pair up; write quotation marks inside a quote as “ and ”"
    assert problems_of(tmp_path, files) == [
        f"explainers/ex.md:21: citation [@src ¶2 “{text}”]: {ending}",
        f"explainers/ex.md:25: citation [@exc ¶2 “{text}”]: {ending}",
    ]


def test_script_addresses_in_url_fields_are_refused(tmp_path):
    for number, url in enumerate(REFUSED_URLS):
        reported = problems_of(tmp_path / str(number), payload_site(url=url))
        assert {line.split(": ", 1)[1] for line in reported} == {
            f"'{field}' must be an http:// or https:// URL; found: {url!r}" for field in ("url", "repository", "base_url")
        }, url


def test_other_addresses_in_url_fields_build_and_stay_inert(page, tmp_path):
    for number, url in enumerate(INERT_URLS):
        files = payload_site(url=url)
        if "#" in url:  # a base URL has no fragment (tests/test_values.py): this one goes in the other URL fields
            files["site.yaml"] = files["site.yaml"].replace(f"base_url: {yaml_text(url)}", "base_url: https://example.org/")
        build_payload_site(tmp_path / str(number), files)
    with serve_folder(tmp_path) as base:
        for number in range(len(INERT_URLS)):
            for path in PAGES:
                assert_inert(page, f"{base}{number}/out/{path}")


def test_script_links_in_prose_are_refused_with_file_and_line(tmp_path):
    for number, link in enumerate(REFUSED_LINKS):
        reported = problems_of(tmp_path / str(number), payload_site(link=link))
        assert len(reported) == 1 and reported[0].startswith("explainers/ex.md:15: unsafe link '"), (link, reported)


def test_other_links_in_prose_build_and_stay_inert(page, tmp_path):
    for number, link in enumerate(INERT_LINKS):
        build_payload_site(tmp_path / str(number), payload_site(link=link))
    with serve_folder(tmp_path) as base:
        for number in range(len(INERT_LINKS)):
            assert_inert(page, f"{base}{number}/out/explainers/ex/index.html")


STYLESHEET = (Path(__file__).parent.parent / "static/style.css").read_bytes()
# Styles only from the site, and the one stylesheet every page carries inside it, by its hash.
POLICY = ("default-src 'self'; script-src 'self'; "
          f"style-src 'self' 'sha256-{base64.b64encode(hashlib.sha256(STYLESHEET).digest()).decode()}'; img-src 'self'; "
          "object-src 'none'; base-uri 'none'; form-action 'none'")
RECORD_VIOLATIONS = "document.addEventListener('securitypolicyviolation', e => (window.__violations ||= []).push(e.violatedDirective))"
# The search page alone lets Pagefind compile WebAssembly, should its worker fail, and submits its own form (README, "Search").
SEARCH_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'").replace("form-action 'none'", "form-action 'self'")


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled") / "dist"
    build(Paths(), out)
    return out


@pytest.fixture
def enforcing_page(browser):
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    yield context.new_page()
    context.close()


def test_every_page_carries_the_policy_and_breaks_nothing_of_ours(enforcing_page, bundled_site):
    pages = sorted(path.relative_to(bundled_site).as_posix() for path in bundled_site.rglob("*.html"))
    assert len(pages) >= 4
    with serve_folder(bundled_site) as base:
        for path in pages:
            enforcing_page.goto(base + path)
            policy = enforcing_page.locator('meta[http-equiv="Content-Security-Policy"]')
            expected = SEARCH_POLICY if path == "search/index.html" else POLICY
            assert policy.get_attribute("content") == expected, path
            assert enforcing_page.evaluate("() => window.__violations") is None, path
            # the stylesheet was allowed: the masthead has its rule below it
            border = enforcing_page.locator(".masthead").evaluate("element => getComputedStyle(element).borderBottomStyle")
            assert border == "solid", path


def test_policy_stops_script_that_escaping_let_through(browser, enforcing_page, tmp_path):
    out = tmp_path / "out"
    build(Paths(content=write_tree(tmp_path / "content", {})), out)
    page_file = out / "explainers/ex/index.html"
    injected = ('<script>window.__xss=1</script><img src="x" onerror="window.__xss=2"><p style="color: red">styled</p>'
                '<style>body { background: rgb(255, 0, 0) }</style>')  # a style element other than the page's own stylesheet
    page_file.write_text(page_file.read_text(encoding="utf-8").replace("</main>", injected + "</main>"), encoding="utf-8")
    with serve_folder(out) as base:
        enforcing_page.goto(base + "explainers/ex/")
        enforcing_page.wait_for_load_state("load")
        assert enforcing_page.evaluate("() => window.__xss") is None
        assert sorted(set(enforcing_page.evaluate("() => window.__violations"))) == [
            "script-src-attr", "script-src-elem", "style-src-attr", "style-src-elem"]
        assert enforcing_page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
        # Without the policy the same page runs the script: the check above can fail.
        bypassing = browser.new_context(bypass_csp=True)
        try:
            unprotected = bypassing.new_page()
            unprotected.goto(base + "explainers/ex/")
            unprotected.wait_for_load_state("load")
            assert unprotected.evaluate("() => window.__xss") in (1, 2)
        finally:
            bypassing.close()
