"""The site's URL scheme: where every kind of page and asset lives, as paths inside the output folder."""
from __future__ import annotations

HOME = "index.html"
NOT_FOUND = "404.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
STATIC_PREFIX = "assets/"  # where the static folder is copied
STYLESHEET = STATIC_PREFIX + "style.css"
SCRIPT = STATIC_PREFIX + "cite.js"
SEARCH_SCRIPT = STATIC_PREFIX + "search.js"
ICON = STATIC_PREFIX + "favicon.svg"
CARD = STATIC_PREFIX + "card.png"  # the social-card picture shown when a page is shared
EXPLAINER_DATA = "explainer.json"  # beside each explainer page


def explainer_page(explainer_id: str) -> str:
    return f"explainers/{explainer_id}/index.html"


def explainer_data(explainer_id: str) -> str:
    return f"explainers/{explainer_id}/{EXPLAINER_DATA}"


def source_page(source_id: str) -> str:
    return f"sources/{source_id}/index.html"


def paragraph_anchor(number: int) -> str:
    return f"p{number}"


def source_paragraph(source_id: str, number: int) -> str:
    return f"{source_page(source_id)}#{paragraph_anchor(number)}"


# Browse pages: a party's, a tag's and a year's explainers, newest first, a page of them at a time.
# Every page of a list sits two folders deep (page 2 of parties/russia/ is parties/russia/2.html),
# like an explainer page, so what an explainer renders for them links from either.
PARTIES = "parties/index.html"
TAGS = "tags/index.html"
ARCHIVE = "archive/index.html"
SEARCH = "search/index.html"
SEARCH_FOLDER = "pagefind/"  # the index and Pagefind's own script, made by evidence/search.py
SEARCH_INDEX = SEARCH_FOLDER + "pagefind.js"
BROWSE_FOLDERS = {"party": "parties", "tag": "tags", "year": "archive"}


def browse_page(kind: str, key: str, number: int = 1) -> str:
    folder = f"{BROWSE_FOLDERS[kind]}/{key}/"
    return folder + ("index.html" if number == 1 else f"{number}.html")


def party_page(party_id: str) -> str:
    return browse_page("party", party_id)
