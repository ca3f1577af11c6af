"""Headless Chromium for the browser tests: Debian's chromium driven by Playwright."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("browser tests need Chromium: install it with 'apt-get install -y chromium' (or set CHROMIUM=/path)")
    return path


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve a folder over HTTP on a free loopback port; yields the base URL."""
    with serving(functools.partial(_QuietHandler, directory=str(folder))) as port:
        yield f"http://127.0.0.1:{port}/"


@contextmanager
def serving(handler) -> Iterator[int]:
    """Run an HTTP handler on a free loopback port in a thread; yields the port, then stops it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def watched_page(browser, **options) -> Iterator:
    """A page in a fresh context that fails the test if any script error (or CSP violation) happened."""
    context = browser.new_context(**options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None)
    try:
        yield page
    finally:
        context.close()
    assert errors == [], errors


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


# Registered once, by tests/conftest.py: test modules must not import it themselves, since
# Playwright's sync API cannot run two instances at once in one thread.
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield instance
        instance.close()
