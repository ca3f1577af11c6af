"""Run a build's per-explainer and per-source steps on every core: worker processes that inherit the build's context and compiled templates."""
from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import sys
import threading
from pathlib import Path
from typing import Callable, Iterator

from .output import write_new_file
from .steps import Context, Tools

UNITS_PER_TASK = 8  # steps sent to a worker at a time
MIN_UNITS_PER_WORKER = 24  # below this a pool costs more than it saves


class Pool:
    """Runs steps in order: in worker processes once there are enough to share, else here, one after the other.

    `tools` makes this process's Tools when first needed. With `folder`, workers write the pages
    they render there and send back only the files' stamps (evidence/output.py).
    """

    def __init__(self, context: Context, tools: Callable[[], Tools], jobs: int | None = None, folder: Path | None = None):
        self.context, self.tools, self.folder = context, tools, folder
        self.jobs = jobs or available_cores()
        self.workers = None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.workers is not None:
            self.workers.terminate()
            self.workers.join()

    def map(self, step: Callable, tasks: list[tuple]) -> Iterator[tuple]:
        """`step(context, tools, *task)` for every task, in order; on the workers, the tasks are handed out at once, so this process can do other work meanwhile."""
        method = start_method()
        if self.workers is None and method and min(self.jobs, len(tasks) // MIN_UNITS_PER_WORKER) >= 2:
            self._start(method)
        if self.workers is None:
            return self.here(step, tasks)
        chunks = [tasks[start : start + UNITS_PER_TASK] for start in range(0, len(tasks), UNITS_PER_TASK)]
        results = self.workers.imap(_run_chunk, [(step, chunk, self.folder) for chunk in chunks])
        return (result for chunk in results for result in chunk)

    def here(self, step: Callable, tasks: list[tuple]) -> Iterator[tuple]:
        tools = self.tools()
        for task in tasks:
            yield step(self.context, tools, *task)

    def _start(self, method: str) -> None:
        # Workers get the context as plain data: forked ones inherit it, and this process's compiled
        # templates with it; spawned ones unpickle the context and load templates from the bytecode cache.
        context = dataclasses.replace(self.context, sources=dict(self.context.sources))
        tools = self.tools().compile_all() if method == "fork" else None
        gc.freeze()  # forked workers then never scan (or copy, by touching) what they inherit
        try:
            self.workers = multiprocessing.get_context(method).Pool(self.jobs, initializer=_start_worker, initargs=(context, tools))
        finally:
            gc.unfreeze()


def start_method() -> str | None:
    """How to start worker processes here, or None if they would not start.

    Fork is only safe while this process has a single thread (the live preview has more);
    spawn starts a fresh interpreter, which must be able to import the main script.
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return "spawn" if main and os.path.isfile(main) else None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_worker: tuple[Context, Tools] | None = None  # set in each worker process by _start_worker


def _start_worker(context: Context, tools: Tools | None) -> None:
    global _worker
    _worker = (context, tools or Tools(context.template_dirs, context.bytecode_dir))


def _run_chunk(job: tuple) -> list:
    """Run steps in a worker; with a folder, write their pages there and send back only the files' stamps."""
    step, chunk, folder = job
    assert _worker is not None
    context, tools = _worker
    results = [step(context, tools, *task) for task in chunk]
    if folder is None:
        return results
    return [(result, {page: write_new_file(folder / page, data) for page, data in pages.items()}) for result, pages in results]
