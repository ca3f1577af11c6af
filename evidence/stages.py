"""The pipeline's stages that gather work for the steps: loading the site, checking what spans files, and listing each step's tasks (evidence/pipeline.py calls them in order)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import model
from .errors import Problem, Problems
from .inputs import Inputs, code_version, digest, digest_of
from .render import PAGES
from .search import Indexer
from .load import check_unique_ids, is_content_folder, load_settings, markdown_files
from .browse import browse_lists, browse_pages, newest_first
from .memo import KEYS, Memo, Site, SourceModels, Task
from .steps import Context, ExplainerRecord, SourceRecord, constant_pages, find_uncited, load_source_record
from .render import stylesheet_of
from .views import PartyInExplainer
from . import urls
from .urls import STATIC_PREFIX, STYLESHEET


@dataclass(frozen=True)
class Built:
    """One build: every page of the site (with its bytes, when kept in memory), and the figures for the report."""

    pages: dict[str, bytes | None]  # with their bytes when rendered into memory (output.InMemory), else their keys
    rendered: tuple[str, ...]  # the pages rendered (or copied) afresh; the others were already right
    citations: int
    sources: int
    explainers: int
    warnings: tuple[Problem, ...]
    base_url: str | None  # what the links were built for: the option, else site.yaml's
    search_stale: bool = False  # the search index is the last build's, not yet made again (Options.search_later)


def calls(function: Callable, tasks: list[tuple]) -> Iterator:
    """Run a step here that needs no templates: each task is its arguments."""
    return (function(*task) for task in tasks)


def load_site(paths, options, files: Inputs, memo: Memo, problems: Problems) -> tuple[Site, Context, dict[Path, SourceRecord], list[Path]]:
    """Read site.yaml and every source, and list the explainers; what the keys of every step are made of."""
    if not is_content_folder(paths.content, problems):
        problems.raise_if_any()
    settings_path = paths.content / "site.yaml"
    settings_digest = files.digest(settings_path)
    settings = load_settings(settings_path, problems, files.read.get(settings_path))
    source_paths = markdown_files(paths.content / "sources", problems)
    explainer_paths = markdown_files(paths.content / "explainers", problems)
    base_url = options.base_url or (settings.base_url if settings else None)
    templates_key = KEYS["templates"](*(files.tree(folder) for folder in paths.template_dirs))
    stylesheet_path = paths.static / STYLESHEET.removeprefix(STATIC_PREFIX)  # inlined in every page
    stylesheet_digest = files.digest(stylesheet_path)
    stylesheet = stylesheet_of(stylesheet_path, files.data(stylesheet_path, stylesheet_digest) if stylesheet_digest else None)
    if isinstance(stylesheet, Problem):
        problems.errors.append(stylesheet)
        problems.raise_if_any()
    site_key = KEYS["site"](code_version(), templates_key, settings_digest, stylesheet_digest, base_url)
    memo.site = Site(settings, base_url, site_key, templates_key, {})

    def load(path: Path, file_digest: bytes | None) -> tuple[SourceRecord, dict]:
        record, source = load_source_record(path, files.read.get(path), file_digest or b"-")
        if source is not None and file_digest is not None:
            memo.parsed[path] = (file_digest, source)
        return record, {}

    tasks = [Task(path, (file_digest,), (path, file_digest)) for path in source_paths for file_digest in [files.digest(path)]]
    sources = dict(zip(source_paths, memo.map("source", load, tasks, calls, NOWHERE)))
    for record in sources.values():
        problems.errors.extend(record.errors)
        problems.warnings.extend(record.warnings)
    for path in set(memo.parsed) - set(sources):
        del memo.parsed[path]
    models = SourceModels(sources, memo.parsed, files)
    memo.site = Site(settings, base_url, site_key, templates_key, models.digests)
    context = Context(models, settings, tuple(paths.template_dirs), base_url, options.bytecode_dir, stylesheet)
    return memo.site, context, sources, explainer_paths


def explainer_tasks(explainer_paths: list[Path], files: Inputs) -> list[Task]:
    """Each explainer's file; read only if its step must run (its args are made when needed)."""
    tasks = []
    for path in explainer_paths:
        file_digest = files.digest(path)
        args = lambda path=path, file_digest=file_digest: (path, files.data(path, file_digest) if file_digest else None)  # noqa: E731
        tasks.append(Task(path, (file_digest,), args))
    return tasks


def check_site(sources: dict[Path, SourceRecord], explainers: list[tuple[Path, ExplainerRecord]], context: Context,
               memo: Memo, problems: Problems, strict: bool) -> None:
    """What a full build checks, in its order: every file loaded, ids are unique, then every citation; warn of uncited paragraphs."""
    for _, record in explainers:
        problems.errors.extend(record.load_errors)
        problems.warnings.extend(record.load_warnings)
    check_unique_ids([record.summary for record in sources.values()], "source", problems)
    check_unique_ids([record.summary for _, record in explainers], "explainer", problems)
    check_party_names([record.summary for _, record in explainers], problems)
    problems.raise_if_any()
    cited: dict[str, set[int]] = {}
    for _, record in explainers:
        problems.errors.extend(record.check_errors)
        for source_id, numbers in record.cited.items():
            cited.setdefault(source_id, set()).update(numbers)
    tasks = []
    for path, record in sources.items():
        numbers = tuple(sorted(cited.get(record.summary.id, ())))
        tasks.append(Task(path, (record.digest, numbers), (path, numbers)))
    uncited = lambda path, numbers: (find_uncited(context.sources.model(path), numbers), {})  # noqa: E731
    for warnings in memo.map("uncited", uncited, tasks, calls, NOWHERE):
        problems.warnings.extend(warnings)
    if strict:
        problems.errors.extend(Problem(w.path, w.line, f"{w.message} (--strict makes warnings errors)") for w in problems.warnings)
    problems.raise_if_any()


def check_party_names(explainers: list[model.ExplainerSummary], problems: Problems) -> None:
    """A party id shared across explainers names one party: one name everywhere, or its page would mix two."""
    first: dict[str, tuple[model.Party, Path]] = {}
    for explainer in filter(None, explainers):  # None: it did not load, and says why
        for party in explainer.parties:
            named, where = first.setdefault(party.id, (party, explainer.path))
            if named.name != party.name:
                problems.error(explainer.path, party.line, f"party '{party.id}' is named '{party.name}' here but '{named.name}' in "
                               f"{where.parent.name}/{where.name}:{named.line}; an id names one party in every explainer: use one name, or give this party another id")


def browse_tasks(sources: dict[Path, SourceRecord], explainers: list[tuple[Path, ExplainerRecord]]) -> list[Task]:
    """Each page of a party's, a tag's and a year's explainers, with the sources each is based on; a party's page also reads
    each explainer's summaries of that party."""
    records = {record.summary.id: record for _, record in explainers}
    source_records = {r.summary.id: r for r in sources.values() if r.summary is not None}
    tasks = []
    cards = {explainer_id: card_digest(record.summary) for explainer_id, record in records.items()}
    for page in browse_pages(record.summary for record in records.values()):
        ids = [e.id for e in page.explainers]
        based_on = sorted({s for e in page.explainers for s in e.source_ids if s in source_records})  # else the build fails anyway
        inputs = [cards[i] for i in ids] + [source_records[s].summary_digest for s in based_on]
        statements: tuple[PartyInExplainer, ...] = ()
        if page.kind == "party":
            inputs += [records[i].statement_digests.get(page.key, b"-") for i in ids]  # none if its page failed to render
            statements = tuple(PartyInExplainer(records[i].summary, records[i].statements.get(page.key, ())) for i in ids)
        place = urls.browse_page(page.kind, page.key, page.number)
        tasks.append(Task(place, (repr((page.number, page.pages)), *inputs),
                          (page, statements, tuple(source_records[s].summary for s in based_on))))
    return tasks


def source_tasks(sources: dict[Path, SourceRecord], explainers: list[tuple[Path, ExplainerRecord]]) -> list[Task]:
    """Each source's pages, from the backlinks of the explainers citing it."""
    citing: dict[str, list[tuple[Path, ExplainerRecord]]] = {}
    for path, record in explainers:
        for source_id in record.backlinks:
            citing.setdefault(source_id, []).append((path, record))
    tasks = []
    for path, record in sources.items():
        source_id = record.summary.id
        contributors = citing.get(source_id, [])
        backlinks = tuple(part for p, r in contributors for part in (str(p), r.backlink_digests[source_id]))
        tasks.append(Task(path, (record.digest, backlinks), (source_id, [r.backlinks[source_id] for _, r in contributors])))
    return tasks


def site_tasks(context: Context, sources: dict[Path, SourceRecord], explainers: list[tuple[Path, ExplainerRecord]]) -> list[Task]:
    """The pages about the whole site (render.PAGES), each keyed on what it shows: the home page on the newest explainers, the lists on their counts."""
    summaries = [record.summary for _, record in explainers]
    site = model.Site(context.settings, tuple(r.summary for r in sources.values()), tuple(summaries))
    everything = (*(r.summary_digest for _, r in explainers), *(r.summary_digest for r in sources.values()))
    source_digests = {r.summary.id: r.summary_digest for r in sources.values() if r.summary is not None}
    lists = browse_lists(summaries)
    newest = newest_first(summaries)[: context.settings.home if context.settings else 0]
    shown = {
        "home": (str(len(summaries)), *(card_digest(e) for e in newest), *(source_digests.get(s, b"-") for e in newest for s in e.source_ids)),
        **{kind: (repr([(key, len(members), [p.name for p in members[0].parties if p.id == key[1]])
                        for key, members in lists.items() if key[0] == list_kind]),) for kind, list_kind in BROWSE_INDEXES.items()},
        "feed": everything,
        "sitemap": everything,
    }
    return [Task(name, shown.get(name, ()), (site, name)) for name, _ in PAGES]


BROWSE_INDEXES = {"parties": "party", "tags": "tag", "archive": "year"}  # render.PAGES that list a kind of browse page


def sending(indexer: Indexer | None, records: Iterator[ExplainerRecord]) -> Iterator[ExplainerRecord]:
    """The explainers' records as they come, each one's search document sent on to the indexer (if any) meanwhile."""
    for record in records:
        if indexer is not None and record.search_document is not None:
            indexer.add(urls.explainer_page(record.summary.id).removesuffix("index.html"), record.search_document)
        yield record


def search_task(sources: dict[Path, SourceRecord], explainers: list[tuple[Path, ExplainerRecord]]) -> Task:
    """The search index reads every explainer's search document and every source."""
    documents = [(urls.explainer_page(r.summary.id).removesuffix("index.html"), r.search_document) for _, r in explainers]
    source_ids = sorted(r.summary.id for r in sources.values())
    inputs = (*(digest(url, html or "-") for url, html in documents), *(r.digest for r in sources.values()))
    return Task("search", inputs, (documents, source_ids))


def card_digest(explainer: model.ExplainerSummary) -> bytes:
    """What a list shows of an explainer (components/explainer_card.html): its page changes only when this does."""
    return digest_of((explainer.id, explainer.title, explainer.dek, explainer.date, len(explainer.topics),
                      tuple((party.id, party.name) for party in explainer.parties)))


def file_tasks(paths, files: Inputs) -> tuple[Callable, list[Task]]:
    """The files copied as they are: the constant pages and the static folder."""
    tasks = [Task(page, (digest(data),), (page, data, None)) for page, data in constant_pages().items()]
    for relative, file_digest in files.tree(paths.static).items():
        tasks.append(Task(STATIC_PREFIX + relative, (file_digest,), (STATIC_PREFIX + relative, paths.static / relative, file_digest)))

    def copy(page: str, source: bytes | Path, expected: bytes | None) -> tuple[None, dict[str, bytes]]:
        return None, {page: source if isinstance(source, bytes) else files.data(source, expected)}
    return copy, tasks


class Nowhere:
    """Where steps that make no pages put them."""

    folder = None

    def holds(self, pages: Iterable[str], key: bytes) -> bool:
        return not pages

    def keep(self, pages: Iterable[str], key: bytes) -> None:
        pass

    def put(self, page: str, key: bytes | None, data: bytes) -> None:
        raise AssertionError(f"this step makes no pages: {page}")


NOWHERE = Nowhere()
