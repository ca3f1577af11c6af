"""Re-importing an article shows how it changed, and which citations the change would break, before anything is written."""
from __future__ import annotations

import io
import sys

import pytest

from conftest import EXPLAINER, SOURCE, write_tree
from evidence.cli import main
from evidence.drift import Change, compare

OLD = ["Alpha said one thing.", "Beta said another.", "Gamma closed it."]


def test_unchanged_text_has_no_changes():
    drift = compare(OLD, OLD)
    assert drift.changes == () and drift.is_unchanged()


def test_an_inserted_paragraph_is_added_and_renumbers_the_rest():
    drift = compare(OLD, ["A new opening.", *OLD])
    assert drift.changes == (Change("added", None, 1, None, "A new opening."),)
    assert drift.new_number == {1: 2, 2: 3, 3: 4}


def test_an_edited_paragraph_is_changed_with_its_old_and_new_numbers():
    drift = compare(OLD, ["Alpha said one thing.", "Beta said another thing entirely.", "Gamma closed it."])
    assert drift.changes == (Change("changed", 2, 2, "Beta said another.", "Beta said another thing entirely."),)


def test_a_deleted_paragraph_is_removed():
    drift = compare(OLD, ["Alpha said one thing.", "Gamma closed it."])
    assert drift.changes == (Change("removed", 2, None, "Beta said another.", None),)
    assert drift.new_number == {1: 1, 3: 2}


def test_a_paragraph_that_changed_place_is_moved():
    drift = compare(OLD, ["Gamma closed it.", "Alpha said one thing.", "Beta said another."])
    assert [(c.kind, c.old, c.new) for c in drift.changes] == [("moved", 3, 1)]
    assert drift.new_number == {1: 2, 2: 3, 3: 1}


def test_quote_marks_and_spacing_alone_are_no_change():
    assert compare(["It’s “here”  now."], ["It's \"here\" now."]).changes == ()


# --- add-source --update ------------------------------------------------------------------

@pytest.fixture
def site(tmp_path, monkeypatch):
    write_tree(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def update(text: str, *options: str, capsys) -> tuple[int, str, str]:
    sys.stdin = io.TextIOWrapper(io.BytesIO(text.encode("utf-8")))
    try:
        code = main(["add-source", "--content", ".", "--update", "src", "-", *options])
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


FIRST = "First paragraph about the West’s view."
SECOND = "Second paragraph – with a dash."


def test_update_refuses_to_break_a_citation_and_says_how_to_renumber(site, capsys):
    # The explainer cites ¶1 bare (line 13), ¶1 with a quote (line 19) and ¶2 with a quote (line 23).
    code, out, err = update(f"A correction now opens the article.\n\n{FIRST}\n\n{SECOND}\n", capsys=capsys)
    assert code == 1
    assert out.splitlines() == [
        "compared with the stored text: 2 paragraphs then, 3 now; 0 changed, 1 added, 0 removed, 0 moved; 2 renumbered",
        "  added    ¶1: A correction now opens the article.",
        "explainers/ex.md:13: citation [@src ¶1]: ¶1 would hold different words; renumber to [@src ¶2]",
        "explainers/ex.md:19: citation [@src ¶1 \"the West's view\"]: the quote \"the West's view\" would no longer be found "
        "in ¶1; the words are now in ¶2: write [@src ¶2 \"the West's view\"]",
        "explainers/ex.md:23: citation [@src ¶2 \"with a dash\"]: the quote \"with a dash\" would no longer be found in ¶2; "
        "the words are now in ¶3: write [@src ¶3 \"with a dash\"]",
    ]
    assert err == ("sources/src.md: not written: 3 citations would break; fix them as shown (renumber to the new ¶ numbers) "
                   "and run again, or use --force to write the new text and fix them after\nadd-source failed; nothing was written\n")
    assert (site / "sources/src.md").read_text(encoding="utf-8") == SOURCE


def test_update_with_force_writes_the_new_text_and_keeps_the_front_matter(site, capsys):
    code, out, _ = update(f"A correction now opens the article.\n\n{FIRST}\n\n{SECOND}\n", "--force", capsys=capsys)
    written = (site / "sources/src.md").read_text(encoding="utf-8")
    assert code == 0
    assert written == SOURCE.split("---\n\n")[0] + f"---\n\nA correction now opens the article.\n\n{FIRST}\n\n{SECOND}\n"
    assert out.splitlines()[-1] == ("wrote sources/src.md: 3 paragraphs (was 2); the front matter is kept as it was; "
                                    "3 citations to fix, listed above")


def test_update_that_breaks_no_citation_is_written(site, capsys):
    code, out, _ = update(f"{FIRST}\n\n{SECOND}\n\nA closing paragraph added later.\n", capsys=capsys)
    assert code == 0
    assert "  added    ¶3: A closing paragraph added later." in out
    assert (site / "sources/src.md").read_text(encoding="utf-8").endswith("A closing paragraph added later.\n")


def test_an_edit_that_keeps_a_quoted_phrase_keeps_its_citation(site, capsys):
    code, out, _ = update(f"{FIRST}\n\nSecond paragraph, corrected – with a dash.\n", capsys=capsys)
    assert code == 0
    assert "  changed  ¶2 -> ¶2: Second paragraph, corrected – with a dash." in out


def test_an_edit_to_a_paragraph_cited_without_a_quote_is_shown_before_writing(site, capsys):
    write_tree(site, {"explainers/ex.md": EXPLAINER.replace('[@src ¶2 "with a dash"]', "[@src ¶2]")})
    code, out, _ = update(f"{FIRST}\n\nSecond paragraph, corrected.\n", capsys=capsys)
    assert code == 1
    assert "explainers/ex.md:23: citation [@src ¶2]: the words of ¶2 would change; read the new ¶2: " \
           "if it still bears the claim, import with --force" in out


def test_unchanged_text_writes_nothing(site, capsys):
    code, out, _ = update(f"{FIRST}\n\n{SECOND}\n", capsys=capsys)
    assert code == 0 and out.splitlines()[-1] == "sources/src.md: the text is unchanged; nothing written"


def test_an_explainer_that_cannot_be_read_stops_the_update_rather_than_hide_its_citations(site, capsys):
    write_tree(site, {"explainers/broken.md": "no front matter\n"})
    code, out, err = update(f"{FIRST}\n\n{SECOND}\n\nA closing paragraph added later.\n", capsys=capsys)
    assert code == 1
    assert "explainers/broken.md:1: cannot be read, so its citations were not checked; run 'python build.py check' to see why" in out
    assert err.startswith("sources/src.md: not written: 1 explainer could not be read, so citations may break unseen; "
                          "fix them and run again, or use --force\n")


def test_a_stored_source_that_does_not_load_is_named_with_its_line(site, capsys):
    write_tree(site, {"sources/src.md": SOURCE.replace("kind: news", "kind: blog")})
    code, _, err = update(f"{FIRST}\n", capsys=capsys)
    assert code == 1
    assert err.splitlines()[0] == ("sources/src.md:8: 'kind' must be one of: opinion, analysis, news, statement, report, interview, "
                                   "transcript, press statement, speech, remarks; found: 'blog' (fix the stored source before "
                                   "comparing a new version with it)")
