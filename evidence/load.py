"""Load a content folder into the model: site settings, sources and explainers, all checked."""
from __future__ import annotations

import os
import re
from pathlib import Path

from markdown_it import MarkdownIt

from .baseurl import base_url
from .citations import MAX_PARAGRAPH
from .errors import Problems
from .explainers import load_explainer
from .inputs import is_ignored, special_kind
from .model import SOURCE_KINDS, Author, Paragraph, Settings, Site, Source, Subheading
from .yamlfile import (
    Field, date, describe, id_for, identifier, list_of, mapping, one_of, parse_yaml, read_fields, read_text,
    slugify, split_front_matter, text, url,
)

def boolean(value: object) -> bool:
    """A yes/no field: `true` or `false` (YAML 1.2's words; plain values are read as text, yamlfile.parse_yaml)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return value.lower() == "true"
    raise ValueError("true or false")


def positive_count(value) -> int:
    """A whole number above 0, such as how many explainers the home page shows."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)  # YAML scalars are read as text
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("a whole number above 0 (how many of the newest explainers the home page shows)")
    return value


SETTINGS_FIELDS = [
    Field("title", text, required=True),
    Field("description", text, required=True),
    Field("language", text, default="en"),
    Field("base_url", base_url),
    Field("publisher", text),
    Field("copyright", text),
    Field("license", text),
    Field("repository", url),
    Field("home", positive_count, default=20),
]


SOURCE_FIELDS = [
    Field("id", identifier),
    Field("title", text, required=True),
    Field("author", mapping, required=True),
    Field("editors_note", text),
    Field("publisher", text, required=True),
    Field("section", text),
    Field("date", date, required=True),
    Field("url", url),
    Field("archive_url", url),
    Field("kind", one_of(*SOURCE_KINDS), required=True),
    Field("rights", one_of("full", "excerpts"), required=True),
    Field("rights_note", text),
    Field("highlights", list_of(text), default=[]),
    Field("label", text),
    Field("description", text),
    Field("partial", boolean, default=False),
    Field("partial_note", text),
]

AUTHOR_FIELDS = [Field("name", text, required=True), Field("description", text)]

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def load_site(content_dir: Path, md: MarkdownIt, problems: Problems) -> Site | None:
    """Read every file of a content folder; problems are collected, not raised."""
    if not is_content_folder(content_dir, problems):
        return None
    settings = load_settings(content_dir / "site.yaml", problems)
    sources = [load_source(path, problems) for path in markdown_files(content_dir / "sources", problems)]
    explainers = [load_explainer(path, md, problems) for path in markdown_files(content_dir / "explainers", problems)]
    check_unique_ids(sources, "source", problems)
    check_unique_ids(explainers, "explainer", problems)

    if settings is None or None in sources or None in explainers:
        return None
    return Site(settings, tuple(sources), tuple(explainers))


def is_content_folder(content_dir: Path, problems: Problems) -> bool:
    """Whether the content folder exists; if not, that is the one problem worth reporting."""
    if content_dir.is_dir():
        return True
    found = "a file" if content_dir.exists() else "nothing"
    problems.error(content_dir, 1, f"expected a content folder holding site.yaml, sources/ and explainers/; found {found}")
    return False


def markdown_files(folder: Path, problems: Problems) -> list[Path]:
    """The .md files of a folder of the content folder (sources/, explainers/), but editors' and systems' (inputs.IGNORED).

    Anything that is not a file, or a link that leads out of the project, is a problem, and is never opened.
    """
    if folder.exists() and not folder.is_dir():
        problems.error(folder, 1, "expected a folder of .md files; found a file")
        return []
    if not folder.is_dir():
        problems.error(folder, 1, "folder not found: a site needs sources/ and explainers/ folders of .md files")
        return []
    with os.scandir(folder) as entries:
        found = sorted((entry for entry in entries if entry.name.endswith(".md") and not is_ignored(entry.name)), key=lambda e: e.name)
    outside = leads_outside(folder, folder.parent)
    files = []
    for entry in found:
        path = folder / entry.name
        refused = outside or (entry.is_symlink() and leads_outside(path, folder.parent)) or _not_a_file(entry)
        if refused:
            problems.error(path, 1, refused)
        else:
            files.append(path)
    if not found:
        problems.error(folder, 1, f"no .md files in this folder; a site needs at least one {folder.name.removesuffix('s')}")
    return files


def leads_outside(path: Path, content_dir: Path) -> str | None:
    """Why a content file is not read if it is, or leads by symbolic links to, a place outside the project
    (the folder holding the content folder, or the content folder's own target), else None."""
    target = os.path.realpath(path)
    inside = (os.path.realpath(content_dir.absolute().parent), os.path.realpath(content_dir))
    if any(target == root or target.startswith(os.path.join(root, "")) for root in inside):
        return None
    return (f"a symbolic link to {target}, outside the project: content is read only from inside the project folder "
            "(the one holding the content folder); copy the file in, or link to a file inside it")


def _not_a_file(entry: os.DirEntry) -> str | None:
    """Why an entry is refused without being opened: a named pipe, a device or a socket (a folder is said by read_text)."""
    try:
        if entry.is_file() or entry.is_dir():  # known from the folder listing, without a system call
            return None
        kind = special_kind(entry.stat().st_mode)
    except OSError:
        return None  # a dangling link: reading it says so
    return f"expected a file; found {kind}, which is not read" if kind else None


def check_unique_ids(items: list, what: str, problems: Problems) -> None:
    seen: dict[str, Path] = {}
    for item in items:
        if item is None:
            continue
        if item.id in seen:
            problems.error(item.path, 1, f"duplicate {what} id '{item.id}' (also used by {seen[item.id].name}); rename one file or set its 'id'")
        else:
            seen[item.id] = item.path


def load_settings(path: Path, problems: Problems, data: bytes | None = None) -> Settings | None:
    exists = data is not None or path.exists()
    outside = exists and path.is_symlink() and leads_outside(path, path.parent)
    if outside:
        problems.error(path, 1, outside)
        return None
    content = read_text(path, problems, data) if exists else None
    if not exists:
        problems.error(path, 1, "site settings not found: create site.yaml with at least 'title' and 'description'")
    if content is None:
        return None
    values = read_fields(parse_yaml(content, path, problems), SETTINGS_FIELDS, "site.yaml", path, 1, problems)
    if values is None:
        return None
    if not LANGUAGE_TAG.match(values["language"]):
        problems.error(path, 1, f"'language' must be a language tag like en or en-GB; found: {describe(values['language'])}")
        return None
    return Settings(path=path, **values)


def load_source(path: Path, problems: Problems, data: bytes | None = None) -> Source | None:
    content = read_text(path, problems, data)
    document = split_front_matter(content, path, problems) if content is not None else None
    if document is None:
        return None
    values = read_fields(document.meta, SOURCE_FIELDS, "source front matter", path, 1, problems)
    # The body is checked even when the front matter is broken, so one build shows every mistake.
    blocks = _source_blocks(document.body, document.body_line)
    paragraphs = [block for block in blocks if isinstance(block, Paragraph)]
    if not paragraphs:
        problems.error(path, min(document.body_line, document.last_line), "the source has no paragraphs: paste the article's text below the front matter")
    if len(paragraphs) > MAX_PARAGRAPH:
        problems.error(path, paragraphs[MAX_PARAGRAPH].line,
                       f"the source has {len(paragraphs)} paragraphs; at most {MAX_PARAGRAPH} can be numbered: split it into parts")
    if values is None or not 0 < len(paragraphs) <= MAX_PARAGRAPH:
        return None
    if values["partial_note"] and not values["partial"]:
        problems.error(path, document.meta.key_lines["partial_note"], "'partial_note' describes a partial text: add 'partial: true', or remove the note")
        return None
    author_line = document.meta.key_lines["author"]
    author = read_fields(values["author"], AUTHOR_FIELDS, "'author'", path, author_line, problems)
    id_ = id_for(path, values["id"], problems)
    if author is None or id_ is None:
        return None
    label = values["label"] or author["name"].split()[-1]
    return Source(
        id=id_, path=path, title=values["title"], author=Author(**author), editors_note=values["editors_note"],
        publisher=values["publisher"], section=values["section"], date=values["date"], url=values["url"],
        archive_url=values["archive_url"], kind=values["kind"], rights=values["rights"], rights_note=values["rights_note"],
        highlights=tuple(values["highlights"]), label=label, description=values["description"],
        partial=values["partial"], partial_note=values["partial_note"], blocks=tuple(blocks),
    )


def _source_blocks(body: str, first_line: int) -> list[Paragraph | Subheading]:
    """Split a source body into numbered paragraphs and unnumbered `## ` subheadings."""
    blocks: list[Paragraph | Subheading] = []
    taken: set[str] = set()  # every subheading's anchor so far
    last_suffix: dict[str, int] = {}  # per base, the suffix last given: every lower one is taken, so the search resumes there
    numbered = 0
    current: list[str] = []
    start = first_line
    for offset, line in enumerate(body.split("\n") + [""]):
        if line.strip():
            if not current:
                start = first_line + offset
            current.append(line.strip())
            continue
        if not current:
            continue
        joined = " ".join(current)
        if joined.startswith("## "):
            heading = joined[3:].strip()
            anchor = base = "h-" + slugify(heading)
            suffix = last_suffix.get(base, 1)
            while anchor in taken:
                suffix += 1
                anchor = f"{base}-{suffix}"
            last_suffix[base] = suffix
            taken.add(anchor)
            blocks.append(Subheading(heading, start, anchor))
        else:
            numbered += 1
            # '\## ' is a paragraph that starts with '## ' (add-source writes it so), not a subheading.
            blocks.append(Paragraph(numbered, joined[1:] if joined.startswith("\\## ") else joined, start))
        current = []
    return blocks
