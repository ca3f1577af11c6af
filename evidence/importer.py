"""Turn an article page or pasted text into numbered paragraphs and metadata, saying where each came from.

trafilatura finds the article in the page; this module adds what paragraph numbering
needs: one block per paragraph (a paragraph split by double line breaks is several), bold
one-line paragraphs read as subheadings, list items as paragraphs, and the page furniture
trafilatura keeps (read-more links, promos, credits, bylines) left out.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from .fetch import ImportFailure, Input


@dataclass(frozen=True)
class Block:
    text: str
    is_heading: bool = False


@dataclass(frozen=True)
class Found:
    """One metadata value and where on the page it was read."""

    value: object
    origin: str


@dataclass(frozen=True)
class Article:
    blocks: tuple[Block, ...]
    meta: dict[str, Found] = field(default_factory=dict)  # title, authors, publisher, date, url, description, section, kind
    dropped: tuple[str, ...] = ()  # paragraphs left out as page furniture, for the writer to check

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(block.text for block in self.blocks if not block.is_heading)


def read_article(source: Input) -> Article:
    article = _html_article(source) if source.is_html else _text_article(source.text)
    if not article.paragraphs:
        raise ImportFailure(source.where, "no article text found: the page may need JavaScript or a login; "
                                          "copy the article's text into a .txt file and import that")
    return article


# --- plain text and Markdown ------------------------------------------------------

def _text_article(text: str) -> Article:
    """Paragraphs separated by blank lines; a leading '# ' line is the title, '## ' lines subheadings."""
    blocks: list[Block] = []
    meta: dict[str, Found] = {}
    for chunk in re.split(r"\n[ \t]*\n", text.strip()):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        joined = " ".join(lines)
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*$", joined)
        if heading and len(lines) == 1:
            if heading.group(1) == "#" and not blocks and "title" not in meta:
                meta["title"] = Found(heading.group(2), "the text's '# ' line")
            else:
                blocks.append(Block(heading.group(2), is_heading=True))
            continue
        blocks.append(Block(joined))
    return Article(tuple(blocks), meta)


# --- web pages ----------------------------------------------------------------------

def _html_article(source: Input) -> Article:
    import trafilatura  # imported when a page is imported: it takes a moment to load

    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(source.text)
    except Exception as error:  # lxml raises ParserError, ValueError...  # noqa: BLE001
        raise ImportFailure(source.where, f"cannot read the page as HTML: {error}") from None
    meta = read_metadata(tree, source.url)
    document = trafilatura.bare_extraction(
        source.text, url=source.url, include_comments=False, include_tables=False, include_formatting=False,
        include_images=False, include_links=False, with_metadata=True, favor_precision=True,
    )
    if document is None or document.body is None:
        return Article((), meta)
    _fill_from_trafilatura(meta, document, tree, source.text)
    blocks, dropped = _blocks(document.body, meta, page_shapes(tree))
    return Article(tuple(blocks), meta, tuple(dropped))


def _fill_from_trafilatura(meta: dict[str, Found], document, tree, page_html: str) -> None:
    """trafilatura's reading of the page's headline, byline and site name, and htmldate's of its
    dates, where the page's metadata said nothing. Both guess from the text, so the origin says
    to check them."""
    import htmldate

    if "title" not in meta and document.title:
        meta["title"] = Found(document.title, "trafilatura, from the headline: check it")
    titles = tree.xpath("//title/text()")
    if "title" not in meta and titles and titles[0].strip():
        meta["title"] = Found(" ".join(titles[0].split()), "the page's title tag: check it, it often ends with the site's name")
    names = tuple(_split_names(document.author or ""))
    if "authors" not in meta and names:
        meta["authors"] = Found(names, "trafilatura, from a byline in the text: check it")
    if "publisher" not in meta and document.sitename and _normal(document.sitename) != _normal(str(meta.get("title", Found("", "")).value)):
        meta["publisher"] = Found(document.sitename, "trafilatura, from the site's name: check it")
    if "date" not in meta:
        # The first publication, and only from the page's markup: no date is better than a guessed one.
        found = htmldate.find_date(page_html, original_date=True, extensive_search=False)
        if found and _date(found):
            meta["date"] = Found(_date(found), "htmldate, from the page's markup: check it")
    if "description" not in meta and document.description:
        meta["description"] = Found(document.description, "trafilatura")
    _drop_publisher_from_authors(meta)


def _drop_publisher_from_authors(meta: dict[str, Found]) -> None:
    """'Ann Author, Bob Writer, CNN': the publisher is not an author when people are named."""
    if "authors" not in meta or "publisher" not in meta:
        return
    publisher = _normal(str(meta["publisher"].value))
    names = meta["authors"].value
    people = tuple(name for name in names if _normal(name) != publisher)
    if people and len(people) < len(names):
        meta["authors"] = Found(people, meta["authors"].origin)


def _blocks(body, meta: dict[str, Found], page: dict[str, str]) -> tuple[list[Block], list[str]]:
    blocks: list[Block] = []
    dropped: list[str] = []
    title = _normal(str(meta["title"].value)) if "title" in meta else None
    authors = [str(name) for name in meta["authors"].value] if "authors" in meta else []
    seen: set[str] = set()
    for block in _raw_blocks(body):
        key = _normal(block.text)
        if not re.search(r"\w", key) or key in seen or key == title:
            continue
        shape = page.get(key)
        if shape == "bold" and not block.is_heading and _is_heading_like(block.text):
            block = Block(block.text, is_heading=True)
        if (shape == "link" and not block.is_heading) or is_furniture(block.text, authors) or _is_label(block, blocks):
            dropped.append(block.text)
            continue
        seen.add(key)
        blocks.append(block)
    # What ends the article without being part of it: a heading over nothing, "See more photos:",
    # and a box of headlines under a heading ("More must-reads").
    while blocks and (blocks[-1].is_heading or blocks[-1].text.endswith((":", "：")) or _is_author_bio(blocks[-1].text, authors)):
        dropped.append(blocks.pop().text)
    tail = len(blocks)
    while tail > 0 and not blocks[tail - 1].is_heading and _is_headline_like(blocks[tail - 1].text):
        tail -= 1
    if 0 < tail < len(blocks) - 1 and blocks[tail - 1].is_heading:
        dropped += [block.text for block in blocks[tail - 1:]]
        del blocks[tail - 1:]
    return blocks, dropped


def _is_author_bio(text: str, authors: list[str]) -> bool:
    """'Ann Author is a reporter at ...' closing the article."""
    return any(re.match(rf"{re.escape(name)},? (is|was|has|writes|reports|covers)\b", text) for name in authors if name)


def _is_headline_like(text: str) -> bool:
    return len(text) < 100 and not re.search(r"[.!…。！\"”'’)]$", text)  # headlines may ask questions


def _is_heading_like(text: str) -> bool:
    """Short, and not ending a sentence (an ellipsis may end a subheading: 'Planes, trains ...')."""
    ends_sentence = text.endswith((".", ":", ";", ",", "。")) and not text.endswith(("...", "…"))
    return len(text) <= 90 and not ends_sentence


def _is_label(block: Block, before: list[Block]) -> bool:
    """A word or two above the article's first paragraph, like a wire service's name ('CNN')."""
    return not any(not b.is_heading for b in before) and len(block.text.split()) <= 3 and not re.search(r"[.!?。]$", block.text)


STYLED_AS_HEADING = re.compile(r"bold|subhead|crosshead|heading|subtitle", re.IGNORECASE)


def page_shapes(tree) -> dict[str, str]:
    """Text of the page's elements that are bold from end to end ('bold') or one link ('link').

    trafilatura's text keeps no formatting (asking for it cuts paragraphs where links and
    bold text start), so each extracted paragraph is looked up here by its text: a bold
    one-line paragraph is a subheading, a paragraph that is one link is a promo.
    """
    shapes: dict[str, str] = {}
    for element in tree.iter("p", "div", "li", "span", "td", "strong", "b", "a", "h2", "h3", "h4"):
        text = _normal(element.text_content())
        if not text or len(text) > 300 or text in shapes:
            continue
        if element.tag in ("strong", "b") or STYLED_AS_HEADING.search(element.get("class") or "") \
                or not _normal(_text_outside(element, ("strong", "b"))):
            shapes[text] = "bold"
        elif element.tag == "a" or not _normal(_text_outside(element, ("a",))):
            shapes[text] = "link"
    return shapes


def _text_outside(element, tags: tuple[str, ...]) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in tags:
            parts.append(_text_outside(child, tags))
        parts.append(child.tail or "")
    return "".join(parts)


def _raw_blocks(body):
    for element in body:
        tag = element.tag
        if tag == "head":
            text = _text(element)
            if text:
                yield Block(text, is_heading=True)
        elif tag == "list":
            for item in element.iter("item"):
                text = _text(item)
                if text:
                    yield Block(text)
        elif tag in ("p", "quote"):
            yield from _paragraph_blocks(element)
        elif tag == "table":
            continue  # tables do not number as paragraphs; the writer adds them by hand if cited
        else:
            text = _text(element)
            if text:
                yield Block(text)


def _paragraph_blocks(element):
    """One element may hold several paragraphs separated by double line breaks (<br><br>)."""
    pieces: list[list[str]] = [[]]
    breaks = 0

    def add(text: str | None) -> None:
        nonlocal breaks
        if text and text.strip():
            if breaks >= 2 and pieces[-1]:
                pieces.append([])
            breaks = 0
            pieces[-1].append(text)
        elif text:
            pieces[-1].append(" ")  # a space between two inline elements still separates words

    add(element.text)
    for child in element:
        if child.tag == "lb":
            breaks += 1
        else:
            breaks = 0
            add("".join(child.itertext()))
        add(child.tail)
    for piece in pieces:
        text = " ".join("".join(piece).split())
        if text:
            yield Block(text)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


# Whole paragraphs that are page furniture rather than the article's words.
FURNITURE = [re.compile(pattern, re.IGNORECASE) for pattern in [
    r"^(read more|read also|also read|see also|related|more from|more on this|watch|listen|recommended)\b.{0,200}$",
    r"^(advertisement|sponsored|story continues below|continue reading|click here)\b",
    r"^loading\b.{0,60}(\.\.\.|…)$",
    r"^.{0,120}\b(sign up|subscribe)\b.{0,80}$",
    r"^.{0,200}\baffiliate links?\b.{0,300}$",
    r"^.{0,100}\bplease share your (videos|photos|pictures|stories)\b.{0,100}$",
    r"^(sign up|subscribe|get our|follow (us|.{1,40} on (twitter|facebook|instagram|x\b))|share (this|on))\b.{0,200}$",
    r"^this (story|article) (has been|was) (updated|corrected)\b.{0,200}$",
    r"^.{0,200}\bcontributed (to )?(this )?(report|reporting|story)\.?$",
    r"^(write to|contact) .{1,80} at \S+@\S+\.?$",
    r"^\(?(photo|image|video|credit|source)s?:\s?.{0,150}$",
    r"^(©|\(c\)|copyright\b).{0,300}$",
    r"^.{0,80}all rights reserved\.?.{0,200}$",
    r"^\S+@\S+\s*\(end\)$|^\(end\)$",
    r"^[-–—]*\s*by\s+[^.]{2,60}(follow @\w+)?$",
    r"^[^.|]{2,60}(\s\|\s[^.|]{2,60})+\s\|\s\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$",  # "Name | Place | 08/01/2014"
    r"^(（|\()?(编辑|责任编辑|editor)[:：].{0,40}$",
    r"^【责任编辑[:：].{0,40}】$",
]]


def is_furniture(text: str, authors: list[str]) -> bool:
    stripped = text.strip()
    if any(pattern.match(stripped) for pattern in FURNITURE):
        return True
    # A byline repeated in the body: "By Ann Author", "Ann Author, CNN".
    return any(len(stripped) < len(name) + 40 and name.lower() in stripped.lower() and not stripped.endswith(".")
               for name in authors if name)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- metadata: JSON-LD, OpenGraph, meta tags --------------------------------------

ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "opinionnewsarticle", "analysisnewsarticle",
                 "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "socialmediaposting", "report",
                 "scholarlyarticle", "liveblogposting", "webpage", "speech"}
KIND_OF_TYPE = {"opinionnewsarticle": "opinion", "analysisnewsarticle": "analysis", "reportagenewsarticle": "news",
                "newsarticle": "news", "report": "report", "backgroundnewsarticle": "analysis"}


def read_metadata(tree, page_url: str | None) -> dict[str, Found]:
    meta: dict[str, Found] = {}
    _from_json_ld(tree, meta)
    _from_meta_tags(tree, meta)
    if "url" not in meta and page_url:
        meta["url"] = Found(page_url, "the address it was fetched from")
    return meta


def _from_json_ld(tree, meta: dict[str, Found]) -> None:
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content() or "")
        except ValueError:
            continue
        for item in _json_ld_items(data):
            types = item.get("@type")
            types = [t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]
            if not ARTICLE_TYPES.intersection(types):
                continue
            origin = f"JSON-LD ({'/'.join(t for t in types)})"
            _set(meta, "title", _plain(item.get("headline") or item.get("name")), origin)
            names = tuple(name for name in (_name(author) for author in _as_list(item.get("author"))) if name)
            if names:
                _set(meta, "authors", names, origin)
            _set(meta, "publisher", _name(item.get("publisher")), origin)
            _set(meta, "date", _date(item.get("datePublished") or item.get("dateCreated")), origin)
            url = item.get("url") or _name_or_id(item.get("mainEntityOfPage"))
            _set(meta, "url", url if isinstance(url, str) and url.startswith("http") else None, origin)
            _set(meta, "description", _plain(item.get("description")), origin)
            section = item.get("articleSection")
            _set(meta, "section", _plain(section[0] if isinstance(section, list) and section else section), origin)
            for kind_type in types:
                if kind_type in KIND_OF_TYPE and kind_type != "newsarticle":
                    _set(meta, "kind", KIND_OF_TYPE[kind_type], origin)


def _json_ld_items(data):
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_items(item)
    elif isinstance(data, dict):
        yield data
        yield from _json_ld_items(data.get("@graph", []))


def _from_meta_tags(tree, meta: dict[str, Found]) -> None:
    def content(*names: str) -> tuple[str | None, str]:
        for name in names:
            attribute = "property" if name.startswith(("og:", "article:")) else "name"
            for value in tree.xpath(f"//meta[@{attribute}=$name or @name=$name]/@content", name=name):
                if value.strip():
                    return value.strip(), name
        return None, ""

    def take(key: str, *names: str, convert=lambda value: value) -> None:
        value, name = content(*names)
        if value is not None:
            kind = "OpenGraph" if name.startswith(("og:", "article:")) else "meta tag"
            _set(meta, key, convert(value), f"{kind} {name}")

    take("title", "og:title", "twitter:title", "citation_title", "dc.title")
    take("publisher", "og:site_name", "application-name", "publisher", "dc.publisher")
    take("date", "article:published_time", "citation_publication_date", "dc.date", "date", "pubdate", "publish-date",
         "parsely-pub-date", "sailthru.date", convert=_date)
    take("description", "og:description", "description", "twitter:description")
    take("section", "article:section")
    value, name = content("author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator", "citation_author")
    if value and not value.startswith("http"):
        _set(meta, "authors", tuple(_split_names(re.sub(r"^by\s+", "", value, flags=re.IGNORECASE))), f"meta tag {name}")
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    if canonical and canonical[0].startswith("http"):
        _set(meta, "url", canonical[0].strip(), "the page's canonical link")
    take("url", "og:url")


def _set(meta: dict[str, Found], key: str, value, origin: str) -> None:
    if value and key not in meta:
        meta[key] = Found(value, origin)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value] if value else []


def _name(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        value = value[0] if value else None
    return _plain(value) if isinstance(value, str) and not value.startswith("http") else None


def _name_or_id(value) -> str | None:
    if isinstance(value, dict):
        return value.get("@id") or value.get("url")
    return value if isinstance(value, str) else None


def _plain(value) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(re.sub(r"<[^>]+>", " ", value).split())
    return text or None


NOT_NAMES = {"submitted", "posted", "admin", "administrator", "staff", "editor", "editors", "by", "anonymous", "guest"}


def _split_names(value: str) -> list[str]:
    names = [" ".join(name.split()) for name in re.split(r"\s*(?:;|,\s*and\s+|\band\b|&|,)\s*", value)]
    return [name for name in names if name and len(name.split()) <= 5 and name.casefold() not in NOT_NAMES]


def _date(value) -> dt.date | None:
    if not isinstance(value, str):
        return None
    found = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not found:
        return None
    try:
        return dt.date(*map(int, found.groups()))
    except ValueError:
        return None
