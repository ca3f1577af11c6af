"""A site owner's templates folder overrides the project's file by file: the French test theme
(tests/fixtures/theme-fr) replaces only the phrases and the citation mark, and the whole bundled
site comes out French, with the theme's marks, every citation still verified and cards still opening."""
from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from jinja2.runtime import Macro

from browser import serve_folder
from conftest import PROJECT
from evidence.build import Paths, build
from evidence.templates import make_templates

THEME = PROJECT / "tests/fixtures/theme-fr"
TEMPLATES = PROJECT / "templates"
SAMPLES = {"value": dt.date(2016, 10, 5), "date": "DATE", "count": 7, "cited": 7, "total": 15, "number": 7, "first": 7, "last": 9}


def phrases(*folders: Path):
    return make_templates([*folders, TEMPLATES]).get_template("phrases.html").module


def sample_arguments(macro: Macro) -> list:
    return [SAMPLES.get(name, ["Aa", "Bb", "Cc"] if name == "items" else f"X{name}X") for name in macro.arguments]


def english_phrases() -> list[str]:
    """Every default phrase the theme words differently; of a phrase with parts, its own words between the parts."""
    english, french = phrases(), phrases(THEME)
    found: list[str] = []
    for name in dir(english):
        if name.startswith("_"):
            continue
        value, theirs = getattr(english, name), getattr(french, name)
        if isinstance(value, Macro):
            arguments = sample_arguments(value)
            value, theirs = str(value(*arguments)), str(theirs(*arguments))
            if value != theirs:
                pieces = re.split("|".join(re.escape(str(a)) for a in arguments if not isinstance(a, list)) + "|Aa|Bb|Cc|<[^>]+>", value)
                found += [piece.strip(" ,.:;") for piece in pieces if piece.strip(" ,.:;") not in theirs]
        elif isinstance(value, dict):
            found += [text for key, text in value.items() if text != theirs[key]]
        elif isinstance(value, list):
            found += [text for text, other in zip(value, theirs) if text != other]
        elif value != theirs:
            found.append(str(value).strip(" ,.:;"))
    return sorted({phrase for phrase in found if len(phrase) >= 4})


@pytest.fixture(scope="module")
def french_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("fr") / "site"
    report = build(Paths(overrides=THEME), out, base_url="https://example.org/fr/")
    return out, report


def pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}


def test_the_theme_changes_only_what_it_overrides():
    assert sorted(p.relative_to(THEME).as_posix() for p in THEME.rglob("*.html")) == ["components/mark.html", "phrases.html"]


def test_no_default_english_interface_phrase_is_left_on_any_page(french_site):
    out, _ = french_site
    # A phrase the content itself uses ("CNN Opinion", "on 5 October 2016") cannot be told apart on the page.
    content = " ".join(path.read_text(encoding="utf-8") for path in (PROJECT / "content").rglob("*.*"))
    wanted = [phrase for phrase in english_phrases() if not re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", content)]
    assert len(wanted) > 60, wanted  # the check covers the interface, not a handful of words
    left = {}
    for path, text in pages(out).items():
        # Attribute values (aria-label, title, alt) count: screen readers and tooltips say them.
        readable = html.unescape(re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.DOTALL))
        found = [phrase for phrase in wanted if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", readable)]
        if found:
            left[path] = found
    assert not left


def test_french_phrases_are_used(french_site):
    out, _ = french_site
    explainer = pages(out)["explainers/russia-syria/index.html"]
    assert "En bref" in explainer and "Les preuves" in explainer and "5 octobre 2016" in explainer
    assert "Aller au contenu" in pages(out)["sources/lain/index.html"]


def test_every_mark_has_the_themes_markup_and_every_citation_is_still_verified(french_site, tmp_path):
    out, report = french_site
    english = build(Paths(), tmp_path / "en")
    assert report.citations == english.citations == 71
    page = pages(out)["explainers/russia-syria/index.html"]
    marks = re.findall(r'<sup class="cite[^"]*"', page)
    assert marks and all(mark == '<sup class="cite renvoi"' for mark in marks)
    english_page = (tmp_path / "en/explainers/russia-syria/index.html").read_text(encoding="utf-8")
    assert len(marks) == len(re.findall(r'<sup class="cite[^"]*"', english_page))


def test_cite_js_opens_french_cards_from_the_themes_marks(french_site, browser):
    out, _ = french_site
    with serve_folder(out) as url:
        page = browser.new_page()
        try:
            page.goto(url + "explainers/russia-syria/")
            page.locator("#talks-collapse-us-1-c1 a").first.hover()
            card = page.locator(".cite-card")
            card.wait_for(state="visible")
            assert card.get_by_role("link", name="Aller au ¶7 sur la page de la source").is_visible()
            assert card.get_by_role("link", name="Le retrouver dans l’original ↗").get_attribute("href").startswith("https://www.cnn.com/")
            assert card.locator("mark").inner_text().startswith("« ")
        finally:
            page.close()
