"""URLs between pages: relative by default, so one build works at a domain root or a sub-path."""
from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class Links:
    """Builds links from one page (its output path) to any other output path."""

    page: str  # e.g. "explainers/russia-syria/index.html"
    base_path: str | None = None  # "/repo-name/" for pages served at unknown depths, like 404.html
    base_url: str | None = None  # absolute site URL, for canonical links

    def url(self, target: str) -> str:
        """Link to an output path such as 'sources/lain/index.html#p3' or 'assets/style.css'."""
        path, _, fragment = target.partition("#")
        return _href(self.page, self.base_path, path, bool(fragment)) + ("#" + fragment if fragment else "")

    def absolute(self, target: str) -> str | None:
        """The published URL of an output path, when the site's base URL is known."""
        if not self.base_url:
            return None
        path = target[: -len("index.html")] if target.endswith("index.html") else target
        return self.base_url + path


@functools.lru_cache(maxsize=65536)  # a page links to the same few pages many times, at different anchors
def _href(page: str, base_path: str | None, path: str, has_fragment: bool) -> str:
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    if base_path is not None:
        return base_path + path
    here = posixpath.dirname(page)
    href = relative_path(path or ".", here or ".")
    if path.endswith("/") or not path:
        href = href.rstrip("/") + "/"
    if href == "./" and has_fragment:
        href = ""
    elif href.startswith("./") and href != "./":
        href = href[2:]
    return href


def relative_path(path: str, start: str) -> str:
    """posixpath.relpath for paths inside the site, without asking the OS for the working directory."""
    to = [part for part in posixpath.normpath(path).split("/") if part not in ("", ".")]
    here = [part for part in posixpath.normpath(start).split("/") if part not in ("", ".")]
    common = 0
    while common < min(len(to), len(here)) and to[common] == here[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


def base_path_of(base_url: str | None) -> str:
    return urlsplit(base_url).path if base_url else "/"


def text_fragment_url(page_url: str, exact: str) -> str:
    """A link that scrolls to and highlights `exact` on the page (URL Text Fragments)."""
    words = " ".join(exact.split())
    return f"{page_url.split('#')[0]}#:~:text={quote(words, safe='').replace('-', '%2D')}"
