"""Content values the build must refuse or survive: characters that are not text, base URLs, the feed, long sources."""
from __future__ import annotations

import time

from evidence.load import _source_blocks
from evidence.model import Subheading


# --- sources with many subheadings ------------------------------------------------------------

def anchors(body: str) -> list[str]:
    return [block.anchor for block in _source_blocks(body, 1) if isinstance(block, Subheading)]


def test_repeated_subheadings_take_the_next_free_number_even_when_a_heading_took_it():
    body = "## A\n\n## A 2\n\n## A\n\n## A\n\n## A 3\n\n## B\n\nText.\n"
    assert anchors(body) == ["h-a", "h-a-2", "h-a-3", "h-a-4", "h-a-3-2", "h-b"]


def test_ten_thousand_identical_subheadings_load_in_linear_time():
    body = "## Same heading\n\n" * 10_000 + "A paragraph.\n"  # 170 KB; the quadratic loop took 7.7 s here
    started = time.perf_counter()
    found = anchors(body)
    assert time.perf_counter() - started < 1.5  # 0.02 s when linear
    assert found[:2] == ["h-same-heading", "h-same-heading-2"] and found[-1] == "h-same-heading-10000"
    assert len(set(found)) == 10_000
