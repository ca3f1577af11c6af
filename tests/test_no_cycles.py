"""Rendering leaves no reference cycles behind.

Objects in a cycle are freed only by Python's cyclic collector, whose passes then scan every
page's model (tokens, passages, notes) again and again. A macro defined in a template once made
each explainer page's context a cycle (the macro holds the context that holds the macro) and
cost the worker processes a tenth of a cold build.
"""
import gc

import pytest

from conftest import PROJECT
from evidence import steps
from evidence.build import Paths
from evidence.incremental import Builder

FIXTURE = PROJECT / "tests/fixtures/site"


def cycles_left_by(unit: str, content, monkeypatch) -> list[int]:
    """How many objects each call of steps.<unit> leaves in reference cycles, over one build of `content`."""
    found = []
    run = getattr(steps, unit)

    def counted(*args, **kwargs):
        gc.collect()
        result = run(*args, **kwargs)
        found.append(gc.collect())
        return result

    monkeypatch.setattr(steps, unit, counted)
    gc.disable()
    try:
        Builder(Paths(content=content), jobs=1).render()
    finally:
        gc.enable()
    return found


@pytest.mark.parametrize("content", [PROJECT / "content", FIXTURE], ids=["bundled", "fixture"])
def test_loading_checking_and_rendering_an_explainer_leaves_no_cycles(content, monkeypatch):
    found = cycles_left_by("explain", content, monkeypatch)
    assert found and found == [0] * len(found), f"objects left in reference cycles by each explainer: {found}"


def test_a_source_page_leaves_no_cycles(monkeypatch):
    found = cycles_left_by("render_source_pages", FIXTURE, monkeypatch)
    assert found and found == [0] * len(found), f"objects left in reference cycles by each source page: {found}"
