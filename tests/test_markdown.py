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
