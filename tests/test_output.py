"""Writing the site: whenever a build dies, even by SIGKILL, the previous output is whole."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXPLAINER, PROJECT, SOURCE, write_tree
from test_reproducible import comparable, in_pagefinds_order

from evidence.build import Paths, build
from evidence.errors import ContentError
from evidence.output import staging_area, write_site

# Run in a child process: build `content` into `out`, and stop (SIGSTOP) the moment the
# n-th profiler event named `point` happens (n = 0: the last page's), e.g. "call:write_new_file" or "return:_exchange",
# so the test can SIGKILL it at exactly that step. The profiler is set after rendering,
# which is all in memory, to keep the child fast.
CHILD = r"""
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from evidence import output, pipeline
from evidence.build import Paths

content, out, point, nth, exchange = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
if exchange == "no-exchange":
    output._exchange = lambda a, b: False  # as on a system without renameat2(RENAME_EXCHANGE)
seen = 0

def stop_at_point(frame, event, arg):
    global seen
    name = getattr(arg, "__name__", "") if event == "c_call" else frame.f_code.co_name
    if f"{event}:{name}" == point:
        seen += 1
        if seen == nth:
            os.kill(os.getpid(), signal.SIGSTOP)

pages = pipeline.render(Paths(content=content)).pages
nth = nth or len(pages)
if point != "none":
    sys.setprofile(stop_at_point)
output.write_site(pages, out)
"""

SOURCES = 30  # and as many explainers: 62 pages, 0.6 MB


def write_large_site(root: Path, title: str) -> Path:
    """A site of many sources, each of 60 paragraphs, and one explainer citing each."""
    paragraphs = "".join(f"\nParagraph {n} of the article, long enough to look like prose on the subject.\n" for n in range(3, 61))
    files = {"site.yaml": f"title: {title}\ndescription: D\n", "sources/src.md": None, "explainers/ex.md": None}
    for i in range(SOURCES):
        files[f"sources/src{i}.md"] = SOURCE + paragraphs
        files[f"explainers/ex{i}.md"] = EXPLAINER.replace("src", f"src{i}")
    return write_tree(root, files)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) under `folder`, by relative path; the files Pagefind writes in an order
    of its own (test_reproducible.in_pagefinds_order) counted, not compared."""
    found = {
        path.relative_to(folder).as_posix(): path.read_bytes() if path.is_file() else None
        for path in sorted(folder.rglob("*"))
    }
    varying = [name for name in found if in_pagefinds_order(name) and found[name] is not None]
    return {name: data for name, data in found.items() if name not in varying} | ({"(in Pagefind's order)": len(varying)} if varying else {})


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The old content and its built output, and the new content and what it builds to."""
    root = tmp_path_factory.mktemp("sites")
    old, new = write_large_site(root / "old", "Old title"), write_large_site(root / "new", "New title")
    build(Paths(content=old), root / "old-out")
    build(Paths(content=new), root / "new-out")
    return {"old": old, "new": new, "old-out": snapshot(root / "old-out"), "new-out": snapshot(root / "new-out"),
            "old-folder": root / "old-out"}


@pytest.fixture
def dist(tmp_path, sites):
    """An output folder holding the old site, as a previous build left it."""
    shutil.copytree(sites["old-folder"], tmp_path / "dist")
    return tmp_path / "dist"


def start_build(content: Path, out: Path, point: str = "none", nth: int = 1, exchange: str = "exchange") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(PROJECT), str(content), str(out), point, str(nth), exchange])


def kill_when_stopped(child: subprocess.Popen) -> None:
    """Wait until the child stops itself at its kill point, then SIGKILL it."""
    try:
        _, status = os.waitpid(child.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status), "the build finished without reaching its kill point"
    finally:
        child.kill()
        child.wait()


# (point, n-th occurrence, what dist/ holds after the kill)
KILL_POINTS = [
    pytest.param("call:write_site", 1, "old", id="before-anything-is-written"),
    pytest.param("return:_open_staging", 1, "old", id="staging-folder-just-made"),
    pytest.param("call:write_new_file", 1, "old", id="first-page"),
    pytest.param("call:write_new_file", SOURCES, "old", id="half-the-pages"),
    pytest.param("call:write_new_file", 0, "old", id="last-page"),
    pytest.param("call:_exchange", 1, "old", id="every-page-written-before-the-swap"),
    pytest.param("return:_exchange", 1, "new", id="just-after-the-swap"),
    pytest.param("c_call:unlink", 40, "new", id="while-removing-the-old-output"),
]


@pytest.mark.parametrize("point, nth, expected", KILL_POINTS)
def test_build_killed_at_any_step_leaves_a_complete_output_and_the_next_build_cleans_up(dist, sites, point, nth, expected):
    kill_when_stopped(start_build(sites["new"], dist, point, nth))
    assert snapshot(dist) == sites[f"{expected}-out"]
    build(Paths(content=sites["new"]), dist)
    assert snapshot(dist) == sites["new-out"]
    assert not staging_area(dist).exists()


def kill_after(child: subprocess.Popen, seconds: float) -> None:
    time.sleep(seconds)
    child.kill()
    child.wait()


def kill_when_staging_appears(child: subprocess.Popen, out: Path) -> None:
    while child.poll() is None and not any(staging_area(out).glob("*")):
        time.sleep(0.001)
    child.kill()
    child.wait()


def test_build_killed_at_random_moments_leaves_the_old_or_the_new_output_whole(dist, sites, capsys):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, str(PROJECT), str(sites["new"]), str(dist.parent / "timing"), "none", "1", "exchange"], check=True)
    duration = time.perf_counter() - started
    kills = [(f"after {duration * 1.2 * step / 11:.2f} s", lambda child, s=step: kill_after(child, duration * 1.2 * s / 11)) for step in range(12)]
    kills += [("when staging appears", lambda child: kill_when_staging_appears(child, dist))] * 3
    outcomes = []
    for moment, kill in kills:
        shutil.rmtree(dist)
        shutil.copytree(sites["old-folder"], dist)
        kill(start_build(sites["new"], dist))
        after = snapshot(dist)
        assert after in (sites["old-out"], sites["new-out"]), f"dist/ is neither the old nor the new site when killed {moment}"
        outcomes.append(f"{moment}: {'old' if after == sites['old-out'] else 'new'}{', staging left' if staging_area(dist).exists() else ''}")
        build(Paths(content=sites["new"]), dist)
        assert snapshot(dist) == sites["new-out"] and not staging_area(dist).exists()
    with capsys.disabled():
        print(f"\nSIGKILL of a {duration:.2f} s build (dist/ afterwards):\n  " + "\n  ".join(outcomes))


def test_kill_while_the_output_is_moved_aside_loses_nothing(dist, sites):
    # Without an atomic exchange the swap takes two renames; kill between them.
    kill_when_stopped(start_build(sites["new"], dist, "c_call:rename", 2, "no-exchange"))
    assert not dist.exists()
    [moved_aside] = staging_area(dist).glob("*-old")
    assert snapshot(moved_aside) == sites["old-out"]
    # The next build puts the old output back first, so even a build that then fails to
    # write leaves it in place.
    with pytest.raises(ContentError):
        write_site({".nojekyll": "", "index.html": "x", "index.html/x": "y"}, dist)
    assert snapshot(dist) == sites["old-out"]


def test_staging_folder_of_a_build_still_running_is_left_alone(tmp_path):
    out = tmp_path / "dist"
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        busy = staging_area(out) / f"{running.pid}-abc"
        busy.mkdir(parents=True)
        write_site({".nojekyll": "", "index.html": "hi"}, out)
        assert busy.is_dir()
    finally:
        running.kill()
        running.wait()
    write_site({".nojekyll": "", "index.html": "hi"}, out)
    assert not staging_area(out).exists()


def test_build_refuses_to_replace_a_folder_it_did_not_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("my notes", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        build(Paths(content=write_tree(tmp_path / "content", {})), docs)
    assert [problem.message for problem in error.value.problems] == [
        "refusing to replace this folder: it holds files this tool did not build (there is no .nojekyll); "
        "empty it, or choose another output folder"
    ]
    assert snapshot(docs) == {"notes.md": b"my notes"}


def test_an_empty_folder_is_used_as_the_output(tmp_path):
    (tmp_path / "out").mkdir()
    build(Paths(content=write_tree(tmp_path / "content", {})), tmp_path / "out")
    assert (tmp_path / "out/index.html").is_file()


def test_an_output_folder_that_cannot_be_made_is_a_content_error(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        build(Paths(content=write_tree(tmp_path / "content", {})), tmp_path / "file/dist")
    assert [(problem.path, problem.message) for problem in error.value.problems] == [
        (tmp_path / "file", "cannot write the site: a file stands where a folder is needed")
    ]


def test_an_output_path_that_is_a_file_is_a_content_error(tmp_path):
    (tmp_path / "dist").write_text("x", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        build(Paths(content=write_tree(tmp_path / "content", {})), tmp_path / "dist")
    assert [problem.message for problem in error.value.problems] == ["expected an output folder; found a file"]
    assert (tmp_path / "dist").read_text(encoding="utf-8") == "x"


def test_cached_cli_build_killed_at_random_moments_leaves_the_old_or_the_new_output_whole(tmp_path, sites, capsys):
    """`python build.py build` (the cached, incremental path) under SIGKILL: dist/ stays whole."""
    dist = tmp_path / "dist"
    command = [sys.executable, str(PROJECT / "build.py"), "build", "--content", str(sites["new"]), "--out", str(dist)]
    subprocess.run([*command[:3], "--content", str(sites["old"]), "--out", str(dist)], check=True, capture_output=True)
    old = snapshot(dist)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    duration = time.perf_counter() - started
    new = snapshot(dist)
    outcomes = []
    for step in range(10):
        subprocess.run([*command[:3], "--content", str(sites["old"]), "--out", str(dist)], check=True, capture_output=True)
        assert snapshot(dist) == old
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kill_after(child, duration * 1.1 * step / 9)
        after = snapshot(dist)
        assert after in (old, new), f"dist/ is neither the old nor the new site when killed at step {step}"
        outcomes.append("old" if after == old else "new")
        subprocess.run(command, check=True, capture_output=True)
        assert snapshot(dist) == new
    with capsys.disabled():
        print(f"\nSIGKILL of a cached {duration:.2f} s CLI build, dist/ afterwards: {' '.join(outcomes)}")


def test_a_staging_folder_made_level_between_builds_leaves_the_next_one_only_its_own_pages(tmp_path, monkeypatch):
    """The live preview levels the staging folder while no one waits (Builder.level): the next build links no
    unchanged page from the output, and builds the same site as without levelling."""
    from evidence.incremental import Builder

    def three_builds(folder: Path, level: bool) -> tuple[list[str], dict[str, bytes]]:
        content = write_tree(folder / "content", {"explainers/other.md": EXPLAINER})
        explainer, other = content / "explainers/ex.md", content / "explainers/other.md"
        builder = Builder(Paths(content=content), folder / "dist")
        builder.build()
        explainer.write_text(explainer.read_text().replace("Intro", "Once. Intro", 1))
        builder.build()  # the staging folder lacks this build's explainer pages, unless levelled
        if level:
            builder.level()
        links: list[str] = []
        monkeypatch.setattr(os, "link", lambda source, target, link=os.link: links.append(str(source)) or link(source, target))
        other.write_text(other.read_text().replace("Intro", "Twice. Intro", 1))  # renders the other's pages, not ex's
        builder.build()
        monkeypatch.undo()
        return links, comparable({p.relative_to(folder / "dist").as_posix(): p.read_bytes()
                                  for p in sorted((folder / "dist").rglob("*")) if p.is_file()})

    linked_after_level, levelled = three_builds(tmp_path / "levelled", level=True)
    linked_without, plain = three_builds(tmp_path / "plain", level=False)
    assert linked_after_level == [] and any(path.endswith("explainers/ex/index.html") for path in linked_without)
    assert levelled == plain
    assert b"Once. Intro" in levelled["explainers/ex/index.html"] and b"Twice. Intro" in levelled["explainers/other/index.html"]
