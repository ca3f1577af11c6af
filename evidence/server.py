"""The live preview's server: the output folder over HTTP with the preview's script in every page, and what the browsers are told after each build.

python-livereload supplies the reload protocol: its WebSocket handler (`/livereload`) and its
browser client (livereload.js), which reloads the page or swaps a stylesheet in place.

The preview may listen on a network (`--host 0.0.0.0`), and any web page the writer opens can
send requests to it, so the server answers only requests addressed to its own host names and
WebSockets opened by its own pages, and no number of idle or surplus connections stops it answering.
"""
from __future__ import annotations

import errno
import ipaddress
import json
import mimetypes
import re
import resource
import socket
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, httputil, ioloop, iostream, web, websocket

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
MAX_PATH = 1024  # characters of a request path; longer ones name no file the build writes, and the OS refuses some
# A connection that sends no complete request within HEADER_SECONDS is closed, and at most connection_limit()
# HTTP connections and as many WebSockets are held at once, the oldest closed first: each holds a file descriptor.
HEADER_SECONDS = 10
MAX_CONNECTIONS = 256  # far more than the tabs of one writer's browsers ever open
OUT_OF_DESCRIPTORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)


def connection_limit() -> int:
    """At most a quarter of the file descriptors the process may open: pages, builds and WebSockets need the rest."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return MAX_CONNECTIONS if soft == resource.RLIM_INFINITY else max(8, min(MAX_CONNECTIONS, soft // 4))


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
        if attempt.search_only:
            return replace(self, problems=())  # the pages shown are this build's: they need no reload
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
    sockets: dict[websocket.WebSocketHandler, None] = field(default_factory=dict)  # every open WebSocket, oldest first
    socket_limit: int = field(default_factory=connection_limit)

    def publish(self, attempt: Attempt) -> None:
        self.status = self.status.after(attempt, int(time.time() * 1000))
        if attempt.ok and not attempt.search_only:
            for message in reload_message(attempt, self.preview.paths, self.status.base_path):
                for waiter in list(LiveReloadHandler.waiters):  # the library keeps its clients on the class
                    send(waiter, message)
        for status_socket in [held for held in self.sockets if isinstance(held, StatusSocket)]:
            send(status_socket, self.status.to_json())

    def hold(self, opened: websocket.WebSocketHandler) -> None:
        """Keep a WebSocket open: each holds a file descriptor, so past the limit the oldest is closed."""
        self.sockets[opened] = None
        while len(self.sockets) > self.socket_limit:
            oldest = next(iter(self.sockets))
            del self.sockets[oldest]
            oldest.close()

    def release(self, closed: websocket.WebSocketHandler) -> None:
        self.sockets.pop(closed, None)


def send(socket_handler: websocket.WebSocketHandler, message: dict | str) -> None:
    try:
        socket_handler.write_message(message)
    except websocket.WebSocketClosedError:
        pass  # the page went away; its handler removes itself on close


def resolve(root: Path, base_path: str, url_path: str) -> Path | None:
    """The file or folder under `root` that a request path names, or None: never anything outside root."""
    path, base_path = unquote(url_path), unquote(base_path)  # the base URL's path may be escaped (/my%20site/), as requests are
    if len(path) > MAX_PATH:
        return None
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


def is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long for the system, say: it names no folder the build wrote
        return False


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
        if target is not None and is_folder(target):
            if not self.request.path.endswith("/"):
                # One leading slash: '//assets/' would be a protocol-relative URL, that is, the host 'assets'.
                self.redirect("/" + self.request.path.lstrip("/") + "/")
                return
            target = target / "index.html"
        if target is not None and self.send_file(target, 200):
            return
        if not self.send_file(self.live.preview.out_dir / "404.html", 404):
            raise web.HTTPError(404)

    def send_file(self, path: Path, status_code: int) -> bool:
        try:
            data = path.read_bytes()
        except OSError:  # not there, a folder, or a name the system refuses: the caller answers 404
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
        self.live.hold(self)
        self.write_message(self.live.status.to_json())

    def on_message(self, message: str | bytes) -> None:
        pass  # the page only listens

    def on_close(self) -> None:
        self.live.release(self)


class ReloadSocket(LiveReloadHandler):
    """python-livereload's socket, without what it adds to tornado's: any page on any site could connect,
    and a message that is not its JSON printed a traceback."""

    check_origin = websocket.WebSocketHandler.check_origin  # tornado's: the page's own origin only

    def initialize(self, live: LiveSite) -> None:
        self.live = live

    def open(self) -> None:
        self.live.hold(self)

    def on_close(self) -> None:
        super().on_close()
        self.live.release(self)

    def on_message(self, message: str | bytes) -> None:
        try:
            parsed = json.loads(message)
        except ValueError:  # not JSON, or not UTF-8
            return
        if isinstance(parsed, dict) and isinstance(parsed.get("command"), str):
            super().on_message(message)


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
EVERY_INTERFACE = frozenset({"", "0.0.0.0", "::"})


@dataclass(frozen=True)
class Hosts:
    """The names a request may address the preview by (its Host header). Any other is refused: that stops DNS
    rebinding, where a page on another site points its own name at this machine to read the preview."""

    names: frozenset[str]
    any_address: bool = False  # listening on every interface: an IP address typed on another device is fine too

    @classmethod
    def listening_on(cls, host: str) -> Hosts:
        if host in EVERY_INTERFACE:
            machine = socket.gethostname().lower()
            return cls(LOOPBACK_NAMES | {machine, machine + ".local"}, any_address=True)
        return cls(LOOPBACK_NAMES | {host.lower().strip("[]")})

    def allow(self, host_header: str) -> bool:
        name = httputil.split_host_and_port(host_header.lower())[0].strip("[]").rstrip(".")
        return name in self.names or self.any_address and is_ip_address(name)


def is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True  # an address names one machine; only a name can be pointed elsewhere


class RefusedHost(web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish("This preview answers only at the address it printed, or at localhost; this request was addressed to "
                    f"{self.request.host!r}.\n")


class PreviewApplication(web.Application):
    """tornado's application, refusing every request addressed to a host the preview does not answer at."""

    def __init__(self, handlers: list, hosts: Hosts, **settings) -> None:
        super().__init__(handlers, **settings)
        self.hosts = hosts

    def find_handler(self, request: httputil.HTTPServerRequest, **kwargs) -> httputil.HTTPMessageDelegate:
        if not self.hosts.allow(request.host):
            return self.get_handler_delegate(request, RefusedHost)
        return super().find_handler(request, **kwargs)


def make_app(live: LiveSite, hosts: Hosts) -> web.Application:
    return PreviewApplication(
        [
            (r"/livereload", ReloadSocket, {"live": live}),
            (RESERVED + r"livereload\.js", LiveReloadJSHandler),
            (RESERVED + r"status", StatusSocket, {"live": live}),
            (RESERVED + r"(preview\.js|preview\.css)", web.StaticFileHandler, {"path": str(CLIENT_DIR)}),
            (r".*", SiteHandler, {"live": live}),
        ],
        hosts,
        log_function=lambda handler: None,  # a preview's terminal is for build results
        websocket_max_message_size=65536,  # the client sends a few short JSON messages
    )


class PreviewServer(httpserver.HTTPServer):
    """tornado's HTTP server, kept answering however many connections are opened and left idle.

    A connection must send its request's headers within HEADER_SECONDS (of opening, or of the last
    answer), and at most `limit` are held: one more closes the one held longest. Accepting a connection
    when the process has no file descriptor left closes the oldest too, or, with none to close, pauses
    accepting for a second, saying so once, where tornado would fail and log the failure in a loop.
    """

    def initialize(self, app: web.Application) -> None:  # tornado's servers are set up here, not in __init__
        # No page request has a body: a few kilobytes, sent promptly, is plenty for any request.
        super().initialize(app, idle_connection_timeout=HEADER_SECONDS, body_timeout=HEADER_SECONDS, max_body_size=65536)
        self.limit = connection_limit()
        self.held: dict[object, None] = {}  # this server's HTTP connections, oldest first
        self.told = False  # that the system ran out of file descriptors

    def add_sockets(self, sockets: list[socket.socket]) -> None:
        for listening in sockets:
            self._sockets[listening.fileno()] = listening
            self._handlers[listening.fileno()] = self._accept_on(listening)

    def handle_stream(self, stream: iostream.IOStream, address: tuple) -> None:
        super().handle_stream(stream, address)
        self.held.update((new, None) for new in self._connections if new not in self.held and not new.stream.closed())
        while len(self.held) > self.limit:
            self._close_oldest()

    def on_close(self, server_conn: object) -> None:
        super().on_close(server_conn)
        self.held.pop(server_conn, None)

    def _close_oldest(self) -> bool:
        if not self.held:
            return False
        oldest = next(iter(self.held))
        del self.held[oldest]
        oldest.stream.close()  # its request loop ends, and on_close forgets it
        return True

    def _accept_on(self, listening: socket.socket) -> Callable[[], None]:
        """tornado.netutil.add_accept_handler, but running out of file descriptors is not an error in a loop."""
        loop = ioloop.IOLoop.current()
        state = {"removed": False}

        def accept(fd: object, events: int) -> None:
            for _ in range(128):  # tornado's bound on connections accepted at a time, so others get a turn
                if state["removed"]:
                    return
                try:
                    connection, address = listening.accept()
                except (BlockingIOError, ConnectionAbortedError):
                    return
                except OSError as error:
                    if error.errno not in OUT_OF_DESCRIPTORS:
                        raise
                    if not self._close_oldest():
                        self._pause(listening, accept, state, error)
                        return
                    continue
                self.told = False
                self._handle_connection(connection, address)

        def remove() -> None:
            state["removed"] = True
            loop.remove_handler(listening)

        loop.add_handler(listening, accept, ioloop.IOLoop.READ)
        return remove

    def _pause(self, listening: socket.socket, accept: Callable, state: dict, error: OSError) -> None:
        if not self.told:
            print(f"error: cannot accept a connection: {error.strerror}; new connections wait (close some, or raise the limit with ulimit -n)",
                  file=sys.stderr, flush=True)
            self.told = True
        loop = ioloop.IOLoop.current()
        loop.remove_handler(listening)
        loop.call_later(1, lambda: state["removed"] or loop.add_handler(listening, accept, ioloop.IOLoop.READ))

