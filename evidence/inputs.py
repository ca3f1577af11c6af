"""A build's input files, known by digest: read once per build, or vouched for by a stat that did not change."""
from __future__ import annotations

import fnmatch
import functools
import hashlib
import os
import pickle
import re
import stat
import sys
import time
from typing import NamedTuple
from importlib import metadata
from pathlib import Path

import yaml

from .errors import ContentError, Problem, os_message, os_problem

# A file whose status last changed this long before it was read can be trusted by its status
# (size, times, inode) from then on: a later change would give it a later ctime. Files changed
# more recently are read again, as file times are only as fine as the kernel's clock tick.
SETTLED_NS = 2_000_000_000
PACKAGE_DIR = Path(__file__).resolve().parent
MAX_CONTENT_BYTES = 10_000_000  # a content file: ten times a long book; anything bigger is a mistaken file
MAX_STATIC_BYTES = 100_000_000  # a template or static file
STATIC_FILES = "template and static files"

# What editors and systems leave beside the files you write: lock, swap and backup files,
# folder metadata and version control. Never read as content, templates or static files, and
# never a reason for the live preview to rebuild (evidence/watch.py): one list for both.
IGNORED = (
    ".#*", "#*#", "*~",  # Emacs: lock (a dangling link while a buffer is unsaved), auto-save, backup
    ".*.sw[a-p]", ".*.swp", ".*.swx", "4913",  # Vim: swap files, and the file it writes to test a folder
    "*.kate-swp", ".goutputstream-*", ".~lock.*#", "~$*",  # Kate, GNOME's editors, LibreOffice, Microsoft Office
    "._*", ".DS_Store", ".AppleDouble", ".Spotlight-V100", ".Trashes",  # macOS
    "Thumbs.db", "ehthumbs.db", "desktop.ini", "$RECYCLE.BIN",  # Windows
    ".git", ".hg", ".svn",  # version control
)
_IGNORED = re.compile("|".join(fnmatch.translate(pattern) for pattern in IGNORED))


def is_ignored(name: str) -> bool:
    """Whether a file or folder name is one of IGNORED: an editor's or system's, not yours."""
    return _IGNORED.match(name) is not None


# What stands at a path that is not a file or a folder: opening it could wait forever (a named
# pipe) or never end (a device such as /dev/zero), so it is refused before it is opened.
SPECIAL = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


class NotReadable(Exception):
    """An input that is refused before it is read: not a regular file, or too big. Its message says what was found."""


def special_kind(mode: int) -> str | None:
    """What a path holds if it is neither a regular file nor a folder, in words, else None."""
    return SPECIAL.get(stat.S_IFMT(mode))


def read_file(path: Path, limit: int, what: str = "content files") -> bytes:
    """A regular file's bytes; raise NotReadable for anything else or anything over `limit` bytes, before reading it.

    The status is checked before the file is opened, and again on the open file (opened without
    waiting, in case a named pipe took the file's place meanwhile); the read stops past `limit`.
    """
    refuse_unless_file(os.stat(path), limit, what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    with open(descriptor, "rb", closefd=True) as file:
        refuse_unless_file(os.fstat(descriptor), limit, what)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise NotReadable(too_big(len(data), limit, what))
    return data


def refuse_unless_file(status: os.stat_result, limit: int, what: str) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise NotReadable("expected a file; found a folder")
    if not stat.S_ISREG(status.st_mode):
        raise NotReadable(f"expected a file; found {special_kind(status.st_mode) or 'something else'}, which is not read")
    if status.st_size > limit:
        raise NotReadable(too_big(status.st_size, limit, what))


def too_big(size: int, limit: int, what: str) -> str:
    return f"the file is {size / 1e6:.1f} MB; {what} must be under {limit // 1_000_000} MB"


def digest(*parts: bytes | str) -> bytes:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()


def digest_of(value: object) -> bytes:
    """The digest of model records (frozen dataclasses of text, numbers, dates, paths and tuples: no sets)."""
    return digest(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


@functools.cache
def code_version() -> bytes:
    """The generator's own version: its source code and the libraries that shape its output."""
    parts: list[bytes | str] = [sys.version, str(yaml.__with_libyaml__)]
    for library in ("jinja2", "markdown-it-py", "MarkupSafe", "PyYAML", "mdurl"):
        try:
            parts.append(f"{library}=={metadata.version(library)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{library} not installed")
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts += [path.relative_to(PACKAGE_DIR).as_posix(), path.read_bytes()]
    return digest(*parts)


class Stamp(NamedTuple):
    """What stat says of a file: while it is unchanged, so are the file's bytes (once settled)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, status: os.stat_result) -> "Stamp":
        return cls(status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


class Known(NamedTuple):
    """A file's digest, and the stamp that vouches for it if the file had settled when read."""

    stamp: Stamp
    digest: bytes
    settled: bool


class InputChanged(Exception):
    """A file changed while the build was reading it: the build starts again."""


class Inputs:
    """The digests of a build's input files: read once per build, or vouched for by a settled stamp."""

    def __init__(self, known: dict[Path, Known]):
        self.known = known  # updated as files are read, for the next build
        self.read: dict[Path, bytes] = {}

    def digest(self, path: Path, limit: int = MAX_CONTENT_BYTES) -> bytes | None:
        """The file's digest, or None if it cannot be read, is not a regular file or is over `limit` bytes (loading it will say why)."""
        try:
            status = os.stat(path)
        except OSError:
            self.known.pop(path, None)
            return None
        stamp = Stamp.of(status)
        known = self.known.get(path)
        if known is not None and known.settled and known.stamp == stamp:
            return known.digest
        now = time.time_ns()
        try:
            data = read_file(path, limit, STATIC_FILES)
        except (OSError, NotReadable):
            self.known.pop(path, None)
            return None
        self.read[path] = data
        value = digest(data)
        settled = max(stamp.ctime_ns, stamp.mtime_ns) < now - SETTLED_NS
        self.known[path] = Known(stamp, value, settled)
        return value

    def data(self, path: Path, expected: bytes) -> bytes:
        """The bytes whose digest is `expected`; if the file has changed since, the build starts again."""
        data = self.read.get(path)
        if data is None:
            try:
                data = read_file(path, MAX_STATIC_BYTES, STATIC_FILES)
            except (OSError, NotReadable):
                raise InputChanged(path) from None
        if digest(data) != expected:
            raise InputChanged(path)
        return data

    def tree(self, root: Path) -> dict[str, bytes]:
        """The digest of every file under a folder (templates, static), by relative POSIX path, but the IGNORED;
        raise ContentError naming each that is not a readable file."""
        found: dict[str, bytes] = {}
        problems = []

        def walk_error(error: OSError) -> None:
            problems.append(os_problem(error, root, "cannot read"))
        for folder, folders, files in os.walk(root, onerror=walk_error):
            folders[:] = sorted(name for name in folders if not is_ignored(name))
            for name in sorted(files):
                if is_ignored(name):
                    continue
                path = Path(folder, name)
                file_digest = self.digest(path, MAX_STATIC_BYTES)
                if file_digest is None:
                    problems.append(Problem(path, 1, why_unreadable(path)))
                found[path.relative_to(root).as_posix()] = file_digest or b"unreadable"
        if problems:
            raise ContentError(problems)
        return found


def why_unreadable(path: Path) -> str:
    """Why a template or static file cannot be read, in words."""
    try:
        read_file(path, MAX_STATIC_BYTES, STATIC_FILES)
    except NotReadable as refused:
        return str(refused)
    except OSError as error:
        return f"cannot read file: {os_message(error)}"
    return "the file changed while it was read; build again once it is saved"
