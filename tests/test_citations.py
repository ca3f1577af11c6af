"""Citation syntax and quote matching."""
import random

import pytest

from evidence.citations import CiteRef, CitationSyntaxError, find_quote, normalise, parse_group


@pytest.mark.parametrize(
    "written, expected",
    [
        ("[@lain ¶13]", [CiteRef("lain", (13,), None)]),
        ("[@lain ¶13-14]", [CiteRef("lain", (13, 14), None)]),
        ("[@lain ¶13–15]", [CiteRef("lain", (13, 14, 15), None)]),
        ("[@lain ¶8, ¶15]", [CiteRef("lain", (8, 15), None)]),
        ('[@lain ¶5 "has not fulfilled its side of the bargain"]', [CiteRef("lain", (5,), "has not fulfilled its side of the bargain")]),
        ("[@lain ¶5 “curly quotes”]", [CiteRef("lain", (5,), "curly quotes")]),
        ('[@lain ¶3; @other ¶5 "a; b"]', [CiteRef("lain", (3,), None), CiteRef("other", (5,), "a; b")]),
        ('[@lain ¶2 "the West’s  \n view"]', [CiteRef("lain", (2,), "the West’s view")]),
    ],
)
def test_citation_syntax_variants_parse(written, expected):
    assert parse_group(written) == expected


@pytest.mark.parametrize(
    "written, message",
    [
        ("[@lain]", "'@lain' needs a paragraph number, like [@lain ¶13]"),
        ("[@lain 13]", "expected ¶ and a paragraph number, like ¶13; found: '13'"),
        ("[@lain ¶14-13]", "the range ¶14-13 runs backwards; write ¶13-14"),
        ('[@lain ¶3 "open]', "the quote is not closed; add the closing double quote"),
        ("[@lain ¶3 words]", "unexpected text 'words'; a quote goes in double quotes, like \"exact words\""),
        ('[@lain ¶3 "a" more]', "unexpected text after the quote: 'more'"),
        ('[@lain ¶3 ""]', "the quote is empty; remove the quotes or put the cited words between them"),
        ("[@ ¶3]", "expected '@' and a source id, like @lain; found: '@ ¶3'"),
    ],
)
def test_malformed_citation_says_what_was_expected(written, message):
    with pytest.raises(CitationSyntaxError) as error:
        parse_group(written)
    assert str(error.value) == message


def test_quote_matches_across_typographic_quotes_dashes_and_whitespace():
    paragraph = "Russia has picked up on the West’s hypocrisy  in the latter’s claims – here."
    assert find_quote(paragraph, "the West's hypocrisy in") is not None
    assert find_quote(paragraph, "claims - here") is not None
    assert find_quote(paragraph, "claims — here") is not None


def test_quote_span_points_at_the_original_characters():
    paragraph = "A  “moderate”   opposition, they say."
    start, end = find_quote(paragraph, '"moderate" opposition')
    assert paragraph[start:end] == "“moderate”   opposition"


def test_quote_is_case_and_word_sensitive():
    paragraph = "The US is angry."
    assert find_quote(paragraph, "the us is angry") is None
    assert find_quote(paragraph, "US is very angry") is None


def test_normalise_folds_only_presentation():
    assert normalise("“A” – ‘b’\u00a0 c") == "\"A\" - 'b' c"


def test_quote_span_holds_the_quote_in_plain_and_typographic_text():
    rng = random.Random(3)
    words = ["Russia", "the", "US", "West’s", "“moderate”", "talks", "–", "al-Nusra", "café", "ﬁnal"]
    for _ in range(300):
        paragraph = "".join(rng.choice(words) + rng.choice([" ", " ", "  ", "\n", "\u00a0"]) for _ in range(12))
        tokens = paragraph.split()
        start = rng.randrange(len(tokens) - 3)
        quote = " ".join(tokens[start : start + 3]).translate(str.maketrans("’“”–", "'\"\"-"))
        span = find_quote(paragraph, quote)
        assert span is not None, (paragraph, quote)
        assert normalise(paragraph[span[0] : span[1]]) == normalise(quote)


# --- quoted words in prose (evidence/quotes.py) -------------------------------------------

from evidence.quotes import pieces_of, quoted_runs, quoted_words, sentence_spans  # noqa: E402


def runs(text: str) -> list[str]:
    return [quoted_words(text, run, run.ends[0]) for run in quoted_runs(text)]


@pytest.mark.parametrize(
    "typeset, quoted",
    [
        ("Lain says “the US is angry” and “Russia,” she adds.", ["the US is angry", "Russia"]),
        ("the West’s view and ‘a single quote’.", ["a single quote"]),
        ("„German“ and «French» and \"straight\"", ["German", "French", "straight"]),
        ("“outer ‘inner’ outer”", ["outer ‘inner’ outer"]),
        ("It’s the students’ view, 5\" tall", []),
    ],
)
def test_quoted_runs_are_read_from_typeset_text(typeset, quoted):
    assert runs(typeset) == quoted


def test_a_single_quote_that_may_close_at_several_places_offers_each():
    run = quoted_runs("‘the students’ view’ here")[0]
    assert [quoted_words("‘the students’ view’ here", run, end) for end in run.ends] == ["the students", "the students’ view"]


def test_omissions_and_insertions_cut_a_quotation_into_pieces():
    assert pieces_of("Washington … is [solely] to blame.") == ["Washington", "is", "to blame"]
    assert pieces_of("a ... b") == ["a", "b"]


def test_a_full_stop_inside_a_quotation_does_not_end_the_sentence():
    text = "She said “No. Never.” Then left."
    quoted = [(run.start, run.ends[-1]) for run in quoted_runs(text)]
    assert [text[start:end] for start, end in sentence_spans(text, quoted)] == ["She said “No. Never.”", " Then left."]


def test_paragraph_numbers_in_other_digits_are_refused_not_read():
    with pytest.raises(CitationSyntaxError, match="fullwidth digit one"):
        parse_group("[@lain ¶１]")
    with pytest.raises(CitationSyntaxError, match="arabic-indic digit three"):
        parse_group("[@lain ¶٣]")
