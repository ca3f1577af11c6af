"""How long a save takes to show in the browser: `serve` on a copy of the bundled site, 20 saves.

Run from the project root: python bench/reload_latency.py [--saves 20]

Each save changes one visible word of the explainer's first paragraph. The time runs from just
before the file is written to the first animation frame after the page holding the new word
has parsed, as the browser's own clock says (performance.timeOrigin + performance.now()): the
frame in which the writer can read the change. Prints median, p90, min and max, and the
build times the server reported for the same saves.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tests"))
from browser import CHROMIUM_FLAGS, chromium_path  # noqa: E402

EXPLAINER = "explainers/russia-syria.md"
ANCHOR = "Sarah Lain argues"
# Runs in every document the tab loads: once the expected word is on the page, note the time
# of the next frame, the one that shows it. sessionStorage carries the word across reloads.
WATCH_FOR_WORD = """
(() => {
  function check() {
    const word = sessionStorage.getItem("expected");
    if (!word || sessionStorage.getItem("seen_" + word) || !document.body || !document.body.innerText.includes(word)) {
      return;
    }
    requestAnimationFrame(() => sessionStorage.setItem("seen_" + word, String(performance.timeOrigin + performance.now())));
  }
  document.addEventListener("DOMContentLoaded", () => {
    check();
    new MutationObserver(check).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
})();
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reload-latency-") as scratch:
        content = Path(scratch) / "content"
        shutil.copytree(PROJECT / "content", content)
        server = subprocess.Popen(
            [sys.executable, str(PROJECT / "build.py"), "serve", "--content", str(content), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        try:
            lines: list[str] = []
            url = wait_for_url(server, lines)
            latencies = measure(url + "explainers/russia-syria/", content / EXPLAINER, args.saves)
        finally:
            server.terminate()
            server.wait(timeout=30)
    builds = [float(m.group(1)) for line in lines if (m := re.match(r"rebuilt in (\d+) ms", line))]
    report("save -> new text visible", latencies)
    report("of which the build (server's report)", builds)


def wait_for_url(server: subprocess.Popen, lines: list[str]) -> str:
    found = threading.Event()

    def read() -> None:
        for line in server.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("serving "):
                found.set()

    threading.Thread(target=read, daemon=True).start()
    if not found.wait(60):
        sys.exit("serve did not start:\n" + "\n".join(lines))
    return re.match(r"serving (\S+)", next(line for line in lines if line.startswith("serving "))).group(1)


def measure(url: str, explainer: Path, saves: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    original = explainer.read_text(encoding="utf-8")
    latencies = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.add_init_script(WATCH_FOR_WORD)
        page.goto(url)
        page.get_by_text(ANCHOR).first.wait_for()
        page.wait_for_timeout(500)  # let livereload.js connect before the first save
        for number in range(1, saves + 1):
            word = f"savemark{number:02d}"
            page.evaluate("word => sessionStorage.setItem('expected', word)", word)
            saved_at = time.time() * 1000
            explainer.write_text(original.replace(ANCHOR, f"{ANCHOR} {word}", 1), encoding="utf-8")
            page.get_by_text(word).first.wait_for(timeout=30_000)
            seen = page.wait_for_function("word => sessionStorage.getItem('seen_' + word)", arg=word).json_value()
            latencies.append(float(seen) - saved_at)
            page.wait_for_timeout(300)  # saves a writer makes, not a burst
        browser.close()
    return latencies


def report(what: str, values: list[float]) -> None:
    if not values:
        print(f"{what}: no measurements")
        return
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    print(f"{what} over {len(values)} saves (ms): median {statistics.median(values):.0f}, "
          f"p90 {p90:.0f}, min {ordered[0]:.0f}, max {ordered[-1]:.0f}")


if __name__ == "__main__":
    main()
