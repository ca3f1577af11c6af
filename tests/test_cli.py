"""The command line: exit codes, the report, and a failed build never touching dist/."""
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import EXPLAINER, PROJECT, write_tree

from evidence.build import Paths, build
from evidence.cli import main


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), *args], cwd=cwd, capture_output=True, text=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_site_and_reports_pages_citations_and_time(tmp_path):
    content = write_tree(tmp_path / "content", {})
    result = run("build", "--content", str(content), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built out/: 11 pages, 3 citations verified, 0 warning(s) in ")  # and 7 browse and search pages
    assert result.stdout.rstrip().endswith(" ms")
    assert (tmp_path / "out/explainers/ex/index.html").is_file()
    assert (tmp_path / "out/.nojekyll").is_file()
    assert (tmp_path / "out/404.html").is_file()


def test_content_error_exits_1_with_one_line_per_problem_and_keeps_previous_output(tmp_path):
    content = write_tree(tmp_path / "content", {})
    assert run("build", "--content", "content", "--out", "out", cwd=tmp_path).returncode == 0
    before = snapshot(tmp_path / "out")
    (content / "explainers/ex.md").write_text(EXPLAINER.replace("Intro [@src ¶1].", "Intro."), encoding="utf-8")
    result = run("build", "--content", "content", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/explainers/ex.md:13: citation needed: every paragraph of prose cites its source, like [@src ¶3]; "
        "start it with 'Framing:' if it is the explainer's own framing",
        "build failed: 1 problem; nothing was written",
    ]
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path / "out") == before


def test_check_validates_without_writing(tmp_path):
    write_tree(tmp_path / "content", {})
    result = run("check", "--content", "content", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == "ok: 1 explainer(s), 1 source(s), 3 citations verified, 0 warning(s); nothing written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_bad_usage_exits_2(tmp_path):
    assert run("build", "--base-url", "not-a-url", cwd=tmp_path).returncode == 2
    assert run("publish", cwd=tmp_path).returncode == 2


def test_no_arguments_builds_the_bundled_site_into_dist(tmp_path):
    result = run(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dist/explainers/russia-syria/index.html").is_file()
    assert "0 warning(s)" in result.stdout


def test_strict_turns_warnings_into_exit_1(tmp_path):
    from conftest import SOURCE

    write_tree(tmp_path / "content", {"sources/src.md": SOURCE + "\nThird.\n"})
    assert main(["check", "--content", str(tmp_path / "content")]) == 0
    assert main(["check", "--content", str(tmp_path / "content"), "--strict"]) == 1


def test_template_error_names_the_template_file_and_line(tmp_path, capsys):
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    (templates / "404.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{{ no_such_value }}\n{% endblock %}\n", encoding="utf-8")
    paths = Paths(content=write_tree(tmp_path / "content", {}), templates=templates, static=PROJECT / "static")
    try:
        build(paths, tmp_path / "out")
    except Exception as error:  # noqa: BLE001 - the assertion below says which
        assert str(error) == f"{templates / '404.html'}:3: template error: 'no_such_value' is undefined"
    else:
        raise AssertionError("the build should have failed")
    assert not (tmp_path / "out").exists()


# --- --templates: a site owner's templates over the project's ----------------------------------

def test_templates_override_replaces_only_the_files_it_holds(tmp_path):
    content = write_tree(tmp_path / "content", {})
    overrides = tmp_path / "theme"
    overrides.mkdir()
    (overrides / "404.html").write_text("{% extends 'base.html' %}\n{% block main %}<h1>Page introuvable</h1>{% endblock %}\n", encoding="utf-8")
    assert run("build", "--content", "content", "--out", "plain", cwd=tmp_path).returncode == 0
    result = run("build", "--content", "content", "--out", "themed", "--templates", "theme", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    plain, themed = snapshot(tmp_path / "plain"), snapshot(tmp_path / "themed")
    assert "<h1>Page introuvable</h1>" in themed["404.html"].decode()
    pages = [page for page in plain if not page.startswith("pagefind/")]  # the search index: in Pagefind's order (README, "Search")
    assert {page for page in pages if plain[page] != themed[page]} == {"404.html"}  # base.html still the project's


def test_check_and_serve_accept_templates_too(tmp_path):
    write_tree(tmp_path / "content", {})
    (tmp_path / "theme").mkdir()
    assert run("check", "--content", "content", "--templates", "theme", cwd=tmp_path).returncode == 0
    assert "--templates DIR" in run("serve", "--help", cwd=tmp_path).stdout


def test_a_missing_templates_folder_is_a_usage_error_in_one_line(tmp_path):
    write_tree(tmp_path / "content", {})
    result = run("build", "--content", "content", "--templates", "theme", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: --templates theme: expected a folder of templates; found nothing"]


def test_template_error_in_an_override_names_the_override_file_and_line(tmp_path):
    write_tree(tmp_path / "content", {})
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme/404.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{{ no_such_value }}\n{% endblock %}\n", encoding="utf-8")
    result = run("build", "--content", "content", "--out", "out", "--templates", "theme", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "theme/404.html:3: template error: 'no_such_value' is undefined"
    assert not (tmp_path / "out").exists()
