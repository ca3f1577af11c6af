"""Lighthouse in mobile emulation on the bundled site: its home page, explainer and source page.

Run from the project root, after `npm ci --prefix .ci --ignore-scripts` (the pinned lighthouse of
.ci/package.json) with Debian's Chromium at /usr/bin/chromium (or CHROMIUM=/path):

    python bench/lighthouse.py [--out report-folder]

The site is built into a temporary folder and served on loopback as a static host serves it:
gzip for text, and a year's Cache-Control for the assets (pages: no-cache). Prints each page's
four scores, every audit that failed (scored below 0.9, as Lighthouse's report counts them) and every
passed audit that scored below 1; exits 1 unless every category scores 100 and no audit fails. --out keeps each page's JSON report.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import mimetypes
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tests"))
sys.path.insert(0, str(PROJECT))
from browser import chromium_path, serving  # noqa: E402

from evidence.build import Paths, build  # noqa: E402

LIGHTHOUSE = PROJECT / ".ci/node_modules/.bin/lighthouse"
PAGES = ["", "explainers/russia-syria/", "sources/lain/", "parties/russia/", "search/?q=ceasefire"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
NOT_SCORED = {"informative", "notApplicable", "manual", "error"}
PASS = 0.9  # Lighthouse's own line between its report's failed and passed audits (report-utils.js, RATINGS.PASS)


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Files as a static host serves them: gzip when the browser accepts it, assets cached for a year."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().do_GET()  # the redirect to the folder's slash form
            path = path / "index.html"
        if not path.is_file():
            return self.send_error(404)
        data = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") or kind.endswith(("javascript", "json", "svg+xml")) else ""))
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if "/assets/" in self.path else "no-cache")
        if "gzip" in self.headers.get("Accept-Encoding", "") and not kind.startswith("image/png"):
            data = gzip.compress(data, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def audit(url: str, report: Path) -> dict:
    command = [
        str(LIGHTHOUSE), url, f"--chrome-path={chromium_path()}", "--chrome-flags=--headless=new --no-sandbox",
        f"--only-categories={','.join(CATEGORIES)}", "--output=json", f"--output-path={report}", "--quiet",
    ]
    subprocess.run(command, check=True, timeout=300)
    return json.loads(report.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="folder to keep each page's JSON report in")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print("lighthouse is not installed: run 'npm ci --prefix .ci --ignore-scripts'", file=sys.stderr)
        return 1
    ok = True
    with tempfile.TemporaryDirectory() as work:
        site = Path(work) / "site"
        build(Paths(), site)
        reports = args.out or Path(work) / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        with serving(functools.partial(StaticHost, directory=str(site))) as port:
            for page in PAGES:
                result = audit(f"http://127.0.0.1:{port}/{page}", reports / f"{page.split('?')[0].strip('/').replace('/', '-') or 'home'}.json")
                scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
                scored = [a for a in result["audits"].values() if a["scoreDisplayMode"] not in NOT_SCORED and a["score"] is not None]
                failed = sorted(f"{a['id']} ({a['score']})" for a in scored if a["score"] < PASS)
                below_1 = sorted(f"{a['id']} ({a['score']})" for a in scored if PASS <= a["score"] < 1)
                print(f"/{page}: " + ", ".join(f"{name} {score}" for name, score in scores.items()))
                for line in failed:
                    print(f"  failed: {line}")
                for line in below_1:
                    print(f"  passed, below 1: {line}")
                ok = ok and all(score == 100 for score in scores.values()) and not failed
        print(f"lighthouse {result['lighthouseVersion']}, {result['configSettings']['formFactor']} emulation, {result['environment']['hostUserAgent'].split(' ')[-2]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
