"""Write a rendered site so that the previous output survives any failure, even SIGKILL."""
from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
from pathlib import Path

from .errors import ContentError, Problem

STAGING_PREFIX = ".dist-staging-"
OLD_SUFFIX = "-old"
RENAME_EXCHANGE = 2  # linux/fs.h
# Every build writes this file (render.CONSTANT_PAGES). An existing folder without it holds someone's
# files, not a site we built, and replacing it would delete them: think `--out docs`.
BUILD_MARKER = ".nojekyll"


def write_site(pages: dict[str, str | bytes], static_dir: Path | None, out_dir: Path, mtime: int | None = None) -> None:
    """Write every page and static file into a staging folder, then swap it in at once.
    With `mtime` (from SOURCE_DATE_EPOCH) every file and folder gets that modification time,
    so an archive of the output is as reproducible as its bytes."""
    out_dir = out_dir.absolute()
    _refuse_foreign_folder(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        _recover_and_clean(out_dir)
        staging_area(out_dir).mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=staging_area(out_dir)))
    except OSError as error:
        raise _write_error(error, out_dir) from None
    try:
        if static_dir is not None and static_dir.is_dir():
            shutil.copytree(static_dir, staging / "assets", dirs_exist_ok=True)
        for relative, content in pages.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            target.write_bytes(data)
        staging.chmod(0o755)
        if mtime is not None:
            _set_mtimes(staging, mtime)
        _swap_in(staging, out_dir)
    except OSError as error:
        raise _write_error(error, out_dir) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):  # another build may be using it
            staging_area(out_dir).rmdir()


def _refuse_foreign_folder(out_dir: Path) -> None:
    """An existing folder without the marker every build writes holds someone's files: never swap it out."""
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / BUILD_MARKER).exists():
        raise ContentError([Problem(out_dir, 1, (
            f"refusing to replace this folder: it holds files this tool did not build (there is no {BUILD_MARKER}); "
            "empty it, or choose another output folder"
        ))])
    if out_dir.exists() and not out_dir.is_dir():
        raise ContentError([Problem(out_dir, 1, "expected an output folder; found a file")])


def _write_error(error: OSError, out_dir: Path) -> ContentError:
    where = Path(error.filename) if error.filename else out_dir
    reason = "a file stands where a folder is needed" if isinstance(error, (FileExistsError, NotADirectoryError)) else error.strerror
    return ContentError([Problem(where, 1, f"cannot write the site: {reason or error}")])


def _set_mtimes(folder: Path, mtime: int) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):  # children before their folder
        os.utime(path, (mtime, mtime), follow_symlinks=False)
    os.utime(folder, (mtime, mtime))


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Make `staging` the new `out_dir`; afterwards `staging` holds the old output, if any."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        return
    # No atomic exchange on this system: for a moment out_dir is missing. If the build dies
    # then, the old output waits under the -old name and the next build puts it back.
    old = staging.with_name(staging.name + OLD_SUFFIX)
    os.rename(out_dir, old)
    try:
        os.rename(staging, out_dir)
    except OSError:
        os.rename(old, out_dir)
        raise
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0


def staging_area(out_dir: Path) -> Path:
    """Where builds of out_dir stage their output: beside it, so a rename can swap them."""
    return out_dir.parent / f"{STAGING_PREFIX}{out_dir.name}"


def _recover_and_clean(out_dir: Path) -> None:
    """Put back an output a killed build had moved aside, then remove dead builds' staging folders."""
    area = staging_area(out_dir)
    leftovers = sorted(area.iterdir()) if area.is_dir() else []
    for leftover in leftovers:
        if _is_running(_builder_pid(leftover)):
            continue
        if leftover.name.endswith(OLD_SUFFIX) and not out_dir.exists():
            os.rename(leftover, out_dir)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _builder_pid(staging: Path) -> int | None:
    """The id of the process that made a staging folder (its name is <pid>-<random>)."""
    pid = staging.name.split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def _is_running(pid: int | None) -> bool:
    """Whether a build process is still at work; another build's staging folder is not stale."""
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
