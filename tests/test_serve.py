"""The live preview: `build.py serve` over a copy of the project, driven by headless Chromium and raw HTTP."""
from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from browser import watched_page
from conftest import EXPLAINER, PROJECT, write_tree

from evidence.build import Paths, build
from evidence.errors import Problem
from evidence.server import Status, inject_client, resolve
from evidence.watch import Attempt, is_stylesheets_only

START_SECONDS = 60  # a generous bound on startup, so a broken server fails the test instead of hanging it
# The policy the site's pages are meant to carry (with the hash of the stylesheet they inline): the preview's client must work under it.
CSP = """<meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'self' 'sha256-{{ stylesheet.sha256 }}'; base-uri 'none'; form-action 'none'">"""
BROKEN_INTRO = "Intro."
CITATION_NEEDED = (
    "content/explainers/ex.md:13: citation needed: every paragraph of prose cites its source, like [@src ¶3]; "
    "start it with 'Framing:' if it is the explainer's own framing"
)


# --- the server and the page --------------------------------------------------------------

def make_project(root: Path, content: dict[str, str | None] | None = None) -> Path:
    """A copy of the program, templates and stylesheet (tests edit them) with a small content tree."""
    for folder in ("evidence", "templates", "static"):
        shutil.copytree(PROJECT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "build.py", root / "build.py")
    base = root / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace('<meta charset="utf-8">', '<meta charset="utf-8">\n' + CSP, 1), encoding="utf-8")
    write_tree(root / "content", content or {})
    return root


class Server:
    """A running `serve` process: its URL and everything it printed so far."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.readers = [
            threading.Thread(target=self._read, args=(process.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._read, args=(process.stderr, self.stderr), daemon=True),
        ]
        for reader in self.readers:
            reader.start()
        self.url = self._wait_for_url()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            for line in self.stdout:
                if match := re.match(r"serving (http://\S+) ", line):
                    return match.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        for reader in self.readers:
            reader.join(timeout=1)
        pytest.fail("serve did not start:\n" + "\n".join(self.stdout + self.stderr))

    def wait_for_line(self, stream: list[str], pattern: str, count: int = 1) -> list[str]:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            found = [line for line in stream if re.search(pattern, line)]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        pytest.fail(f"no line matching {pattern!r}:\n" + "\n".join(self.stdout + self.stderr))

    def rebuilds(self) -> list[str]:
        return [line for line in self.stdout if line.startswith("rebuilt ")]


@contextmanager
def serving(project: Path, *args: str, open_files: int | None = None) -> Iterator[Server]:
    """Run `build.py serve` in its own process group, and stop the whole group whatever happens.

    `open_files` lowers the server's limit on file descriptors (`ulimit -n`), as many systems set it.
    """
    limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))) if open_files else None
    process = subprocess.Popen(
        [sys.executable, "build.py", "serve", "--content", "content", "--port", "0", *args],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=limit,
    )
    try:
        yield Server(process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def server(project: Path) -> Iterator[Server]:
    with serving(project) as running:
        yield running


@pytest.fixture
def page(browser):
    with watched_page(browser, viewport={"width": 1100, "height": 800}) as page:
        yield page


def open_live(page, url: str) -> None:
    """Open a page and wait until the preview's client is connected: edits after this must reach it."""
    statuses: list[str] = []

    def watch(ws) -> None:
        if ws.url.endswith("/__livereload__/status"):
            ws.on("framereceived", lambda payload: statuses.append(payload))

    page.on("websocket", watch)
    page.goto(url)
    deadline = time.monotonic() + START_SECONDS
    while not statuses and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert statuses, "the page never received the preview's status"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def intro(page):
    return page.locator("main p", has_text="Intro")


def overlay_items(page):
    return page.locator("#evidence-preview li")


# --- a writer's edits reach the open page ---------------------------------------------------

def test_a_save_shows_on_the_open_page_by_itself(page, server, project):
    open_live(page, server.url + "explainers/ex/")
    assert "Intro" in intro(page).inner_text()
    edit(project / "content/explainers/ex.md", "Intro [@src ¶1].", "Introduction, revised [@src ¶1].")
    page.get_by_text("Introduction, revised").wait_for()
    assert server.rebuilds() and "content/explainers/ex.md" in server.rebuilds()[0]


def test_a_second_save_within_a_second_shows_too(page, server, project):
    explainer = project / "content/explainers/ex.md"
    open_live(page, server.url + "explainers/ex/")
    edit(explainer, "Intro [@src ¶1].", "First save [@src ¶1].")
    page.get_by_text("First save").wait_for()
    edit(explainer, "First save [@src ¶1].", "Second save [@src ¶1].")  # python-livereload would ignore this for 3 s
    page.get_by_text("Second save").wait_for()


def test_a_stylesheet_change_applies_to_the_open_page(page, server, project):
    # Pages carry the stylesheet inside them (base.html), so a change to it renders every page again and reloads this one.
    open_live(page, server.url + "explainers/ex/")
    with (project / "static/style.css").open("a", encoding="utf-8") as stylesheet:
        stylesheet.write("\nbody { background-color: rgb(1, 2, 3); }\n")
    page.wait_for_function("() => getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'")


def test_a_burst_of_saves_across_folders_builds_once(page, server, project):
    open_live(page, server.url + "explainers/ex/")
    explainer, stylesheet = project / "content/explainers/ex.md", project / "static/style.css"
    burst = [  # like a checkout: writes a few milliseconds apart, spanning more than one look at the files
        lambda: edit(explainer, "Intro [@src ¶1].", "Burst [@src ¶1]."),
        lambda: edit(project / "content/site.yaml", "title: T", "title: Burst title"),
        lambda: stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* burst */\n", encoding="utf-8"),
        lambda: (project / "templates/404.html").touch(),
        explainer.touch, stylesheet.touch, (project / "content/site.yaml").touch, explainer.touch,
    ]
    for write in burst:
        write()
        time.sleep(0.01)
    page.get_by_text("Burst title").first.wait_for()
    edit(explainer, "Burst [@src ¶1].", "After the burst [@src ¶1].")
    page.get_by_text("After the burst").wait_for()
    server.wait_for_line(server.stdout, r"^rebuilt .* after content/explainers/ex\.md: ")
    assert len(server.rebuilds()) == 2, server.rebuilds()
    assert " after content/explainers/ex.md, content/site.yaml, static/style.css and 1 more: " in server.rebuilds()[0]


# --- errors are shown over the last good page ------------------------------------------------

def test_an_edit_to_a_template_override_shows_on_the_open_page(page, project):
    theme = project / "theme"
    theme.mkdir()
    (theme / "_footer.html").write_text("<footer>Theme one</footer>\n", encoding="utf-8")
    with serving(project, "--templates", "theme") as server:
        open_live(page, server.url + "explainers/ex/")
        page.get_by_text("Theme one").wait_for()
        (theme / "_footer.html").write_text("<footer>Theme two</footer>\n", encoding="utf-8")
        page.get_by_text("Theme two").wait_for()
        assert "theme/_footer.html" in server.rebuilds()[0]


def test_a_broken_file_shows_an_overlay_naming_file_and_line_until_it_is_fixed(page, server, project):
    explainer = project / "content/explainers/ex.md"
    open_live(page, server.url + "explainers/ex/")
    edit(explainer, "Intro [@src ¶1].", BROKEN_INTRO)
    overlay_items(page).first.wait_for()
    assert overlay_items(page).all_inner_texts() == [CITATION_NEEDED]
    assert page.locator("#evidence-preview h2").inner_text() == "Build failed: 1 problem"
    assert page.evaluate("getComputedStyle(document.getElementById('evidence-preview')).position") == "fixed"
    assert "¶1" in intro(page).inner_text(), "the last good page stays, citation and all"

    server.wait_for_line(server.stderr, "^build failed: 1 problem; still serving the last good site$")
    assert CITATION_NEEDED in server.stderr

    edit(explainer, BROKEN_INTRO, "Intro, fixed [@src ¶1].")
    page.get_by_text("Intro, fixed").wait_for()
    assert page.locator("#evidence-preview").count() == 0


def test_the_overlay_also_shows_on_the_404_page(page, server, project):
    open_live(page, server.url + "no/such/page/")
    assert page.locator("h1").count() == 1
    edit(project / "content/explainers/ex.md", "Intro [@src ¶1].", BROKEN_INTRO)
    overlay_items(page).first.wait_for()
    assert overlay_items(page).all_inner_texts() == [CITATION_NEEDED]


def test_a_first_build_that_fails_shows_the_overlay_then_the_site_once_fixed(page, tmp_path):
    project = make_project(tmp_path / "project", {"explainers/ex.md": EXPLAINER.replace("Intro [@src ¶1].", BROKEN_INTRO)})
    with serving(project) as server:
        open_live(page, server.url + "explainers/ex/")
        assert overlay_items(page).all_inner_texts() == [CITATION_NEEDED]
        assert "There is no good build to show yet" in page.locator("#evidence-preview p").inner_text()
        edit(project / "content/explainers/ex.md", BROKEN_INTRO, "Intro [@src ¶1].")
        page.locator("h1", has_text="An explainer").wait_for()
        assert page.locator("#evidence-preview").count() == 0


# --- what is served, and where ---------------------------------------------------------------

def raw_get(url: str, target: str) -> tuple[int, bytes]:
    """GET a request target exactly as written: no client normalises '..' or percent-escapes away."""
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    status = int(response.split(b" ", 2)[1])
    return status, response.split(b"\r\n\r\n", 1)[1]


@pytest.mark.parametrize("target", [
    "/../content/site.yaml", "/%2e%2e/content/site.yaml", "/%2e%2e%2fcontent%2fsite.yaml", "/..%2fcontent/site.yaml",
    "/.%2e/.%2e/project/content/site.yaml", "/..\\content\\site.yaml", "/%5c..%5ccontent%5csite.yaml",
    "//etc/passwd", "/%2fetc%2fpasswd", "/../../../../../../etc/passwd", "/%00/etc/passwd",
])
def test_only_the_output_folder_is_served(tmp_path, target):
    project = make_project(tmp_path / "project")
    with serving(project, "--out", "preview") as server:
        status, _ = raw_get(server.url, "/assets/style.css")
        assert status == 200  # the same request form does reach files inside the folder
        status, body = raw_get(server.url, target)
    assert status in (400, 403, 404)
    assert b"title: T" not in body and b"root:" not in body


def test_a_base_url_with_a_path_mounts_the_preview_there(tmp_path):
    project = make_project(tmp_path / "project", {"site.yaml": "title: T\ndescription: D\nbase_url: https://user.github.io/repo-name/\n"})
    with serving(project) as server:
        assert server.url.endswith("/repo-name/")
        root = server.url[: -len("repo-name/")]
        assert raw_get(root, "/repo-name/")[0] == 200
        assert raw_get(root, "/repo-name/explainers/ex/")[0] == 200
        assert raw_get(root, "/repo-name/assets/style.css")[0] == 200
        assert raw_get(root, "/")[0] == 404, "a link to the domain root would break on GitHub Pages too"
        assert raw_get(root, "/explainers/ex/")[0] == 404
        status, body = raw_get(root, "/repo-name/no-such-page")
        assert status == 404 and b'href="/repo-name/assets/favicon.svg"' in body


def test_the_files_written_never_contain_the_preview_script(tmp_path):
    project = make_project(tmp_path / "project")
    with serving(project, "--out", "preview") as server:
        status, body = raw_get(server.url, "/")
    assert status == 200 and b"/__livereload__/preview.js" in body
    written = [path.read_bytes() for path in (project / "preview").rglob("*.html")]
    assert written and not any(b"__livereload__" in html for html in written)


# --- the process ------------------------------------------------------------------------------

def test_ctrl_c_stops_cleanly(project):
    with serving(project) as server:
        os.killpg(server.process.pid, signal.SIGINT)
        assert server.process.wait(timeout=30) == 0
        for reader in server.readers:
            reader.join(timeout=5)
    assert server.stdout[-1] == "stopped"
    assert server.stderr == []


def test_a_port_in_use_is_a_one_line_error(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "build.py", "serve", "--content", "content", "--port", str(port)],
            cwd=project, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr == f"error: port {port} is in use on 127.0.0.1; pass another --port (--port 0 picks a free one)\n"


# --- the pieces -------------------------------------------------------------------------------

def test_request_paths_resolve_inside_the_folder_or_not_at_all(tmp_path):
    root = tmp_path / "site"
    (root / "sub").mkdir(parents=True)
    assert resolve(root, "/", "/sub/page.html") == root / "sub/page.html"
    assert resolve(root, "/", "//sub") == root / "sub"
    assert resolve(root, "/repo/", "/repo/sub/") == root / "sub"
    assert resolve(root, "/repo/", "/repo") == root
    assert resolve(root, "/repo/", "/sub/") is None
    assert resolve(root, "/", "/sub/%2e%2e/%2e%2e/etc/passwd") is None
    (root / "link").symlink_to(tmp_path)
    assert resolve(root, "/", "/link/secret.txt") is None, "a link out of the folder is not followed"


def test_the_client_goes_before_head_end_or_at_the_end_of_a_page_without_one():
    assert inject_client(b"<html><HEAD></HEAD><body>x</body>", 7) == (
        b'<html><HEAD><script src="/__livereload__/preview.js" data-build="7" defer></script></HEAD><body>x</body>'
    )
    assert inject_client(b"<p>no head</p>", 7).endswith(b'data-build="7" defer></script>')


def test_only_stylesheets_in_the_static_folder_that_no_page_inlines_are_swapped_in_place(tmp_path):
    static = tmp_path / "static"
    assert is_stylesheets_only(frozenset({static / "print.css"}), static, rendered=1), "only the linked file was copied"
    assert not is_stylesheets_only(frozenset({static / "style.css"}), static, rendered=5), "pages that inline it were rendered"
    assert not is_stylesheets_only(frozenset({static / "style.css", tmp_path / "content/site.yaml"}), static, rendered=2)
    assert not is_stylesheets_only(frozenset({tmp_path / "content/extra.css"}), static, rendered=1)
    assert not is_stylesheets_only(frozenset(), static, rendered=0)


def test_a_failed_build_keeps_the_last_good_build_and_a_good_one_clears_the_problems(tmp_path):
    report = build(Paths(content=write_tree(tmp_path / "content", {})), tmp_path / "out")
    good = Status().after(Attempt(report), now_ms=1000)
    assert (good.build, good.problems) == (1000, ())
    problem = Problem(tmp_path / "content/explainers/ex.md", 13, "citation needed")
    failed = good.after(Attempt(None, problems=(problem,)), now_ms=2000)
    assert (failed.build, failed.problems) == (1000, (problem,))
    assert failed.after(Attempt(report), now_ms=500).build == 1001, "build numbers only grow"
