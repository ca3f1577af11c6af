"""The command line: build, check (and later serve) with exit codes 0, 1 (content) and 2 (usage)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import Paths, Report, build, render
from .errors import ContentError, display_path
from .incremental import default_cache_dir
from .yamlfile import URL_PATTERN

DEFAULT_PATHS = Paths()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "build"
    paths = Paths(content=Path(getattr(args, "content", None) or DEFAULT_PATHS.content), templates=DEFAULT_PATHS.templates, static=DEFAULT_PATHS.static)
    base_url = getattr(args, "base_url", None)
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    try:
        if command == "check":
            _, report = render(paths, strict=args.strict)
            _print_warnings(report)
            print(f"ok: {report.explainers} explainer(s), {report.sources} source(s), {report.citations} citations verified, "
                  f"{len(report.warnings)} warning(s); nothing written")
            return 0
        out_dir = Path(getattr(args, "out", None) or "dist")
        cache_dir = None if getattr(args, "no_cache", False) else default_cache_dir(out_dir)
        report = build(paths, out_dir, base_url=base_url, strict=getattr(args, "strict", False), cache_dir=cache_dir)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"build failed: {count} problem{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
        return 1
    _print_warnings(report)
    print(f"built {display_path(out_dir)}/: {report.pages} pages, {report.citations} citations verified, "
          f"{len(report.warnings)} warning(s) in {report.seconds * 1000:.0f} ms")
    return 0


def _print_warnings(report: Report) -> None:
    for warning in report.warnings:
        print(f"{warning} (warning)", file=sys.stderr)


def _url(value: str) -> str:
    if not URL_PATTERN.match(value):
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL; found: '{value}'")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build an explainer site whose every paragraph is cited.")
    commands = parser.add_subparsers(dest="command", metavar="{build,check}")
    build_command = commands.add_parser("build", help="build the site into a folder (the default)")
    check_command = commands.add_parser("check", help="validate the content; write nothing")
    for command in (build_command, check_command):
        command.add_argument("--content", metavar="DIR", help="content folder (default: content/)")
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build_command.add_argument("--out", metavar="DIR", help="output folder (default: dist/)")
    build_command.add_argument("--base-url", type=_url, metavar="URL", help="where the site is published, e.g. https://user.github.io/repo-name/")
    build_command.add_argument("--no-cache", action="store_true", help="render every page, ignoring and keeping no .cache/evidence/")
    return parser


if __name__ == "__main__":
    sys.exit(main())
