"""Rebuilds inside one long-lived process, as the live preview does: edit one explainer, time Builder.build().

    python bench/live.py CONTENT OUT --edits 5

Prints one JSON object: the seconds of the first (cold) build, of the first rebuild after an
edit (which also fills the previous-output folder once), and of each later rebuild after an edit.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import edit_explainer, explainer_id  # noqa: E402

from evidence.build import Paths  # noqa: E402
from evidence.incremental import Builder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    explainers = sorted((args.content / "explainers").glob("*.md"))
    builder = Builder(Paths(content=args.content), args.out, cache_dir=args.out.parent / ".cache-live")
    cold = timed(builder.build)
    rebuilds = []
    for number in range(args.edits + 1):
        edit_explainer(args.content / "explainers" / f"{explainer_id(number * 7 % len(explainers))}.md", generation=1000 + number)
        rebuilds.append(timed(builder.build))
    print(json.dumps({"cold": cold, "first_rebuild": rebuilds[0], "rebuilds": rebuilds[1:]}))


def timed(build) -> float:
    started = time.perf_counter()
    build()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
