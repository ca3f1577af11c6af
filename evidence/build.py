"""Build a site: load -> check -> render -> write (evidence/incremental.py runs it). The site is replaced only once every page rendered."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from .errors import ContentError, Problem
from .incremental import Builder, Outcome
from .output import write_site
from .render import STATIC_PREFIX

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    content: Path = PROJECT_DIR / "content"
    templates: Path = PROJECT_DIR / "templates"
    static: Path = PROJECT_DIR / "static"


@dataclass
class Report:
    pages: int = 0
    citations: int = 0
    sources: int = 0
    explainers: int = 0
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    base_url: str | None = None  # what the links were built for: the option, else site.yaml's
    rendered: int = 0  # files rendered (or copied) afresh; the others were already right


def render(paths: Paths, *, base_url: str | None = None, strict: bool = False) -> tuple[dict[str, str], Report]:
    """Load, check and render the site into memory; raise ContentError listing every problem."""
    started = time.perf_counter()
    outcome = Builder(paths, base_url=base_url, strict=strict).render()
    pages = {path: data.decode("utf-8") for path, data in outcome.rendered.items() if not path.startswith(STATIC_PREFIX)}
    return pages, report_of(outcome, started)


def build(paths: Paths, out_dir: Path, *, base_url: str | None = None, strict: bool = False,
          cache_dir: Path | None = None, jobs: int | None = None, mtime: int | None = None) -> Report:
    """Build the whole site into out_dir; on any problem, out_dir is left as it was.

    `mtime` (SOURCE_DATE_EPOCH) is the modification time given to every file written; it is
    applied by the one-shot writer, so a reproducible (archived) build runs without a cache.

    With a cache folder, the build starts from what the last build there left (evidence/cache.py),
    renders only the pages whose inputs changed (evidence/incremental.py), and keeps the previous
    output there to update and swap in next time.
    """
    started = time.perf_counter()
    builder = Builder(paths, out_dir, base_url=base_url, strict=strict, jobs=jobs, cache_dir=cache_dir)
    if cache_dir is None or mtime is not None:
        outcome = builder.render()
        write_site(outcome.rendered, None, out_dir, mtime)
        return report_of(outcome, started)
    cache.restore(builder)
    try:
        outcome = builder.build()
    except ContentError:
        cache.save(builder)  # what it parsed, and what the previous output now holds, stay good
        raise
    cache.save(builder)
    return report_of(outcome, started)


def rebuild(builder: Builder) -> Report:
    """Build again with a Builder kept between builds (the live preview's): only what changed since its last build."""
    started = time.perf_counter()
    return report_of(builder.build(), started)


def report_of(outcome: Outcome, started: float) -> Report:
    return Report(
        pages=outcome.pages, citations=outcome.citations, sources=outcome.sources, explainers=outcome.explainers,
        seconds=time.perf_counter() - started, warnings=list(outcome.warnings), rendered=len(outcome.rendered),
        base_url=outcome.base_url,
    )
