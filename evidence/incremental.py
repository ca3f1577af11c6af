"""Builds that redo only what an edit touched: a Builder keeps the memo of the pipeline's steps (evidence/memo.py) between builds.

The live preview keeps one Builder for its session; `build.py build` makes one per process, its
state read from and saved to the cache folder (evidence/cache.py). Either way a build is the
plain pipeline (evidence/pipeline.py) run through the memo, on worker processes, into the
previous output, which the writer (evidence/output.py) updates and swaps in.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Callable, TypeVar

from .errors import ContentError, Problem
from .inputs import InputChanged
from .memo import Memo, State
from .output import InMemory, Output
from .pipeline import Options, render
from .stages import Built

ATTEMPTS = 3  # builds started again because an editor saved while the build read the files
T = TypeVar("T")


class Builder:
    """Builds a site again and again, redoing only what changed since its last build."""

    def __init__(self, paths, out_dir: Path | None = None, *, base_url: str | None = None, strict: bool = False,
                 jobs: int | None = None, cache_dir: Path | None = None, state: State | None = None):
        self.paths, self.out_dir = paths, out_dir
        self.cache_dir = cache_dir or (default_cache_dir(out_dir) if out_dir else None)
        self.options = Options(base_url, strict, jobs, bytecode_dir())
        self.memo = Memo(state or State())

    @staticmethod
    def options_of(base_url: str | None, strict: bool, jobs: int | None) -> dict:
        return {"base_url": base_url, "strict": strict, "jobs": jobs}

    @property
    def state(self) -> State:
        return self.memo.state

    def build(self, search_later: bool = False) -> Built:
        """Render what changed into the previous output and swap it in for out_dir; on any problem, out_dir is left as it was.
        With search_later, a search index already made is kept even if out of date (pipeline.Options.search_later)."""
        assert self.out_dir is not None, "a Builder without out_dir can only render"
        options = dataclasses.replace(self.options, search_later=search_later)
        with Output.cached(self.out_dir, self.cache_dir, self.state.output) as out:
            built = attempt(lambda: render(self.paths, options, self.memo, out.restart()))
            out.finish()
        return built

    def level(self) -> None:
        """Bring the folder the next build stages into level with the output (Output.level), so that build writes less."""
        assert self.out_dir is not None and self.state.output.manifest, "level after a build"
        with Output.cached(self.out_dir, self.cache_dir, self.state.output) as out:
            out.level()

    def render(self) -> Built:
        """Load, check and render what changed into memory; raise ContentError listing every problem."""
        return attempt(lambda: render(self.paths, self.options, self.memo, InMemory()))


def attempt(run: Callable[[], T]) -> T:
    """Run a build, again if a file changed while it was read (an editor saving meanwhile)."""
    for number in range(ATTEMPTS):
        try:
            return run()
        except InputChanged as changed:
            if number == ATTEMPTS - 1:
                message = f"the file changed every time it was read ({ATTEMPTS} times); build again once it is saved"
                raise ContentError([Problem(Path(changed.args[0]), 1, message)]) from None
    raise AssertionError("unreachable")


def bytecode_dir() -> Path | None:
    """Where compiled templates are kept between processes: in this user's own cache folder, never the project's.

    Loading them runs them (Jinja's bytecode cache unpickles and unmarshals), so they must not come
    from a folder that can arrive with a checkout or a shared drive, as .cache/evidence/ can.
    """
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home, "evidence", "templates") if os.path.isabs(home) else None


def default_cache_dir(out_dir: Path) -> Path:
    """Beside the output, not in it: .cache/evidence/ in the output's parent folder (safe to delete)."""
    return out_dir.absolute().parent / ".cache" / "evidence"
