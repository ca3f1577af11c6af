"""Rendering leaves no reference cycles behind.

Objects in a cycle are freed only by Python's cyclic collector, whose passes then scan every
page's model (tokens, passages, notes) again and again. A macro defined in a template once made
each explainer page's context a cycle (the macro holds the context that holds the macro) and
cost the worker processes a tenth of a cold build.
"""
import gc

import pytest

from conftest import PROJECT
from evidence import units
from evidence.build import Paths
from evidence.incremental import Builder

SITES = [PROJECT / "content", PROJECT / "tests/fixtures/site"]


@pytest.mark.parametrize("content", SITES, ids=["bundled", "fixture"])
def test_loading_checking_and_rendering_an_explainer_leaves_no_cycles(content, monkeypatch):
    found = []
    run_explainer = units.run_explainer

    def counted(*args, **kwargs):
        gc.collect()
        result = run_explainer(*args, **kwargs)
        found.append(gc.collect())
        return result

    monkeypatch.setattr(units, "run_explainer", counted)
    gc.disable()
    try:
        Builder(Paths(content=content), jobs=1).render()
    finally:
        gc.enable()
    assert found and found == [0] * len(found), f"objects left in reference cycles by each explainer: {found}"


def test_a_source_page_leaves_no_cycles(monkeypatch):
    found = []
    render_source = units.render_source

    def counted(*args, **kwargs):
        gc.collect()
        result = render_source(*args, **kwargs)
        found.append(gc.collect())
        return result

    monkeypatch.setattr(units, "render_source", counted)
    gc.disable()
    try:
        Builder(Paths(content=PROJECT / "tests/fixtures/site"), jobs=1).render()
    finally:
        gc.enable()
    assert found and found == [0] * len(found), f"objects left in reference cycles by each source page: {found}"
