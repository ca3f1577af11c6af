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
