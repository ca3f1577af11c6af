"""Template mistakes reported like content mistakes: the template file and line."""
from __future__ import annotations

import sys
import traceback
from pathlib import Path

import jinja2

from .errors import Problem


def template_problem(error: jinja2.TemplateError, templates_dir: Path) -> Problem:
    if isinstance(error, jinja2.TemplateSyntaxError):
        path = Path(error.filename) if error.filename else templates_dir / (error.name or "?")
        return Problem(path, error.lineno or 1, f"template error: {error.message}")
    if isinstance(error, jinja2.TemplateNotFound):
        return Problem(templates_dir / error.name, 1, "template not found")
    path, line = templates_dir, 1
    for frame in traceback.extract_tb(sys.exc_info()[2] or error.__traceback__):
        if frame.filename.startswith(str(templates_dir)):
            path, line = Path(frame.filename), frame.lineno or 1
    return Problem(path, line, f"template error: {error}")
