"""Faults of the system and the file system: every one is one `path:line: message` line and exit 1, never a traceback or a hang.

The I/O faults are real where the machine allows (a small tmpfs needs root; `ulimit -f` and
`ulimit -n` work anywhere), else injected. Every build runs as `python build.py` in a child
process with a timeout, so that a hang fails the test instead of stopping the suite.
"""
from __future__ import annotations

import contextlib
import errno
import json
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
from test_reproducible import comparable  # noqa: E402

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
    """Every file of a built site, the search index's files in Pagefind's own order counted (README, "Search")."""
    return comparable({p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()})


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
    with small_disk(project / "disk", "1600k") as disk:
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


def test_a_file_that_keeps_changing_is_one_line(project, monkeypatch, capsys):
    from evidence import inputs

    data = inputs.Inputs.data

    def always_changed(self, path, expected):
        if path.name == "ex.md":
            raise inputs.InputChanged(path)  # an editor saving it every time the build reads it
        return data(self, path, expected)
    monkeypatch.setattr(inputs.Inputs, "data", always_changed)
    monkeypatch.chdir(project)
    assert cli.main(["build", "--content", "content", "--out", "dist"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "content/explainers/ex.md:1: the file changed every time it was read (3 times); build again once it is saved",
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


# --- inputs: regular files and folders only; editors' and systems' files ignored ----------------------------------

EDITOR_FILES = {
    "explainers/._ex.md": b"\x00\x05\x16\x07 macOS resource fork",
    "explainers/ex.md~": "a backup",
    "explainers/.ex.md.swp": b"b0VIM swap",
    "sources/.src.md.swx": b"b0VIM swap",
    "sources/4913": "",
    ".DS_Store": b"\x00\x00\x00\x01Bud1",
    "sources/Thumbs.db": b"\xd0\xcf\x11\xe0",
}


def test_editor_and_system_files_in_the_content_are_ignored(project):
    expected = clean_build(project / "content", project / "clean")
    write_tree(project / "content", {**EDITOR_FILES, "site.yaml": None, "sources/src.md": None, "explainers/ex.md": None})
    (project / "content/explainers/.#ex.md").symlink_to("user@host.1234:1700000000")  # Emacs's lock: a dangling link
    result = run("build", "--content", "content", "--out", "dist", cwd=project)
    assert result.returncode == 0, result.stderr
    assert files_of(project / "dist") == expected


def test_editor_files_in_templates_and_static_are_ignored(tmp_path):
    static, overrides = tmp_path / "static", tmp_path / "theme"
    shutil.copytree(PROJECT / "static", static)
    overrides.mkdir()
    for folder, name in ((static, "style.css"), (overrides, "_footer.html")):
        (folder / f".#{name}").symlink_to("user@host.1234:1700000000")
        (folder / f".{name}.swp").write_bytes(b"b0VIM")
        (folder / f"{name}~").write_text("old")
    content = write_tree(tmp_path / "content", {})
    build(Paths(content=content, static=static, overrides=overrides), tmp_path / "dist", cache_dir=tmp_path / ".cache")
    assert files_of(tmp_path / "dist") == clean_build(content, tmp_path / "clean")


def test_the_preview_ignores_the_same_files_as_the_build(tmp_path):
    for name in ("a.md", "a.md~", ".a.md.swp", "4913", "._a.md", ".DS_Store", ".git/HEAD", ".well-known/security.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / ".#a.md").symlink_to("user@host.1234:1700000000")
    assert sorted(path.relative_to(tmp_path).as_posix() for path in snapshot((tmp_path,))) == [".well-known/security.txt", "a.md"]


@pytest.mark.parametrize("where", ["content/sources/pipe.md", "theme/_footer.html", "content/site.yaml"])
def test_a_named_pipe_is_refused_without_being_opened(project, where):
    (project / "theme").mkdir()
    pipe = project / where
    pipe.unlink(missing_ok=True)
    os.mkfifo(pipe)
    result = run("build", "--content", "content", "--out", "dist", "--templates", "theme", cwd=project)
    assert result.returncode == 1
    assert problem_lines(result) == [f"{where}:1: expected a file; found a named pipe (FIFO), which is not read"]
    assert not (project / "dist").exists()


def test_a_device_in_the_static_folder_is_refused_without_being_read(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(PROJECT / "static", static)
    (static / "zero.bin").symlink_to("/dev/zero")
    script = (f"import sys; sys.path.insert(0, {str(PROJECT)!r}); from pathlib import Path; from evidence.build import Paths, build\n"
              f"from evidence.errors import ContentError\n"
              f"try: build(Paths(content=Path('content'), static=Path('static')), Path('dist'))\n"
              f"except ContentError as error: print(error)")
    write_tree(tmp_path / "content", {})
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.stdout == "static/zero.bin:1: expected a file; found a device, which is not read\n", result.stderr


def test_a_static_file_too_big_is_refused_before_it_is_read(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(PROJECT / "static", static)
    with open(static / "video.mp4", "wb") as huge:
        huge.truncate(150_000_000)
    with pytest.raises(output.ContentError) as raised:
        build(Paths(content=write_tree(tmp_path / "content", {}), static=static), tmp_path / "dist")
    assert [str(problem) for problem in raised.value.problems] == [
        f"{static / 'video.mp4'}:1: the file is 150.0 MB; template and static files must be under 100 MB"]


def test_a_content_file_too_big_is_refused_before_it_is_read(project):
    with open(project / "content/sources/huge.md", "wb") as huge:
        huge.truncate(50_000_000_000)  # sparse: reading it would take minutes and all the memory
    result = run("build", "--content", "content", "--out", "dist", cwd=project)
    assert problem_lines(result) == ["content/sources/huge.md:1: the file is 50000.0 MB; content files must be under 10 MB"]


def test_a_link_inside_the_project_is_followed(project):
    expected = clean_build(project / "content", project / "clean")
    shared = project / "shared"
    shared.mkdir()
    (project / "content/sources/src.md").rename(shared / "src.md")
    (project / "content/sources/src.md").symlink_to("../../shared/src.md")
    result = run("build", "--content", "content", "--out", "dist", cwd=project)
    assert result.returncode == 0, result.stderr
    assert files_of(project / "dist") == expected


@pytest.mark.parametrize("target", ["/dev/zero", "/etc/hostname", "elsewhere/src.md"])
def test_a_link_leading_out_of_the_project_is_refused(tmp_path, target):
    project = tmp_path / "project"
    write_tree(project / "content", {})
    write_tree(tmp_path / "elsewhere", {"src.md": (project / "content/sources/src.md").read_text()})
    (project / "content/sources/src.md").unlink()
    (project / "content/sources/src.md").symlink_to(tmp_path / target if not target.startswith("/") else target)
    result = run("build", "--content", "content", "--out", "dist", cwd=project)
    real = os.path.realpath(project / "content/sources/src.md")
    assert problem_lines(result) == [
        f"content/sources/src.md:1: a symbolic link to {real}, outside the project: content is read only from inside the project "
        "folder (the one holding the content folder); copy the file in, or link to a file inside it"]


@pytest.mark.parametrize("where", ["theme/_footer.html", "static/logo.svg"])
def test_an_unreadable_template_or_static_file_is_one_line(tmp_path, where):
    static, theme = tmp_path / "static", tmp_path / "theme"
    shutil.copytree(PROJECT / "static", static)
    theme.mkdir()
    (tmp_path / where).symlink_to(tmp_path / "nowhere")
    content = write_tree(tmp_path / "content", {})
    with pytest.raises(output.ContentError) as raised:
        build(Paths(content=content, static=static, overrides=theme), tmp_path / "dist", cache_dir=tmp_path / ".cache")
    assert [str(problem) for problem in raised.value.problems] == [f"{tmp_path / where}:1: cannot read file: No such file or directory"]


# --- the cache: plain data, checked when read; whatever stands where its files go ----------------------------------


def cached_build(project: Path, *options: str) -> subprocess.CompletedProcess:
    return run("build", "--content", "content", "--out", "dist", *options, cwd=project)


def test_a_cache_value_of_the_wrong_type_means_no_cache_and_a_full_build(project):
    assert cached_build(project).returncode == 0
    state_file = project / ".cache/evidence/dist.state"
    header, known, output, *rest = state_file.read_bytes().split(b"\n")
    output = json.loads(output)
    output[0]["index.html"][1][0] = str(output[0]["index.html"][1][0])  # a file's size as text, not a number: valid JSON still
    state_file.write_bytes(b"\n".join([header, known, json.dumps(output).encode(), *rest]))
    (project / "content/explainers/ex.md").write_text((project / "content/explainers/ex.md").read_text().replace("Two sides.", "Both sides."))
    result = cached_build(project, "--verbose")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0].startswith(".cache/evidence/dist.state: not used, as it is damaged (expected ")
    assert result.stderr.splitlines()[0].endswith("); every page is rendered again")
    assert files_of(project / "dist") == clean_build(project / "content", project / "clean")


@pytest.mark.parametrize("damage", ["truncated", "pickle", "deeply-nested", "not-an-object", "unknown-step"])
def test_a_damaged_cache_file_is_ignored_and_never_run(project, damage):
    assert cached_build(project).returncode == 0
    state_file = project / ".cache/evidence/dist.state"
    text = state_file.read_text()
    marker = project / "ran"
    state_file.write_bytes({
        "truncated": text[: len(text) // 2].encode(),
        "pickle": b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.",  # what pickle.loads would run
        "deeply-nested": b"[" * 100_000 + b"]" * 100_000,
        "not-an-object": b"[1, 2, 3]",
        "unknown-step": text.replace('\n["site pages",', '\n["made up",', 1).encode(),
    }[damage])
    result = cached_build(project, "--verbose")
    assert result.returncode == 0, result.stderr
    assert ".cache/evidence/dist.state: not used, as it " in result.stderr
    assert not marker.exists()
    assert files_of(project / "dist") == clean_build(project / "content", project / "clean")


@pytest.mark.parametrize("what", ["dist.state", "dist.previous", "dist.lock"])
@pytest.mark.parametrize("wrong", ["folder", "file", "link to /dev/zero", "dangling link"])
def test_whatever_stands_where_the_cache_keeps_its_files_is_replaced(project, what, wrong):
    assert cached_build(project).returncode == 0
    path = project / ".cache/evidence" / what
    shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    if wrong == "folder":
        (path / "inside").mkdir(parents=True)
    elif wrong == "file":
        path.write_text("not what it should be")
    else:
        path.symlink_to("/dev/zero" if wrong == "link to /dev/zero" else project / "nowhere")
    (project / "content/sources/src.md").write_text((project / "content/sources/src.md").read_text().replace("Paper", "The Paper"))
    result = cached_build(project)
    assert result.returncode == 0, result.stderr
    assert files_of(project / "dist") == clean_build(project / "content", project / "clean")
    assert cached_build(project).returncode == 0
    assert os.path.isfile(project / ".cache/evidence/dist.state") and not os.path.islink(project / ".cache/evidence/dist.state")


def test_a_file_where_the_cache_folder_goes_is_someone_elses_and_is_left_alone(project):
    (project / ".cache").mkdir()
    (project / ".cache/evidence").write_text("my notes")
    result = cached_build(project)
    assert problem_lines(result) == [".cache/evidence:1: expected the build's cache folder; found a file: move it away, or build with --no-cache"]
    assert (project / ".cache/evidence").read_text() == "my notes"
    assert not (project / "dist").exists()
    assert cached_build(project, "--no-cache").returncode == 0


def test_a_symlinked_output_folder_is_refused_and_its_target_left_alone(project):
    assert run("build", "--content", "content", "--out", "site", cwd=project).returncode == 0
    before = files_of(project / "site")
    (project / "dist").symlink_to("site")
    result = cached_build(project)
    assert problem_lines(result) == [
        "dist:1: the output folder is a symbolic link (to site); a build swaps in a whole new folder, which would replace the link: "
        f"build into its target instead (--out {project / 'site'})"]
    assert os.path.islink(project / "dist") and files_of(project / "site") == before


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "no-cache"])
def test_an_edit_in_the_output_that_keeps_size_and_mtime_is_repaired(project, cached):
    options = [] if cached else ["--no-cache"]
    assert cached_build(project, *options).returncode == 0
    page = project / "dist/explainers/ex/index.html"
    good, status = page.read_bytes(), page.stat()
    with open(page, "r+b") as file:  # in place: the same inode, size and, after, mtime
        file.write(b"<!-- defaced -->"[: len(good)])
    os.utime(page, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert page.stat().st_size == status.st_size and page.stat().st_mtime_ns == status.st_mtime_ns and page.read_bytes() != good
    assert cached_build(project).returncode == 0
    assert page.read_bytes() == good


def test_a_socket_among_the_sources_is_refused_without_being_opened(project):
    import socket

    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(project / "content/sources/socket.md"))
        result = run("build", "--content", "content", "--out", "dist", cwd=project)
    assert problem_lines(result) == ["content/sources/socket.md:1: expected a file; found a socket, which is not read"]


def test_the_preview_shows_a_full_disk_as_one_problem_and_keeps_serving(project, monkeypatch):
    from evidence.watch import Preview

    def full_disk(target, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))
    preview = Preview(Paths(content=project / "content"), project / "preview")
    monkeypatch.setattr(output, "write_new_file", full_disk)
    attempt = preview.attempt()
    assert not attempt.ok
    [problem] = attempt.problems
    assert problem.line == 1 and problem.message == "cannot write the site: No space left on device; free some space and build again"
    monkeypatch.undo()
    assert preview.attempt().ok


def test_the_preview_without_a_folder_for_its_site_is_one_line(project, monkeypatch, capsys):
    import tempfile

    from evidence import serve

    def no_room(prefix=None):
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/evidence-preview-x")
    monkeypatch.setattr(tempfile, "mkdtemp", no_room)
    code = serve.serve(Paths(content=project / "content"), out_dir=None, host="127.0.0.1", port=0, base_url=None,
                       strict=False, open_browser=False)
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        "/tmp/evidence-preview-x:1: cannot make the preview's folder: No space left on device; pass --out DIR"]
