"""Serve a built site the way GitHub Pages does, and crawl it for broken links and fragments."""
from __future__ import annotations

import http.server
import mimetypes
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from browser import serving
from typing import Iterator
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

# What a page refers to: (tag, attribute) pairs whose URL must resolve.
URL_ATTRIBUTES = {
    ("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"),
    ("iframe", "src"), ("video", "src"), ("audio", "src"), ("video", "poster"), ("form", "action"),
}
# <meta property=...> whose content is an absolute URL of the site itself.
URL_METAS = {"og:url", "og:image", "twitter:image"}


# --- the server ----------------------------------------------------------------------

@dataclass(frozen=True)
class Response:
    status: int
    file: Path | None = None
    location: str | None = None


def pages_response(folder: Path, prefix: str, path: str) -> Response:
    """What GitHub Pages answers for `path` when `folder` is published at `prefix` ('/' or '/repo-name/'):
    a folder redirects to its slash form and serves its index.html; anything missing is 404.html, status 404."""
    not_found = Response(404, folder / "404.html" if (folder / "404.html").is_file() else None)
    if path + "/" == prefix:
        return Response(301, location=prefix)
    if not path.startswith(prefix):
        return Response(404)  # another site's territory: not ours, not our 404 page
    relative = path[len(prefix):]
    if ".." in relative.split("/"):
        return not_found
    target = folder / relative
    if target.is_dir():
        if not path.endswith("/"):
            return Response(301, location=path + "/")
        index = target / "index.html"
        return Response(200, index) if index.is_file() else not_found
    return Response(200, target) if target.is_file() else not_found


def _handler(folder: Path, prefix: str) -> type[http.server.BaseHTTPRequestHandler]:
    class PagesHandler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._respond(with_body=True)

        def do_HEAD(self) -> None:
            self._respond(with_body=False)

        def _respond(self, with_body: bool) -> None:
            response = pages_response(folder, prefix, unquote(urlsplit(self.path).path))
            data = response.file.read_bytes() if response.file else b"Not found"
            self.send_response(response.status)
            if response.location:
                self.send_header("Location", response.location)
            kind = mimetypes.guess_type(response.file.name)[0] if response.file else "text/plain"
            self.send_header("Content-Type", kind or "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if with_body:
                self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return PagesHandler


@contextmanager
def serve_like_github_pages(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `folder` at `prefix` on a free loopback port; yields the site's URL."""
    with serving(_handler(folder, prefix)) as port:
        yield f"http://127.0.0.1:{port}{prefix}"


# --- the crawler ---------------------------------------------------------------------

class PageParser(HTMLParser):
    """The ids a page defines and every URL it refers to."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[str] = []
        self.site_urls: list[str] = []  # absolute URLs of the published site (canonical, og:url...)
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "base" and "href" in values:
            self.base = values["href"]
        for name, value in values.items():
            if (tag, name) in URL_ATTRIBUTES:
                (self.site_urls if tag == "link" and values.get("rel") == "canonical" else self.refs).append(value)
        if tag == "meta" and values.get("property") in URL_METAS:
            self.site_urls.append(values.get("content", ""))


@dataclass(frozen=True)
class Fetched:
    status: int
    url: str  # after redirects
    content_type: str
    body: bytes


def fetch(url: str) -> Fetched:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return Fetched(response.status, response.url, response.headers.get_content_type(), response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, url, error.headers.get_content_type(), error.read())


@dataclass
class Crawl:
    """Every page reached from a start page, and every broken reference found on the way."""

    site_url: str  # where the site is served here, e.g. http://127.0.0.1:8000/repo-name/
    public_url: str | None = None  # where it says it is published (its base URL), mapped onto site_url
    pages: dict[str, PageParser] = field(default_factory=dict)
    fetched: dict[str, Fetched] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)
    checked: int = 0

    def local(self, url: str) -> str | None:
        """The served URL for a reference, or None for another site's."""
        if self.public_url and url.startswith(self.public_url):
            return self.site_url + url[len(self.public_url):]
        served = urlsplit(self.site_url)
        return url if urlsplit(url).netloc == served.netloc else None

    def get(self, url: str) -> Fetched:
        if url not in self.fetched:
            self.fetched[url] = fetch(url)
        return self.fetched[url]

    def page(self, url: str, expect_status: int = 200) -> PageParser | None:
        """Fetch and parse an HTML page once; None (and a broken entry) if it is not one."""
        if url in self.pages:
            return self.pages[url]
        got = self.get(url)
        if got.status != expect_status or got.content_type != "text/html":
            self.broken.append(f"{url}: status {got.status}, {got.content_type}")
            return None
        parser = PageParser()
        parser.feed(got.body.decode("utf-8"))
        self.pages[url] = parser
        return parser

    def crawl(self, start: str, expect_status: int = 200) -> None:
        queue = [start]
        while queue:
            url = queue.pop(0)
            page = self.page(url, expect_status if url == start else 200)
            if page is None:
                continue
            base = urljoin(url, page.base) if page.base else url
            for ref in page.refs:
                address, fragment = urldefrag(urljoin(base, ref))
                if address == url:  # a link within the page, which may have been served as a 404
                    self.checked += 1
                    if fragment and unquote(fragment) not in page.ids:
                        self.broken.append(f"{url}: {ref} -> no element with id '{unquote(fragment)}'")
                    continue
                target = self.check(url, urljoin(base, ref))
                if target and target not in self.pages and self.get(target).content_type == "text/html" and target not in queue:
                    queue.append(target)
            for absolute in page.site_urls:
                if not self.public_url or not absolute.startswith(self.public_url):
                    self.broken.append(f"{url}: {absolute} is not under the base URL {self.public_url}")
                    continue
                self.check(url, absolute)

    def check(self, on_page: str, url: str) -> str | None:
        """Check one reference; returns the served page it leads to, for the crawl to follow."""
        address, fragment = urldefrag(url)
        fragment = unquote(fragment)
        if urlsplit(address).scheme not in ("http", "https"):
            return None  # mailto:, tel: and the like
        target = self.local(address)
        if target is None:
            self.external.add(address)
            return None
        self.checked += 1
        got = self.get(target)
        if got.status != 200:
            self.broken.append(f"{on_page}: {url} -> status {got.status}")
            return None
        if fragment and not fragment.startswith(":~:") and got.content_type == "text/html":
            page = self.page(got.url)
            if page is not None and fragment not in page.ids:
                self.broken.append(f"{on_page}: {url} -> no element with id '{fragment}'")
        return got.url
