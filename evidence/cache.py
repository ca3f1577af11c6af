"""A build's state kept between processes: one file of JSON lines in the cache folder, written atomically, checked field by field when read.

Deleting the cache folder is always safe: the next build renders everything again. A cache
file that cannot be read, is not what this version writes (JSON whose every value has the
type the state declares, evidence/plain.py), or was written by another version of the
generator or for other folders is ignored, never fatal: the build renders every page. Reading
it never runs code, so a cache folder that came with a checkout or a shared drive is harmless.
"""
from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Callable, TypeVar

from .errors import ContentError, Problem
from .inputs import code_version

FORMAT = 4
MAX_BYTES = 1_000_000_000  # a state this big is not ours: 1,000 explainers make about 10 MB
T = TypeVar("T")


def identity(*folders: Path | None) -> list:
    """What a cache file must have been written for: this format, this generator, these folders (as JSON values)."""
    return [FORMAT, code_version().hex(), *(str(Path(folder).absolute()) if folder else "-" for folder in folders)]


def load(path: Path, expected_identity: list, decode: Callable[[list[bytes]], T]) -> tuple[T | None, str | None]:
    """The state saved at `path` for this identity, rebuilt by `decode` from its lines (which raises ValueError on a wrong value); else None and why not."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None, None  # no cache yet
    except OSError as error:
        return None, f"cannot be read ({error.strerror or error})"
    if not stat.S_ISREG(status.st_mode):
        remove(path)
        return None, "was not a file (removed)"
    if status.st_size > MAX_BYTES:
        return None, f"is {status.st_size / 1e6:.0f} MB, too big to be one this tool wrote"
    try:
        header, *lines = path.read_bytes().split(b"\n")
    except OSError as error:
        return None, f"cannot be read ({error.strerror or error})"
    try:
        identity_ = json.loads(header)
    except (ValueError, RecursionError):
        return None, "is not the JSON this version writes"
    if identity_ != {"identity": expected_identity}:
        return None, "was written by another version of Evidence, or for other folders"
    try:
        return decode(lines), None
    except (ValueError, TypeError, KeyError, RecursionError) as error:
        return None, f"is damaged ({error})"


def save(path: Path, identity_: list, lines: list[bytes]) -> None:
    """Write the state, lines of JSON, so that a crash at any moment leaves the old file or the new one, whole."""
    data = b"\n".join([json.dumps({"identity": identity_}, separators=(",", ":")).encode("ascii"), *lines])
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)  # a folder where our file goes: nobody else's, it is in our cache folder
        os.replace(temporary, path)
    except OSError:
        with_no_error(temporary.unlink)
        raise


@contextlib.contextmanager
def no_collection():
    """Reading or writing a state makes a million small objects, none of them garbage: the cycle collector would only walk them, again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_folder(cache_dir: Path) -> None:
    """The cache folder must be a folder (or not be there yet); anything else there is someone's, never removed."""
    if os.path.lexists(cache_dir) and not os.path.isdir(cache_dir):
        raise ContentError([Problem(cache_dir, 1, "expected the build's cache folder; found a file: move it away, or build with --no-cache")])


def remove(path: Path) -> None:
    """Remove whatever stands at a path of the cache folder: a file, a link or a whole folder."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def with_no_error(action: Callable[[], object]) -> None:
    try:
        action()
    except OSError:
        pass
