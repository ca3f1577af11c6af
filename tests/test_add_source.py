"""`add-source`: an article in with one command, its paragraphs as the article numbers them, bad input in one line."""
from __future__ import annotations

import http.server
import io
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import PROJECT, problems, write_tree
from evidence.addsource import Options, run, yaml_scalar
from evidence.cli import main
from evidence.errors import Problems
from evidence.fetch import ImportFailure
from evidence.load import load_source

ARTICLES = PROJECT / "tests/fixtures/articles"
TIME_PAGE = ARTICLES / "time_001.html"


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A minimal valid site in tmp_path, which is also the working directory (messages name relative paths)."""
    write_tree(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add_source(*argv: str, stdin: bytes | None = None, capsys=None) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        code = main(["add-source", *argv, "--content", "."])
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr() if capsys else ("", "")
    return code, out, err


# --- a saved page ------------------------------------------------------------------

def test_a_saved_page_becomes_a_source_the_build_accepts(site, capsys):
    code, out, _ = add_source(str(TIME_PAGE), capsys=capsys)
    assert code == 0
    written = site / "sources/garza-2023-11-02.md"
    source = load_source(written, Problems())
    assert source.title == "We Need Geoengineering to Stop Out of Control Warming, Warns Climate Scientist James Hansen"
    assert source.author.name == "Alejandro de la Garza"
    assert (source.publisher, source.date.isoformat(), source.kind, source.rights) == ("Time", "2023-11-02", "news", "excerpts")
    assert source.url == "https://time.com/6330957/james-hansen-climate-warning-geoengineering-study/"
    expected = (ARTICLES / "time_001.txt").read_text(encoding="utf-8").split("\n\n")
    assert source.paragraphs[0].text == expected[0].strip()
    assert not any(p.text.startswith("Read more:") for p in source.paragraphs)
    assert problems(site) == []


def test_the_report_names_every_field_and_where_it_came_from(site, capsys):
    _, out, _ = add_source(str(TIME_PAGE), capsys=capsys)
    assert out.startswith("wrote sources/garza-2023-11-02.md: ")
    assert "  author      Alejandro de la Garza  [JSON-LD (newsarticle)]\n" in out
    assert "  date        2023-11-02  [JSON-LD (newsarticle)]\n" in out
    assert "  kind        news  [the default: check it]\n" in out
    assert "  first ¶1:   James Hansen first warned Congress" in out
    assert "left out as page furniture (" in out and "  - Read more: A Controversial Technology" in out
    assert "check by eye against the original before citing it:" in out


def test_options_override_what_the_page_says(site, capsys):
    code, _, _ = add_source(str(TIME_PAGE), "--id", "hansen", "--url", "https://example.org/a", "--rights", "full",
                            "--kind", "analysis", capsys=capsys)
    source = load_source(site / "sources/hansen.md", Problems())
    assert (code, source.url, source.rights, source.kind) == (0, "https://example.org/a", "full", "analysis")


def test_an_existing_id_is_refused_and_nothing_is_written(site, capsys):
    (site / "sources/hansen.md").write_text("keep me", encoding="utf-8")
    code, out, err = add_source(str(TIME_PAGE), "--id", "hansen", capsys=capsys)
    assert code == 1 and out == ""
    assert err == ("sources/hansen.md: source 'hansen' already exists; use --update hansen to compare the new text with it, "
                   "--force to replace it, or --id to give this one another id\nadd-source failed; nothing was written\n")
    assert (site / "sources/hansen.md").read_text(encoding="utf-8") == "keep me"


def test_force_replaces_an_existing_source(site, capsys):
    (site / "sources/hansen.md").write_text("old", encoding="utf-8")
    assert add_source(str(TIME_PAGE), "--id", "hansen", "--force", capsys=capsys)[0] == 0
    assert (site / "sources/hansen.md").read_text(encoding="utf-8").startswith("---\ntitle: We Need Geoengineering")


# --- text, Markdown and pasted text ------------------------------------------------------

def test_a_markdown_file_gives_its_title_subheadings_and_paragraphs(site, capsys):
    (site / "speech.md").write_text("# Remarks on the budget\n\nFirst paragraph\nwrapped.\n\n## Taxes\n\nSecond.\n", encoding="utf-8")
    code, out, _ = add_source("speech.md", "--id", "budget", "--kind", "remarks", capsys=capsys)
    text = (site / "sources/budget.md").read_text(encoding="utf-8")
    assert code == 0
    assert text.split("---\n", 2)[2] == "\nFirst paragraph wrapped.\n\n## Taxes\n\nSecond.\n"
    assert "title: Remarks on the budget\n" in text
    # What the text does not say is left for the writer, and named in the report.
    assert "author:  # not found on the page: write the author's name (for an unsigned statement, the organisation)\n" in text
    assert "  author      not found: write the author's name" in out
    assert "  url         not found: give it with --url if the article is online" in out


def test_pasted_text_on_standard_input_is_split_at_blank_lines(site, capsys):
    code, _, _ = add_source("-", "--id", "pasted", stdin="One.\n\nTwo, still\nthe second.\n\n\nThree.\n".encode(), capsys=capsys)
    body = (site / "sources/pasted.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert (code, body) == (0, "\nOne.\n\nTwo, still the second.\n\nThree.\n")


def test_pasted_text_with_its_metadata_on_the_command_line_is_a_complete_source(site, capsys):
    code, _, _ = add_source("-", "--title", "Remarks at the opening", "--author", "Ann Author", "--publisher", "A Council",
                            "--date", "2024-02-03", "--url", "https://example.org/remarks", "--kind", "remarks",
                            stdin=b"Good morning.\n\nThank you all.\n", capsys=capsys)
    source = load_source(site / "sources/author-2024-02-03.md", Problems())
    assert code == 0 and (source.title, source.author.name, source.publisher, source.kind) == (
        "Remarks at the opening", "Ann Author", "A Council", "remarks")
    assert problems(site) == []


def test_what_pasted_text_cannot_say_is_left_for_the_writer_and_the_build_names_each_line(site, capsys):
    add_source("-", "--id", "pasted", stdin=b"One.\n", capsys=capsys)
    assert problems(site) == [f"sources/pasted.md:{line}: source front matter is missing required key '{key}'"
                              for line, key in [(2, "title"), (3, "author"), (4, "publisher"), (5, "date")]]


def test_a_page_paragraph_that_starts_like_a_subheading_stays_a_paragraph():
    from evidence.addsource import compose
    from evidence.importer import Block, Found

    meta = {"title": Found("T", ""), "authors": Found(("A B",), ""), "publisher": Found("P", ""),
            "date": Found(__import__("datetime").date(2020, 1, 2), ""), "url": Found("https://e.org/", ""),
            "kind": Found("news", ""), "rights": Found("full", "")}
    text = compose(meta, (Block("## is how Markdown starts a heading."), Block("Sub", is_heading=True), Block("Last.")))
    source = load_source(Path("sources/x.md"), Problems(), text.encode("utf-8"))
    assert [p.text for p in source.paragraphs] == ["## is how Markdown starts a heading.", "Last."]


def test_every_real_page_imports_into_a_file_the_loader_accepts(tmp_path, capsys):
    from evidence.fetch import read_input
    from evidence.importer import read_article

    write_tree(tmp_path, {})
    for page in sorted(ARTICLES.glob("*.html")):
        run(Options(input=str(page), content=tmp_path, id=page.stem.replace("_", "-").replace(".", "-"), force=True), say=lambda line: None)
        # verify() inside run() has loaded the file as the build will; the body holds every block in order.
        written = (tmp_path / "sources" / f"{page.stem.replace('_', '-').replace('.', '-')}.md").read_text(encoding="utf-8")
        blocks = read_article(read_input(str(page))).blocks
        expected = [("## " if b.is_heading else "\\## " if b.text.startswith("## ") else "") + b.text for b in blocks]
        assert written.split("\n---\n", 1)[1].strip("\n").split("\n\n") == expected, page.name


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\u0085\ufeff"), min_size=1).filter(lambda t: t.strip() == t and t))
def test_every_title_written_reads_back_exactly(tmp_path_factory, title):
    page = f"---\ntitle: {yaml_scalar(title)}\nauthor:\n  name: A\npublisher: P\ndate: 2020-01-01\nurl: https://e.org/\nkind: news\nrights: full\n---\n\nText.\n"
    found = Problems()
    source = load_source(Path("sources/x.md"), found, page.encode("utf-8"))
    assert found.errors == [] and source.title == title


# --- bad input: one line each, exit 1 (content) or 2 (usage), nothing written ---------------

class Pages(http.server.BaseHTTPRequestHandler):
    """A small web server on 127.0.0.1 with one path per way a fetch can fail."""

    def do_GET(self):  # noqa: N802 - the name http.server calls
        if self.path == "/article":
            self._send(200, TIME_PAGE.read_bytes(), "text/html; charset=utf-8")
        elif self.path == "/latin1":
            body = "<html><body><article><p>Le café était fermé à midi, disait le maire de la commune voisine.</p>" \
                   "<p>Il a répété que la décision était définitive et qu'elle ne serait pas discutée.</p></article></body></html>"
            self._send(200, body.encode("latin-1"), "text/html; charset=ISO-8859-1")
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/to-ftp":
            self.send_response(301)
            self.send_header("Location", "ftp://127.0.0.1/file.html")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(2)
            self._send(200, b"<p>late</p>", "text/html")
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
        elif self.path == "/pdf":
            self._send(200, b"%PDF-1.4", "application/pdf")
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


DOCUMENTED_SERVER = "http://127.0.0.1:8765"  # how docs/errors.md writes the test server's address


def test_a_url_is_fetched_and_imported(site, server, capsys):
    code, out, _ = add_source(f"{server}/article", capsys=capsys)
    assert code == 0 and (site / "sources/garza-2023-11-02.md").exists()


def test_a_page_declaring_another_character_set_is_decoded_with_it(site, server, capsys):
    code, _, err = add_source(f"{server}/latin1", "--id", "cafe", "--url", "https://example.org/cafe", capsys=capsys)
    assert code == 0, err
    assert "Le café était fermé à midi" in (site / "sources/cafe.md").read_text(encoding="utf-8")


BINARY = bytes(range(256)) * 4
BAD_INPUT = [
    pytest.param(["page.html"], {"page.html": b"<html><body><nav><a href='/'>Home</a></nav></body></html>"}, 1,
                 "page.html: no article text found: the page may need JavaScript or a login; copy the article's text into a .txt file and import that",
                 id="no-article-text"),
    pytest.param(["photo.jpg"], {"photo.jpg": BINARY}, 1,
                 "photo.jpg: this is binary data, not a web page or text; import a saved .html page, a .txt or .md file, or a URL",
                 id="binary-file"),
    pytest.param(["statement.pdf"], {"statement.pdf": b"%PDF-1.7\n..."}, 1,
                 "statement.pdf: this is a PDF, not a web page or text: copy its text into a .txt file (paragraphs separated by blank lines) and import that",
                 id="pdf-file"),
    pytest.param(["old.html"], {"old.html": "<html><body><p>caf\u00e9</p></body></html>".encode("latin-1")}, 1,
                 "old.html:1: not UTF-8 and no character set declared: byte 0xe9 cannot be decoded; save the file as UTF-8",
                 id="not-utf8-undeclared"),
    pytest.param(["odd.html"], {"odd.html": b"<html><head><meta charset='klingon'></head><body><p>x</p></body></html>"}, 1,
                 "odd.html: the page declares the character set 'klingon', which is unknown; save it as UTF-8 and import the file",
                 id="unknown-charset"),
    pytest.param(["huge.html"], {"huge.html": 50_000_000}, 1,
                 "huge.html: the file is 50.0 MB; an article page is under 10 MB: save the page without its media",
                 id="huge-file"),
    pytest.param(["gone.html"], {}, 2, "gone.html: cannot read the file: No such file or directory", id="missing-file"),
    pytest.param(["ftp://example.org/a.html"], {}, 2,
                 "ftp://example.org/a.html: only http:// and https:// addresses can be fetched; save the page and import the file",
                 id="not-http"),
    pytest.param(["{server}/missing"], {}, 1,
                 "{server}/missing: the server answered 404 Not Found; check the address, or save the page from a browser and import the file",
                 id="http-404"),
    pytest.param(["{server}/loop"], {}, 1,
                 "{server}/loop: the address redirects more than 10 times (a redirect loop); open it in a browser, save the page and import the file",
                 id="redirect-loop"),
    pytest.param(["{server}/to-ftp"], {}, 1,
                 "{server}/to-ftp: the address redirects to 'ftp://127.0.0.1/file.html', which is not an http:// or https:// "
                 "address; open it in a browser, save the page and import the file", id="redirect-not-http"),
    pytest.param(["-"], {}, 1, "<stdin>: the input is empty", id="empty-input"),
    pytest.param(["{server}/huge"], {}, 1, "{server}/huge: the page is 50.0 MB; an article page is under 10 MB", id="huge-page"),
    pytest.param(["{server}/pdf"], {}, 1,
                 "{server}/pdf: the address serves application/pdf, not a web page; import the article's text as a .txt file instead",
                 id="not-a-page"),
    pytest.param(["-", "--id", "Bad Id"], {}, 2,
                 "--id: expected an id of lower-case ASCII letters, digits and single hyphens, like 'lain-2016'; found: 'Bad Id'",
                 id="bad-id"),
    pytest.param(["-", "--update", "src", "--kind", "speech"], {}, 2,
                 "--update: keeps the stored front matter: edit it in the file instead of giving --id, --url, --rights, --kind, "
                 "--title, --author, --publisher or --date", id="update-with-front-matter-options"),
    pytest.param(["-", "--title", " "], {}, 2, "--title: expected non-empty text without control characters; found: ' '", id="blank-title"),
    pytest.param(["-", "--update", "nope"], {}, 2, "sources/nope.md: no source 'nope' to update; known sources: src", id="update-unknown-id"),
]


@pytest.mark.parametrize("argv, files, code, message", BAD_INPUT)
def test_bad_input_is_one_line_and_writes_nothing(site, server, capsys, argv, files, code, message):
    for name, content in files.items():
        if isinstance(content, int):
            with open(site / name, "wb") as file:
                file.truncate(content)  # sparse: 50 MB on paper, nothing on disk
        else:
            (site / name).write_bytes(content)
    before = sorted(p.name for p in (site / "sources").iterdir())
    stdin = b"" if argv == ["-"] else b"text\n"
    result, out, err = add_source(*[a.replace("{server}", server) for a in argv], stdin=stdin, capsys=capsys)
    assert (result, out) == (code, "")
    assert err == message.replace("{server}", server) + "\nadd-source failed; nothing was written\n"
    assert sorted(p.name for p in (site / "sources").iterdir()) == before


def test_a_page_that_never_answers_times_out_in_one_line(site, server):
    with pytest.raises(ImportFailure) as failure:
        run(Options(input=f"{server}/slow", content=site, timeout=0.5))
    assert str(failure.value) == f"{server}/slow: no answer within 0.5 seconds; try again, or save the page from a browser and import the file"
    assert DOCUMENTED_SERVER  # the catalogue writes it with this address


def test_error_catalogue_lists_every_add_source_mistake():
    docs = (PROJECT / "docs/errors.md").read_text(encoding="utf-8")
    for case in BAD_INPUT:
        message = case.values[3].replace("{server}", DOCUMENTED_SERVER)
        row = f"`{message}` | `tests/test_add_source.py::test_bad_input_is_one_line_and_writes_nothing[{case.id}]` |"
        assert row in docs, f"docs/errors.md: row for {case.id}"


# --- what a page says about itself, and where -------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><title>Page title | Site</title>
<meta property="og:title" content="OpenGraph title"><meta property="og:site_name" content="The Site">
<meta name="author" content="Meta Author"><link rel="canonical" href="https://example.org/canonical">
<script type="application/ld+json">{ld}</script></head>
<body><article><h1>Headline</h1>
<p>By Ann Author and Bob Writer</p>
<p>The first paragraph of the article says something worth reading, at some length, to look like prose.</p>
<p><strong>A subheading</strong></p>
<p>The second paragraph says something else worth reading, at some length, and goes on for a while.</p>
<p><a href="https://example.org/other">Read more: another story entirely</a></p>
<p>The third paragraph closes the article with a last thought that is also of some length here.</p>
<p>Ann Author contributed to this report.</p>
</article></body></html>"""
LD = ('{"@context": "https://schema.org", "@type": "OpinionNewsArticle", "headline": "JSON-LD headline", '
      '"author": [{"@type": "Person", "name": "Ann Author"}, {"@type": "Person", "name": "Bob Writer"}], '
      '"publisher": {"@type": "Organization", "name": "The Publisher"}, "datePublished": "2021-03-04T10:00:00Z"}')


def test_json_ld_comes_first_then_opengraph_then_meta_tags(site, capsys):
    (site / "page.html").write_text(PAGE.replace("{ld}", LD), encoding="utf-8")
    code, out, _ = add_source("page.html", capsys=capsys)
    text = (site / "sources/author-2021-03-04.md").read_text(encoding="utf-8")
    assert code == 0
    assert text.split("---\n")[1] == (
        "title: JSON-LD headline\nauthor:\n  name: Ann Author and Bob Writer\npublisher: The Publisher\ndate: 2021-03-04\n"
        "url: https://example.org/canonical\nkind: opinion\nrights: excerpts\nlabel: Author and Writer\n")
    assert "  url         https://example.org/canonical  [the page's canonical link]\n" in out
    assert "  kind        opinion  [JSON-LD (opinionnewsarticle)]\n" in out


def test_without_json_ld_the_page_s_other_tags_are_read(site, capsys):
    (site / "page.html").write_text(PAGE.replace("{ld}", "{}"), encoding="utf-8")
    add_source("page.html", "--id", "p", capsys=capsys)
    text = (site / "sources/p.md").read_text(encoding="utf-8")
    assert "title: OpenGraph title\n" in text and "publisher: The Site\n" in text and "  name: Meta Author\n" in text


def test_subheadings_promos_bylines_and_credits_are_told_apart_from_paragraphs(site, capsys):
    (site / "page.html").write_text(PAGE.replace("{ld}", LD), encoding="utf-8")
    add_source("page.html", "--id", "p", capsys=capsys)
    body = (site / "sources/p.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert body == (
        "\nThe first paragraph of the article says something worth reading, at some length, to look like prose.\n\n"
        "## A subheading\n\n"
        "The second paragraph says something else worth reading, at some length, and goes on for a while.\n\n"
        "The third paragraph closes the article with a last thought that is also of some length here.\n")


# --- paragraph numbers that match the article ------------------------------------------------

# Measured on tests/fixtures/articles with `python bench/extraction.py` (docs/importing.md).
MEASURED = {"precision": 0.968, "recall": 0.992, "exact_pages": 17}


def test_extraction_stays_at_least_as_good_as_measured():
    sys.path.insert(0, str(PROJECT / "bench"))
    try:
        import extraction
    finally:
        sys.path.remove(str(PROJECT / "bench"))
    total = sum((extraction.score(extraction.expected_paragraphs(page), extraction.ours(page)) for page in extraction.pages()),
                extraction.Score(0, 0, 0, 0, 0))
    assert total.pages >= 24
    assert round(total.precision, 3) >= MEASURED["precision"]
    assert round(total.recall, 3) >= MEASURED["recall"]
    assert total.exact_pages >= MEASURED["exact_pages"]


def test_dates_and_bylines_guessed_from_the_text_say_to_check_them(site, capsys):
    _, out, _ = add_source(str(ARTICLES / "spanish_article.html"), "--id", "es", capsys=capsys)
    assert "  date        2014-01-08  [htmldate, from the page's markup: check it]\n" in out


def test_no_date_is_better_than_a_guessed_one(site, capsys):
    # The page's only date is in its text ("28 August 2013" in Arabic); htmldate's wider search would guess 2013-01-01.
    _, out, _ = add_source(str(ARTICLES / "arabic_article.html"), "--id", "ar", capsys=capsys)
    assert "  date        not found: write the publication date, YYYY-MM-DD\n" in out


@pytest.mark.parametrize("authors, publisher, expected", [
    (("Sarah Lain",), "CNN", "lain-2016-10-05"),
    (("Anna Ūdre",), "LSM", "udre-2016-10-05"),  # accents folded: ids are ASCII
    (("严玉洁",), "China Daily", "china-daily-2016-10-05"),  # no ASCII letters in the name: the publisher
    ((), "Yonhap News Agency", "yonhap-news-agency-2016-10-05"),
])
def test_the_id_is_the_author_s_surname_and_the_date(authors, publisher, expected):
    import datetime as dt

    from evidence.addsource import derive_id
    from evidence.importer import Found

    meta = {"publisher": Found(publisher, ""), "date": Found(dt.date(2016, 10, 5), "")}
    if authors:
        meta["authors"] = Found(authors, "")
    assert derive_id(meta) == expected


PARAGRAPH = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff\x85"), min_size=1, max_size=80)


@settings(max_examples=200, deadline=None)
@given(st.lists(PARAGRAPH.map(lambda t: " ".join(t.split())).filter(lambda t: t and not t.startswith("#")), min_size=1, max_size=8))
def test_pasted_paragraphs_come_back_from_the_written_file_as_they_were(paragraphs):
    import datetime as dt

    from evidence.addsource import compose
    from evidence.importer import Found, read_article
    from evidence.fetch import Input

    article = read_article(Input("<stdin>", "\n\n".join(paragraphs), is_html=False, url=None))
    meta = {"title": Found("T", ""), "authors": Found(("A B",), ""), "publisher": Found("P", ""),
            "date": Found(dt.date(2020, 1, 2), ""), "kind": Found("news", ""), "rights": Found("full", "")}
    found = Problems()
    source = load_source(Path("sources/x.md"), found, compose(meta, article.blocks).encode("utf-8"))
    assert found.errors == [] and [p.text for p in source.paragraphs] == paragraphs


def test_a_saved_page_in_another_declared_character_set_is_decoded_with_it(site, capsys):
    page = ("<html><head><meta charset=\"windows-1252\"><title>Caf\u00e9s</title></head><body><article>"
            "<p>\u201cThe caf\u00e9s close at noon,\u201d the mayor said on Tuesday, repeating the council\u2019s decision.</p>"
            "<p>She said the decision was final and would not be discussed again at the next meeting.</p></article></body></html>")
    (site / "old.html").write_bytes(page.encode("windows-1252"))
    code, _, err = add_source("old.html", "--id", "cafes", capsys=capsys)
    assert code == 0, err
    assert "\u201cThe caf\u00e9s close at noon,\u201d the mayor said" in (site / "sources/cafes.md").read_text(encoding="utf-8")
