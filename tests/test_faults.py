"""Faults of the system and the file system: every one is one `path:line: message` line and exit 1, never a traceback or a hang.

The I/O faults are real where the machine allows (a small tmpfs needs root; `ulimit -f` and
`ulimit -n` work anywhere), else injected. Every build runs as `python build.py` in a child
process with a timeout, so that a hang fails the test instead of stopping the suite.
"""
from __future__ import annotations

import contextlib
import errno
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, write_tree

from evidence import cli, output
from evidence.build import Paths, build
from evidence.watch import snapshot

sys.path.insert(0, str(PROJECT / "bench"))
from corpus import write_corpus  # noqa: E402

TIMEOUT = 60  # seconds; a build of these sites takes well under one


def run(*args: str, cwd: Path, limits: dict[int, int] | None = None) -> subprocess.CompletedProcess:
    """`python build.py ARGS` in cwd, with resource limits if given; fails the test on a hang or a traceback."""
    def limit() -> None:
        for which, value in (limits or {}).items():
            resource.setrlimit(which, (value, value))
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                            timeout=TIMEOUT, preexec_fn=limit if limits else None)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def problem_lines(result: subprocess.CompletedProcess) -> list[str]:
    """The lines a failed build printed, but the warnings and the closing line."""
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("build failed: "), result.stderr
    return [line for line in lines[:-1] if not line.endswith("(warning)")]


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path) -> Path:
    """A project folder holding content/ (the minimal site); builds run in it."""
    write_tree(tmp_path / "content", {})
    return tmp_path


def clean_build(content: Path, where: Path) -> dict[str, bytes]:
    build(Paths(content=content), where)
    return files_of(where)


@contextlib.contextmanager
def small_disk(folder: Path, size: str):
    """A tmpfs of `size` mounted at folder (root only)."""
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)]).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


# --- the system refuses: a full disk, a file too large, too many open files, no permission, a name too long ----------


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "no-cache"])
def test_a_full_disk_is_one_line_and_the_cache_keeps_no_half_written_page(project, cached):
    with small_disk(project / "disk", "60k") as disk:
        result = run("build", "--content", "content", "--out", "disk/dist", *([] if cached else ["--no-cache"]), cwd=project)
        assert result.returncode == 1
        [line] = problem_lines(result)
        assert line.startswith("disk/") and line.endswith(":1: cannot write the site: No space left on device; free some space and build again")
        assert not (disk / "dist").exists()
        assert [p.name for p in disk.rglob("*") if p.is_file() and p.suffix not in (".state", ".lock")] == []


def test_a_full_disk_keeps_the_previous_site_whole_and_the_next_build_after_freeing_space_works(project):
    with small_disk(project / "disk", "400k") as disk:
        assert run("build", "--content", "content", "--out", "disk/dist", cwd=project).returncode == 0
        before = files_of(disk / "dist")
        (project / "content/sources/src.md").write_text((project / "content/sources/src.md").read_text() + "\nNew paragraph.\n")
        (disk / "filler").write_bytes(b"x" * (disk_free(disk) - 2048))
        result = run("build", "--content", "content", "--out", "disk/dist", cwd=project)
        assert result.returncode == 1 and "No space left on device" in result.stderr
        assert files_of(disk / "dist") == before
        assert [p for p in (disk / ".cache/evidence/dist.previous").rglob("*") if p.is_file()] == []
        (disk / "filler").unlink()
        assert run("build", "--content", "content", "--out", "disk/dist", cwd=project).returncode == 0
        assert files_of(disk / "dist") == clean_build(project / "content", project / "clean")


def disk_free(folder: Path) -> int:
    status = os.statvfs(folder)
    return status.f_bavail * status.f_frsize


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "no-cache"])
def test_a_file_size_limit_is_one_line(project, cached):
    result = run("build", "--content", "content", "--out", "dist", *([] if cached else ["--no-cache"]), cwd=project,
                 limits={resource.RLIMIT_FSIZE: 4000})
    assert result.returncode == 1
    [line] = problem_lines(result)
    assert line.endswith(":1: cannot write the site: File too large; a file is larger than this system or its limits allow (ulimit -f)")
    assert not (project / "dist").exists()


def test_too_many_open_files_is_one_line(tmp_path):
    write_corpus(tmp_path / "content", 60)  # enough for worker processes, which need pipes
    result = run("build", "--content", "content", "--out", "dist", cwd=tmp_path, limits={resource.RLIMIT_NOFILE: 9})
    assert result.returncode == 1
    [line] = problem_lines(result)
    assert line.endswith(":1: the build stopped: Too many open files; raise the limit of open files (ulimit -n) and build again")


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "no-cache"])
def test_a_read_only_folder_above_the_output_is_one_line(project, cached):
    folder = project / "read-only"
    folder.mkdir()
    if os.geteuid() == 0:  # root may write anywhere: a read-only mount refuses it too
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=100k", "tmpfs", str(folder)]).returncode:
            pytest.skip("cannot mount a read-only tmpfs")
    else:
        folder.chmod(0o555)
    try:
        result = run("build", "--content", "content", "--out", "read-only/dist", *([] if cached else ["--no-cache"]), cwd=project)
    finally:
        subprocess.run(["umount", "-l", str(folder)]) if os.geteuid() == 0 else folder.chmod(0o755)
    assert result.returncode == 1
    [line] = problem_lines(result)
    assert line.startswith("read-only/") and "cannot write the site: " in line
    assert line.endswith(("Read-only file system; build into a folder on a writable disk (--out)",
                          "Permission denied; check the permissions of this file and the folders above it"))


def test_an_output_name_too_long_is_one_line(project):
    result = run("build", "--content", "content", "--out", "d" * 250, cwd=project)
    assert result.returncode == 1
    [line] = problem_lines(result)
    assert line.endswith(":1: cannot write the site: File name too long; use a shorter name or a shallower folder")


def test_a_file_removed_while_the_build_reads_it_is_one_line(project, monkeypatch, capsys):
    from evidence import inputs

    digest = inputs.Inputs.digest

    def digest_then_remove(self, path, *args):
        found = digest(self, path, *args)
        if path.name == "ex.md" and not path.is_symlink():
            path.unlink()  # gone between the build's first look and its reading; a dangling link keeps it listed
            path.symlink_to(path.with_name("gone.md"))
            self.read.pop(path, None)
        return found
    monkeypatch.setattr(inputs.Inputs, "digest", digest_then_remove)
    monkeypatch.chdir(project)
    assert cli.main(["build", "--content", "content", "--out", "dist"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "content/explainers/ex.md:1: cannot read file: No such file or directory",
        "build failed: 1 problem; nothing was written",
    ]


def test_a_cache_that_cannot_be_saved_after_the_site_is_written_says_so(project, monkeypatch, capsys):
    from evidence import cache

    def full_disk(*args):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(cache, "save", full_disk)
    assert cli.main(["build", "--content", str(project / "content"), "--out", str(project / "dist")]) == 1
    error = capsys.readouterr().err
    assert error.splitlines()[-2:] == [
        f"{project / '.cache/evidence/dist.state'}:1: cannot save the build's cache: No space left on device; free some space and build again",
        "build failed: 1 problem; the site was written, but not all that goes with it",
    ]
    assert (project / "dist/index.html").is_file()
