"""The whole benchmark, one command: Evidence against the floor, Pelican, MkDocs and Hugo, at N = 10, 100, 1000 explainers.

    python bench/run.py [--large] [--runs 3] [--work DIR] [--plot bench/build-time.png]

For each N it generates the corpus (bench/corpus.py), then times, each `--runs` times (the
median is reported): Evidence's cold build, a no-op rebuild and a rebuild after editing one
explainer (each a new `build.py build` process), rebuilds after one edit inside a long-lived
Builder (bench/live.py: what the live preview calls), and the same Markdown built by the floor,
Pelican, MkDocs and Hugo (bench/others.py), with their ratio to Evidence's cold build. Peak
memory is the largest sum, over the build's processes, of their proportional set size (PSS),
sampled every 20 ms in one more run of each measure: reading /proc costs CPU, which would slow
the timed runs of tools that keep both cores busy more than those that use one. The other tools are installed on first use into bench/.venvs/, one
virtual environment each. --large adds N = 4000. Results go to <work>/results.json, the plot
(matplotlib, from bench/.venvs/tools) to --plot.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import edit_explainer, explainer_id, write_corpus  # noqa: E402
from others import TOOLS, VENV_PACKAGES, VENVS, documents, ensure_venvs, tool_versions  # noqa: E402

SAMPLE_SECONDS = 0.02


@dataclass
class Run:
    seconds: float
    peak_mb: float | None  # None when the run was not sampled


def measure(command: list[str], cwd: Path | None = None, memory: bool = False) -> Run:
    """Wall time of a command; with `memory`, also the peak of its process tree's summed PSS."""
    peak = [0.0]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_pss_mb(process.pid))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    output, errors = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    if memory:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{output}\n{errors}")
    return Run(seconds, peak[0] if memory else None)


def timed(command: list[str], runs: int, prepare=lambda: None, cwd: Path | None = None) -> Run:
    """The median wall time of `runs` runs, each after `prepare()`, and the peak memory of one more, sampled run."""
    seconds = []
    for _ in range(runs):
        prepare()
        seconds.append(measure(command, cwd).seconds)
    prepare()
    return Run(statistics.median(seconds), measure(command, cwd, memory=True).peak_mb)


def tree_pss_mb(root: int) -> float:
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # it ended meanwhile
    return total / 1024


# --- Evidence ------------------------------------------------------------------------------

def evidence_command(content: Path, out: Path) -> list[str]:
    return [sys.executable, str(PROJECT / "build.py"), "build", "--content", str(content), "--out", str(out)]


def bench_evidence(content: Path, work: Path, runs: int) -> dict[str, Run | float | int]:
    site = work / "evidence"
    command = evidence_command(content, site / "dist")

    def clean() -> None:
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir(parents=True)

    cold = timed(command, runs, clean)
    noop = timed(command, runs)
    count = len(list((content / "explainers").glob("*.md")))
    edit_explainer(content / "explainers" / f"{explainer_id(count // 2)}.md", generation=1)
    first_edit = measure(command)  # also fills the previous-output folder, once
    edited = iter(range(runs + 1))

    def edit_one() -> None:
        number = next(edited)
        edit_explainer(content / "explainers" / f"{explainer_id((count // 3 + 7 * number) % count)}.md", generation=10 + number)

    edit = timed(command, runs, edit_one)
    live_content = work / "live-content"
    shutil.rmtree(live_content, ignore_errors=True)
    shutil.copytree(content, live_content)
    shutil.rmtree(work / "live", ignore_errors=True)
    result = subprocess.run([sys.executable, str(HERE / "live.py"), str(live_content), str(work / "live" / "dist"), "--edits", str(max(runs, 5))],
                            capture_output=True, text=True, check=True)
    live = json.loads(result.stdout)
    pages = sum(1 for _ in (site / "dist").rglob("*.html"))
    return {
        "cold": cold, "noop": noop, "first_edit": first_edit, "edit": edit,
        "live_edit": statistics.median(live["rebuilds"]), "live_first_edit": live["first_rebuild"], "pages": pages,
    }


def bench_others(content: Path, work: Path, runs: int, tools: list[str]) -> dict[str, dict]:
    docs = documents(content)
    results = {}
    for name in tools:
        folder = work / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        command, out = TOOLS[name](docs, folder)
        run = timed(command, runs, lambda out=out: shutil.rmtree(out, ignore_errors=True), cwd=folder)
        results[name] = {"run": run, "pages": sum(1 for _ in out.rglob("*.html"))}
    return results


def reload_latency() -> str:
    """The live preview's save-to-browser latency on the bundled site, if this checkout has `serve`."""
    script = HERE / "reload_latency.py"
    has_serve = "serve" in subprocess.run([sys.executable, str(PROJECT / "build.py"), "--help"], capture_output=True, text=True).stdout
    if not (script.exists() and has_serve):
        return "n/a (needs build.py serve and bench/reload_latency.py)"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=PROJECT)
    match = re.search(r"save -> new text visible over \d+ saves \(ms\): median (\d+)", result.stdout)
    return f"{match.group(1)} ms" if match else "failed: " + (result.stdout + result.stderr)[-300:]


# --- report --------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0")
    return {
        "cpu": cpu, "cores": str(os.cpu_count()), "memory": f"{int(memory) / 1024 / 1024:.1f} GiB",
        "os": platform.platform(), "python": platform.python_version(), "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def evidence_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("jinja2", "markdown-it-py", "PyYAML", "MarkupSafe")}


def table(results: dict) -> str:
    rows = ["| N | measure | time | pages/s | peak memory | ratio to Evidence's cold build |", "|---:|---|---:|---:|---:|---:|"]
    for count, result in results.items():
        ours = result["evidence"]
        cold = ours["cold"]["seconds"]

        def row(label: str, seconds: float, pages: int | None, peak: float | None, ratio: str = "") -> None:
            rate = f"{pages / seconds:,.0f}" if pages else ""
            memory = f"{peak:.0f} MB" if peak else ""
            rows.append(f"| {count} | {label} | {seconds * 1000:,.0f} ms | {rate} | {memory} | {ratio} |")

        row("Evidence: cold build", cold, ours["pages"], ours["cold"]["peak_mb"], "1.00")
        row("Evidence: no-op rebuild, new process", ours["noop"]["seconds"], None, ours["noop"]["peak_mb"])
        row("Evidence: rebuild after one edit, new process", ours["edit"]["seconds"], None, ours["edit"]["peak_mb"])
        row("Evidence: rebuild after one edit, long-lived process", ours["live_edit"], None, None)
        for name, other in result["others"].items():
            seconds = other["run"]["seconds"]
            row(f"{name}: cold build", seconds, other["pages"], other["run"]["peak_mb"], f"{seconds / cold:.2f}")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true", help="also N = 4000")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure; the median is reported (default 3)")
    parser.add_argument("--sizes", type=int, nargs="*", help="explainer counts (default: 10 100 1000)")
    parser.add_argument("--tools", nargs="*", default=list(TOOLS), help=f"other tools to run (default: {' '.join(TOOLS)})")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="scratch folder (default: bench/.work)")
    parser.add_argument("--plot", type=Path, default=HERE / "build-time.png", help="where to draw the plot")
    args = parser.parse_args()
    sizes = args.sizes or ([10, 100, 1000, 4000] if args.large else [10, 100, 1000])
    ensure_venvs(sorted(VENV_PACKAGES))
    info = {"machine": machine(), "versions": {"Evidence dependencies": evidence_versions(), **tool_versions()}, "runs": args.runs}
    print(json.dumps(info, indent=2), flush=True)
    results = {}
    for count in sizes:
        work = args.work / f"n{count}"
        content = work / "corpus"
        shutil.rmtree(work, ignore_errors=True)
        write_corpus(content, count)
        markdown = sum(len(doc.body.encode()) for doc in documents(content))
        print(f"N = {count}: {2 * count} Markdown files, {markdown / 1e6:.1f} MB", flush=True)
        evidence = bench_evidence(content, work, args.runs)
        others = bench_others(content, work, args.runs, args.tools)
        results[count] = {"markdown_bytes": markdown, "evidence": to_data(evidence), "others": to_data(others)}
        print(table({count: results[count]}), flush=True)
    latency = reload_latency()
    print(f"\nsave-to-browser-reload latency, bundled site: {latency}\n")
    print(table(results))
    (args.work / "results.json").write_text(json.dumps({**info, "results": results, "reload_latency": latency}, indent=2), encoding="utf-8")
    subprocess.run([str(VENVS / "tools/bin/python"), str(HERE / "plot.py"), str(args.work / "results.json"), str(args.plot)], check=True)
    print(f"plot: {args.plot}")
    return 0


def to_data(value):
    if isinstance(value, Run):
        return asdict(value)
    if isinstance(value, dict):
        return {key: to_data(item) for key, item in value.items()}
    return value


if __name__ == "__main__":
    sys.exit(main())
