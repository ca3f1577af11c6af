"""Profile one build with py-spy and print where the time goes: inclusive and self time per function.

    python bench/profile.py N [--incremental] [--work DIR]

Builds a corpus of N explainers (under bench/.work/, or DIR: /dev/shm keeps the disk out of it), then records `build.py build` and its
worker processes with py-spy (installed by bench/run.py into bench/.venvs/tools) and sums the
samples by function, leaving out the threads that only wait on the worker pool.
"""
from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import PROJECT, write_corpus  # noqa: E402

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def summarise(raw: str, top: int = 25) -> str:
    """py-spy's raw (collapsed) stacks as two rankings: inclusive time and self time."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        if "Thread._bootstrap" in stack:
            continue  # the pool's helper threads, waiting on pipes
        total += count
        names = [_name(frame) for frame in stack.split(";")]
        for name in set(names):
            inclusive[name] += count
        own[names[-1]] += count
    lines = [f"{total} samples"]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        lines.append(f"\n{title}:")
        lines += [f"  {100 * count / total:5.1f}%  {name}" for name, count in counter.most_common(top)]
    return "\n".join(lines)


def _name(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match.group("file")
    for marker in ("site-packages/", "/evidence/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1] if marker != "/evidence/" else "evidence/" + path.split(marker, 1)[1]
            break
    return f"{match.group('function')} ({Path(path).name if '/' in path and 'evidence/' not in path else path})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--incremental", action="store_true", help="profile a rebuild after editing one explainer")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="scratch folder (default: bench/.work)")
    args = parser.parse_args()
    work = args.work / f"profile-{args.count}"
    content, out = work / "content", work / "dist"
    if not content.exists():
        write_corpus(content, args.count)
    command = [sys.executable, str(PROJECT / "build.py"), "build", "--content", str(content), "--out", str(out)]
    for folder in (out, work / ".cache"):
        shutil.rmtree(folder, ignore_errors=True)  # a cold build
    if args.incremental:
        subprocess.run(command, check=True, capture_output=True)
        from corpus import edit_explainer, explainer_id

        edit_explainer(content / "explainers" / f"{explainer_id(args.count // 2)}.md", generation=hash(work) % 1000)
    raw = work / "profile.txt"
    spy = [str(HERE / ".venvs/tools/bin/py-spy"), "record", "-f", "raw", "-r", "100", "--subprocesses", "-o", str(raw)]
    subprocess.run(spy + ["--"] + command, check=True, capture_output=True)
    print(summarise(raw.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
