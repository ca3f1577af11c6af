"""Content problems: what went wrong, where, and how to collect them all before failing."""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path


def display_path(path: Path) -> str:
    """A path as the user typed it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in the content, located at a file and a 1-based line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content has one or more problems; the build cannot go on (`published`: it could not finish after the site was swapped in)."""

    def __init__(self, problems: list[Problem], published: bool = False):
        self.problems = sorted(problems)
        self.published = published
        super().__init__("\n".join(str(p) for p in self.problems))


# What to do about the system errors a build can meet, beyond the system's own words.
OS_ADVICE = {
    errno.ENOSPC: "free some space and build again",
    errno.EDQUOT: "free some space and build again",
    errno.EFBIG: "a file is larger than this system or its limits allow (ulimit -f)",
    errno.EMFILE: "raise the limit of open files (ulimit -n) and build again",
    errno.ENFILE: "close some programs and build again",
    errno.EACCES: "check the permissions of this file and the folders above it",
    errno.EPERM: "check the permissions of this file and the folders above it",
    errno.EROFS: "build into a folder on a writable disk (--out)",
    errno.ENAMETOOLONG: "use a shorter name or a shallower folder",
}


def os_message(error: OSError) -> str:
    """A system error in words a person can act on: the system's own (e.g. 'No space left on device'), then what to do."""
    reason = error.strerror or str(error) or type(error).__name__
    advice = OS_ADVICE.get(error.errno)
    return f"{reason}; {advice}" if advice else reason


def os_problem(error: OSError, fallback: Path, doing: str) -> Problem:
    """A system error as one problem at the file it names (else `fallback`), line 1: `path:1: cannot read: No such file or directory`."""
    where = Path(os.fsdecode(error.filename)) if error.filename else fallback
    return Problem(where, 1, f"{doing}: {os_message(error)}")


@dataclass
class Problems:
    """Collects errors and warnings across a whole file set, to report them all at once."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, path: Path, line: int, message: str) -> None:
        self.errors.append(Problem(path, line, message))

    def warn(self, path: Path, line: int, message: str) -> None:
        self.warnings.append(Problem(path, line, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ContentError(self.errors)
