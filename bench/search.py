"""Site search and browse pages at scale: page sizes, the build with and without indexing, and one edit in the live preview.

    python bench/search.py 1000 --work /tmp/bench-search

Prints one JSON object (BENCHMARKS.md, "Search and browse pages"): the home page's and the largest
browse page's size in bytes, the cold build's seconds with the search index and without it (its
step replaced by one that indexes nothing), and, in one long-lived Builder, the seconds of a rebuild
after one edit, with and without indexing, and of the indexing alone; and the live preview's way, the
page first with the last index (search_later), then the index made again, the staging folder made
level with the output after each (Builder.level), as the preview's watcher does.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import edit_explainer, explainer_id, write_corpus  # noqa: E402

from evidence import pipeline, steps  # noqa: E402
from evidence.build import Paths, build  # noqa: E402
from evidence.incremental import Builder  # noqa: E402

INDEX_SITE, SENDING = steps.index_site, pipeline.sending


def no_index(context, tools, documents, source_ids, indexer=None):
    return None, {}


def without_search(on: bool) -> None:
    """Replace the search step, and the sending of documents to Pagefind while the pages render, with nothing (or put them back)."""
    steps.index_site = no_index if on else INDEX_SITE
    pipeline.sending = (lambda indexer, records: records) if on else SENDING


def timed_index(record: list):
    def index_site(*args, **kwargs):
        started = time.perf_counter()
        result = INDEX_SITE(*args, **kwargs)
        record.append(time.perf_counter() - started)
        return result
    return index_site


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-search"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    content = write_corpus(args.work / "content", args.count)
    paths = Paths(content=content)
    results: dict[str, object] = {"explainers": args.count}
    cold = {"with search": [], "without search": []}
    for _ in range(args.repeats):
        for label in ("without search", "with search"):  # the last build's output is measured
            without_search(label == "without search")
            shutil.rmtree(args.work / "out", ignore_errors=True)
            cold[label].append(timed(lambda: build(paths, args.work / "out")))
    without_search(False)
    results["cold build, median seconds"] = {label: statistics.median(times) for label, times in cold.items()}
    out = args.work / "out"
    html = {path.relative_to(out).as_posix(): path.stat().st_size for path in out.rglob("*.html")}
    browse = {page: size for page, size in html.items() if page.startswith(("parties/", "tags/", "archive/"))}
    results["home page bytes"] = html["index.html"]
    results["largest browse page"] = max(browse.items(), key=lambda item: item[1])
    results["search index"] = {"files": sum(1 for p in (out / "pagefind").rglob("*") if p.is_file()),
                               "bytes": sum(p.stat().st_size for p in (out / "pagefind").rglob("*") if p.is_file())}
    for round, (label, index) in enumerate((("without search", no_index), ("with search", None))):
        indexing: list[float] = []
        without_search(index is not None)
        if index is None:
            steps.index_site = timed_index(indexing)
        builder = Builder(paths, args.work / f"live-{label[:4]}", cache_dir=args.work / f".cache-{label[:4]}")
        builder.build()
        rebuilds = []
        for number in range(args.edits):
            edit_explainer(content / "explainers" / f"{explainer_id(number * 7 % args.count)}.md", generation=2000 + 100 * round + number)
            rebuilds.append(timed(builder.build))
        results[f"one-edit rebuild {label}, median seconds"] = statistics.median(rebuilds[1:] or rebuilds)
        if index is None:
            results["indexing runs (first build, then each edit)"] = len(indexing)
            results["re-index after one edit, median seconds"] = statistics.median(indexing[1:] or indexing)
    without_search(False)
    # The live preview (watch.watch): each save shows with the last index (search_later), which is made again after
    # it; then, while no one waits, the folder the next build stages into is made level with the output.
    builder = Builder(paths, args.work / "live-later", cache_dir=args.work / ".cache-later")
    builder.build()
    builder.level()
    shown, indexed = [], []
    for number in range(args.edits):
        edit_explainer(content / "explainers" / f"{explainer_id(number * 11 % args.count)}.md", generation=2300 + number)
        shown.append(timed(lambda: builder.build(search_later=True)))
        builder.level()
        indexed.append(timed(builder.build))
        builder.level()
    results["live preview after one edit: page shown, median seconds"] = statistics.median(shown[1:] or shown)
    results["live preview after one edit: then the index, median seconds"] = statistics.median(indexed[1:] or indexed)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
