"""Rebuilds that redo only what changed write exactly what a clean build writes, after any edit.

A seeded random sequence of edits (content, templates, static files, settings, options,
deletions, renames, broken files and their repair, tampering with the output) is applied to a
small site. After each, three builds must agree byte for byte, and report the same problems:
the plain pipeline (every step run in order, in memory: no memo, no worker processes, no
writer), a long-lived Builder (the live preview's) and a build that restores its state from the
cache file (a new `build.py build` process), both with the memo, worker processes and the writer.
"""
from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import PROJECT, edit_file

from evidence import cache, pipeline, pool
from evidence.build import Paths, build, rebuild
from evidence.errors import ContentError
from evidence.incremental import Builder
from evidence.memo import State
from evidence.steps import Tools

sys.path.insert(0, str(PROJECT / "bench"))
from corpus import write_corpus  # noqa: E402
from test_reproducible import comparable  # noqa: E402

FIXTURE = PROJECT / "tests/fixtures/site"
STEPS = 70


def files_of(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return comparable({p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()})


def plain_run(project: "Project") -> tuple[tuple[str, list[str]], dict[str, bytes]]:
    """The outcome of the plain pipeline (each step called in order, in memory) and every file it renders."""
    built = []
    result = outcome(lambda: built.append(pipeline.render(project.paths, pipeline.Options(project.base_url, project.strict))) or built[0])
    return result, comparable(dict(built[0].pages)) if built else {}


def clean_build(content: Path, tmp_path: Path) -> dict[str, bytes]:
    """The files of a full build of `content` without a cache, into a folder of its own."""
    build(Paths(content=content), tmp_path / "clean")
    return files_of(tmp_path / "clean")


def folders_of(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def outcome(run) -> tuple[str, list[str]]:
    """'ok' and the warnings, or 'failed' and the problems, as a user would read them."""
    try:
        report = run()
    except ContentError as error:
        return "failed", [str(problem) for problem in error.problems]
    return "ok", [str(warning) for warning in report.warnings]


@dataclass
class Project:
    """A site under edit: content, templates and static files of its own, and the options of the next build."""

    root: Path
    rng: random.Random
    base_url: str | None = None
    strict: bool = False

    @property
    def paths(self) -> Paths:
        return Paths(content=self.root / "content", templates=self.root / "templates", static=self.root / "static")

    def files(self, folder: str) -> list[Path]:
        return sorted(p for p in (self.root / folder).rglob("*") if p.is_file())

    def pick(self, folder: str) -> Path | None:
        files = self.files(folder)
        return self.rng.choice(files) if files else None

    def rewrite(self, path: Path | None, change) -> str:
        if path is None:
            return "nothing to edit"
        before = path.read_text(encoding="utf-8")
        path.write_text(change(before), encoding="utf-8")
        return f"edit {path.relative_to(self.root)}"


def edits(project: Project, pristine: Path) -> list:
    """Every kind of edit a writer, designer or deployer makes, some of them mistakes."""
    rng, root = project.rng, project.root
    word = lambda: rng.choice(["harbour", "quietly", "Russia", "council", "the", "ceasefire"])  # noqa: E731

    def reword_prose():
        return project.rewrite(project.pick("content/explainers"), lambda text: text.replace("Framing: This", f"Framing: {word().capitalize()} this", 1))

    def retitle_explainer():
        return project.rewrite(project.pick("content/explainers"), lambda text: re.sub(r"^title: .*$", f"title: A {word()} question", text, count=1, flags=re.M))

    def retitle_topic():
        return project.rewrite(project.pick("content/explainers"), lambda text: re.sub(r"^## ([^{\n]*)", lambda m: f"## {word().capitalize()} {m.group(1)}", text, count=1, flags=re.M))

    def retag_explainer():
        tags = ", ".join(rng.sample(["syria", "aid", "sanctions", "middle-east", "gulf"], rng.randint(0, 2)))
        return project.rewrite(project.pick("content/explainers"), lambda text: re.sub(r"^tags: .*$", f"tags: [{tags}]", text, count=1, flags=re.M))

    def rename_party():  # in one explainer: an error while another gives the id its old name
        return project.rewrite(project.pick("content/explainers"), lambda text: text.replace("name: Russia", f"name: Russia ({word()})", 1))

    def rename_party_everywhere():
        name = f"Russia ({word()})"
        for path in project.files("content/explainers"):
            project.rewrite(path, lambda text: re.sub(r"name: Russia.*", f"name: {name}", text, count=1))
        return f"rename russia to {name} everywhere"

    def reword_summary():
        return project.rewrite(project.pick("content/explainers"), lambda text: text.replace("Summary: ", f"Summary: {word().capitalize()}: ", 1))

    def break_a_quote():
        return project.rewrite(project.pick("content/explainers"), lambda text: re.sub(r'¶(\d+) "', r'¶\1 "never said ', text, count=1))

    def cite_another_source():
        sources = [p.stem for p in project.files("content/sources")]
        other = rng.choice(sources) if sources else "harbour"

        def change(text):
            text = re.sub(r"^sources: \[([^\]]*)\]", lambda m: f"sources: [{m.group(1)}, {other}]" if other not in m.group(1) else m.group(0), text, count=1, flags=re.M)
            return text + f"\nAnd more on this [@{other} ¶1].\n"
        return project.rewrite(project.pick("content/explainers"), change)

    def edit_source_paragraph():
        return project.rewrite(project.pick("content/sources"), lambda text: text.replace(" the ", f" the {word()} ", 1))

    def add_source_paragraph():
        return project.rewrite(project.pick("content/sources"), lambda text: text + f"\nA new paragraph about the {word()}.\n")

    def retitle_source():
        return project.rewrite(project.pick("content/sources"), lambda text: re.sub(r"^title: .*$", f"title: Report on the {word()}", text, count=1, flags=re.M))

    def edit_settings():
        return project.rewrite(root / "content/site.yaml", lambda text: re.sub(r"^title: .*$", f"title: The {word()} desk", text, count=1, flags=re.M))

    def edit_template():
        name = rng.choice(["base.html", "index.html", "source.html", "explainer.html", "_footer.html", "404.html"])
        return project.rewrite(root / "templates" / name, lambda text: text.replace("</main>", f"<!-- {word()} --></main>", 1) if "</main>" in text else text + f"{{# {word()} #}}\n")

    def break_template():
        return project.rewrite(root / "templates/source.html", lambda text: text.replace("{{ source.title }}", "{{ source.no_such_field }}", 1))

    def edit_static():
        return project.rewrite(root / "static/style.css", lambda text: text + f"\n/* {word()} */\n")

    def add_static():
        (root / "static/extra").mkdir(exist_ok=True)
        (root / "static/extra" / f"{word()}.txt").write_text(word(), encoding="utf-8")
        return "add a static file"

    def delete_static():
        extra = [p for p in project.files("static") if "extra" in p.parts]
        if not extra:
            return "no static file to delete"
        rng.choice(extra).unlink()
        return "delete a static file"

    def delete_file():
        path = project.pick(rng.choice(["content/explainers", "content/sources"]))
        if path is not None:
            path.unlink()
        return f"delete {path}"

    def rename_file():
        path = project.pick(rng.choice(["content/explainers", "content/sources"]))
        if path is None:
            return "nothing to rename"
        target = path.with_name(f"{path.stem}-{word().lower()}.md")
        path.rename(target)
        return f"rename {path.name} to {target.name}"

    def copy_explainer():
        path = project.pick("content/explainers")
        if path is not None:
            shutil.copy(path, path.with_name(f"copy-{rng.randint(1, 99)}.md"))
        return f"copy {path}"

    def restore_file():
        original = rng.choice([p for p in pristine.rglob("*") if p.is_file()])
        target = root / original.relative_to(pristine)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(original, target)
        return f"restore {target.relative_to(root)}"

    def restore_everything():
        for folder in ("content", "templates", "static"):
            shutil.rmtree(root / folder)
            shutil.copytree(pristine / folder, root / folder)
        return "restore everything"

    def change_options():
        project.base_url = rng.choice([None, "https://example.org/desk/", "https://example.com/"])
        project.strict = rng.random() < 0.2
        return f"options base_url={project.base_url} strict={project.strict}"

    weighted = [
        (reword_prose, 6), (retitle_explainer, 3), (retitle_topic, 3), (break_a_quote, 2), (cite_another_source, 3),
        (edit_source_paragraph, 3), (add_source_paragraph, 2), (retitle_source, 2), (edit_settings, 2), (edit_template, 3),
        (break_template, 1), (edit_static, 2), (add_static, 1), (delete_static, 1), (delete_file, 2), (rename_file, 2),
        (copy_explainer, 1), (restore_file, 6), (restore_everything, 2), (change_options, 2),
        (retag_explainer, 3), (rename_party, 2), (rename_party_everywhere, 2), (reword_summary, 3),
    ]
    return [edit for edit, weight in weighted for _ in range(weight)]


def tamper(out_dir: Path, rng: random.Random) -> str:
    """What someone might do to a built site by hand: the next cached build must undo it."""
    files = [p for p in out_dir.rglob("*") if p.is_file()] if out_dir.is_dir() else []
    if not files:
        return "nothing to tamper with"
    victim = rng.choice(files)
    action = rng.choice(["delete", "edit", "stray"])
    if action == "delete":
        victim.unlink()
    elif action == "edit":
        victim.write_bytes(victim.read_bytes() + b"tampered")
    else:
        victim.with_name("stray.html").write_text("stray", encoding="utf-8")
    return f"{action} {victim.relative_to(out_dir)}"


def make_project(root: Path, seed: int) -> Project:
    content = root / "content"
    shutil.copytree(FIXTURE, content)
    corpus = write_corpus(root / "corpus", 3, seed=seed)
    for folder in ("sources", "explainers"):
        for path in (corpus / folder).iterdir():
            shutil.copy(path, content / folder / path.name)
    shutil.copytree(PROJECT / "templates", root / "templates")
    shutil.copytree(PROJECT / "static", root / "static")
    return Project(root, random.Random(seed))


@pytest.mark.parametrize("seed", [1, 2])
def test_every_rebuild_after_random_edits_equals_the_plain_pipeline(tmp_path, seed, monkeypatch):
    monkeypatch.setattr(pool, "MIN_UNITS_PER_WORKER", 1)  # the small site's steps run on worker processes too
    project = make_project(tmp_path / "project", seed)
    pristine = tmp_path / "pristine"
    shutil.copytree(project.root, pristine)
    live, live_out = None, tmp_path / "live" / "site"
    cached_out, cached_cache = tmp_path / "cached" / "site", tmp_path / "cached" / ".cache"
    history: list[str] = []
    choices = edits(project, pristine)
    for step in range(STEPS):
        history.append(project.rng.choice(choices)() if step else "first build")
        if project.rng.random() < 0.15:
            history.append("tamper with the cached build's output: " + tamper(cached_out, project.rng))
        where = f"after: {'; '.join(history[-6:])}"
        expected, plain = plain_run(project)
        before = {"live": files_of(live_out), "cached": files_of(cached_out)}
        if live is None or (live.options.base_url, live.options.strict) != (project.base_url, project.strict):
            live = Builder(project.paths, live_out, base_url=project.base_url, strict=project.strict, jobs=2,
                           cache_dir=tmp_path / "live" / ".cache", state=live.state if live else None)
        assert outcome(live.build) == expected, where
        assert outcome(lambda: build(project.paths, cached_out, cache_dir=cached_cache, jobs=2,
                                     base_url=project.base_url, strict=project.strict)) == expected, where
        if expected[0] == "ok":
            assert files_of(live_out) == plain, where
            assert files_of(cached_out) == plain, where
            assert folders_of(live_out) == folders_of(cached_out), where
        else:  # a failed build leaves the output as it was
            assert files_of(live_out) == before["live"], where
            assert files_of(cached_out) == before["cached"], where
    assert sum("restore" in step for step in history) > 3, "the sequence should mix breaking and repairing edits"


def test_a_build_on_worker_processes_writes_what_a_serial_build_writes(tmp_path):
    content = write_corpus(tmp_path / "content", 60)
    build(Paths(content=content), tmp_path / "serial", jobs=1)
    build(Paths(content=content), tmp_path / "parallel", jobs=2)
    assert files_of(tmp_path / "parallel") == files_of(tmp_path / "serial")


def test_a_build_in_a_process_with_other_threads_starts_its_workers_safely(tmp_path):
    content = write_corpus(tmp_path / "content", 60)
    build(Paths(content=content), tmp_path / "serial", jobs=1)
    stop = threading.Event()
    server = threading.Thread(target=stop.wait)  # as the live preview's server thread
    server.start()
    try:
        build(Paths(content=content), tmp_path / "parallel", jobs=2)
    finally:
        stop.set()
        server.join()
    assert files_of(tmp_path / "parallel") == files_of(tmp_path / "serial")


def test_a_corrupt_cache_is_ignored(tmp_path):
    content = write_corpus(tmp_path / "content", 3)
    out, cache_dir = tmp_path / "dist", tmp_path / ".cache"
    build(Paths(content=content), out, cache_dir=cache_dir)
    clean = files_of(out)
    state_file = next(cache_dir.glob("*.state"))
    state_file.write_bytes(state_file.read_bytes()[:100])
    (content / "explainers/explainer-00001.md").unlink()
    build(Paths(content=content), out, cache_dir=cache_dir)
    assert files_of(out) == clean_build(content, tmp_path) != clean


def test_a_cache_written_by_another_version_is_ignored(tmp_path):
    content = write_corpus(tmp_path / "content", 3)
    out, cache_dir = tmp_path / "dist", tmp_path / ".cache"
    build(Paths(content=content), out, cache_dir=cache_dir)
    state_file = next(cache_dir.glob("*.state"))
    header, *lines = state_file.read_bytes().split(b"\n")
    identity = json.loads(header)["identity"]
    older = [cache.FORMAT - 1] + identity[1:]
    state_file.write_bytes(b"\n".join([json.dumps({"identity": older}).encode(), *lines[:3]]))  # no results: all an older format might hold
    assert cache.load(state_file, older, State.from_lines)[0] is not None
    assert cache.load(state_file, identity, State.from_lines) == (None, "was written by another version of Evidence, or for other folders")
    build(Paths(content=content), out, cache_dir=cache_dir)
    assert files_of(out) == clean_build(content, tmp_path)


def test_deleting_the_cache_folder_between_builds_is_safe(tmp_path):
    content = write_corpus(tmp_path / "content", 3)
    out, cache_dir = tmp_path / "dist", tmp_path / ".cache"
    build(Paths(content=content), out, cache_dir=cache_dir)
    shutil.rmtree(cache_dir)
    (content / "explainers/explainer-00002.md").unlink()
    build(Paths(content=content), out, cache_dir=cache_dir)
    assert files_of(out) == clean_build(content, tmp_path)


def test_the_cache_lives_beside_the_output_not_in_it(tmp_path):
    content = write_corpus(tmp_path / "content", 2)
    build(Paths(content=content), tmp_path / "dist", cache_dir=tmp_path / ".cache" / "evidence")
    (content / "explainers/explainer-00001.md").unlink()
    build(Paths(content=content), tmp_path / "dist", cache_dir=tmp_path / ".cache" / "evidence")
    assert sorted(p.name for p in (tmp_path / ".cache" / "evidence").iterdir()) == ["dist.lock", "dist.previous", "dist.state"]
    assert not any(".cache" in p.parts or p.suffix == ".state" for p in (tmp_path / "dist").rglob("*"))


def test_a_rebuild_after_one_edit_renders_only_the_pages_it_touches(tmp_path):
    content = write_corpus(tmp_path / "content", 5)
    builder = Builder(Paths(content=content), tmp_path / "dist")
    builder.build()
    path = content / "explainers/explainer-00003.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Framing: This", "Framing: Now this"), encoding="utf-8")
    rebuilt = builder.build().rendered
    assert sorted(pages_besides_search(rebuilt)) == ["explainers/explainer-00003/explainer.json", "explainers/explainer-00003/index.html"]
    assert any(page.startswith("pagefind/fragment/") for page in rebuilt), "the words changed: the search index is made again"
    assert builder.build().rendered == ()


def pages_besides_search(pages) -> set[str]:
    """The pages but the search index's, which is made again whenever an indexed word changes."""
    return {page for page in pages if not page.startswith("pagefind/") and not page.startswith("(")}


def after_one_edit(tmp_path: Path, explainers: int, file: str, old: str, new: str) -> tuple[Path, set[str]]:
    """A corpus built into tmp_path/dist, then built again after one edit of `file`: its content folder, and the
    pages the second build rendered (but the search index's)."""
    content = write_corpus(tmp_path / "content", explainers)
    builder = Builder(Paths(content=content), tmp_path / "dist")
    builder.build()
    edit_file(content / file, old, new)
    return content, pages_besides_search(builder.build().rendered)


def as_built_whole(content: Path) -> dict[str, bytes]:
    """What the plain pipeline renders of the content, to compare an incremental build's output with."""
    return comparable(dict(pipeline.render(Paths(content=content)).pages))


def test_retagging_an_explainer_renders_only_the_lists_it_leaves_and_joins(tmp_path):
    content, rendered = after_one_edit(tmp_path, 30, "explainers/explainer-00003.md", "tags: [syria, sanctions]", "tags: [syria, aid]")
    assert rendered == {"explainers/explainer-00003/explainer.json", "explainers/explainer-00003/index.html",
                        "tags/sanctions/index.html", "tags/aid/index.html", "tags/index.html"}
    assert files_of(tmp_path / "dist") == as_built_whole(content)


def test_retitling_a_source_renders_every_browse_page_that_names_it_under_an_explainer(tmp_path):
    content, rendered = after_one_edit(tmp_path, 30, "sources/report-00003.md", "title: Report 3 on", "title: Third report on")
    naming = {page.relative_to(tmp_path / "dist").as_posix() for page in (tmp_path / "dist").rglob("*.html")
              if "Third report on" in page.read_text(encoding="utf-8")}
    browse = {page for page in naming if page.startswith(("parties/", "tags/", "archive/"))}
    assert len(browse) >= 3  # its explainer's parties, tags and year
    assert naming <= rendered
    assert files_of(tmp_path / "dist") == as_built_whole(content)


def test_rewording_a_partys_summary_renders_only_that_partys_page_it_is_on(tmp_path):
    # 'us' has three pages of 20; the fourth oldest explainer is on the last
    content, rendered = after_one_edit(tmp_path, 50, "explainers/explainer-00003.md", "### us\n\nSummary: ", "### us\n\nSummary: Reworded: ")
    assert rendered == {"explainers/explainer-00003/explainer.json", "explainers/explainer-00003/index.html", "parties/us/3.html"}
    assert "Reworded: " in (tmp_path / "dist/parties/us/3.html").read_text(encoding="utf-8")
    assert files_of(tmp_path / "dist") == as_built_whole(content)


@pytest.mark.parametrize("change", ["rename a shared party", "swap a party", "retag"])
def test_an_edit_to_parties_or_tags_renders_every_page_it_changes_and_no_other(tmp_path, change):
    content = write_corpus(tmp_path / "content", 45)
    out = tmp_path / "dist"
    builder = Builder(Paths(content=content), out)
    builder.build()
    before = files_of(out)
    edited = content / "explainers/explainer-00007.md"  # compares three parties: us, russia, iran
    if change == "rename a shared party":
        for path in (content / "explainers").glob("*.md"):
            if "name: Turkey" in path.read_text(encoding="utf-8"):
                edit_file(path, "name: Turkey", "name: Türkiye")
    elif change == "swap a party":
        edit_file(edited, "name: Iran", "name: Turkey")
        edit_file(edited, "id: iran", "id: turkey")
        edited.write_text(edited.read_text(encoding="utf-8").replace("### iran", "### turkey"), encoding="utf-8")
    else:
        edit_file(edited, "tags: [", "tags: [gulf, ")
    rendered = pages_besides_search(builder.build().rendered)
    after = files_of(out)
    changed = pages_besides_search(page for page in before.keys() | after.keys() if before.get(page) != after.get(page))
    rebuilt_anyway = {page for page in rendered if page.startswith("explainers/")}  # an edited explainer's own pages render again
    assert rendered - rebuilt_anyway == changed - rebuilt_anyway
    assert changed - rebuilt_anyway, "the edit should change some browse page"
    assert after == as_built_whole(content)


def test_an_unknown_source_error_names_the_sources_added_since(tmp_path):
    content = write_corpus(tmp_path / "content", 2)
    listing = content / "explainers/explainer-00000.md"
    listing.write_text(listing.read_text(encoding="utf-8").replace("sources: [report-00000]", "sources: [report-00000, gone]"), encoding="utf-8")
    builder = Builder(Paths(content=content), tmp_path / "dist")
    first = outcome(builder.build)
    shutil.copy(content / "sources/report-00001.md", content / "sources/added.md")
    second = outcome(builder.build)
    assert first[1][0].endswith("unknown source 'gone'; known sources: report-00000, report-00001")
    assert second[1][0].endswith("unknown source 'gone'; known sources: added, report-00000, report-00001")


@pytest.mark.parametrize("damage", ["edit", "delete", "stray"])
def test_a_cached_build_repairs_the_output_when_it_was_changed_by_hand(tmp_path, damage):
    content = write_corpus(tmp_path / "content", 3)
    out, cache_dir = tmp_path / "dist", tmp_path / ".cache"
    build(Paths(content=content), out, cache_dir=cache_dir)
    edited = content / "explainers/explainer-00001.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Framing: This", "Framing: So this"), encoding="utf-8")
    build(Paths(content=content), out, cache_dir=cache_dir)  # now out/ and the previous output share files
    page = out / "sources/report-00002/index.html"
    if damage == "edit":
        with open(page, "ab") as file:  # in place, as an editor might: both folders see it
            file.write(b"<!-- changed by hand -->")
    elif damage == "delete":
        page.unlink()
    else:
        page.with_name("stray.html").write_text("stray", encoding="utf-8")
    build(Paths(content=content), out, cache_dir=cache_dir)
    assert files_of(out) == clean_build(content, tmp_path)


def test_a_long_lived_builder_notices_another_build_of_its_output(tmp_path):
    content = write_corpus(tmp_path / "content", 3)
    out, cache_dir = tmp_path / "dist", tmp_path / ".cache"
    live = Builder(Paths(content=content), out, cache_dir=cache_dir)
    live.build()
    edited = content / "explainers/explainer-00001.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Framing: This", "Framing: So this"), encoding="utf-8")
    build(Paths(content=content), out, cache_dir=cache_dir, base_url="https://example.org/elsewhere/")  # build.py build, meanwhile
    edited.write_text(edited.read_text(encoding="utf-8").replace("Framing: So this", "Framing: Then this"), encoding="utf-8")
    live.build()
    assert files_of(out) == clean_build(content, tmp_path)


def test_rebuild_reports_like_a_build_and_counts_what_it_rendered(tmp_path):
    content = write_corpus(tmp_path / "content", 3)
    builder = Builder(Paths(content=content), tmp_path / "dist")
    first = rebuild(builder)
    second = rebuild(builder)
    assert (first.pages, first.citations, first.explainers, first.sources) == (second.pages, second.citations, 3, 3)
    assert first.rendered == sum(path.is_file() for path in (tmp_path / "dist").rglob("*")) and second.rendered == 0


def test_a_cached_build_refuses_to_replace_a_folder_it_did_not_build(tmp_path):
    content = write_corpus(tmp_path / "content", 2)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ContentError, match="refusing to replace this folder"):
        build(Paths(content=content), tmp_path / "docs", cache_dir=tmp_path / ".cache")
    assert files_of(tmp_path / "docs") == {"notes.txt": b"mine"}
    assert not (tmp_path / ".cache" / "docs.previous").exists()


def test_an_edit_to_a_template_override_renders_every_page_again(tmp_path):
    content = write_corpus(tmp_path / "content", 3)
    overrides = tmp_path / "theme"
    overrides.mkdir()
    (overrides / "_footer.html").write_text("<footer>one</footer>\n", encoding="utf-8")
    paths = Paths(content=content, overrides=overrides)
    builder = Builder(paths, tmp_path / "dist")
    builder.build()
    (overrides / "_footer.html").write_text("<footer>two</footer>\n", encoding="utf-8")
    rebuilt = builder.build()
    assert {page for page in files_of(tmp_path / "dist") if page.endswith(".html")} <= set(rebuilt.rendered)
    assert files_of(tmp_path / "dist") == comparable(dict(pipeline.render(paths).pages))
    assert "<footer>two</footer>" in files_of(tmp_path / "dist")["index.html"].decode()


# Run in a child process, where no other thread runs, so workers fork: how many templates
# each worker has compiled before it runs a step, and how many the parent compiled.
FORKED_WORKERS = r"""
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from evidence import pool
from evidence.steps import Context, Tools

def count_compiled_templates(context, tools, _):
    return len(tools.templates.cache), {}

assert pool.start_method() == "fork"
pool.MIN_UNITS_PER_WORKER = 1
context = Context({}, None, (Path(sys.argv[1]) / "templates",), None)
parent = Tools(context.template_dirs)
with pool.Pool(context, lambda: parent, jobs=2) as workers:
    counts = [count for count, _ in workers.map(count_compiled_templates, [(n,) for n in range(4)])]
print(counts, len(parent.templates.list_templates()))
"""


def test_forked_workers_start_with_every_template_compiled():
    result = subprocess.run([sys.executable, "-c", FORKED_WORKERS, str(PROJECT)], capture_output=True, text=True, check=True)
    counts, templates = result.stdout.rsplit(" ", 1)
    assert counts == str([int(templates)] * 4)


def test_a_new_process_loads_compiled_templates_from_the_users_cache_folder_not_the_projects(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))  # loading compiled templates runs them: never from the project
    build(Paths(content=write_corpus(tmp_path / "content", 2)), tmp_path / "dist", cache_dir=tmp_path / ".cache")
    assert not (tmp_path / ".cache/templates").exists()
    assert list((tmp_path / "home-cache/evidence/templates").glob("__jinja2_*.cache"))
    tools = Tools((PROJECT / "templates",), tmp_path / "home-cache/evidence/templates")

    def compile_again(*args, **kwargs):
        raise AssertionError("compiled again, not loaded from the cache folder")

    monkeypatch.setattr(tools.templates, "compile", compile_again)
    assert tools.templates.get_template("explainer.html")
