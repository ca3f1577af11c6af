"""Each fixture site, built whole, matches its golden output file for file.

Regenerate the goldens after an intended change with:
    python -m pytest tests/test_golden.py --update-goldens
then read `git diff tests/golden` before committing.
"""
import base64
import difflib
import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import PROJECT

from evidence.build import Paths, build

# tests/fixtures/<name> is built into tests/golden/<name>.
FIXTURES = [
    "site",  # three parties, two sources (one excerpts only), analysis, a "The" party among short names
    "long-names",  # three long party names starting with "The", two sources, no analysis anywhere
]
SKIPPED = ("assets/", "pagefind/")  # the stylesheet is copied verbatim, the search index is Pagefind's (tests/test_search.py); goldens track what we generate
# Pages carry static/style.css inside them: goldens name it instead, so that a change of style moves no golden.
STYLESHEET = (PROJECT / "static/style.css").read_text(encoding="utf-8")
STYLESHEET_HASH = base64.b64encode(hashlib.sha256(STYLESHEET.encode("utf-8")).digest()).decode("ascii")


def generated_files(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        .replace(f"<style>{STYLESHEET}</style>", "<style>(static/style.css)</style>").replace(STYLESHEET_HASH, "(its hash)")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.relative_to(folder).as_posix().startswith(SKIPPED)
    }


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_site_matches_golden_output(tmp_path, request, fixture):
    golden = PROJECT / "tests/golden" / fixture
    out = tmp_path / "out"
    build(Paths(content=PROJECT / "tests/fixtures" / fixture), out, base_url="https://example.org/desk/")
    actual = generated_files(out)
    if request.config.getoption("--update-goldens"):
        shutil.rmtree(golden, ignore_errors=True)
        for relative, text in actual.items():
            (golden / relative).parent.mkdir(parents=True, exist_ok=True)
            (golden / relative).write_text(text, encoding="utf-8")
    expected = generated_files(golden)
    problems = [f"missing from output: {name}" for name in sorted(expected.keys() - actual.keys())]
    problems += [f"not in goldens: {name}" for name in sorted(actual.keys() - expected.keys())]
    for name in sorted(expected.keys() & actual.keys()):
        if expected[name] != actual[name]:
            diff = difflib.unified_diff(
                expected[name].splitlines(), actual[name].splitlines(), f"golden/{name}", f"output/{name}", lineterm="", n=2
            )
            problems.append("\n".join(diff))
    assert not problems, "output differs from tests/golden (regenerate with --update-goldens if intended):\n" + "\n\n".join(problems)
