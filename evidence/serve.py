"""The live preview's command: a thin loop over build() that serves the last good site and reloads the browser on every save.

python-livereload supplies the reload protocol: its WebSocket handler (`/livereload`) and its
browser client (livereload.js), which reloads the page or swaps a stylesheet in place. Its
`Server` and `Watcher` are not used, because of how they build: they run the build on the
server's thread with no error handling, drop a change whose build raised, ignore a second
save within 3 s, build once per watched path that changed, and inject an inline script
(which a Content-Security-Policy blocks) only into pages that have `</head>`. Here instead one thread polls the sources, waits for a burst of
saves to settle, builds once, and hands the outcome to the server's thread, which tells the
browsers. Watching is evidence/watch.py, serving evidence/server.py, and this module starts them.
"""
from __future__ import annotations

import asyncio
import errno
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path

from tornado import netutil

from .build import Paths
from .server import Hosts, LiveSite, PreviewServer, Status, make_app
from .watch import Preview, print_attempt, watch

DEFAULT_PORT = 8000
PORTS_TO_TRY = 10  # when the default port is taken, the next ones


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
        try:
            temporary = Path(tempfile.mkdtemp(prefix="evidence-preview-"))
        except OSError as error:
            for listening in sockets:
                listening.close()
            where = error.filename or tempfile.gettempdir()
            print(f"{where}:1: cannot make the preview's folder: {error.strerror or error}; pass --out DIR", file=sys.stderr)
            return 1
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
    attempt = preview.attempt()
    print_attempt(attempt, time.perf_counter() - started, first=True)
    live = LiveSite(preview, Status().after(attempt, int(time.time() * 1000)))

    server = PreviewServer(make_app(live, Hosts.listening_on(host)))
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
        for connection in list(live.sockets):
            connection.close()
        await server.close_all_connections()
    print("stopped", flush=True)
    return 0
