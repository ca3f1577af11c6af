"""Read what a writer imports: a saved page, a text file, standard input or a web address, as text.

Every way this can fail is an ImportFailure: one line saying what went wrong and what to do.
"""
from __future__ import annotations

import codecs
import re
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAX_PAGE_BYTES = 10_000_000  # ten times the heaviest real article page; beyond it is not an article
TIMEOUT_SECONDS = 20
MAX_REDIRECTS = 10
USER_AGENT = "evidence-add-source/0.1 (+https://github.com/; fetches one article a writer asked for)"

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


class ImportFailure(Exception):
    """The input cannot be imported. `usage` marks a bad command line (exit 2) rather than bad content (exit 1)."""

    def __init__(self, where: str, message: str, usage: bool = False):
        super().__init__(f"{where}: {message}")
        self.usage = usage


@dataclass(frozen=True)
class Input:
    """What was read: its text, whether it is a web page, and the address it came from."""

    where: str  # how to name it in messages: a path, a URL or '<stdin>'
    text: str
    is_html: bool
    url: str | None  # the final address after redirects, for a fetched page


def read_input(name: str, stdin: BinaryIO | None = None, timeout: float = TIMEOUT_SECONDS) -> Input:
    if name == "-":
        data = (stdin or sys.stdin.buffer).read(MAX_PAGE_BYTES + 1)
        return _decoded("<stdin>", data, None, is_html=_looks_like_html(data), url=None)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", name):
        return fetch(name, timeout)
    path = Path(name)
    if path.is_dir():
        raise ImportFailure(name, "expected a saved web page (.html), a text file (.txt, .md) or a URL; found a folder", usage=True)
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise ImportFailure(name, f"the file is {size / 1e6:.1f} MB; an article page is under {MAX_PAGE_BYTES // 1_000_000} MB: save the page without its media")
        data = path.read_bytes()
    except OSError as error:
        raise ImportFailure(name, f"cannot read the file: {error.strerror or error}", usage=True) from None
    is_html = path.suffix.lower() in (".html", ".htm", ".xhtml") or (path.suffix.lower() not in (".txt", ".md", ".markdown", ".text") and _looks_like_html(data))
    return _decoded(name, data, None, is_html=is_html, url=None)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most MAX_REDIRECTS redirects, and only to http(s) addresses."""

    max_redirections = MAX_REDIRECTS
    max_repeats = MAX_REDIRECTS  # a loop is reported once the limit is reached, whatever its length

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urllib.parse.urljoin(req.full_url, newurl)
        if not re.match(r"^https?://", target, re.IGNORECASE):
            raise ImportFailure(req.full_url, f"the address redirects to '{target}', which is not an http:// or https:// address; "
                                              "open it in a browser, save the page and import the file")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> Input:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.IGNORECASE):
        raise ImportFailure(url, "only http:// and https:// addresses can be fetched; save the page and import the file", usage=True)
    opener = urllib.request.build_opener(_Redirects())
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"})
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_PAGE_BYTES:
                raise _too_large(url, int(length))
            data = response.read(MAX_PAGE_BYTES + 1)
            if len(data) > MAX_PAGE_BYTES:
                raise _too_large(url, None)
            content_type = response.headers.get("Content-Type", "")
            final_url = response.geturl()
    except ImportFailure:
        raise
    except urllib.error.HTTPError as error:
        if error.code in (301, 302, 303, 307, 308):
            raise ImportFailure(url, f"the address redirects more than {MAX_REDIRECTS} times (a redirect loop); open it in a browser, save the page and import the file") from None
        raise ImportFailure(url, f"the server answered {error.code} {error.reason}; check the address, or save the page from a browser and import the file") from None
    except urllib.error.URLError as error:
        raise ImportFailure(url, _network_reason(error.reason, timeout)) from None
    except (socket.timeout, TimeoutError):
        raise ImportFailure(url, f"no answer within {timeout:g} seconds; try again, or save the page from a browser and import the file") from None
    except (OSError, ValueError) as error:  # connection reset, malformed response, bad port
        raise ImportFailure(url, f"cannot fetch the page: {error}") from None
    mime = content_type.split(";")[0].strip().lower()
    if mime and not (mime.startswith("text/") or "html" in mime or "xml" in mime):
        raise ImportFailure(url, f"the address serves {mime}, not a web page; import the article's text as a .txt file instead")
    charset = HEADER_CHARSET.search(content_type)
    return _decoded(url, data, charset.group(1) if charset else None, is_html=mime != "text/plain", url=final_url)


def _too_large(url: str, size: int | None) -> ImportFailure:
    found = f"{size / 1e6:.1f} MB" if size else f"over {MAX_PAGE_BYTES // 1_000_000} MB"
    return ImportFailure(url, f"the page is {found}; an article page is under {MAX_PAGE_BYTES // 1_000_000} MB")


def _network_reason(reason: object, timeout: float) -> str:
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout:g} seconds; try again, or save the page from a browser and import the file"
    if isinstance(reason, socket.gaierror):
        return "no such host; check the address"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused; check the address"
    return f"cannot fetch the page: {getattr(reason, 'strerror', None) or reason}"


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in data[:65536].lower()


def _decoded(where: str, data: bytes, declared: str | None, is_html: bool, url: str | None) -> Input:
    if len(data) > MAX_PAGE_BYTES:
        raise ImportFailure(where, f"the input is over {MAX_PAGE_BYTES // 1_000_000} MB; an article is far shorter")
    if data.startswith(b"%PDF"):
        raise ImportFailure(where, "this is a PDF, not a web page or text: copy its text into a .txt file (paragraphs separated by blank lines) and import that")
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailure(where, "this is binary data, not a web page or text; import a saved .html page, a .txt or .md file, or a URL")
    if is_html and declared is None:
        meta = META_CHARSET.search(data[:65536])
        declared = meta.group(1).decode("ascii") if meta else None
    text = _decode(where, data, declared)
    if not text.strip():
        raise ImportFailure(where, "the input is empty")
    return Input(where, text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), is_html, url)


def _decode(where: str, data: bytes, declared: str | None) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            raise ImportFailure(where, f"the page declares the character set '{declared}', which is unknown; save it as UTF-8 and import the file") from None
        if codec in ("latin-1", "iso8859-1", "ascii"):
            codec = "cp1252"  # what browsers do for these labels (the WHATWG encoding standard)
        try:
            return data.decode(codec)
        except UnicodeDecodeError as error:
            raise ImportFailure(where, f"the page declares '{declared}' but byte 0x{data[error.start]:02x} is not valid in it; save it as UTF-8 and import the file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFailure(
            f"{where}:{line}" if not where.startswith("http") else where,
            f"not UTF-8 and no character set declared: byte 0x{data[error.start]:02x} cannot be decoded; save the file as UTF-8",
        ) from None
