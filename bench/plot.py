"""Draw build time against N for every tool from bench/run.py's results (run with bench/.venvs/tools/bin/python).

    python plot.py RESULTS.json OUT.png
"""
from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(results_path: str, out_path: str) -> None:
    data = json.load(open(results_path, encoding="utf-8"))
    results = {int(count): result for count, result in data["results"].items()}
    sizes = sorted(results)
    series = {
        "Evidence, cold build": [results[n]["evidence"]["cold"]["seconds"] for n in sizes],
        "Evidence, rebuild after one edit (new process)": [results[n]["evidence"]["edit"]["seconds"] for n in sizes],
        "Evidence, rebuild after one edit (long-lived)": [results[n]["evidence"]["live_edit"] for n in sizes],
    }
    for tool in results[sizes[0]]["others"]:
        series[f"{tool}, cold build"] = [results[n]["others"][tool]["run"]["seconds"] for n in sizes]
    figure, (axes, per_item) = plt.subplots(1, 2, figsize=(13, 5.5), dpi=110)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (label, seconds), colour in zip(series.items(), colours):
        style = "-" if label.startswith("Evidence") else "--"
        axes.plot(sizes, seconds, style, color=colour, marker="o", label=label)
        if "cold" in label:
            per_item.plot(sizes, [1000 * s / n for s, n in zip(seconds, sizes)], style, color=colour, marker="o", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_ylabel("wall time (s), median")
    axes.set_title("Build time against N", fontsize=10)
    per_item.set_xscale("log")
    per_item.set_yscale("log")
    per_item.set_ylabel("ms per explainer (flat = linear in N)")
    per_item.set_title("Cold builds: cost per explainer against N", fontsize=10)
    for panel in (axes, per_item):
        panel.set_xlabel("explainers (N); each has its own source: 2N Markdown files")
        panel.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    per_item.legend(fontsize=8)
    machine = data["machine"]
    figure.suptitle(f"Evidence, the floor, Pelican, MkDocs and Hugo on the same Markdown ({machine['cores']} cores, {machine['cpu']})", fontsize=11)
    figure.tight_layout()
    figure.savefig(out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
