"""Write a rendered site so that the previous output survives any failure, even SIGKILL."""
from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path

STAGING_PREFIX = ".dist-staging-"
RENAME_EXCHANGE = 2  # linux/fs.h


def write_site(pages: dict[str, str | bytes], static_dir: Path | None, out_dir: Path, mtime: int | None = None) -> None:
    """Write every page and static file into a staging folder, then swap it in at once.
    With `mtime` (from SOURCE_DATE_EPOCH) every file and folder gets that modification time,
    so an archive of the output is as reproducible as its bytes."""
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{out_dir.name}-", dir=out_dir.parent))
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
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
    old = staging.with_name(staging.name + "-old")
    os.rename(out_dir, old)
    os.rename(staging, out_dir)
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


def _remove_stale_staging(out_dir: Path) -> None:
    """Staging folders left by builds that were killed half-way."""
    for leftover in out_dir.parent.glob(f"{STAGING_PREFIX}{out_dir.name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
