"""Property-based tests: whatever the content, the build succeeds or reports located problems.

For any YAML, Markdown or citation text, `render` either returns pages or raises
ContentError, and every problem names a file that exists and a line inside it. Anything
else (a traceback) is a bug. Run with --hypothesis-show-statistics to see the counts.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import EXPLAINER, SOURCE, write_tree
from evidence.build import Paths, render
from evidence.citations import CitationSyntaxError, find_group_end, parse_group
from evidence.errors import ContentError

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SITE_KEYS = ["title", "description", "language", "base_url", "publisher", "copyright", "license", "repository"]
SOURCE_KEYS = ["id", "title", "author", "name", "editors_note", "publisher", "section", "date", "url", "kind", "rights",
               "rights_note", "highlights", "label"]
EXPLAINER_KEYS = ["id", "title", "dek", "date", "updated", "byline", "sources", "parties", "name", "short"]

scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.dates()
           | st.text(max_size=20) | st.sampled_from(["src", "us", "russia", "2020-01-02", "https://example.org/", "full", "news"]))


def yaml_values(keys: list[str]):
    """Nested YAML-able values whose mapping keys are mostly the format's own."""
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), children, max_size=6),
        max_leaves=20,
    )


def shaped(fields: dict, keys: list[str], required: tuple[str, ...]):
    """Mappings of the format's own keys, each value mostly one that fits, sometimes anything."""
    value = {key: st.one_of(fitting, fitting, fitting, yaml_values(keys)) for key, fitting in fields.items()}
    return st.fixed_dictionaries(
        {key: value[key] for key in required}, optional={key: value[key] for key in fields if key not in required}
    )


text = st.text(min_size=1, max_size=30)
SITE_FIELDS = {"title": text, "description": text, "language": st.sampled_from(["en", "en-GB", "fr"]),
               "base_url": st.just("https://example.org/desk/"), "publisher": text, "license": text}
SOURCE_FIELDS = {"title": text, "author": st.fixed_dictionaries({"name": text}), "publisher": text, "date": st.dates(),
                 "url": st.just("https://example.org/a"), "kind": st.just("news"), "rights": st.sampled_from(["full", "excerpts"]),
                 "highlights": st.lists(text, max_size=3), "label": text}
EXPLAINER_FIELDS = {"title": text, "dek": text, "date": st.dates(), "byline": text, "sources": st.just(["src"]),
                    "parties": st.just([{"id": "us", "name": "The US"}, {"id": "russia", "name": "Russia"}])
                    | st.lists(st.fixed_dictionaries({"id": st.sampled_from(["us", "russia", "uk", "analysis"]), "name": text}), max_size=4)}


def dumped(keys: list[str], fields: dict, required: tuple[str, ...]):
    documents = shaped(fields, keys, required) | yaml_values(keys)
    return documents.map(lambda value: yaml.safe_dump(value, allow_unicode=True))


# Text made of the characters and words that YAML, Markdown and citations give meaning to.
SYNTAX = ":-[]{}#&*!|>'\"%@`,?\t\n \\¶“”„‘’–—\r\x85\u2028\ufeff\x00é"
WORDS = ["---", "...", "title: ", "- ", "## ", "### ", "### us", "### russia", "### analysis", "Summary: ", "Not stated: ",
         "Framing: ", "[@src ¶1]", "[@src ¶2 \"with a dash\"]", "[@src", "¶", " {#why}", "\n\n", "<script>", "[x](javascript:y)",
         "&amp;", "| a |\n|---|\n| b |\n", "```\n", "> ", "1. ", "![i](x.png)", "&#106;", "\\"]
syntax_text = st.lists(st.text(alphabet=SYNTAX + "abc019", max_size=6) | st.sampled_from(WORDS), max_size=30).map("".join)


def mutated(text: str):
    """`text` with a few characters or words inserted, deleted or replaced at random places."""
    edit = st.tuples(st.integers(0, len(text)), st.integers(0, 5), syntax_text.map(lambda s: s[:12]))

    def apply(edits):
        result = text
        for position, deleted, inserted in edits:
            position = min(position, len(result))
            result = result[:position] + inserted + result[position + deleted:]
        return result

    return st.lists(edit, min_size=1, max_size=4).map(apply)


def line_count(path: Path) -> int:
    data = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data.count(b"\n") + 1


def build_or_locate(files: dict[str, str | bytes]) -> None:
    """Render a site made of `files` over the minimal one; any problem must point into a file."""
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder), files)
        try:
            render(Paths(content=root))
        except ContentError as error:
            event("content error")
            assert error.problems
            for problem in error.problems:
                assert problem.message and problem.path.is_relative_to(root), str(problem)
                assert problem.path.exists(), str(problem)
                assert problem.line >= 1, str(problem)
                if problem.path.is_file():
                    assert problem.line <= line_count(problem.path), f"{problem} (the file has {line_count(problem.path)} lines)"
        else:
            event("built")


@FUZZ
@given(dumped(SITE_KEYS, SITE_FIELDS, ("title", "description")))
def test_any_yaml_document_as_site_settings(document):
    build_or_locate({"site.yaml": document})


@FUZZ
@given(syntax_text)
def test_any_text_as_site_settings(text):
    build_or_locate({"site.yaml": text})


@FUZZ
@given(dumped(SOURCE_KEYS, SOURCE_FIELDS, ("title", "author", "publisher", "date", "url", "kind", "rights")),
       dumped(EXPLAINER_KEYS, EXPLAINER_FIELDS, ("title", "dek", "date", "sources", "parties")))
def test_any_yaml_front_matter(source, explainer):
    build_or_locate({
        "sources/src.md": f"---\n{source}---\n\nFirst paragraph.\n",
        "explainers/ex.md": f"---\n{explainer}---\n\nIntro [@src ¶1].\n",
    })


@FUZZ
@given(mutated(SOURCE), mutated(EXPLAINER))
def test_any_edit_of_valid_files(source, explainer):
    build_or_locate({"sources/src.md": source, "explainers/ex.md": explainer})


@FUZZ
@given(syntax_text)
def test_any_markdown_body(body):
    front_matter = EXPLAINER.split("\n---\n", 1)[0] + "\n---\n"
    build_or_locate({"explainers/ex.md": front_matter + body})


@FUZZ
@given(st.binary(max_size=200))
def test_any_bytes_as_a_source(data):
    build_or_locate({"sources/src.md": data})


citation_text = st.lists(
    st.sampled_from(["@", "@src", "@other", " ", "¶", "¶1", "¶2", "¶3", "-", "–", ",", ";", "\"", "“", "”", "„", "'", "]", "[",
                     "with a dash", "the West’s view", "\n", "99999999", "0", "a"]),
    max_size=12,
).map(lambda parts: "[@" + "".join(parts) + "]")


@FUZZ
@given(citation_text)
def test_any_citation_in_prose(citation):
    build_or_locate({"explainers/ex.md": EXPLAINER.replace("[@src ¶1]", citation)})


@settings(max_examples=1000, deadline=None)
@given(citation_text | st.text(max_size=40).map(lambda text: "[@" + text))
def test_citation_parser_reads_or_explains_any_text(text):
    end = find_group_end(text, 0)
    assert end == -1 or text[end] == "]"
    if end > 0:
        try:
            refs = parse_group(text[: end + 1])
        except CitationSyntaxError as error:
            assert str(error)
        else:
            assert refs and all(ref.paragraphs for ref in refs)


# --- the promise, fuzzed: what a reader sees is cited, and what it quotes is in what it cites --------------------

PLAIN_WORDS = ["Russia", "the US", "wants", "peace", "war", "said", "about", "First", "view", "U.S.", "it's", "Mr.", "West's"]
RISKY_WORDS = ["'", '"', "“", "”", "‘", "’", "*", "_", "…", ".", "?", "!", ",", ":", "`code`",
               "[a link](https://example.org/)", "\\", "<b>", "&amp;"]
QUOTATIONS = ['"about the West’s view"', '"with a dash"', '"Second paragraph"', '"not in the source"', "'the West's view'",
              "“with a dash”", '"war"{.term}', '"peace"{.title}', '"First … view"', '"[Second] paragraph"', '"*with* a dash"',
              '"First paragraph about the West’s view."', "„with a dash“", '"with a\ndash"', '"West\u200b’s"']
CITES = ["[@src ¶1]", "[@src ¶2]", "[@src ¶1-2]", '[@src ¶2 "with a dash"]', '[@src ¶1 "the West’s view"]', "[@src ¶1; @src ¶2]"]

claim_words = st.sampled_from(PLAIN_WORDS) | st.sampled_from(QUOTATIONS) | st.sampled_from(RISKY_WORDS)
sentences = st.tuples(st.lists(claim_words, min_size=1, max_size=6),
                      st.sampled_from(CITES) | st.just(""), st.sampled_from([".", "", "!"])).map(
    lambda parts: " ".join(parts[0]) + (" " + parts[1] if parts[1] else "") + parts[2])
paragraphs = st.lists(sentences, min_size=1, max_size=3).map(" ".join)
written_blocks = st.one_of(  # blocks the format allows, cited or not
    paragraphs,
    st.sampled_from(["Framing: ", "Not stated: ", "Summary: "]).flatmap(lambda label: paragraphs.map(lambda p: label + p)),
    st.lists(paragraphs, min_size=1, max_size=3).map(lambda items: "\n".join(f"- {item}" for item in items)),
    st.lists(paragraphs, min_size=1, max_size=3).map(lambda items: "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))),
    paragraphs.map(lambda p: "> " + p),
    paragraphs.map(lambda p: "- > " + p),
    st.lists(paragraphs.map(lambda p: p.replace("|", "/").replace("\n", " ")), min_size=1, max_size=3).map(
        lambda rows: "|  |  |\n|---|---|\n" + "\n".join(f"| {row} | x |" for row in rows)),
)
refused_blocks = st.one_of(  # blocks the format refuses, or that Markdown would show other than as written
    paragraphs.map(lambda p: "    " + p),
    paragraphs.map(lambda p: "```\n" + p + "\n```"),
    paragraphs.map(lambda p: "#### " + p),
    paragraphs.map(lambda p: "> ## " + p),
    st.sampled_from(["[@src ¶2]: Moscow", "[x]: https://example.org/", "***", "Intro\n===", "[[@src ¶1]]", "[see [@src ¶1]](https://example.org/)"]),
)
slot = st.lists(paragraphs | written_blocks, max_size=2).map(lambda items: "".join(f"\n\n{item}" for item in items))
refused_slot = st.just("") | refused_blocks.map(lambda block: f"\n\n{block}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slot, slot, sentences, slot, sentences, slot, refused_slot)
def test_any_explainer_body_is_refused_or_published_cited(intro, context, us_summary, us_more, russia_summary, russia_more, refused):
    """For any body: the build refuses it with located problems, or every block a reader sees is cited or editorial,
    and every quoted run is in a paragraph it cites (the reader's view, tests/readerview.py)."""
    from readerview import duplicate_ids, explainer_article, explainer_pages, load_sources, parse, prose_blocks, uncited, unverified_quotes

    front_matter = EXPLAINER.split("\n---\n", 1)[0] + "\n---\n"
    body = (f"Intro [@src ¶1].{intro}{refused}\n\n## Why? {{#why}}{context}\n\n### us\n\nSummary: {us_summary}{us_more}"
            f"\n\n### russia\n\nSummary: {russia_summary}{russia_more}\n")
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder), {"explainers/ex.md": front_matter + body})
        try:
            pages, _ = render(Paths(content=root))
        except ContentError as error:
            event("refused")
            for problem in error.problems:
                assert problem.path.is_file() and 1 <= problem.line <= line_count(problem.path), str(problem)
            return
        event("published")
        sources = load_sources(root)
        for path, html in explainer_pages(pages).items():
            page = parse(html)
            blocks, _ = prose_blocks(explainer_article(page))
            assert uncited(blocks) == [], body
            assert unverified_quotes(blocks, sources) == [], body
            assert duplicate_ids(page) == [], body
