"""The markdown-it factory: raw HTML shown as text, script links stripped, no inline styles."""
from evidence.markdown import make_markdown


def test_raw_html_is_shown_as_text():
    assert make_markdown().render("<b onclick=x>hi</b>") == "<p>&lt;b onclick=x&gt;hi&lt;/b&gt;</p>\n"


def test_script_link_loses_its_address_and_is_marked_for_an_error():
    tokens = make_markdown().parse("[go](JavaScript:alert(1)) and ![img](data:image/png;base64,AAAA)")
    links = [child for child in tokens[1].children if child.type in ("link_open", "image")]
    assert [(token.attrGet("href"), token.attrGet("src"), token.meta["unsafe_link"]) for token in links] == [
        (None, None, "JavaScript:alert(1)"),
        (None, None, "data:image/png;base64,AAAA"),
    ]


def test_ordinary_links_keep_their_address():
    html = make_markdown().render("[a](https://example.org/) [b](../sources/lain/#p3) [c](mailto:desk@example.org)")
    assert html == ('<p><a href="https://example.org/">a</a> <a href="../sources/lain/#p3">b</a> '
                    '<a href="mailto:desk@example.org">c</a></p>\n')


def test_table_alignment_is_a_class_not_an_inline_style():
    html = make_markdown().render("| a | b |\n|--:|:-:|\n| 1 | 2 |\n")
    assert 'style="' not in html
    assert '<th class="align-right">a</th>' in html and '<td class="align-center">2</td>' in html


def test_words_marked_as_quoted_from_elsewhere_are_wrapped_without_the_marker():
    html = make_markdown().render('the so-called "moderate rebels"{.scare}, the book "*War* and Peace"{.title}, a "term"{.term}')
    assert html == ('<p>the so-called <span class="quoted-elsewhere">“moderate rebels”</span>, the book '
                    '<span class="quoted-elsewhere">“<em>War</em> and Peace”</span>, a <span class="quoted-elsewhere">“term”</span></p>\n')


def test_a_marker_after_no_quotation_is_left_as_text_for_the_reader_to_report():
    assert make_markdown().render("moderates{.scare}") == "<p>moderates{.scare}</p>\n"


def test_a_quotation_only_some_of_whose_words_are_emphasised_is_not_wrapped():
    # The quotation opens inside the emphasis and closes outside it: no span could hold it.
    assert 'quoted-elsewhere' not in make_markdown().render('*"War* and Peace"{.title}')
