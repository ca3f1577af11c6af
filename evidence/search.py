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
import queue
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

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


def build_index(documents: list[tuple[str, str]], language: str) -> tuple[Problem | None, dict[str, bytes]]:
    """Pagefind's files for the documents, each (the URL it stands for, from the site's root; its HTML), as pages under pagefind/."""
    with Indexer(language) as indexer:
        return indexer.finish(documents)


class Indexer:
    """One run of Pagefind's indexer, which can be sent documents as they come: a cold build sends each explainer's as its
    worker finishes, so that Pagefind (one core) indexes while the pages render. `finish` sends the rest and returns the files."""

    def __init__(self, language: str):
        self.language = language
        self.sent: list[str] = []  # the URLs of the documents sent so far
        self.process: subprocess.Popen | None = None
        self.problem: Problem | None = None
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._answers: dict[int, dict] = {}
        self._finished = threading.Event()
        self._last = -1  # the id of the message whose answer ends the run
        self._folder: tempfile.TemporaryDirectory | None = None  # its working folder, made when it starts (see _start)

    def __enter__(self) -> "Indexer":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process is not None:
            self._outbox.put(None)
            _stop(self.process)
        if self._folder is not None:
            self._folder.cleanup()

    def add(self, url: str, html: str) -> None:
        if self.process is None and self.problem is None:
            self._start()
        if self.problem is None:
            self.sent.append(url)
            self._outbox.put({"type": "AddFile", "url": "/" + url, "file_path": None, "file_contents": html})

    def finish(self, documents: list[tuple[str, str]]) -> tuple[Problem | None, dict[str, bytes]]:
        """The index of `documents`: those sent already must be its first ones, in order, or it starts again with a new run."""
        if self.sent != [url for url, _ in documents[: len(self.sent)]]:
            with Indexer(self.language) as fresh:
                return fresh.finish(documents)
        for url, html in documents[len(self.sent):]:
            self.add(url, html)
        if self.process is None and self.problem is None:
            self._start()
        if self.problem is not None:
            return self.problem, {}
        self._last = len(self.sent) + 1
        self._outbox.put({"type": "GetFiles"})
        self._finished.wait()
        answer = self._answers.get(self._last)
        errors = [a for a in self._answers.values() if a.get("type") == "Error"]
        if errors:
            return SearchProblem(Path("."), 0, f"search: pagefind refused a document: {errors[0].get('message')}"), {}
        if answer is None:
            return SearchProblem(Path("."), 0, "search: pagefind stopped before it made the index"), {}
        return None, {SEARCH_FOLDER + file["path"]: base64.b64decode(file["content"])
                      for file in sorted(answer["files"], key=lambda file: file["path"]) if not UNUSED.match(file["path"])}

    def _start(self) -> None:
        binary = find_binary()
        if binary is None:
            self.problem = missing_binary()
            return
        # An empty working folder of its own: Pagefind looks for its configuration files (pagefind.yml, .json...)
        # where it runs, even as a service, and stops at once if it finds two.
        self._folder = tempfile.TemporaryDirectory(prefix="evidence-pagefind-")
        self.process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, cwd=self._folder.name)
        answers = _answers(self.process)
        _send(self.process, 0, {"type": "NewIndex", "config": {"force_language": self.language, "root_selector": "main"}})
        try:
            index = next(answers)["payload"]["index_id"]
        except (StopIteration, ValueError, KeyError, TypeError):  # it exited, or answered something else
            self.problem = SearchProblem(Path("."), 0, f"search: the pagefind binary ({binary}) stopped as it started; "
                                                       f"install it again with: {INSTALL} --force-reinstall")
            return
        # Two threads: the answers must be read while the requests are written, or both pipes fill.
        threading.Thread(target=self._write, args=(index,), daemon=True).start()
        threading.Thread(target=self._read, args=(answers,), daemon=True).start()

    def _write(self, index: int) -> None:
        number = 0
        while (message := self._outbox.get()) is not None:
            number += 1
            if not _send(self.process, number, {**message, "index_id": index}):
                return

    def _read(self, answers: Iterator[dict]) -> None:
        """Keep the errors and the last answer (the files); read every answer, so that Pagefind never waits to write one."""
        try:
            for answer in answers:
                payload = answer["payload"]
                if payload.get("type") == "Error" or answer.get("message_id") == self._last:
                    self._answers[answer.get("message_id", -1)] = payload
                if answer.get("message_id") == self._last:
                    break
        finally:
            self._finished.set()


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
