"""HTML built in Python (marks, cards, notes) is escaped exactly as the templates escape it."""
import random

from markupsafe import escape

from evidence.reader import escape_text


def test_escape_text_writes_what_markupsafe_writes():
    rng = random.Random(3)
    alphabet = ["a", "&", "<", ">", "'", '"', "&amp;", "“", "¶", " ", "\n", "\x00", "<script>"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert escape_text(text) == str(escape(text))
