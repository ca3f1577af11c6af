"""The one writer of every build: pages go into a staging folder as they are rendered, and the whole site is swapped in at the end.

Whatever happens, even SIGKILL, the output folder holds the previous site or the new one, whole:
- a one-shot build (`--no-cache`, SOURCE_DATE_EPOCH, the plain pipeline) stages into a new
  folder beside the output and removes it, holding the old site, after the swap;
- a cached build stages into the previous output it keeps in the cache folder, where only the
  changed pages need writing (the others are hard-linked from the output), and keeps it after the
  swap for the next build. One build of an output folder runs at a time (a lock in the cache folder).
The swap is one renameat2(RENAME_EXCHANGE) where the system has it. A folder that holds files
this tool did not build is never replaced.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from .cache import check_folder, remove
from .errors import ContentError, Problem, os_message
from .inputs import InputChanged

STAGING_PREFIX = ".dist-staging-"
OLD_SUFFIX = "-old"
RENAME_EXCHANGE = 2  # linux/fs.h
# Every build writes this file (render.CONSTANT_PAGES). An existing folder without it holds someone's
# files, not a site we built, and replacing it would delete them: think `--out docs`.
BUILD_MARKER = ".nojekyll"


class OutputStamp(NamedTuple):
    """How an output file is recognised as the one we wrote.

    Any write to a file, and setting its mtime back after, gives it a new ctime, which no program
    can set back: while size, mtime, ctime and inode are the same, so are the bytes. Hard-linking
    a file changes its ctime too, so the writer stats a file again after linking it.
    """

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> "OutputStamp":
        return cls.of_status(os.stat(path))

    @classmethod
    def of_status(cls, status: os.stat_result) -> "OutputStamp":
        return cls(status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


class PageRecord(NamedTuple):
    """A page an output folder holds: the key it was rendered with, and the stamp of its file there."""

    key: bytes | None
    stamp: OutputStamp


@dataclass
class OutputState:
    """What the output folder and the staging folder hold, as far as the writer knows (the cache keeps it between processes)."""

    manifest: dict[str, PageRecord] = field(default_factory=dict)  # what out_dir holds, by relative path
    staged: dict[str, PageRecord] = field(default_factory=dict)  # what the staging folder holds
    staged_identity: int | None = None  # its inode: a folder deleted and made again holds nothing we know
    out_identity: int | None = None  # out_dir's inode after the last build: if it changed, someone else built or replaced it
    verified: bool = True  # False when read from disk: the folders are compared with the manifests first


class Output:
    """Writes one build: put() each page as it is rendered, then finish() swaps the site in.

    Use `Output.fresh(out_dir)` for a one-shot build and `Output.cached(out_dir, cache_dir, state)`
    for a build that updates the previous output; both are context managers.
    """

    def __init__(self, out_dir: Path, staging: Path | None, state: OutputState, lock: Path | None = None, mtime: int | None = None):
        self.out_dir = out_dir.absolute()
        self.state, self.mtime = state, mtime
        self._keep, self._lock_path = staging is not None, lock
        self._staging = staging
        self._lock = None
        self.rendered: dict[str, None] = {}  # the pages put, in order
        self.pages: dict[str, bytes | None] = {}  # every page of the site (put, or kept as out_dir holds it) with its key
        self.folder: Path  # where pages go, made by __enter__

    @classmethod
    def fresh(cls, out_dir: Path, mtime: int | None = None) -> "Output":
        return cls(out_dir, None, OutputState(), mtime=mtime)

    @classmethod
    def cached(cls, out_dir: Path, cache_dir: Path, state: OutputState) -> "Output":
        name = out_dir.absolute().name
        return cls(out_dir, cache_dir / f"{name}.previous", state, lock=cache_dir / f"{name}.lock")

    def __enter__(self) -> "Output":
        refuse_link(self.out_dir)
        try:
            if self._lock_path is not None:
                check_folder(self._lock_path.parent)
                self._lock_path.parent.mkdir(parents=True, exist_ok=True)
                if os.path.lexists(self._lock_path) and not os.path.isfile(self._lock_path):
                    remove(self._lock_path)  # in our cache folder: ours
                self._lock = open(self._lock_path, "wb")
                _lock(self._lock)  # one build at a time per output folder: they share the staging folder
            if not self.state.verified or _identity(self.out_dir) != self.state.out_identity:
                self._verify()  # read from disk, or another process built here since
            if not self.state.manifest:
                refuse_foreign_folder(self.out_dir)
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            _recover_and_clean(self.out_dir)
            self.folder = self._open_staging()
        except OSError as error:
            self._close()
            raise _write_error(error, self.out_dir) from None
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if not self._keep:
                shutil.rmtree(self.folder, ignore_errors=True)
                with contextlib.suppress(OSError):  # another build may be using it
                    staging_area(self.out_dir).rmdir()
            elif kind is not None and (issubclass(kind, WriteFailed) or not issubclass(kind, (ContentError, InputChanged))):
                # A write failed (a full disk, a file too large...): a page may be half-written. Only the
                # previous output stays, so the cache folder holds nothing a good build did not leave.
                shutil.rmtree(self.folder, ignore_errors=True)
                self.state.staged, self.state.staged_identity = {}, None
        finally:
            self._close()

    def _close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _open_staging(self) -> Path:
        """The staging folder, ready for pages: a new one, or the previous output when it is the folder we know."""
        state = self.state
        if self.state.manifest and not self.out_dir.is_dir():
            state.manifest = {}  # someone removed it
        if self._staging is None:
            staging_area(self.out_dir).mkdir(exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=staging_area(self.out_dir)))
            state.staged = {}
        else:
            folder = self._staging
            if not _is_folder(folder) or _identity(folder) != state.staged_identity:
                if os.path.lexists(folder):
                    remove(folder)  # in our cache folder: ours, whatever it is
                folder.mkdir(parents=True)
                state.staged = {}
        folder.chmod(0o755)
        state.staged_identity = _identity(folder)
        return folder

    def restart(self) -> "Output":
        """Start the list of the site's pages again (a build that read a file while it changed runs again); what is staged stays."""
        self.pages.clear()
        return self

    def holds(self, pages: Iterable[str] | None, key: bytes) -> bool:
        """Whether out_dir holds all these pages, as rendered with this key."""
        manifest = self.state.manifest
        return pages is not None and all(page in manifest and manifest[page].key == key for page in pages)

    def put(self, page: str, key: bytes | None, data: bytes | OutputStamp) -> None:
        """A page's bytes, or the stamp of the file a worker process wrote for it in self.folder."""
        try:
            stamp = data if isinstance(data, OutputStamp) else write_new_file(self.folder / page, data)
            self._unshare(page)
        except OSError as error:
            raise _write_error(error, self.out_dir) from None
        self.state.staged[page] = PageRecord(key, stamp)
        self.rendered[page] = None
        self.pages[page] = key

    def _unshare(self, page: str) -> None:
        """After the staging folder's file for a page was replaced or removed: if out_dir's was the same file, it has a new ctime now."""
        staged, live = self.state.staged.get(page), self.state.manifest.get(page)
        if staged is not None and live is not None and staged.stamp.inode == live.stamp.inode:
            self.state.manifest[page] = PageRecord(live.key, OutputStamp.of(self.out_dir / page))

    def keep(self, pages: Iterable[str], key: bytes | None) -> None:
        """Pages out_dir holds as they must be (see holds): the staging folder gets them at finish()."""
        self.pages.update(dict.fromkeys(pages, key))

    def finish(self) -> None:
        """Complete the staging folder with the pages that did not change, drop the ones gone, and swap it in."""
        state, live, keys = self.state, self.state.manifest, self.pages
        try:
            if live and not self.rendered and live.keys() == keys.keys() and self.mtime is None:
                return  # out_dir is up to date
            folder, staged = self.folder, state.staged
            self._share(keys.items())
            stale = [page for page in staged if page not in keys]
            _remove(folder, stale)
            for page in stale:
                self._unshare(page)
                del staged[page]
            if self.mtime is not None:
                _set_mtimes(folder, self.mtime)
            existed = self.out_dir.exists()
            _swap_in(folder, self.out_dir)  # now `folder` holds what out_dir held, if anything
        except OSError as error:
            raise _write_error(error, self.out_dir) from None
        state.manifest, state.staged = staged, live
        known = existed and bool(live)  # otherwise `folder` holds files we know nothing of, or nothing
        state.staged_identity = _identity(folder) if known else None
        state.out_identity = _identity(self.out_dir)

    def level(self) -> None:
        """Make the staging folder hold what out_dir holds, now rather than in the next build's finish(): the live
        preview does it while no one waits, so that a save writes only its own pages before the swap."""
        try:
            self._share([(page, record.key) for page, record in self.state.manifest.items()])
        except OSError as error:
            raise _write_error(error, self.out_dir) from None

    def _share(self, pages: Iterable[tuple[str, bytes | None]]) -> None:
        """Give the staging folder out_dir's file of each page it does not hold with that key (unchanged since the last build)."""
        live, staged = self.state.manifest, self.state.staged
        for page, key in pages:
            if page not in staged or staged[page].key != key:
                replace_file(self.folder / page, lambda path, page=page: os.link(self.out_dir / page, path))
                stamp = OutputStamp.of(self.folder / page)  # a new ctime, in both folders: one file
                staged[page] = live[page] = PageRecord(key, stamp)

    def _verify(self) -> None:
        """After a restart, or another process's build: forget the files the output folders no longer hold as written."""
        state = self.state
        for folder, manifest in ((self.out_dir, state.manifest), (self._staging, state.staged)):
            if not manifest or folder is None:
                if folder == self._staging:
                    state.staged_identity = None  # whatever it holds, we know nothing of it
                continue
            found = dict(walk_files(folder)) if folder.is_dir() else {}
            for page in list(manifest):
                if found.get(page) != manifest[page].stamp:
                    del manifest[page]
            if any(page not in manifest for page in found):
                manifest.clear()  # a file we did not write: only a whole new folder is sure to drop it
                if folder == self._staging:
                    state.staged_identity = None
        state.verified = True


class InMemory:
    """Pages kept in memory rather than written: what `check` and the plain pipeline render into."""

    folder = None  # worker processes send pages back

    def __init__(self):
        self.pages: dict[str, bytes] = {}
        self.rendered = self.pages

    def holds(self, pages: Iterable[str], key: bytes | None) -> bool:
        return not pages

    def keep(self, pages: Iterable[str], key: bytes | None) -> None:
        pass

    def put(self, page: str, key: bytes | None, data: bytes) -> None:
        self.pages[page] = data


def write_site(pages: dict[str, str | bytes], out_dir: Path, mtime: int | None = None) -> None:
    """Write a whole site held in memory (every page and static file, by relative path) and swap it in at once.
    With `mtime` (from SOURCE_DATE_EPOCH) every file and folder gets that modification time,
    so an archive of the output is as reproducible as its bytes."""
    with Output.fresh(out_dir, mtime) as out:
        for page, content in pages.items():
            out.put(page, None, content.encode("utf-8") if isinstance(content, str) else content)
        out.finish()


def replace_file(target: Path, make: Callable[[Path], object]) -> None:
    """Make a file beside target, then rename it over target."""
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        make(temporary)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        make(temporary)
    except FileExistsError:  # left by a build that was killed
        temporary.unlink()
        make(temporary)
    os.replace(temporary, target)


def write_new_file(target: Path, data: bytes) -> OutputStamp:
    """Write a file that is not there yet; one that is gets replaced, never rewritten: out_dir may share it."""
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        return write_new_file(target, data)
    except FileExistsError:
        replace_file(target, lambda path: path.write_bytes(data))
        return OutputStamp.of(target)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        return OutputStamp.of_status(os.fstat(descriptor))
    except OSError as error:
        error.filename = error.filename or os.fspath(target)  # a full disk names no file: say which one was being written
        raise
    finally:
        os.close(descriptor)


def walk_files(root: Path) -> Iterator[tuple[str, OutputStamp]]:
    """Every file under root, by relative POSIX path, with its stamp (plain strings: a Path per file costs a no-op build a third of its time)."""
    top = os.fspath(root)
    for folder, _, files in os.walk(top):
        relative = os.path.relpath(folder, top).replace(os.sep, "/")
        for name in files:
            page = name if relative == "." else f"{relative}/{name}"
            yield page, OutputStamp.of_status(os.stat(os.path.join(folder, name)))


def _remove(root: Path, pages: list[str]) -> None:
    """Delete files, and the folders they leave empty."""
    folders = set()
    for page in pages:
        (root / page).unlink(missing_ok=True)
        folders.add((root / page).parent)
    for folder in sorted(folders, key=lambda path: len(path.parts), reverse=True):
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _is_folder(path: Path) -> bool:
    return os.path.isdir(path) and not os.path.islink(path)


def _identity(folder: Path) -> int | None:
    try:
        return os.stat(folder).st_ino
    except OSError:
        return None


def _lock(file) -> None:
    try:
        import fcntl
    except ImportError:  # not on a Unix: builds of one output folder must not overlap
        return
    fcntl.flock(file.fileno(), fcntl.LOCK_EX)


def refuse_foreign_folder(out_dir: Path) -> None:
    """An existing folder without the marker every build writes holds someone's files: never swap it out."""
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / BUILD_MARKER).exists():
        raise ContentError([Problem(out_dir, 1, (
            f"refusing to replace this folder: it holds files this tool did not build (there is no {BUILD_MARKER}); "
            "empty it, or choose another output folder"
        ))])
    if out_dir.exists() and not out_dir.is_dir():
        raise ContentError([Problem(out_dir, 1, "expected an output folder; found a file")])


def refuse_link(out_dir: Path) -> None:
    """A build swaps a new folder in where the output is: a symbolic link there would be replaced by it, not followed."""
    if os.path.islink(out_dir):
        target = os.readlink(out_dir)
        raise ContentError([Problem(out_dir, 1, (
            f"the output folder is a symbolic link (to {target}); a build swaps in a whole new folder, which would "
            f"replace the link: build into its target instead (--out {os.path.realpath(out_dir)})"
        ))])


class WriteFailed(ContentError):
    """The system refused a write (a full disk, a file too large, no permission): a page may be half-written."""


def _write_error(error: OSError, out_dir: Path) -> ContentError:
    where = Path(os.fsdecode(error.filename)) if error.filename else out_dir
    reason = "a file stands where a folder is needed" if isinstance(error, (FileExistsError, NotADirectoryError)) else os_message(error)
    return WriteFailed([Problem(where, 1, f"cannot write the site: {reason}")])


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
