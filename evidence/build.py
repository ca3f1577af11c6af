"""Build a site: the plain pipeline (evidence/pipeline.py), or, with a cache folder, the same steps through the incremental memo.

The site is replaced only once every page rendered.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, pipeline
from .errors import ContentError, Problem
from .incremental import Builder, attempt
from .memo import State
from .stages import Built
from .urls import SEARCH_FOLDER, STATIC_PREFIX

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    content: Path = PROJECT_DIR / "content"
    templates: Path = PROJECT_DIR / "templates"
    static: Path = PROJECT_DIR / "static"
    overrides: Path | None = None  # templates that take precedence over `templates`, file by file (--templates)

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        return (self.overrides, self.templates) if self.overrides else (self.templates,)


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
    """Load, check and render the site into memory (on every core); raise ContentError listing every problem."""
    started = time.perf_counter()
    built = attempt(lambda: pipeline.render(paths, pipeline.Options(base_url, strict, jobs=None)))
    pages = {path: data.decode("utf-8") for path, data in built.pages.items() if not path.startswith((STATIC_PREFIX, SEARCH_FOLDER))}
    return pages, report_of(built, started)


def build(paths: Paths, out_dir: Path, *, base_url: str | None = None, strict: bool = False,
          cache_dir: Path | None = None, jobs: int | None = None, mtime: int | None = None) -> Report:
    """Build the whole site into out_dir; on any problem, out_dir is left as it was.

    Without a cache folder, or with `mtime` (SOURCE_DATE_EPOCH, the modification time given to
    every file written: a reproducible, archived build), this is the plain pipeline. With one,
    the build starts from what the last build there left (evidence/cache.py), renders only the
    pages whose inputs changed, and keeps the previous output there to update next time.
    """
    started = time.perf_counter()
    if cache_dir is None or mtime is not None:
        built = attempt(lambda: pipeline.build(paths, out_dir, pipeline.Options(base_url, strict, jobs), mtime))
        return report_of(built, started)
    state_file = cache_dir / f"{out_dir.absolute().name}.state"
    identity = cache.identity(paths.content, paths.templates, paths.overrides, paths.static, out_dir, cache_dir)
    builder = Builder(paths, out_dir, base_url=base_url, strict=strict, jobs=jobs, cache_dir=cache_dir,
                      state=cache.load(state_file, identity, State))
    try:
        built = builder.build()
    except ContentError:
        cache.save(state_file, identity, builder.state)  # what it parsed, and what the previous output now holds, stay good
        raise
    cache.save(state_file, identity, builder.state)
    return report_of(built, started)


def rebuild(builder: Builder) -> Report:
    """Build again with a Builder kept between builds (the live preview's): only what changed since its last build."""
    started = time.perf_counter()
    return report_of(builder.build(), started)


def report_of(built: Built, started: float) -> Report:
    return Report(
        pages=sum(1 for path in built.pages if path.endswith(".html")), citations=built.citations, sources=built.sources,
        explainers=built.explainers, seconds=time.perf_counter() - started, warnings=list(built.warnings),
        rendered=len(built.rendered), base_url=built.base_url,
    )
