"""`add-source`: write content/sources/<id>.md from an article, or compare a new version with the stored one.

read the input -> extract paragraphs and metadata -> compose the file -> load it back with
the site's own loader (so what is written is what the build will read) -> write -> report.
Nothing is written when any step fails.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import yaml

from .drift import Drift, broken_citations, compare
from .errors import Problems, display_path
from .fetch import TIMEOUT_SECONDS, ImportFailure, read_input
from .importer import Article, Block, Found, read_article
from .yamlfile import CONTROL_CHARACTER, ID_PATTERN, URL_PATTERN, slugify

REQUIRED_HINTS = {
    "title": "write the article's headline",
    "author": "write the author's name (for an unsigned statement, the organisation)",
    "publisher": "write who published it",
    "date": "write the publication date, YYYY-MM-DD",
}


@dataclass(frozen=True)
class Options:
    input: str
    content: Path
    id: str | None = None
    url: str | None = None
    rights: str | None = None
    kind: str | None = None
    force: bool = False
    update: str | None = None
    timeout: float = TIMEOUT_SECONDS
    title: str | None = None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    date: dt.date | None = None


def run(options: Options, stdin: BinaryIO | None = None, say: Callable[[str], None] = print) -> None:
    """Import or update one source; raises ImportFailure with one line when anything is wrong."""
    sources = options.content / "sources"
    if not options.content.is_dir():
        raise ImportFailure(str(options.content), "expected a content folder holding sources/; found nothing", usage=True)
    _check_options(options)
    if options.update:
        return _update(options, sources, stdin, say)
    article = read_article(read_input(options.input, stdin, options.timeout))
    meta = _with_options(article.meta, options)
    source_id = options.id or derive_id(meta)
    if source_id is None:
        raise ImportFailure(options.input, "cannot make an id: the page names no author, publisher or title; give one with --id", usage=True)
    path = sources / f"{source_id}.md"
    if path.exists() and not options.force:
        raise ImportFailure(display_path(path), f"source '{source_id}' already exists; use --update {source_id} to compare "
                                                "the new text with it, --force to replace it, or --id to give this one another id")
    text = compose(meta, article.blocks)
    verify(path, text, meta)
    sources.mkdir(exist_ok=True)
    write_atomically(path, text)
    report(path, source_id, meta, article, say)


def _check_options(options: Options) -> None:
    if options.id is not None and not ID_PATTERN.match(options.id):
        raise ImportFailure("--id", f"expected an id of lower-case ASCII letters, digits and single hyphens, like 'lain-2016'; found: '{options.id}'", usage=True)
    if options.url is not None and not URL_PATTERN.match(options.url):
        raise ImportFailure("--url", f"expected an http:// or https:// URL; found: '{options.url}'", usage=True)
    for name, value in [("--title", options.title), ("--publisher", options.publisher), *(("--author", a) for a in options.authors)]:
        if value is not None and (not value.strip() or CONTROL_CHARACTER.search(value)):
            raise ImportFailure(name, f"expected non-empty text without control characters; found: {value!r}", usage=True)
    if options.update and (options.id or options.url or options.rights or options.kind or options.title
                           or options.authors or options.publisher or options.date):
        raise ImportFailure("--update", "keeps the stored front matter: edit it in the file instead of giving "
                                        "--id, --url, --rights, --kind, --title, --author, --publisher or --date", usage=True)


def _with_options(found: dict[str, Found], options: Options) -> dict[str, Found]:
    meta = dict(found)
    for key, value, option in [("title", options.title, "--title"), ("authors", options.authors, "--author"),
                               ("publisher", options.publisher, "--publisher"), ("date", options.date, "--date"),
                               ("url", options.url, "--url")]:
        if value:
            meta[key] = Found(value, option)
    if options.kind:
        meta["kind"] = Found(options.kind, "--kind")
    elif "kind" not in meta:
        section = str(meta["section"].value).lower() if "section" in meta else ""
        kind = next((k for k in ("opinion", "analysis") if k in section), "news")
        meta["kind"] = Found(kind, f"the section '{meta['section'].value}'" if kind != "news" else "the default: check it")
    meta["rights"] = Found(options.rights, "--rights") if options.rights else Found(
        "excerpts", "the default: only quoted words are published; use --rights full if you may republish the text")
    return meta


def derive_id(meta: dict[str, Found]) -> str | None:
    """author's surname and date ('lain-2016-10-05'), else publisher and date, else the title."""
    date = meta["date"].value.isoformat() if "date" in meta else None
    authors = meta["authors"].value if "authors" in meta else ()
    base = _ascii_slug(authors[0].split()[-1]) if authors else ""
    if not base and "publisher" in meta:
        base = _ascii_slug(str(meta["publisher"].value))
    if base:
        return f"{base}-{date}" if date else base
    if "title" in meta:
        return _ascii_slug(str(meta["title"].value))[:40].strip("-") or None
    return None


def _ascii_slug(text: str) -> str:
    """'Ūdre' -> 'udre': ids are ASCII, and a surname keeps its letters without their accents."""
    return slugify(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii"), "")


# --- the file ------------------------------------------------------------------------

def compose(meta: dict[str, Found], blocks: tuple[Block, ...]) -> str:
    """The source file: front matter in the documented order, then the paragraphs."""
    lines = ["---"]

    def put(key: str, value, indent: str = "") -> None:
        if value is None:
            lines.append(f"{indent}{key}:  # not found on the page: {REQUIRED_HINTS[key]}")
        else:
            lines.append(f"{indent}{key}: {yaml_scalar(value)}")

    value = lambda key: meta[key].value if key in meta else None  # noqa: E731
    put("title", value("title"))
    authors = list(value("authors") or ())
    if authors:
        lines.append("author:")
        put("name", " and ".join([", ".join(authors[:-1]), authors[-1]]) if len(authors) > 1 else authors[0], "  ")
    else:
        put("author", None)
    put("publisher", value("publisher"))
    if value("section"):
        put("section", value("section"))
    put("date", value("date"))
    if value("url"):
        put("url", value("url"))
    put("kind", value("kind"))
    put("rights", value("rights"))
    if value("description"):
        put("description", value("description"))
    if len(authors) > 1:
        surnames = [name.split()[-1] for name in authors]
        put("label", " and ".join(surnames) if len(surnames) == 2 else f"{surnames[0]} et al.")
    lines.append("---")
    body = [f"## {block.text}" if block.is_heading else _safe_paragraph(block.text) for block in blocks]
    return "\n".join(lines) + "\n\n" + "\n\n".join(body) + "\n"


def _safe_paragraph(text: str) -> str:
    """A paragraph that reads back as one numbered paragraph: it must not start like a subheading."""
    return "\\" + text if text.startswith("## ") else text


def yaml_scalar(value) -> str:
    """A value as YAML that reads back exactly: plain when that is safe, else double-quoted."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    plain = yaml.safe_dump(text, allow_unicode=True, width=1_000_000).removesuffix("\n...\n").removesuffix("\n")
    if "\n" not in plain and not plain.startswith(("'", '"')) and " #" not in plain and yaml.safe_load(plain) == text:
        return plain
    return yaml.safe_dump(text, allow_unicode=True, width=1_000_000, default_style='"').rstrip("\n")


def verify(path: Path, text: str, meta: dict[str, Found]) -> None:
    """Load the composed file as the build will; only the gaps the writer must fill may be reported."""
    from .load import load_source

    problems = Problems()
    load_source(path, problems, text.encode("utf-8"))
    expected_gaps = {key for key in REQUIRED_HINTS if key not in meta and not (key == "author" and "authors" in meta)}
    unexpected = [p for p in problems.errors if not any(f"missing required key '{key}'" in p.message for key in expected_gaps)]
    if unexpected:  # a bug in composing, not a mistake of the writer's
        raise AssertionError(f"add-source composed a file the loader rejects: {unexpected[0]}")


def write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".md.tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- the report ------------------------------------------------------------------------

def report(path: Path, source_id: str, meta: dict[str, Found], article: Article, say: Callable[[str], None]) -> None:
    paragraphs = article.paragraphs
    headings = sum(block.is_heading for block in article.blocks)
    say(f"wrote {display_path(path)}: {len(paragraphs)} paragraph{'s' if len(paragraphs) != 1 else ''}"
        f"{f', {headings} subheading' + ('s' if headings != 1 else '') if headings else ''}; cite it as [@{source_id} ¶1]")
    for key in ("title", "authors", "publisher", "section", "date", "url", "description", "kind", "rights"):
        found = meta.get(key)
        name = "author" if key == "authors" else key
        if found is None:
            hint = REQUIRED_HINTS.get(name)
            if hint:
                say(f"  {name:11} not found: {hint}")
            elif key == "url":
                say(f"  {name:11} not found: give it with --url if the article is online")
            continue
        shown = ", ".join(found.value) if key == "authors" else found.value
        say(f"  {name:11} {_short(str(shown), 70)}  [{found.origin}]")
    say(f"  first ¶1:   {_short(paragraphs[0], 100)}")
    if len(paragraphs) > 1:
        say(f"  last ¶{len(paragraphs)}:{' ' * max(1, 5 - len(str(len(paragraphs))))}{_short(paragraphs[-1], 100)}")
    if article.dropped:
        say(f"left out as page furniture ({len(article.dropped)}); check none of it is the article's own text:")
        for text in article.dropped[:8]:
            say(f"  - {_short(text, 100)}")
        if len(article.dropped) > 8:
            say(f"  - and {len(article.dropped) - 8} more")
    say("check by eye against the original before citing it:")
    say(f"  - the article has {len(paragraphs)} paragraphs, and ¶1 and ¶{len(paragraphs)} above are its first and last")
    say("  - nothing is missing in between (pull quotes, lists and tables are easily lost) and no caption slipped in")
    if headings:
        say(f"  - {'the subheading is' if headings == 1 else f'the {headings} subheadings are'} the article's own ('## ' lines, not numbered)")
    if any(p.endswith(("…", "...")) for p in paragraphs[-2:]) or len(paragraphs) < 4:
        say("  - the text may be cut short (a paywall or a 'read more' button): compare its length with the original")
    say("  - the author's description, the kind and the rights")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --- --update ------------------------------------------------------------------------------

def _update(options: Options, sources: Path, stdin: BinaryIO | None, say: Callable[[str], None]) -> None:
    from .explainers import load_explainer
    from .load import load_source
    from .markdown import make_markdown

    source_id = options.update
    path = sources / f"{source_id}.md"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in sources.glob("*.md"))) or "none"
        raise ImportFailure(display_path(path), f"no source '{source_id}' to update; known sources: {known}", usage=True)
    problems = Problems()
    stored = load_source(path, problems)
    if stored is None:
        first = problems.errors[0]
        raise ImportFailure(f"{display_path(first.path)}:{first.line}", f"{first.message} (fix the stored source before comparing a new version with it)")
    article = read_article(read_input(options.input, stdin, options.timeout))
    old = [p.text for p in stored.paragraphs]
    new = list(article.paragraphs)
    drift = compare(old, new)
    md = make_markdown()
    explainers, unreadable = [], []
    for explainer_path in sorted((options.content / "explainers").glob("*.md")):
        explainer = load_explainer(explainer_path, md, Problems())
        if explainer is None:
            unreadable.append(explainer_path)  # its citations cannot be checked: never pass over that silently
        else:
            explainers.append(explainer)
    broken = broken_citations(source_id, old, new, drift, explainers)
    _say_drift(drift, old, new, say)
    for item in broken:
        say(f"{display_path(item.path)}:{item.line}: citation {item.raw}: {item.reason}" + (f"; {item.fix}" if item.fix else ""))
    for explainer_path in unreadable:
        say(f"{display_path(explainer_path)}:1: cannot be read, so its citations were not checked; run 'python build.py check' to see why")
    if drift.is_unchanged() and [b.text for b in article.blocks] == [b.text for b in stored.blocks]:
        say(f"{display_path(path)}: the text is unchanged; nothing written")
        return
    if broken and not options.force:
        raise ImportFailure(display_path(path), f"not written: {len(broken)} citation{'s' if len(broken) != 1 else ''} would break; "
                                                "fix them as shown (renumber to the new ¶ numbers) and run again, or use --force "
                                                "to write the new text and fix them after")
    if unreadable and not options.force:
        raise ImportFailure(display_path(path), f"not written: {len(unreadable)} explainer{'s' if len(unreadable) != 1 else ''} could not be "
                                                "read, so citations may break unseen; fix them and run again, or use --force")
    text = path.read_text(encoding="utf-8")
    front_end = _front_matter_end(text)
    body = "\n\n".join(f"## {block.text}" if block.is_heading else _safe_paragraph(block.text) for block in article.blocks)
    write_atomically(path, text[:front_end] + "\n" + body + "\n")
    say(f"wrote {display_path(path)}: {len(new)} paragraphs (was {len(old)}); the front matter is kept as it was"
        + (f"; {len(broken)} citation{'s' if len(broken) != 1 else ''} to fix, listed above" if broken else ""))


def _front_matter_end(text: str) -> int:
    """The offset just after the closing '---' line of the front matter."""
    closing = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    assert closing is not None  # the stored source loaded, so its front matter is closed
    return 4 + closing.end() + 1


def _say_drift(drift: Drift, old: list[str], new: list[str], say: Callable[[str], None]) -> None:
    renumbered = sum(1 for o, n in drift.new_number.items() if o != n)
    counts = {kind: sum(c.kind == kind for c in drift.changes) for kind in ("changed", "added", "removed", "moved")}
    say(f"compared with the stored text: {len(old)} paragraphs then, {len(new)} now; "
        + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + f"; {renumbered} renumbered")
    for change in drift.changes:
        if change.kind == "changed":
            say(f"  changed  ¶{change.old} -> ¶{change.new}: {_short(change.new_text or '', 90)}")
        elif change.kind == "moved":
            say(f"  moved    ¶{change.old} -> ¶{change.new}: {_short(change.new_text or '', 90)}")
        elif change.kind == "removed":
            say(f"  removed  ¶{change.old}: {_short(change.old_text or '', 90)}")
        else:
            say(f"  added    ¶{change.new}: {_short(change.new_text or '', 90)}")
