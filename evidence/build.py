"""The pipeline: load -> check -> render -> write. Nothing is written until every page rendered."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .check import check_site
from .errors import ContentError, Problem, Problems
from .load import load_site
from .markdown import make_markdown
from .model import Site
from .output import write_site
from .render import Renderer, make_templates, render_site
from .templates import template_problem

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


def render(paths: Paths, *, base_url: str | None = None, strict: bool = False) -> tuple[dict[str, str], Report]:
    """Load, check and render the site into memory; raise ContentError listing every problem."""
    started = time.perf_counter()
    problems = Problems()
    md = make_markdown()
    site = load_site(paths.content, md, problems)
    problems.raise_if_any()
    assert site is not None
    index = check_site(site, problems)
    if strict:
        problems.errors.extend(Problem(w.path, w.line, f"{w.message} (--strict makes warnings errors)") for w in problems.warnings)
    problems.raise_if_any()
    renderer = Renderer(site, index, make_templates(paths.templates), md, base_url or site.settings.base_url)
    try:
        pages = render_site(renderer)
    except jinja2.TemplateError as error:
        raise ContentError([template_problem(error, paths.templates)]) from None
    report = Report(
        pages=sum(1 for path in pages if path.endswith(".html")), citations=index.count,
        sources=len(site.sources), explainers=len(site.explainers),
        seconds=time.perf_counter() - started, warnings=list(problems.warnings), base_url=renderer.base_url,
    )
    return pages, report


def build(
    paths: Paths, out_dir: Path, *, base_url: str | None = None, strict: bool = False, mtime: int | None = None,
) -> Report:
    """Build the whole site into out_dir; on any problem, out_dir is left as it was.
    `mtime` (SOURCE_DATE_EPOCH) is the modification time given to every file written."""
    started = time.perf_counter()
    pages, report = render(paths, base_url=base_url, strict=strict)
    write_site(pages, paths.static, out_dir, mtime)
    report.seconds = time.perf_counter() - started
    return report
