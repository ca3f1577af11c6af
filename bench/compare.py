"""Compare this checkout's build times with another's, the two alternated on one generated corpus.

    git worktree add --detach /tmp/base main
    python bench/compare.py /tmp/base [--n 1000] [--rounds 3] [--work DIR]

Each round times, for each checkout in turn (the order alternates between rounds, so neither
always runs on a warmer or busier machine): the cold build, a no-op rebuild and a rebuild after
one edit (each a new `build.py build` process), and the median of three rebuilds after one edit
inside a long-lived Builder (bench/live.py). Prints every round, then the medians, in seconds.
The builds in a new process are also measured in CPU seconds (user + system, with their worker
processes), which another busy process on a shared machine disturbs much less than wall time.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import edit_explainer, explainer_id, write_corpus  # noqa: E402

MEASURES = ("cold", "cold_cpu", "noop", "noop_cpu", "edit", "edit_cpu", "live_edit")


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the command's processes together)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout}{result.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def one_round(project: Path, corpus: Path, site: Path, count: int) -> dict[str, float]:
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(corpus, site / "content")
    build = [sys.executable, str(project / "build.py"), "build", "--content", str(site / "content"), "--out", str(site / "dist")]
    times = {}
    times["cold"], times["cold_cpu"] = timed(build, project)
    times["noop"], times["noop_cpu"] = timed(build, project)
    edit_explainer(site / "content/explainers" / f"{explainer_id(count // 2)}.md", generation=1)
    timed(build, project)  # also fills the previous-output folder, once
    edit_explainer(site / "content/explainers" / f"{explainer_id(count // 3)}.md", generation=2)
    times["edit"], times["edit_cpu"] = timed(build, project)
    live = subprocess.run([sys.executable, str(project / "bench/live.py"), str(site / "content"), str(site / "live/dist"), "--edits", "3"],
                          cwd=project, capture_output=True, text=True, check=True)
    times["live_edit"] = statistics.median(json.loads(live.stdout)["rebuilds"])
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", type=Path, help="the other checkout (e.g. a worktree of main)")
    parser.add_argument("--n", type=int, default=1000, help="explainers in the corpus (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is reported (default 3)")
    parser.add_argument("--work", type=Path, default=HERE / ".work" / "compare", help="scratch folder")
    args = parser.parse_args()
    checkouts = {"base": args.base.resolve(), "this": HERE.parent}
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = write_corpus(args.work / "corpus", args.n)
    results: dict[str, dict[str, list[float]]] = {name: {measure: [] for measure in MEASURES} for name in checkouts}
    for number in range(args.rounds):
        order = list(checkouts.items()) if number % 2 == 0 else list(reversed(checkouts.items()))
        for name, project in order:
            times = one_round(project, corpus, args.work / name, args.n)
            for measure, seconds in times.items():
                results[name][measure].append(seconds)
            print(f"round {number + 1} {name}: " + ", ".join(f"{m} {s:.3f}" for m, s in times.items()), flush=True)
    print(f"\nmedians of {args.rounds} rounds at N = {args.n} (seconds):")
    print("| measure | base | this |\n|---|---:|---:|")
    for measure in MEASURES:
        print(f"| {measure} | {statistics.median(results['base'][measure]):.3f} | {statistics.median(results['this'][measure]):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
