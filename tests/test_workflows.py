"""The GitHub Actions workflows: they lint clean with actionlint, publish as GitHub's Pages starter
workflow does, and CI runs exactly the README's test command."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT

WORKFLOWS = PROJECT / ".github/workflows"
BROKEN = """on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.no_such_property }}"
"""


def load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads a bare `on` as true
    return workflow


def readme_test_command() -> str:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    return re.search(r"Run the whole test suite.*?```sh\n(.+?)\n```", readme, re.DOTALL).group(1)


def test_workflows_pass_actionlint(tmp_path):
    actionlint = shutil.which("actionlint")
    if not actionlint:
        pytest.fail("actionlint is missing: pip install -e '.[test]'")
    control = tmp_path / "broken.yml"  # proves actionlint ran and reports what it finds
    control.write_text(BROKEN, encoding="utf-8")
    files = [WORKFLOWS / "pages.yml", WORKFLOWS / "ci.yml", control]
    result = subprocess.run(
        [actionlint, "-format", "{{json .}}", *map(str, files)], cwd=PROJECT, capture_output=True, text=True, timeout=120,
    )
    problems = [(Path(PROJECT, p["filepath"]).resolve(), p["line"], p["message"]) for p in json.loads(result.stdout)]
    assert [p for p in problems if p[0] != control.resolve()] == []
    assert [(line, message.split(" is not defined")[0]) for _, line, message in problems] == [(6, 'property "no_such_property"')]


def test_pages_workflow_has_the_starter_workflows_permissions_and_concurrency():
    workflow = load("pages.yml")
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert workflow["jobs"]["deploy"]["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert workflow["jobs"]["deploy"]["needs"] == "build"


def test_pages_workflow_builds_with_the_base_url_from_configure_pages_and_deploys_the_build():
    steps = load("pages.yml")["jobs"]["build"]["steps"]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert uses["actions/configure-pages"]["id"] == "pages"
    build = next(step for step in steps if "build.py build" in step.get("run", ""))
    assert build["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert '--out dist --base-url "$BASE_URL"' in build["run"]
    assert "SOURCE_DATE_EPOCH" in build["run"]
    assert uses["actions/upload-pages-artifact"]["with"] == {"path": "dist"}
    deploy = load("pages.yml")["jobs"]["deploy"]["steps"]
    assert [step["uses"].split("@")[0] for step in deploy] == ["actions/deploy-pages"]


def test_ci_runs_the_readme_test_command_on_push_and_pull_request():
    workflow = load("ci.yml")
    assert set(workflow["on"]) == {"push", "pull_request"}
    runs = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert readme_test_command() in runs
    assert any("apt-get install" in run and "chromium" in run and "default-jre-headless" in run for run in runs)
    assert readme_test_command() in (PROJECT / ".ci/run").read_text(encoding="utf-8")
