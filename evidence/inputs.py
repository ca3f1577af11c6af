"""A build's input files, known by digest: read once per build, or vouched for by a stat that did not change."""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml

# A file whose status last changed this long before it was read can be trusted by its status
# (size, times, inode) from then on: a later change would give it a later ctime. Files changed
# more recently are read again, as file times are only as fine as the kernel's clock tick.
SETTLED_NS = 2_000_000_000
PACKAGE_DIR = Path(__file__).resolve().parent


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


@dataclass(frozen=True)
class Stamp:
    """What stat says of a file: while it is unchanged, so are the file's bytes (once settled)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, status: os.stat_result) -> "Stamp":
        return cls(status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


@dataclass(frozen=True)
class Known:
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

    def digest(self, path: Path) -> bytes | None:
        """The file's digest, or None if it cannot be read (loading it will say why)."""
        try:
            stamp = Stamp.of(os.stat(path))
        except OSError:
            self.known.pop(path, None)
            return None
        known = self.known.get(path)
        if known is not None and known.settled and known.stamp == stamp:
            return known.digest
        now = time.time_ns()
        try:
            data = path.read_bytes()
        except OSError:
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
                data = path.read_bytes()
            except OSError:
                raise InputChanged(path) from None
        if digest(data) != expected:
            raise InputChanged(path)
        return data

    def tree(self, root: Path) -> dict[str, bytes]:
        """The digest of every file under a folder (templates, static), by relative POSIX path."""
        found: dict[str, bytes] = {}
        for folder, folders, files in os.walk(root):
            folders.sort()
            for name in sorted(files):
                path = Path(folder, name)
                found[path.relative_to(root).as_posix()] = self.digest(path) or b"unreadable"
        return found
