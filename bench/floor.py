"""The floor: the least a Python generator can do with the same Markdown (read, markdown-it-py, one Jinja template, write).

    python bench/floor.py DOCS_DIR OUT_DIR
"""
from __future__ import annotations

import sys
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main>{{ body }}</main></body></html>
"""


def main(docs: Path, out: Path) -> None:
    md = MarkdownIt("commonmark", {"typographer": True}).enable(["table", "smartquotes"])
    template = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    for path in sorted(docs.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        html = template.render(title=path.stem, body=jinja2.utils.markupsafe.Markup(md.render(text)))
        target = out / path.relative_to(docs).with_suffix("") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
