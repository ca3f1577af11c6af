"""The command line: build, check and serve, with exit codes 0, 1 (content) and 2 (usage)."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Mapping

from .baseurl import base_url as checked_base_url
from .build import Paths, Report, build, render
from .errors import ContentError, display_path
from .incremental import default_cache_dir
from .yamlfile import URL_PATTERN, describe

DEFAULT_PATHS = Paths()


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "")
    if epoch and not epoch.isdigit():
        parser.error(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970; found: '{epoch}'")
    command = args.command or "build"
    if command == "add-source":
        return _add_source(args)
    overrides = Path(args.templates) if getattr(args, "templates", None) else None
    if overrides is not None and not overrides.is_dir():
        found = "a file" if overrides.exists() else "nothing"
        print(f"error: --templates {overrides}: expected a folder of templates; found {found}", file=sys.stderr)
        return 2
    paths = Paths(content=Path(getattr(args, "content", None) or DEFAULT_PATHS.content), templates=DEFAULT_PATHS.templates,
                  static=DEFAULT_PATHS.static, overrides=overrides)
    base_url = getattr(args, "base_url", None)
    if command == "serve":
        from .serve import serve  # imports the web server only when it is needed

        out_dir = Path(args.out) if args.out else None
        return serve(paths, out_dir=out_dir, host=args.host, port=args.port, base_url=base_url, strict=args.strict, open_browser=args.open)
    try:
        if command == "check":
            _, report = render(paths, strict=args.strict)
            _print_warnings(report)
            print(f"ok: {report.explainers} explainer(s), {report.sources} source(s), {report.citations} citations verified, "
                  f"{len(report.warnings)} warning(s); nothing written")
            return 0
        out_dir = Path(getattr(args, "out", None) or "dist")
        cache_dir = None if getattr(args, "no_cache", False) else default_cache_dir(out_dir)
        log = (lambda line: print(line, file=sys.stderr)) if getattr(args, "verbose", False) else None
        report = build(paths, out_dir, base_url=base_url, strict=getattr(args, "strict", False), cache_dir=cache_dir,
                       mtime=int(epoch) if epoch else None, log=log)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        outcome = "the site was written, but not all that goes with it" if error.published else "nothing was written"
        print(f"build failed: {count} problem{'s' if count != 1 else ''}; {outcome}", file=sys.stderr)
        return 1
    _print_warnings(report)
    print(f"built {display_path(out_dir)}/: {report.pages} pages, {report.citations} citations verified, "
          f"{len(report.warnings)} warning(s) in {report.seconds * 1000:.0f} ms")
    return 0


def _add_source(args: argparse.Namespace) -> int:
    from .addsource import Options, run  # imports the extraction library only when it is needed
    from .fetch import ImportFailure

    options = Options(input=args.input, content=Path(args.content or DEFAULT_PATHS.content), id=args.id, url=args.url,
                      rights=args.rights, kind=args.kind, force=args.force, update=args.update, title=args.title,
                      authors=tuple(args.author or ()), publisher=args.publisher, date=args.date)
    try:
        run(options)
    except ImportFailure as failure:
        print(failure, file=sys.stderr)
        print("add-source failed; nothing was written", file=sys.stderr)
        return 2 if failure.usage else 1
    return 0


def _print_warnings(report: Report) -> None:
    for warning in report.warnings:
        print(f"{warning} (warning)", file=sys.stderr)


def _url(value: str) -> str:
    if not URL_PATTERN.match(value):
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL; found: '{value}'")
    return value


def _base_url(value: str) -> str:
    try:
        return checked_base_url(value)
    except ValueError as expected:
        raise argparse.ArgumentTypeError(f"expected {expected}; found: {describe(value)}") from None


def _date(value: str) -> dt.date:
    try:
        if len(value) == 10:  # fromisoformat also takes 20240203 and 2024-W05-6
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a date written YYYY-MM-DD; found: '{value}'")


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535; found: '{value}'")
    return int(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build an explainer site whose every paragraph is cited.")
    commands = parser.add_subparsers(dest="command", metavar="{build,check,serve,add-source}")
    build_command = commands.add_parser("build", help="build the site into a folder (the default)")
    check_command = commands.add_parser("check", help="validate the content; write nothing")
    serve_command = commands.add_parser("serve", help="preview the site in a browser, rebuilding on every save")
    for command in (build_command, check_command, serve_command):
        command.add_argument("--content", metavar="DIR", help="content folder (default: content/)")
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
        command.add_argument("--templates", metavar="DIR", help="a folder of templates that take precedence over the project's, file by file")
    build_command.add_argument("--out", metavar="DIR", help="output folder (default: dist/)")
    serve_command.add_argument("--out", metavar="DIR", help="output folder (default: a temporary folder, removed on exit)")
    for command in (build_command, serve_command):
        command.add_argument("--base-url", type=_base_url, metavar="URL", help="where the site is published, e.g. https://user.github.io/repo-name/")
    build_command.add_argument("--no-cache", action="store_true", help="render every page, ignoring and keeping no .cache/evidence/")
    build_command.add_argument("--verbose", action="store_true", help="also say why the cache was not used, when it was not")
    serve_command.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1; 0.0.0.0 for every interface)")
    serve_command.add_argument("--port", type=_port, help="port (default: 8000, or the next free one; 0: any free port)")
    serve_command.add_argument("--open", action="store_true", help="open the site in the default web browser")
    _add_source_parser(commands)
    return parser


def _add_source_parser(commands) -> None:
    from .model import SOURCE_KINDS

    command = commands.add_parser("add-source", help="import an article as content/sources/<id>.md, or compare a new version (--update)",
                                  description="Import an article: a saved web page (.html), a URL, a .txt or .md file, "
                                              "or - for text pasted on standard input (paragraphs separated by blank lines).")
    command.add_argument("input", metavar="INPUT", help="page.html, https://..., article.txt, article.md, or - for standard input")
    command.add_argument("--content", metavar="DIR", help="content folder (default: content/)")
    command.add_argument("--id", metavar="ID", help="the source's id (default: the author's surname and the date, like lain-2016-10-05)")
    command.add_argument("--url", type=_url, metavar="URL", help="the article's address, when the page or text does not name it")
    command.add_argument("--rights", choices=["full", "excerpts"], help="full: the text may be published; excerpts (default): only quotations")
    command.add_argument("--kind", choices=list(SOURCE_KINDS), metavar="KIND", help=f"one of: {', '.join(SOURCE_KINDS)} (default: from the page, else news)")
    command.add_argument("--title", help="the headline, when the input does not give it (pasted text) or gives it wrong")
    command.add_argument("--author", action="append", metavar="NAME", help="an author's name (repeat for several); overrides the page's")
    command.add_argument("--publisher", help="who published it; overrides the page's")
    command.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the publication date; overrides the page's")
    command.add_argument("--force", action="store_true", help="replace an existing source; with --update, write even if citations would break")
    command.add_argument("--update", metavar="ID", help="compare INPUT with the stored source ID, list what changed and which citations would break, then write its new text")


if __name__ == "__main__":
    sys.exit(main())
