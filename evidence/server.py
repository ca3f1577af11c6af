"""The live preview's server: the output folder over HTTP with the preview's script in every page, and what the browsers are told after each build.

python-livereload supplies the reload protocol: its WebSocket handler (`/livereload`) and its
browser client (livereload.js), which reloads the page or swaps a stylesheet in place.
"""
from __future__ import annotations

import json
import mimetypes
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web, websocket

from .build import Paths
from .errors import Problem, display_path
from .links import base_path_of
from .watch import Attempt, Preview

CLIENT_DIR = Path(__file__).resolve().parent / "preview"
# The preview's own URLs. livereload.js always connects to /livereload; the rest live under
# one reserved folder. A site file at these paths would be shadowed in the preview only.
RESERVED = "/__livereload__/"
CLIENT_TAG = '<script src="' + RESERVED + 'preview.js" data-build="{build}" defer></script>'
HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Status:
    """The state of the preview as browsers see it.

    Builds are numbered by the wall clock in milliseconds, so numbers keep growing across
    restarts of the server and a page left open while it was down still knows it is stale.
    """

    build: int = 0  # the last good build, whose files are served; 0: none yet
    base_path: str = "/"
    problems: tuple[Problem, ...] = ()

    def after(self, attempt: Attempt, now_ms: int) -> Status:
        if attempt.report is None:
            return replace(self, problems=attempt.problems)
        return Status(max(now_ms, self.build + 1), base_path_of(attempt.report.base_url), ())

    def to_json(self) -> str:
        problems = [{"where": f"{display_path(p.path)}:{p.line}" if p.line else "", "message": p.message} for p in self.problems]
        return json.dumps({"build": self.build, "problems": problems})


def reload_message(attempt: Attempt, paths: Paths, base_path: str) -> list[dict]:
    """livereload protocol messages: swap each changed stylesheet in place, or reload the page."""
    if not attempt.stylesheets_only:
        return [{"command": "reload", "path": "*", "liveCSS": False, "liveImg": False}]
    return [
        {"command": "reload", "path": base_path + "assets/" + path.relative_to(paths.static).as_posix(), "liveCSS": True, "liveImg": False}
        for path in sorted(attempt.changed)
    ]


@dataclass
class LiveSite:
    """The server's side of the preview; touched only on the server's thread."""

    preview: Preview
    status: Status
    status_sockets: set[StatusSocket] = field(default_factory=set)

    def publish(self, attempt: Attempt) -> None:
        self.status = self.status.after(attempt, int(time.time() * 1000))
        if attempt.ok:
            for message in reload_message(attempt, self.preview.paths, self.status.base_path):
                for waiter in list(LiveReloadHandler.waiters):  # the library keeps its clients on the class
                    send(waiter, message)
        for status_socket in list(self.status_sockets):
            send(status_socket, self.status.to_json())


def send(socket_handler: websocket.WebSocketHandler, message: dict | str) -> None:
    try:
        socket_handler.write_message(message)
    except websocket.WebSocketClosedError:
        pass  # the page went away; its handler removes itself on close


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


