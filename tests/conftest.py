"""Shared helpers: small content trees written into tmp_path, and running checks on them."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import browser, serve_folder  # noqa: F401 - one headless Chromium for every browser test module
from evidence.build import Paths, render
from evidence.errors import ContentError

PROJECT = Path(__file__).resolve().parent.parent

SOURCE = """---
title: A source
author:
  name: Ann Author
publisher: Paper
date: 2020-01-02
url: https://example.org/source
kind: news
rights: full
---

First paragraph about the West’s view.

Second paragraph – with a dash.
"""

EXPLAINER = """---
title: An explainer
dek: Two sides.
date: 2020-02-03
sources: [src]
parties:
  - id: us
    name: The US
  - id: russia
    name: Russia
---

Intro [@src ¶1].

## Why? {#why}

### us

Summary: One [@src ¶1 "the West's view"]

### russia

Summary: Two [@src ¶2 "with a dash"]
"""

MINIMAL_SITE = {
    "site.yaml": "title: T\ndescription: D\n",
    "sources/src.md": SOURCE,
    "explainers/ex.md": EXPLAINER,
}


def write_tree(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write a minimal valid site with `files` replacing (or, with None, removing) its files."""
    merged = {**MINIMAL_SITE, **files}
    for relative, content in merged.items():
        if content is None:
            continue
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def edit_file(path: Path, old: str, new: str) -> Path:
    """Replace the first `old` in the file (which must hold it) with `new`."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def problems(root: Path, strict: bool = False) -> list[str]:
    """Every problem the build reports for a content tree, as 'relative/path:line: message'."""
    try:
        render(Paths(content=root), strict=strict)
    except ContentError as error:
        return [f"{p.path.relative_to(root).as_posix()}:{p.line}: {p.message}" for p in error.problems]
    return []


@pytest.fixture
def site(tmp_path: Path):
    """Call with file overrides; returns the problems the build reports."""

    def make(files: dict[str, str | bytes | None] | None = None, strict: bool = False) -> list[str]:
        return problems(write_tree(tmp_path / "content", files or {}), strict=strict)

    return make


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden/ from the current output")




@pytest.fixture(scope="session")
def bundled_url(tmp_path_factory):
    """The bundled site, built once and served over HTTP on loopback."""
    from evidence.build import build

    out = tmp_path_factory.mktemp("bundled-served") / "dist"
    build(Paths(), out)
    with serve_folder(out) as url:
        yield url
