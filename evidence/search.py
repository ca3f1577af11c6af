"""Site search: Pagefind's index of the explainers and sources, made from a search document per page (templates/search_document.html).

Pagefind (https://pagefind.app) runs in the reader's browser and loads only the parts of the
index a query needs. Its indexer is a binary (PyPI `pagefind[bin]`) that this module drives over
its `--service` protocol: one NewIndex, an AddFile per document, then GetFiles, whose files
become pages of the site under pagefind/, written and swapped in with every other page. The protocol is spoken here, not through the `pagefind` package's
asyncio client, which polls for each answer every 100 ms: 10 documents a second.
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import Problem
from .urls import SEARCH_FOLDER

INSTALL = "python -m pip install 'pagefind[bin]'"
UNUSED = re.compile(r"^pagefind-(?:.*ui|highlight)\.(?:js|css)$")  # Pagefind's own interfaces: static/search.js is ours


@dataclass(frozen=True, order=True)
class SearchProblem(Problem):
    """A problem with the search indexer rather than with a content file: one line, no file."""

    def __str__(self) -> str:
        return self.message


def missing_binary() -> SearchProblem:
    return SearchProblem(Path("."), 0, f"search: the pagefind binary was not found; install it with: {INSTALL}")


def find_binary() -> Path | None:
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    found = get_executable()
    return found if found is not None and found.exists() else None


def build_index(documents: Iterable[tuple[str, str]], language: str) -> tuple[Problem | None, dict[str, bytes]]:
    """Pagefind's files for the documents, each (the URL it stands for, from the site's root; its HTML), as pages under pagefind/."""
    binary = find_binary()
    if binary is None:
        return missing_binary(), {}
    with tempfile.TemporaryDirectory(prefix="evidence-pagefind-") as folder:  # its working folder: it writes nothing there
        process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, cwd=folder)
        try:
            problem, files = _index(process, documents, language)
        finally:
            _stop(process)
    if problem is not None:
        return problem, {}
    return None, {SEARCH_FOLDER + file["path"]: base64.b64decode(file["content"])
                  for file in sorted(files, key=lambda file: file["path"]) if not UNUSED.match(file["path"])}


def _index(process: subprocess.Popen, documents: Iterable[tuple[str, str]], language: str) -> tuple[Problem | None, list[dict]]:
    """Send every document, then ask for the files (GetFiles: they come back in the answer, written only by us)."""
    answers = _answers(process)
    _send(process, 0, {"type": "NewIndex", "config": {"force_language": language, "root_selector": "main"}})
    index = next(answers)["payload"]["index_id"]
    messages = [{"type": "AddFile", "index_id": index, "url": "/" + url, "file_path": None, "file_contents": html}
                for url, html in documents]
    messages.append({"type": "GetFiles", "index_id": index})

    def send_all() -> None:  # on a thread: the answers must be read while the requests are written, or both pipes fill
        for number, message in enumerate(messages, start=1):
            if not _send(process, number, message):
                return

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    try:
        for answer in answers:
            payload = answer["payload"]
            if payload.get("type") == "Error":
                return SearchProblem(Path("."), 0, f"search: pagefind refused a document: {payload.get('message')}"), []
            if answer.get("message_id") == len(messages):
                return None, payload["files"]
        return SearchProblem(Path("."), 0, "search: pagefind stopped before it made the index"), []
    finally:
        sender.join()


def _stop(process: subprocess.Popen) -> None:
    """Let the indexer finish writing and exit (it stops when its input ends); kill it if it does not."""
    with contextlib.suppress(OSError):
        process.stdin.close()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _send(process: subprocess.Popen, number: int, payload: dict) -> bool:
    try:
        process.stdin.write(base64.b64encode(json.dumps({"message_id": number, "payload": payload}).encode("utf-8")) + b",")
        process.stdin.flush()
        return True
    except (BrokenPipeError, ValueError):
        return False


def _answers(process: subprocess.Popen) -> Iterator[dict]:
    pending = b""
    while True:
        chunk = process.stdout.read1(1 << 16)
        if not chunk:
            return
        pending += chunk
        *complete, pending = pending.split(b",")
        for message in complete:
            yield json.loads(base64.b64decode(message))
