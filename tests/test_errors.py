"""Every kind of content mistake gets one line naming file and line, with the exact message."""
import re
import shutil

import pytest

from conftest import EXPLAINER, PROJECT, SOURCE, write_tree

ID_RULE = "an id of lower-case ASCII letters, digits and single hyphens, like 'russia-syria'"
CITATION_NEEDED = ("citation needed: every paragraph of prose cites its source, like [@src ¶3]; "
                   "start it with 'Framing:' if it is the explainer's own framing")
UNSAFE_LINK = "javascript:, vbscript:, data: and file: links are refused; link to an http:// or https:// address"


def intro(text: str) -> dict[str, str]:
    """The minimal site with the explainer's first paragraph (file line 13) replaced."""
    return {"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", text)}


INTRO = "Intro [@src ¶1]."


def edit(old: str, new: str) -> dict[str, str]:
    """The minimal site with one edit to the explainer."""
    return {"explainers/ex.md": EXPLAINER.replace(old, new)}


def bomb(levels: int) -> str:
    """YAML whose aliases expand to 10**levels values: the 'billion laughs'."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\ntitle: T\ndescription: D\n"


# One case per kind of mistake. docs/errors.md lists every one, message for message
# (test_error_catalogue_matches_these_cases keeps the two in step).
CASES = [
    # --- malformed YAML ---------------------------------------------------------------
    pytest.param({"site.yaml": "title: T\n\tdescription: D\n"},
                 ["site.yaml:2: malformed YAML: a tab character; indent YAML with spaces"], id="tab"),
    pytest.param({"sources/src.md": SOURCE.replace("  name: Ann Author", "\tname: Ann Author")},
                 ["sources/src.md:4: malformed YAML: a tab character; indent YAML with spaces"], id="tab-in-front-matter"),
    pytest.param({"site.yaml": 'title: "T\ndescription: D\n'},
                 ["site.yaml:1: malformed YAML: a quoted value is never closed; add the closing quote"], id="unclosed-quote"),
    pytest.param({"site.yaml": 'title: "T" and more\ndescription: D\n'},
                 ["site.yaml:1: malformed YAML: text after a quoted value; put the whole value inside the quotes"], id="text-after-quote"),
    pytest.param({"site.yaml": "title: Syria: a guide\ndescription: D\n"},
                 ["site.yaml:1: malformed YAML: unexpected ':' here; check this line's indentation, or put quotes around "
                  "a value that contains ': '"], id="colon-in-value"),
    pytest.param({"sources/src.md": SOURCE.replace("  name: Ann Author", "  name: Ann Author\n description: x")},
                 ["sources/src.md:5: malformed YAML: this key is indented differently from the keys above it; line them up"],
                 id="bad-indentation"),
    pytest.param({"site.yaml": "title: T\x00\ndescription: D\n"},
                 ["site.yaml:1: malformed YAML: the character U+0000 is not allowed in YAML; remove it"], id="nul-character"),
    pytest.param({"site.yaml": 'title: "a\u2028b"\ndescription: D\ncolour: red\n'},
                 ["site.yaml:3: unknown key 'colour' in site.yaml; valid keys: base_url, copyright, description, "
                  "home, language, license, publisher, repository, title"], id="line-separator-in-a-value"),
    pytest.param({"site.yaml": "title: T\ndescription: D\ntitle: U\n"},
                 ["site.yaml:3: duplicate key 'title' (first on line 1); keep one of them"], id="duplicate-key"),
    pytest.param({"site.yaml": "title: T\ndescription: D\n---\ntitle: U\n"},
                 ["site.yaml:3: malformed YAML: a second document ('---') in a file that holds one; remove the extra '---'"],
                 id="second-document"),
    pytest.param({"site.yaml": "title: !!python/object:os.system x\ndescription: D\n"},
                 ["site.yaml:1: malformed YAML: unknown tag '!!python/object:os.system'; remove it: content files hold plain "
                  "text, numbers, dates, lists and mappings"], id="unknown-tag"),
    pytest.param({"sources/src.md": SOURCE.replace("date: 2020-01-02", "date: 2020-02-30")},
                 ["sources/src.md:6: malformed YAML: '2020-02-30' is not a valid date (day is out of range for month)"],
                 id="impossible-date"),
    pytest.param({"site.yaml": bomb(6)},
                 ["site.yaml:4: malformed YAML: more than 10000 values, usually from repeated aliases (*name); write the values out"],
                 id="alias-bomb"),
    pytest.param({"site.yaml": "title: &t [a, *t]\ndescription: D\n"},
                 ["site.yaml:1: malformed YAML: an alias (*name) refers to the value that contains it; write the value out"],
                 id="recursive-alias"),
    pytest.param({"site.yaml": "title: " + "[" * 30 + "]" * 30 + "\ndescription: D\n"},
                 ["site.yaml:1: malformed YAML: values nested more than 20 levels deep"], id="deep-nesting"),
    # --- wrong types --------------------------------------------------------------------
    pytest.param({"sources/src.md": SOURCE.replace("date: 2020-01-02", "date: yesterday")},
                 ["sources/src.md:6: 'date' must be a date written YYYY-MM-DD; found: 'yesterday'"], id="wrong-type"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("title: An explainer", "title: [Syria, Russia]")},
                 ["explainers/ex.md:2: 'title' must be text; found: a list"], id="list-as-title"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("title: An explainer", "id: 1.5\ntitle: An explainer")},
                 [f"explainers/ex.md:2: 'id' must be {ID_RULE}; found: '1.5'"], id="number-as-id"),
    pytest.param({"sources/src.md": SOURCE.replace("title: A source", "title: !!binary aGVsbG8=")},
                 ["sources/src.md:2: 'title' must be text; found: b'hello'"], id="binary-as-title"),
    pytest.param({"site.yaml": 'title: "T\\x07"\ndescription: D\n'},
                 ["site.yaml:1: 'title' must be text without control characters; found: 'T\\x07'"], id="control-character"),
    pytest.param({"sources/src.md": SOURCE.replace("kind: news", "kind: blog")},
                 ["sources/src.md:8: 'kind' must be one of: opinion, analysis, news, statement, report, interview, "
                  "transcript, press statement, speech, remarks; found: 'blog'"], id="bad-choice"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("sources: [src]", "sources: src")},
                 ["explainers/ex.md:5: 'sources' must be a list; found: 'src'"], id="not-a-list"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("  - id: russia\n    name: Russia\n", "  - russia\n")},
                 ["explainers/ex.md:9: each item of 'parties' must be a mapping of keys to values; found: 'russia'"],
                 id="party-not-a-mapping"),
    pytest.param({"sources/src.md": SOURCE.replace("rights: full", "rights: full\nhighlights: [[one, two]]")},
                 ["sources/src.md:10: each item of 'highlights' must be text; found: a list"], id="list-item-of-the-wrong-type"),
    pytest.param({"site.yaml": "[1, 2]: one\ntitle: T\ndescription: D\n"},
                 ["site.yaml:1: keys must be text; found: a list"], id="key-not-text"),
    pytest.param({"site.yaml": "# to do\n"},
                 ["site.yaml:1: site.yaml must be a mapping of keys to values; found: nothing"], id="null-document"),
    pytest.param({"site.yaml": "title: T\ndescription: D\nlanguage: English\n"},
                 ["site.yaml:1: 'language' must be a language tag like en or en-GB; found: 'English'"], id="bad-language"),
    pytest.param({"sources/src.md": SOURCE.replace("https://example.org/source", "javascript:alert(1)")},
                 ["sources/src.md:7: 'url' must be an http:// or https:// URL; found: 'javascript:alert(1)'"], id="script-url"),
    pytest.param({"site.yaml": "title: T\ndescription: D\nrepository: 'https://example.org/a b'\n"},
                 ["site.yaml:3: 'repository' must be an http:// or https:// URL; found: 'https://example.org/a b'"],
                 id="url-with-space"),
    pytest.param({"site.yaml": "title: T\ndescription: D\nbase_url: data:text/html,hi\n"},
                 ["site.yaml:3: 'base_url' must be an http:// or https:// URL; found: 'data:text/html,hi'"], id="data-base-url"),
    # --- unknown and missing keys ---------------------------------------------------------
    pytest.param({"site.yaml": "title: T\ndescription: D\ncolour: red\n"},
                 ["site.yaml:3: unknown key 'colour' in site.yaml; valid keys: base_url, copyright, description, "
                  "home, language, license, publisher, repository, title"], id="unknown-key"),
    pytest.param({"site.yaml": "title: T\n"}, ["site.yaml:1: site.yaml is missing required key 'description'"], id="missing-key"),
    pytest.param({"sources/src.md": SOURCE.replace("publisher: Paper\n", "")},
                 ["sources/src.md:1: source front matter is missing required key 'publisher'"], id="missing-key-in-front-matter"),
    pytest.param({"sources/src.md": SOURCE.replace("rights: full", "rights: full\npartial_note: the opening only")},
                 ["sources/src.md:10: 'partial_note' describes a partial text: add 'partial: true', or remove the note"],
                 id="partial-note-without-partial"),
    pytest.param({"sources/src.md": SOURCE.replace("rights: full", "rights: full\npartial: yes please")},
                 ["sources/src.md:10: 'partial' must be true or false; found: 'yes please'"], id="partial-not-true-or-false"),
    pytest.param({"sources/src.md": SOURCE.replace("  name: Ann Author", "  description: A writer")},
                 ["sources/src.md:3: 'author' is missing required key 'name'"], id="missing-nested-key"),
    # --- files and folders -----------------------------------------------------------------
    pytest.param({"site.yaml": None},
                 ["site.yaml:1: site settings not found: create site.yaml with at least 'title' and 'description'"],
                 id="missing-settings"),
    pytest.param({"sources/src.md": None},
                 ["sources:1: folder not found: a site needs sources/ and explainers/ folders of .md files"], id="missing-folder"),
    pytest.param({"sources/src.md": None, "sources": "not a folder"},
                 ["sources:1: expected a folder of .md files; found a file"], id="folder-is-a-file"),
    pytest.param({"explainers/ex.md": None, "explainers/notes.txt": "ideas"},
                 ["explainers:1: no .md files in this folder; a site needs at least one explainer"], id="no-markdown-files"),
    pytest.param({"sources/draft.md/notes.txt": "ideas"},
                 ["sources/draft.md:1: expected a file; found a folder"], id="folder-named-like-a-file"),
    pytest.param({"sources/src.md": ""}, ["sources/src.md:1: the file is empty; write its content or delete it"], id="empty-file"),
    pytest.param({"sources/src.md": SOURCE.encode().replace(b"First", b"F\xffirst")},
                 ["sources/src.md:12: not UTF-8 text: byte 0xff cannot be decoded; save the file as UTF-8"], id="not-utf8"),
    pytest.param({"sources/src.md": SOURCE.encode() + b"x" * 10_000_000},
                 ["sources/src.md:1: the file is 10.0 MB; content files must be under 10 MB"], id="huge-file"),
    pytest.param({"explainers/ex.md": "hello\n"},
                 ["explainers/ex.md:1: expected front matter: the file must start with a line '---'"], id="no-front-matter"),
    pytest.param({"explainers/ex.md": "---\ntitle: T\n"},
                 ["explainers/ex.md:1: front matter is not closed: add a line '---' after it"], id="front-matter-not-closed"),
    pytest.param({"sources/src.md": SOURCE.split("First")[0]},
                 ["sources/src.md:11: the source has no paragraphs: paste the article's text below the front matter"], id="no-paragraphs"),
    pytest.param({"sources/src.md": SOURCE + "\nMore.\n" * 9_998},
                 ["sources/src.md:20010: the source has 10000 paragraphs; at most 9999 can be numbered: split it into parts"],
                 id="too-many-paragraphs"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("dek: Two sides.", "dek: Two sides: ours and theirs.")
                  .replace("Intro [@src ¶1].", "Intro [@src 1].")},
                 ["explainers/ex.md:3: malformed YAML: unexpected ':' here; check this line's indentation, or put quotes "
                  "around a value that contains ': '",
                  "explainers/ex.md:13: citation [@src 1]: expected ¶ and a paragraph number, like ¶13; found: '1'"],
                 id="body-checked-despite-broken-front-matter"),
    # --- ids: unique, and safe as file and URL names --------------------------------------
    pytest.param({"sources/other.md": SOURCE.replace("title: A source", "id: src\ntitle: A source")},
                 ["sources/src.md:1: duplicate source id 'src' (also used by other.md); rename one file or set its 'id'"],
                 id="duplicate-source"),
    pytest.param({"explainers/other.md": EXPLAINER.replace("title: An explainer", "id: ex\ntitle: An explainer")},
                 ["explainers/other.md:1: duplicate explainer id 'ex' (also used by ex.md); rename one file or set its 'id'"],
                 id="duplicate-explainer"),
    pytest.param({"explainers/ex.md": EXPLAINER + "\n## Again? {#why}\n\n### us\n\nNot stated: no.\n\n### russia\n\nNot stated: no.\n"},
                 ["explainers/ex.md:25: duplicate topic id 'why' (first on line 15); give each topic its own, like "
                  "'## A question? {#an-id}'"], id="duplicate-topic"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("id: russia", "id: us")},
                 ["explainers/ex.md:9: duplicate party id 'us'; give each party its own id"], id="duplicate-party"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("title: An explainer", "id: ../evil\ntitle: An explainer")},
                 [f"explainers/ex.md:2: 'id' must be {ID_RULE}; found: '../evil'"], id="unsafe-id-traversal"),
    pytest.param({"sources/src.md": SOURCE.replace("title: A source", "id: news/src\ntitle: A source")},
                 [f"sources/src.md:2: 'id' must be {ID_RULE}; found: 'news/src'"], id="unsafe-id-slash"),
    pytest.param({"sources/src.md": SOURCE.replace("title: A source", "id: my source\ntitle: A source")},
                 [f"sources/src.md:2: 'id' must be {ID_RULE}; found: 'my source'"], id="unsafe-id-space"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("id: russia", "id: россия")},
                 [f"explainers/ex.md:9: 'id' must be {ID_RULE}; found: 'россия'"],
                 id="unsafe-id-non-ascii"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("{#why}", "{#../why}")},
                 [f"explainers/ex.md:15: topic id '../why' must be {ID_RULE}"], id="unsafe-topic-id"),
    pytest.param({"sources/src.md": None, "sources/my source.md": SOURCE},
                 [f"sources/my source.md:1: the file name 'my source' is not a usable id: rename it or set 'id' to {ID_RULE}"],
                 id="unsafe-file-name-space"),
    pytest.param({"explainers/ex.md": None, "explainers/Ünïcode.md": EXPLAINER},
                 [f"explainers/Ünïcode.md:1: the file name 'Ünïcode' is not a usable id: rename it or set 'id' to {ID_RULE}"],
                 id="unsafe-file-name-non-ascii"),
    # --- the shape of an explainer -------------------------------------------------------------
    pytest.param({"explainers/ex.md": EXPLAINER.replace("### russia", "### usa")},
                 ["explainers/ex.md:21: unknown section '### usa'; expected one of: us, russia, analysis; found: 'usa'"], id="unknown-party"),
    pytest.param({"explainers/ex.md": EXPLAINER.split("### russia")[0]},
                 ["explainers/ex.md:15: topic 'why' has no position for Russia: add '### russia' with a 'Summary:', "
                  "or 'Not stated:' if the source does not say"], id="missing-position"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("Summary: Two", "Two")},
                 ["explainers/ex.md:21: the position of Russia in topic 'why' needs a 'Summary:' paragraph first "
                  "(one cited line, shown at a glance), or 'Not stated:'"], id="missing-summary"),
    pytest.param(intro("# Title\n\nIntro [@src ¶1]."),
                 ["explainers/ex.md:13: unexpected heading level 1: use '## ' for a topic and '### ' for a party or "
                  "the analysis (the title comes from the front matter)"], id="stray-heading"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("  - id: russia\n    name: Russia\n", "")},
                 ["explainers/ex.md:7: an explainer compares 2 or 3 parties; found: 1"], id="one-party"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("sources: [src]", "sources: []")},
                 ["explainers/ex.md:5: 'sources' must list at least one source id"], id="no-sources"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("id: russia", "id: analysis")},
                 ["explainers/ex.md:9: party id 'analysis' is reserved; choose another (reserved: analysis, context, intro, "
                  "summary, unstated)"], id="reserved-party-id"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("{#why}", "{#intro}")},
                 ["explainers/ex.md:15: topic id 'intro' is reserved; choose another"], id="reserved-topic-id"),
    pytest.param(intro("### us\n\nIntro [@src ¶1]."),
                 ["explainers/ex.md:13: '### us' must come after a topic heading ('## A question?')"], id="section-before-any-topic"),
    pytest.param({"explainers/ex.md": EXPLAINER + "\n### us\n\nMore [@src ¶1].\n"},
                 ["explainers/ex.md:25: duplicate section '### us' in topic 'why' (first on line 17)"], id="duplicate-section"),
    pytest.param(intro("Summary: Intro [@src ¶1]."),
                 ["explainers/ex.md:13: 'Summary:' belongs at the start of a party's position ('### <party>')"],
                 id="summary-outside-a-position"),
    pytest.param(intro("Not stated: Intro."),
                 ["explainers/ex.md:13: 'Not stated:' belongs in a party's position ('### <party>')"], id="not-stated-outside-a-position"),
    pytest.param({"explainers/ex.md": EXPLAINER + "\nFraming: our own words.\n"},
                 ["explainers/ex.md:25: 'Framing:' paragraphs belong in the introduction or a topic's context, not under '### '"],
                 id="framing-in-a-position"),
    pytest.param({"explainers/ex.md": EXPLAINER + "\nSummary: Again [@src ¶2].\n"},
                 ["explainers/ex.md:25: 'Summary:' must be the first paragraph of a position, and appear once"], id="second-summary"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace('Summary: Two [@src ¶2 "with a dash"]', "Not stated: silent.\n\nYet [@src ¶2].")},
                 ["explainers/ex.md:25: a 'Not stated:' position holds nothing else: remove its other paragraphs or the "
                  "'Not stated:' line"], id="not-stated-with-more"),
    # --- citations ----------------------------------------------------------------------------
    pytest.param({"explainers/ex.md": EXPLAINER.replace('¶2 "with', '¶31 "with')},
                 ["explainers/ex.md:23: citation [@src ¶31 \"with a dash\"]: source 'src' has 2 paragraphs; there is no ¶31"],
                 id="missing-paragraph"),
    pytest.param(intro("Intro [@nope ¶1]."),
                 ["explainers/ex.md:13: citation [@nope ¶1]: unknown source 'nope'; this explainer's sources: src"], id="unknown-source"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("sources: [src]", "sources: [src, gone]")},
                 ["explainers/ex.md:5: unknown source 'gone'; known sources: src"], id="unknown-listed-source"),
    pytest.param({"sources/other.md": SOURCE, **intro("Intro [@other ¶1].")},
                 ["explainers/ex.md:13: citation [@other ¶1]: source 'other' is not listed in this explainer's 'sources'"],
                 id="source-not-listed"),
    pytest.param(intro("Intro [@src 1]."),
                 ["explainers/ex.md:13: citation [@src 1]: expected ¶ and a paragraph number, like ¶13; found: '1'"], id="bad-syntax"),
    pytest.param(intro("Intro [@src]."),
                 ["explainers/ex.md:13: citation [@src]: '@src' needs a paragraph number, like [@src ¶13]"], id="no-paragraph-number"),
    pytest.param(intro("Intro [@ ¶1]."),
                 ["explainers/ex.md:13: citation [@ ¶1]: expected '@' and a source id, like @lain; found: '@ ¶1'"], id="no-source-id"),
    pytest.param(intro("Intro [@src ¶2-1]."),
                 ["explainers/ex.md:13: citation [@src ¶2-1]: the range ¶2-1 runs backwards; write ¶1-2"], id="backwards-range"),
    pytest.param(intro("Intro [@src ¶1 page 3]."),
                 ["explainers/ex.md:13: citation [@src ¶1 page 3]: unexpected text 'page 3'; a quote goes in double quotes, "
                  "like \"exact words\""], id="text-after-paragraph-number"),
    pytest.param(intro('Intro [@src ¶1 "First paragraph" p. 3].'),
                 ["explainers/ex.md:13: citation [@src ¶1 \"First paragraph\" p. 3]: unexpected text after the quote: 'p. 3'"],
                 id="text-after-quote-in-citation"),
    pytest.param(intro('Intro [@src ¶1 ""].'),
                 ["explainers/ex.md:13: citation [@src ¶1 \"\"]: the quote is empty; remove the quotes or put the cited words "
                  "between them"], id="empty-quote"),
    pytest.param(intro("Intro [src ¶1]."),
                 [f"explainers/ex.md:13: {CITATION_NEEDED}"], id="citation-without-at"),
    pytest.param(intro("Intro [@src ¶1-99999999]."),
                 ["explainers/ex.md:13: citation [@src ¶1-99999999]: ¶99999999 is beyond the last paragraph of any source "
                  "(at most ¶9999); check the number"], id="huge-paragraph-range"),
    pytest.param(intro("Intro\nsecond line [@src ¶1"),
                 ["explainers/ex.md:14: citation [@src ¶1: the citation is not closed; add ']'"], id="unclosed-citation"),
    pytest.param({"sources/src.md": SOURCE.replace("with a dash", 'with a "dash"'),
                  "explainers/ex.md": EXPLAINER.replace('"with a dash"', '“with a "dash"”')},
                 ["explainers/ex.md:23: citation [@src ¶2 “with a \"dash\"”]: the ']' is read as part of the quote, as its double "
                  "quotes do not pair up; write quotation marks inside a quote as “ and ”"], id="quotes-inside-a-quote"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("with a dash", "with a hyphen")},
                 ["explainers/ex.md:23: citation [@src ¶2 \"with a hyphen\"]: the quote \"with a hyphen\" does not appear in ¶2 of 'src'"],
                 id="misquote"),
    pytest.param(intro("Intro with no citation."), [f"explainers/ex.md:13: {CITATION_NEEDED}"], id="citation-needed"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("## Why? {#why}", "## Why [@src ¶1]? {#why}")},
                 ["explainers/ex.md:15: a citation in the heading 'Why [@src ¶1]?': cite in the paragraphs below it, not in a heading"],
                 id="citation-in-heading"),
    # --- nothing unverified is published: every block cited, quoted words checked, nothing dropped (issue 13) ---
    pytest.param(intro(INTRO + "\n\n    Russia wants war [@src ¶2]."),
                 ['explainers/ex.md:15: this block is indented by four spaces (or a tab), so it would be shown as code, uncited; remove the indentation'],
                 id="indented-paragraph"),
    pytest.param(intro(INTRO + "\n\n```\nRussia wants war.\n```"),
                 ["explainers/ex.md:15: a code block would be shown as it is, uncited: an explainer's prose is cited paragraphs; remove the fence lines around it"],
                 id="code-block"),
    pytest.param(intro(INTRO + "\n\n|  |  |\n|---|---|\n| Russia | wants war [@src ¶1] |\n| The US | wants peace |"),
                 ['explainers/ex.md:18: citation needed: every row of a table cites its source in one of its cells, like [@src ¶3]; the header row too, or leave its cells empty'],
                 id="uncited-table-row"),
    pytest.param(intro(INTRO + "\n\n> ## Russia wants war"),
                 ["explainers/ex.md:15: a heading inside a list or block quote is shown uncited; write it as a cited paragraph, or as '## ' or '### ' at the start of a line"],
                 id="heading-inside-a-block"),
    pytest.param(intro(INTRO + "\n\n[@src ¶2]: Moscow"),
                 ["explainers/ex.md:15: '[@src ¶2]:' at the start of a line makes it a link definition, which is never shown; put the citation at the end of the sentence it supports"],
                 id="citation-read-as-link-definition"),
    pytest.param(intro(INTRO + "\n\n[moscow]: https://example.org/"),
                 ["explainers/ex.md:15: '[moscow]: ...' is read as a link definition that no link uses, and is never shown; remove it, or link to it like [words][moscow]"],
                 id="unused-link-definition"),
    pytest.param(intro(INTRO + "\n\n" + "> " * 20 + "Deep [@src ¶1]."),
                 ['explainers/ex.md:15: lists and block quotes nested this deep cannot be shown; nest them less deeply'],
                 id="nested-too-deep"),
    pytest.param({"explainers/ex.md": EXPLAINER.split("## Why?")[0]},
                 ["explainers/ex.md:13: the explainer has no topics: add at least one '## A question?' with a '### ' section for each party"],
                 id="no-topics"),
    pytest.param(edit("## Why? {#why}", "## {#why}"),
                 ["explainers/ex.md:15: a topic heading without a title: write the question, like '## Why did the talks collapse?'"],
                 id="topic-without-title"),
    pytest.param(edit("sources: [src]", "sources:\n  - src\n  - src"),
                 ["explainers/ex.md:7: source 'src' is listed twice in 'sources' (first on line 6); list each source once"],
                 id="source-listed-twice"),
    pytest.param(edit("date: 2020-02-03", "date: 2020-02-03\nupdated: 2020-01-01"),
                 ["explainers/ex.md:5: 'updated' (2020-01-01) is before 'date' (2020-02-03); 'updated' is the date of the last change after publication"],
                 id="updated-before-date"),
    pytest.param(edit("{#why}", "{#main}"),
                 ["explainers/ex.md:15: topic id 'main' is reserved; choose another"],
                 id="page-id-as-topic-id"),
    pytest.param(edit("## Why? {#why}", "## Why us? {#why-us}\n\n### us\n\nSummary: A [@src ¶1]\n\n### russia\n\nSummary: B [@src ¶2]\n\n## Why? {#why}"),
                 ["explainers/ex.md:27: the section '### us' of topic 'why' gives the page the id 'why-us', which topic 'why-us' (line 15) gives it too; give one of the topics its own id, like '## A question? {#an-id}'"],
                 id="colliding-ids"),
    pytest.param({"explainers/ex.md": EXPLAINER.replace("id: us", "id: heading")
                  .replace("### us", "### heading").replace("{#why}", "{#notes}")},
                 ["explainers/ex.md:17: the section '### heading' of topic 'notes' gives the page the id 'notes-heading', "
                  "which the page itself uses; give the topic another id"],
                 id="topic-making-a-page-id"),
    pytest.param(intro("Intro [[@src ¶1]]."),
                 ['explainers/ex.md:13: citation [@src ¶1]: the extra brackets around it are printed as they are; write [@src ¶1]'],
                 id="citation-in-brackets"),
    pytest.param(intro("Intro [see [@src ¶1]](https://example.org/)."),
                 ["explainers/ex.md:13: citation [@src ¶1]: a citation inside a link's text stops the link working, and its brackets are printed; put the citation after the link, like [the report](https://example.org/) [@src ¶1]"],
                 id="citation-inside-link-text"),
    pytest.param(intro("Intro [@src ¶１]."),
                 ["explainers/ex.md:13: citation [@src ¶１]: '¶１' is written with '１' (fullwidth digit one); write the number with the digits 0-9: ¶1"],
                 id="full-width-digit"),
    pytest.param(intro('Ann Author writes that "Washington alone is to blame" [@src ¶1].'),
                 ['explainers/ex.md:13: the quoted words "Washington alone is to blame" are not in ¶1 of \'src\', which the sentence cites; quote the source word for word, or mark words quoted from elsewhere, like "so-called"{.term}'],
                 id="misquote-in-prose"),
    pytest.param(intro('Ann Author writes "with a dash" [@src ¶1].'),
                 ['explainers/ex.md:13: the quoted words "with a dash" are not in ¶1 of \'src\', which the sentence cites (found in ¶2)'],
                 id="misquote-in-prose-found-elsewhere"),
    pytest.param(intro('Intro [@src ¶1 "with a dash"].'),
                 ['explainers/ex.md:13: citation [@src ¶1 "with a dash"]: the quote "with a dash" does not appear in ¶1 of \'src\' (found in ¶2)'],
                 id="misquote-found-elsewhere"),
    pytest.param(intro('Intro "the West\u200b’s view" [@src ¶1].'),
                 ['explainers/ex.md:13: the quoted words "the West\u200b’s view" are not in ¶1 of \'src\', which the sentence cites; the quote has an invisible zero width space (U+200B) after \'West\'; retype the words around it'],
                 id="quote-with-invisible-character"),
    pytest.param({"sources/src.md": SOURCE.replace("West’s", "West\u00ad’s"), **intro('Intro "the West’s" [@src ¶1].')},
                 ['explainers/ex.md:13: the quoted words "the West’s" are not in ¶1 of \'src\', which the sentence cites; ¶1 of \'src\' has an invisible soft hyphen (U+00AD) after \'West\'; retype the words around it',
                  'explainers/ex.md:19: citation [@src ¶1 "the West\'s view"]: the quote "the West\'s view" does not appear in ¶1 of \'src\'; ¶1 of \'src\' has an invisible soft hyphen (U+00AD) after \'West\'; retype the words around it'],
                 id="source-with-invisible-character"),
    pytest.param({"sources/src.md": SOURCE.replace("First paragraph", "First café paragraph"), **intro("Intro \"First cafe\u0301 paragraph\" [@src ¶1].")},
                 ['explainers/ex.md:13: the quoted words "First café paragraph" are not in ¶1 of \'src\', which the sentence cites; the quote has \'e\' followed by a separate combining acute accent (U+0301), not the single letter \'é\', in \'cafe\'; retype the words around it'],
                 id="quote-with-separate-accent"),
    pytest.param(intro("Intro, the so-called moderates{.scare} [@src ¶1]."),
                 ['explainers/ex.md:13: \'{.scare}\' marks words in quotation marks as quoted from elsewhere: put it right after the closing quotation mark, like "so-called"{.scare}'],
                 id="marker-without-quotation"),
    pytest.param(intro('Intro, the so-called "moderates"{.scar} [@src ¶1].'),
                 ["explainers/ex.md:13: unknown marker '{.scar}': words in quotation marks that are not from the source are marked {.term}, {.title} or {.scare}"],
                 id="unknown-marker"),

    # --- links that could run script ------------------------------------------------------------
    pytest.param(intro("Intro [click](javascript:alert(1)) [@src ¶1]."),
                 [f"explainers/ex.md:13: unsafe link 'javascript:alert(1)': {UNSAFE_LINK}"], id="javascript-link"),
    pytest.param(intro("Intro\n[click](JaVaScRiPt:alert(1)) [@src ¶1]."),
                 [f"explainers/ex.md:14: unsafe link 'JaVaScRiPt:alert(1)': {UNSAFE_LINK}"], id="javascript-link-mixed-case"),
    # --- browse pages: shared party ids, tags, the home page -----------------------------
    pytest.param({"explainers/other.md": EXPLAINER.replace("name: Russia", "name: The Russian Federation")},
                 ["explainers/other.md:9: party 'russia' is named 'The Russian Federation' here but 'Russia' in explainers/ex.md:9; "
                  "an id names one party in every explainer: use one name, or give this party another id"], id="one-party-id-two-names"),
    pytest.param(edit("sources: [src]", "sources: [src]\ntags: [syria, Middle East]"),
                 [f"explainers/ex.md:6: each item of 'tags' must be {ID_RULE}; found: 'Middle East'"], id="tag-not-a-slug"),
    pytest.param({"site.yaml": "title: T\ndescription: D\nhome: 0\n"},
                 ["site.yaml:3: 'home' must be a whole number above 0 (how many of the newest explainers the home page shows); found: '0'"],
                 id="home-not-positive"),
    pytest.param({"site.yaml": "title: T\ndescription: D\nhome: twenty\n"},
                 ["site.yaml:3: 'home' must be a whole number above 0 (how many of the newest explainers the home page shows); found: 'twenty'"],
                 id="home-not-a-number"),
    pytest.param(intro("Intro [click](&#106;avascript:alert(1)) [@src ¶1]."),
                 [f"explainers/ex.md:13: unsafe link 'javascript:alert(1)': {UNSAFE_LINK}"], id="javascript-link-entity"),
    pytest.param(intro("Intro <javascript:alert(1)> [@src ¶1]."),
                 [f"explainers/ex.md:13: unsafe link 'javascript:alert(1)': {UNSAFE_LINK}"], id="javascript-autolink"),
    pytest.param(intro("Intro [click][x] [@src ¶1].\n\n[x]: vbscript:msgbox(1)"),
                 [f"explainers/ex.md:13: unsafe link 'vbscript:msgbox(1)': {UNSAFE_LINK}"], id="vbscript-reference-link"),
    pytest.param(intro("Intro ![chart](data:image/svg+xml;base64,PHN2Zz4=) [@src ¶1]."),
                 [f"explainers/ex.md:13: unsafe link 'data:image/svg+xml;base64,PHN2Zz4=': {UNSAFE_LINK}"], id="data-image"),
]


@pytest.mark.parametrize("files, expected", CASES)
def test_bad_input_reports_file_line_and_exact_message(site, files, expected):
    assert site(files) == expected


def test_unreadable_file_is_a_content_error(site, tmp_path):
    (tmp_path / "content/sources").mkdir(parents=True)
    (tmp_path / "content/sources/gone.md").symlink_to(tmp_path / "nowhere.md")
    assert site() == ["sources/gone.md:1: cannot read file: No such file or directory"]


def test_all_problems_in_a_file_set_are_reported_together(site):
    reported = site({"site.yaml": "title: T\n", **intro("Intro.")})
    assert reported == [
        f"explainers/ex.md:13: {CITATION_NEEDED}",
        "site.yaml:1: site.yaml is missing required key 'description'",
    ]


def test_uncited_source_paragraph_is_a_warning_and_an_error_under_strict(site):
    files = {"sources/src.md": SOURCE + "\nThird.\n"}
    assert site(files) == []
    assert site(files, strict=True) == ["sources/src.md:16: ¶3 is not cited by any explainer (--strict makes warnings errors)"]


def test_topic_title_that_is_not_a_question_is_a_warning(site):
    files = {"explainers/ex.md": EXPLAINER.replace("## Why? {#why}", "## Reasons {#why}")}
    assert site(files) == []
    assert site(files, strict=True) == [
        "explainers/ex.md:15: topic title 'Reasons' is not a question; readers scan topics as questions "
        "(--strict makes warnings errors)"
    ]


def test_line_numbers_count_the_front_matter(site):
    # The citation sits on body line 3 of a paragraph that starts on file line 13.
    reported = site(intro("Intro\ncontinues\nhere [@src ¶9]."))
    assert reported == ["explainers/ex.md:15: citation [@src ¶9]: source 'src' has 2 paragraphs; there is no ¶9"]


CATALOGUE_ROW = re.compile(r"^\|(?P<mistake>[^|]+)\|(?P<messages>[^|]+)\|\s*`(?P<test>[^`]+)`\s*\|$")


def catalogue() -> dict[str, list[str]]:
    """docs/errors.md's rows: test name -> the messages it documents."""
    rows = {}
    for line in (PROJECT / "docs/errors.md").read_text(encoding="utf-8").splitlines():
        row = CATALOGUE_ROW.match(line)
        if row:
            rows[row["test"]] = re.findall(r"`([^`]+)`", row["messages"])
    return rows


def test_error_catalogue_matches_these_cases():
    documented = catalogue()
    for case in CASES:
        assert documented.get(case.id) == case.values[1], f"docs/errors.md: row for `{case.id}`"
    others = set(documented) - {case.id for case in CASES}
    for test in others:  # rows for mistakes tested elsewhere name their test: tests/test_x.py::test_y
        module, _, name = test.partition("::")
        name = name.partition("[")[0]  # a parametrized case: tests/test_x.py::test_y[case], checked by its own module
        assert f"def {name}(" in (PROJECT / module).read_text(encoding="utf-8"), f"docs/errors.md names a missing test {test}"


def test_template_syntax_error_names_the_template_file_and_line(tmp_path):
    from evidence.build import Paths, render
    from evidence.errors import ContentError

    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    (templates / "404.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{% if %}\n{% endblock %}\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        render(Paths(content=write_tree(tmp_path / "content", {}), templates=templates))
    assert [str(problem) for problem in error.value.problems] == [
        f"{templates / '404.html'}:3: template error: Expected an expression, got 'end of statement block'"
    ]


def test_content_folder_that_does_not_exist_is_one_problem(tmp_path):
    from evidence.build import Paths, render
    from evidence.errors import ContentError

    with pytest.raises(ContentError) as error:
        render(Paths(content=tmp_path / "contnet"))
    assert [str(problem) for problem in error.value.problems] == [
        f"{tmp_path / 'contnet'}:1: expected a content folder holding site.yaml, sources/ and explainers/; found nothing"
    ]


def test_missing_template_is_named(tmp_path):
    from evidence.build import Paths, render
    from evidence.errors import ContentError

    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    (templates / "source.html").unlink()
    with pytest.raises(ContentError) as error:
        render(Paths(content=write_tree(tmp_path / "content", {}), templates=templates))
    assert [str(problem) for problem in error.value.problems] == [f"{templates / 'source.html'}:1: template not found"]
