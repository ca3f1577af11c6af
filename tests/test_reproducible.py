"""Reproducible builds: the same content gives the same bytes, whatever the process, clock or folder."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

SITES = {"bundled": PROJECT / "content", "fixture": PROJECT / "tests/fixtures/site"}


def build_in_new_process(content: Path, out: Path, **env: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(PROJECT / "build.py"), "build", "--content", str(content), "--out", str(out),
               "--base-url", "https://user.github.io/repo-name/"]
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | env
    return subprocess.run(command, cwd=out.parent, env=environment, capture_output=True, text=True)


def every_file(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def in_pagefinds_order(name: str) -> bool:
    """Pagefind writes each filter's values in the order of a hash map seeded afresh in every process: these files
    hold the same entries in another order, under names made from their bytes (README, "Search")."""
    return name.startswith("pagefind/filter/") or name.endswith(".pf_meta") or name == "pagefind/pagefind-entry.json"


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files, those Pagefind writes in an order of its own (in_pagefinds_order) counted, not compared."""
    kept = {name: data for name, data in files.items() if not in_pagefinds_order(name)}
    if len(kept) < len(files):
        kept["(files in Pagefind's order)"] = str(len(files) - len(kept)).encode()
    return kept


@pytest.mark.parametrize("site", SITES)
def test_two_builds_of_the_same_content_are_byte_identical(tmp_path, site):
    """Different hash seeds (set and dict order), time zones and output folders change nothing."""
    first = tmp_path / "one/dist"
    second = tmp_path / "elsewhere/deeper/site"
    first.parent.mkdir(parents=True)
    second.parent.mkdir(parents=True)
    for out, seed, zone in ((first, "1", "UTC"), (second, "4242", "Pacific/Kiritimati")):
        result = build_in_new_process(SITES[site], out, PYTHONHASHSEED=seed, TZ=zone)
        assert result.returncode == 0, result.stderr
    one, two = every_file(first), every_file(second)
    assert len(one) == len(two)
    one, two = ({name: data for name, data in files.items() if not in_pagefinds_order(name)} for files in (one, two))
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert {"feed.xml", "sitemap.xml", "robots.txt", "404.html", "assets/favicon.svg", "pagefind/pagefind.js"} <= one.keys()


def test_source_date_epoch_is_the_time_of_every_file_written(tmp_path):
    out = tmp_path / "dist"
    result = build_in_new_process(SITES["fixture"], out, SOURCE_DATE_EPOCH="1700000000")
    assert result.returncode == 0, result.stderr
    written = [out, *out.rglob("*")]
    assert len(written) > 10
    assert {path.stat().st_mtime for path in written} == {1700000000}


def test_malformed_source_date_epoch_is_a_usage_error(tmp_path):
    result = build_in_new_process(SITES["fixture"], tmp_path / "dist", SOURCE_DATE_EPOCH="yesterday")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "build.py: error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970; found: 'yesterday'"
    )
    assert not (tmp_path / "dist").exists()


def test_feed_is_dated_by_its_newest_content_not_the_build(tmp_path):
    out = tmp_path / "dist"
    assert build_in_new_process(SITES["fixture"], out, SOURCE_DATE_EPOCH="1700000000").returncode == 0
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert "<updated>2025-04-02T00:00:00Z</updated>" in feed  # the fixture explainer's `updated`
    assert "2023-11-14" not in feed  # 1700000000 as a date
