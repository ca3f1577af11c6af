"""The live preview: a thin loop over build() that serves the last good site and reloads the browser on every save.

python-livereload supplies the reload protocol: its WebSocket handler (`/livereload`) and its
browser client (livereload.js), which reloads the page or swaps a stylesheet in place. Its
`Server` and `Watcher` are not used, because of how they build: they run the build on the
server's thread with no error handling, drop a change whose build raised, ignore a second
save within 3 s, build once per watched path that changed, and inject an inline script
(which a Content-Security-Policy blocks) only into pages that have `</head>`. Here instead one thread polls the sources, waits for a burst of
saves to settle, builds once, and hands the outcome to the server's thread, which tells the
browsers.
"""
from __future__ import annotations

import asyncio
import errno
import json
import mimetypes
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, netutil, web, websocket

from .build import Paths, Report, rebuild
from .incremental import Builder
from .errors import ContentError, Problem, display_path
from .links import base_path_of

DEFAULT_PORT = 8000
PORTS_TO_TRY = 10  # when the default port is taken, the next ones
POLL_SECONDS = 0.05
SETTLE_SECONDS = 0.05  # a burst of saves is over when nothing changed for this long
CLIENT_DIR = Path(__file__).resolve().parent / "preview"
# The preview's own URLs. livereload.js always connects to /livereload; the rest live under
# one reserved folder. A site file at these paths would be shadowed in the preview only.
RESERVED = "/__livereload__/"
CLIENT_TAG = '<script src="' + RESERVED + 'preview.js" data-build="{build}" defer></script>'
HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)

Snapshot = dict[Path, tuple[int, int, int]]


# --- building ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """One build attempt: its report, or the problems that stopped it, and what had changed."""

    report: Report | None
    problems: tuple[Problem, ...] = ()
    changed: frozenset[Path] = frozenset()
    stylesheets_only: bool = False

    @property
    def ok(self) -> bool:
        return self.report is not None


@dataclass(frozen=True)
class Preview:
    """What the preview builds, and where to."""

    paths: Paths
    out_dir: Path
    base_url: str | None = None
    strict: bool = False
    # Kept for the whole session: it remembers what each file held and what each page was
    # built from, so a save re-renders only the pages that depend on what changed.
    builder: Builder | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.builder is None:
            object.__setattr__(self, "builder", Builder(self.paths, self.out_dir, base_url=self.base_url, strict=self.strict))

    @property
    def watched(self) -> tuple[Path, ...]:
        return (self.paths.content, self.paths.templates, self.paths.static)

    def attempt(self, changed: frozenset[Path] = frozenset()) -> Outcome:
        """Build once; content problems and bugs alike become an Outcome, never an exception."""
        try:
            report = rebuild(self.builder)
        except ContentError as error:
            return Outcome(None, tuple(error.problems), changed)
        except Exception as error:  # noqa: BLE001 - a bug in Evidence: keep its traceback, keep serving
            traceback.print_exc()
            message = f"internal error, not a content problem: {type(error).__name__}: {error} (traceback in the terminal)"
            return Outcome(None, (Problem(Path("evidence"), 0, message),), changed)
        return Outcome(report, (), changed, is_stylesheets_only(changed, self.paths.static))

    def snapshot(self) -> Snapshot:
        return snapshot(self.watched, skip=self.out_dir)


def is_stylesheets_only(changed: frozenset[Path], static_dir: Path) -> bool:
    """Whether the browser can take the change by swapping stylesheets, without a reload."""
    return bool(changed) and all(path.suffix == ".css" and path.is_relative_to(static_dir) for path in changed)


def snapshot(roots: tuple[Path, ...], skip: Path | None = None) -> Snapshot:
    """Every file under the roots (but not under the absolute path `skip`, the output) with
    its modification time, size and inode: any save changes one of them."""
    files: Snapshot = {}
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not is_ignored(d) and Path(folder, d).absolute() != skip]
            for name in names:
                path = Path(folder, name)
                if is_ignored(name):
                    continue
                try:
                    stat = path.stat()
                except OSError:  # removed since the walk listed it, or a dangling link
                    continue
                files[path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return files


def is_ignored(name: str) -> bool:
    """Editors' swap, lock and backup files (.x.swp, .#x, #x#, x~) and hidden folders like .git."""
    return name.startswith((".", "#")) or name.endswith("~")


def changed_paths(before: Snapshot, after: Snapshot) -> frozenset[Path]:
    return frozenset(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def watch(preview: Preview, before: Snapshot, stop: threading.Event, publish: Callable[[Outcome], None]) -> None:
    """Rebuild after every burst of saves until `stop` is set; runs on its own thread."""
    since_good: frozenset[Path] = frozenset()  # a good build must take in what failed builds missed
    while not stop.wait(POLL_SECONDS):
        after = preview.snapshot()
        if after == before:
            continue
        after = settle(preview, after, stop)
        since_good |= changed_paths(before, after)
        before = after
        started = time.perf_counter()
        outcome = preview.attempt(since_good)
        print_outcome(outcome, time.perf_counter() - started)
        if outcome.ok:
            since_good = frozenset()
        publish(outcome)


def settle(preview: Preview, state: Snapshot, stop: threading.Event) -> Snapshot:
    """Wait until the files stop changing: an editor's save or a checkout is many writes."""
    while not stop.wait(SETTLE_SECONDS):
        later = preview.snapshot()
        if later == state:
            return state
        state = later
    return state


def print_outcome(outcome: Outcome, seconds: float, first: bool = False) -> None:
    if outcome.report is None:
        for problem in outcome.problems:
            print(problem if problem.line else problem.message, file=sys.stderr, flush=True)
        count = len(outcome.problems)
        still = "nothing to serve until it builds" if first else "still serving the last good site"
        print(f"build failed: {count} problem{'s' if count != 1 else ''}; {still}", file=sys.stderr, flush=True)
        return
    report = outcome.report
    for warning in report.warnings:
        print(f"{warning} (warning)", file=sys.stderr, flush=True)
    summary = f"{report.pages} pages, {report.citations} citations verified, {len(report.warnings)} warning(s)"
    if first:
        print(f"built {summary} in {seconds * 1000:.0f} ms", flush=True)
    else:
        print(f"rebuilt in {seconds * 1000:.0f} ms after {describe_changes(outcome.changed)}: {summary}", flush=True)


def describe_changes(changed: frozenset[Path]) -> str:
    names = sorted(display_path(path) for path in changed)
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


# --- what the browsers are told ----------------------------------------------------------

@dataclass(frozen=True)
class Status:
    """The state of the preview as browsers see it.

    Builds are numbered by the wall clock in milliseconds, so numbers keep growing across
    restarts of the server and a page left open while it was down still knows it is stale.
    """

    build: int = 0  # the last good build, whose files are served; 0: none yet
    base_path: str = "/"
    problems: tuple[Problem, ...] = ()

    def after(self, outcome: Outcome, now_ms: int) -> Status:
        if outcome.report is None:
            return replace(self, problems=outcome.problems)
        return Status(max(now_ms, self.build + 1), base_path_of(outcome.report.base_url), ())

    def to_json(self) -> str:
        problems = [{"where": f"{display_path(p.path)}:{p.line}" if p.line else "", "message": p.message} for p in self.problems]
        return json.dumps({"build": self.build, "problems": problems})


def reload_message(outcome: Outcome, paths: Paths, base_path: str) -> list[dict]:
    """livereload protocol messages: swap each changed stylesheet in place, or reload the page."""
    if not outcome.stylesheets_only:
        return [{"command": "reload", "path": "*", "liveCSS": False, "liveImg": False}]
    return [
        {"command": "reload", "path": base_path + "assets/" + path.relative_to(paths.static).as_posix(), "liveCSS": True, "liveImg": False}
        for path in sorted(outcome.changed)
    ]


@dataclass
class LiveSite:
    """The server's side of the preview; touched only on the server's thread."""

    preview: Preview
    status: Status
    status_sockets: set[StatusSocket] = field(default_factory=set)

    def publish(self, outcome: Outcome) -> None:
        self.status = self.status.after(outcome, int(time.time() * 1000))
        if outcome.ok:
            for message in reload_message(outcome, self.preview.paths, self.status.base_path):
                for waiter in list(LiveReloadHandler.waiters):  # the library keeps its clients on the class
                    send(waiter, message)
        for status_socket in list(self.status_sockets):
            send(status_socket, self.status.to_json())


def send(socket_handler: websocket.WebSocketHandler, message: dict | str) -> None:
    try:
        socket_handler.write_message(message)
    except websocket.WebSocketClosedError:
        pass  # the page went away; its handler removes itself on close


# --- serving -----------------------------------------------------------------------------

def resolve(root: Path, base_path: str, url_path: str) -> Path | None:
    """The file or folder under `root` that a request path names, or None: never anything outside root."""
    path = unquote(url_path)
    if path + "/" == base_path:
        return root  # the mount point without its slash: redirected like any folder
    if not path.startswith(base_path):
        return None
    parts = path[len(base_path):].split("/")
    if any(part == ".." or "\\" in part or "\0" in part for part in parts):
        return None
    target = root.joinpath(*(part for part in parts if part not in ("", ".")))
    try:
        if not target.resolve().is_relative_to(root.resolve()):
            return None
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return target


def inject_client(html: bytes, build_number: int) -> bytes:
    """Add the preview's script before </head>, or at the end of a page that has none."""
    tag = CLIENT_TAG.format(build=build_number).encode()
    match = HEAD_END.search(html)
    if match is None:
        return html + tag
    return html[: match.start()] + tag + html[match.start():]


class SiteHandler(web.RequestHandler):
    """The output folder, mounted at the base URL's path; every HTML page gets the preview's script."""

    def initialize(self, live: LiveSite) -> None:
        self.live = live

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")  # after a reload the browser must show the new build

    def get(self) -> None:
        status = self.live.status
        if not status.build:
            self.send_file(CLIENT_DIR / "no-site.html", 503)
            return
        target = resolve(self.live.preview.out_dir, status.base_path, self.request.path)
        if target is not None and target.is_dir():
            if not self.request.path.endswith("/"):
                self.redirect(self.request.path + "/")
                return
            target = target / "index.html"
        if target is not None and self.send_file(target, 200):
            return
        if not self.send_file(self.live.preview.out_dir / "404.html", 404):
            raise web.HTTPError(404)

    def send_file(self, path: Path, status_code: int) -> bool:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return False
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type == "text/html":
            data = inject_client(data, self.live.status.build)
            content_type += "; charset=utf-8"
        self.set_status(status_code)
        self.set_header("Content-Type", content_type)
        self.finish(data)
        return True

    def compute_etag(self) -> None:
        return None


class StatusSocket(websocket.WebSocketHandler):
    """Pushes the preview's status (problems, last good build) to a page on connect and after every build."""

    def initialize(self, live: LiveSite) -> None:
        self.live = live

    def open(self) -> None:
        self.live.status_sockets.add(self)
        self.write_message(self.live.status.to_json())

    def on_close(self) -> None:
        self.live.status_sockets.discard(self)


def make_app(live: LiveSite) -> web.Application:
    return web.Application(
        [
            (r"/livereload", LiveReloadHandler),
            (RESERVED + r"livereload\.js", LiveReloadJSHandler),
            (RESERVED + r"status", StatusSocket, {"live": live}),
            (RESERVED + r"(preview\.js|preview\.css)", web.StaticFileHandler, {"path": str(CLIENT_DIR)}),
            (r".*", SiteHandler, {"live": live}),
        ],
        log_function=lambda handler: None,  # a preview's terminal is for build results
    )


# --- the command -------------------------------------------------------------------------

class PortInUse(Exception):
    """No port to listen on: the one asked for, or every one tried, is taken."""


def bind(host: str, port: int | None) -> list[socket.socket]:
    """Listen on `port`, or, when none was asked for, on the first free one from DEFAULT_PORT."""
    candidates = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + PORTS_TO_TRY)
    for candidate in candidates:
        try:
            return netutil.bind_sockets(candidate, address=host)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise PortInUse()


def url_of(host: str, sockets: list[socket.socket], base_path: str) -> str:
    port = sockets[0].getsockname()[1]
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"  # listening everywhere; this machine reaches itself here
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{base_path}"


def serve(paths: Paths, *, out_dir: Path | None, host: str, port: int | None, base_url: str | None,
          strict: bool, open_browser: bool) -> int:
    """Build, serve and rebuild until Ctrl-C or SIGTERM; returns the exit code."""
    try:
        sockets = bind(host, port)
    except PortInUse:
        taken = f"port {port} is" if port is not None else f"ports {DEFAULT_PORT} to {DEFAULT_PORT + PORTS_TO_TRY - 1} are"
        print(f"error: {taken} in use on {host}; pass another --port (--port 0 picks a free one)", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot listen on {host}:{port or DEFAULT_PORT}: {error.strerror or error}", file=sys.stderr)
        return 2
    bound = sockets[0].getsockname()[1]
    if port is None and bound != DEFAULT_PORT:
        print(f"port {DEFAULT_PORT} is in use; using {bound} instead", flush=True)
    temporary = None
    if out_dir is None:
        # Not dist/: that holds what `build` made for publishing, and a preview should not
        # replace it behind the writer's back. The files on disk never contain the preview's script.
        temporary = Path(tempfile.mkdtemp(prefix="evidence-preview-"))
        out_dir = temporary / "site"
    preview = Preview(paths, out_dir.absolute(), base_url, strict)
    try:
        return asyncio.run(_run(preview, sockets, host, open_browser))
    except KeyboardInterrupt:  # a second Ctrl-C while shutting down
        return 0
    finally:
        for listening in sockets:
            listening.close()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


async def _run(preview: Preview, sockets: list[socket.socket], host: str, open_browser: bool) -> int:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)

    before = preview.snapshot()  # taken first, so that a save during the first build is seen
    started = time.perf_counter()
    outcome = preview.attempt()
    print_outcome(outcome, time.perf_counter() - started, first=True)
    live = LiveSite(preview, Status().after(outcome, int(time.time() * 1000)))

    server = httpserver.HTTPServer(make_app(live))
    server.add_sockets(sockets)
    url = url_of(host, sockets, live.status.base_path)
    print(f"serving {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        loop.run_in_executor(None, webbrowser.open, url)

    stop_watching = threading.Event()
    watcher = threading.Thread(
        target=watch, name="evidence-watch", daemon=True,
        args=(preview, before, stop_watching, lambda result: loop.call_soon_threadsafe(live.publish, result)),
    )
    watcher.start()
    try:
        await stopping.wait()
    finally:
        stop_watching.set()
        watcher.join()  # lets a build in progress finish writing before its folder is removed
        server.stop()
        for connection in [*live.status_sockets, *LiveReloadHandler.waiters]:
            connection.close()
        await server.close_all_connections()
    print("stopped", flush=True)
    return 0
