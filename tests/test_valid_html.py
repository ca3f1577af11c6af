"""Every built page and stylesheet passes today's W3C Nu HTML Checker with zero errors.

The checker is the `vnu-jar` npm package, pinned in .ci/package.json and installed by
`npm ci --prefix .ci --ignore-scripts` (.ci/run does it); it runs on Java.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT

from evidence.build import Paths, build

SITES = {
    "bundled": PROJECT / "content",
    "fixture": PROJECT / "tests/fixtures/site",
    "long-names": PROJECT / "tests/fixtures/long-names",
}
JAR = PROJECT / ".ci/node_modules/vnu-jar/build/dist/vnu.jar"
PINNED = json.loads((PROJECT / ".ci/package.json").read_text(encoding="utf-8"))["dependencies"]["vnu-jar"]
# Controls: the checker must report each of these, or it did not run (or did not check CSS).
INVALID_HTML = '<!doctype html><html lang="en"><title>x</title><p><div></div></p>'
INVALID_CSS = "p { color: nonsense-colour; }\n"


def java() -> str:
    path = shutil.which("java")
    if not path:
        pytest.fail("the HTML check needs Java: install it with 'apt-get install -y default-jre-headless'")
    return path


def jar() -> Path:
    if not JAR.is_file():
        pytest.fail("the HTML check needs the Nu checker: run 'npm ci --prefix .ci --ignore-scripts'")
    return JAR


def nu_checker(files: list[Path]) -> list[dict]:
    """The checker's messages for `files` (HTML, CSS and SVG), one JVM start for all of them."""
    command = [java(), "-jar", str(jar()), "--format", "json", "--stdout", "--also-check-css", "--also-check-svg", *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    return json.loads(result.stdout)["messages"]


def test_the_checker_is_the_pinned_version():
    result = subprocess.run([java(), "-jar", str(jar()), "--version"], capture_output=True, text=True, timeout=60)
    assert result.stdout.split()[0] == PINNED


def test_every_page_and_stylesheet_of_every_site_passes_the_nu_html_checker(tmp_path):
    files = []
    for name, content in SITES.items():
        for base_url in (None, "https://user.github.io/repo-name/"):
            out = tmp_path / f"{name}-{'base' if base_url else 'nobase'}"
            build(Paths(content=content), out, base_url=base_url)
            files += sorted(out.rglob("*.html")) + sorted(out.rglob("*.css")) + sorted(out.rglob("*.svg"))
    control = tmp_path / "control.html"
    control.write_text(INVALID_HTML, encoding="utf-8")
    control_css = tmp_path / "control.css"
    control_css.write_text(INVALID_CSS, encoding="utf-8")
    messages = nu_checker([*files, control, control_css])
    errors = [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"]
    assert sum(f.suffix == ".html" for f in files) == 2 * (11 + 13 + 13)  # each site has 7 or 8 browse and search pages
    assert sum(f.suffix == ".css" for f in files) == 2 * 3
    assert [e for e in errors if "/control." not in e] == []
    assert [e.split(": ", 1)[1] for e in errors if "control.html" in e] == ["No “p” element in scope but a “p” end tag seen."]
    assert [e for e in errors if "control.css" in e], "the checker did not check CSS"
