"""The build on one screen: load -> check -> render -> write, as plain functions called in order.

Called with its defaults, `render` runs every step here, one after the other, and keeps the
pages in memory; `build` then writes them. That plain run is the reference every faster build
is held to (tests/test_incremental.py). Faster builds pass wrappers that change how the steps
run, never what they do: a memo (evidence/memo.py) skips a step whose declared inputs did not
change, a pool (evidence/pool.py, `jobs`) runs each explainer's and each source's steps on every
core, and a writer (evidence/output.py) puts the pages on disk as they come.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import steps
from .errors import ContentError, Problems
from .inputs import Inputs
from .memo import Memo, NoMemo
from .output import InMemory, Output, write_site
from .pool import Pool
from .search import Indexer
from .stages import Built, browse_tasks, calls, check_site, explainer_tasks, file_tasks, load_site, search_task, sending, site_tasks, source_tasks


@dataclass(frozen=True)
class Options:
    base_url: str | None = None  # else site.yaml's
    strict: bool = False  # warnings are errors
    jobs: int | None = 1  # worker processes; None: one per core
    bytecode_dir: Path | None = None  # where compiled templates are kept between processes
    search_later: bool = False  # keep the last search index even if out of date (Built.search_stale says so): the preview indexes after


def build(paths, out_dir: Path, options: Options = Options(), mtime: int | None = None) -> Built:
    """Render every page into memory, then write the site at once; on any problem, out_dir is left as it was."""
    built = render(paths, options)
    write_site(built.pages, out_dir, mtime)
    return built


def render(paths, options: Options = Options(), memo: Memo | None = None, out: Output | InMemory | None = None) -> Built:
    """Load, check and render every page into `out`; raise ContentError listing every problem."""
    memo, out = memo or NoMemo(), InMemory() if out is None else out
    memo.stale.clear()
    problems = Problems()
    files = Inputs(memo.known)  # every input file's digest; its bytes are read once
    # load: site.yaml and every source (an explainer loads in its own step, with its check and its pages)
    site, context, sources, explainer_paths = load_site(paths, options, files, memo, problems)
    with Pool(context, memo.tools(context.template_dirs, options.bytecode_dir), options.jobs, out.folder) as pool, \
            Indexer(site.settings.language if site.settings else "en") as indexer:
        # with no index to keep from a last build, search indexes each explainer as it comes, while the others render
        indexer = None if memo.state.results.get("search") else indexer
        # load, check and render each explainer on its own: it depends on no other explainer
        explainers = list(zip(explainer_paths, sending(indexer, memo.map("explainer", steps.explain, explainer_tasks(explainer_paths, files), pool.map, out))))
        # check what spans files: every file loaded, ids unique, every citation held; warn of paragraphs no one cites
        check_site(sources, explainers, context, memo, problems, options.strict)
        # render each source's pages on the workers while this process renders the pages about the whole site
        source_pages = memo.map("source pages", steps.render_source_pages, source_tasks(sources, explainers), pool.map, out)
        browse_pages = memo.map("browse pages", steps.render_browse_page, browse_tasks(sources, explainers), pool.map, out)
        site_pages = list(memo.map("site pages", steps.render_site_pages, site_tasks(context, sources, explainers), pool.here, out))
        # index the explainers and sources for search (evidence/search.py), while the workers render
        search = list(memo.map("search", partial(steps.index_site, indexer=indexer), [search_task(sources, explainers)], pool.here, out,
                               stale_ok=options.search_later))
        failures = [record.render_problem for _, record in explainers] + list(source_pages) + list(browse_pages) + site_pages + search
    if any(failures):
        raise ContentError([next(problem for problem in failures if problem)])
    copy, files_to_copy = file_tasks(paths, files)  # the constant pages and the static folder, as they are
    list(memo.map("file", copy, files_to_copy, calls, out))
    return Built(out.pages, tuple(out.rendered), sum(record.count for _, record in explainers), len(sources), len(explainers),
                 tuple(problems.warnings), site.base_url, "search" in memo.stale)
