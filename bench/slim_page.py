"""Make a saved web page small enough to keep as a test fixture, without changing its text.

Removes what no article extractor reads: scripts (except JSON-LD metadata), styles, inline
SVG, comments, iframes, and style/event-handler attributes. The page's text, its tags and
their class and id names, its meta tags and JSON-LD stay as they were.

    python bench/slim_page.py SAVED.html OUT.html
"""
from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree, html

DROP = ["style", "svg", "iframe", "link", "template"]


def slim(page: bytes) -> bytes:
    # Parsed from text: lxml guesses Latin-1 for bytes whose charset is declared late in <head>.
    tree = html.document_fromstring(page.decode("utf-8"))
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            script.drop_tree()
    for tag in DROP:
        for element in list(tree.iter(tag)):
            element.drop_tree()
    for comment in tree.xpath("//comment()"):
        if comment.getparent() is not None:
            comment.drop_tree()
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            if name == "style" or name.startswith("on") or name in ("srcset", "sizes") or name.startswith("data-") and len(element.get(name)) > 200:
                del element.attrib[name]
    return html.tostring(tree, encoding="utf-8", doctype="<!DOCTYPE html>")


if __name__ == "__main__":
    source, target = map(Path, sys.argv[1:3])
    Path(target).write_bytes(slim(source.read_bytes()))
