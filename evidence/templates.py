"""The Jinja environment: the project's templates under a site owner's overrides, and template mistakes reported by file and line."""
from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Sequence

import jinja2

from .errors import Problem
from .labels import FILTERS


class BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between processes; one that cannot be written (a full disk) is compiled again next time, not an error."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def make_templates(dirs: Sequence[Path], bytecode_dir: Path | None = None) -> jinja2.Environment:
    """Templates looked up in `dirs` in order, file by file: the first folder holding a name wins (overrides first)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # a builder makes a new environment when a template changes; a stat per page is wasted
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=BytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
    )
    env.filters.update(FILTERS)
    return env


def template_problem(error: jinja2.TemplateError, template_dirs: Sequence[Path]) -> Problem:
    """A template mistake as `file:line: message`, naming the file that was used: an override's, or the project's."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        path = Path(error.filename) if error.filename else template_dirs[0] / (error.name or "?")
        return Problem(path, error.lineno or 1, f"template error: {error.message}")
    if isinstance(error, jinja2.TemplateNotFound):
        return Problem(template_dirs[-1] / error.name, 1, "template not found")
    path, line = template_dirs[-1], 1
    folders = tuple(os.path.join(folder, "") for folder in template_dirs)  # with the separator: templates/ is not templates-fr/
    for frame in traceback.extract_tb(sys.exc_info()[2] or error.__traceback__):
        if frame.filename.startswith(folders):
            path, line = Path(frame.filename), frame.lineno or 1
    return Problem(path, line, f"template error: {error}")
