"""The site's base URL, checked once for site.yaml and for --base-url: it is copied into every canonical link, the feed and the sitemap."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from .yamlfile import NOT_TEXT, URL_PATTERN

URL = "an http:// or https:// URL"
BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# A host name's characters (RFC 3986's reg-name, without escapes, plus any non-ASCII letter of an
# internationalised name); an [IPv6] host is checked by urlsplit.
HOST_NAME = re.compile(r"^[A-Za-z0-9.\-_~!$&'()*+,;=\u0080-\U0010FFFF]+$")


def base_url(value: Any) -> str:
    """`value` as a base URL ending in '/', or ValueError saying what a base URL must be."""
    if not isinstance(value, str) or not URL_PATTERN.match(value.strip()):
        raise ValueError(URL)
    value = value.strip()
    if found := NOT_TEXT.search(value):
        raise ValueError(f"{URL} without the character U+{ord(found.group()):04X}, which is not text")
    for character, what in (("?", "a query ('?...')"), ("#", "a fragment ('#...')"), ("\\", "backslashes")):
        if character in value:
            raise ValueError(f"{URL} without {what}")
    if BAD_ESCAPE.search(value):
        raise ValueError(f"{URL} whose every '%' starts an escape like %20")
    try:
        parts = urlsplit(value)
    except ValueError:  # an unclosed or malformed [IPv6] host
        raise ValueError(f"{URL} with a well-formed host") from None
    if "@" in parts.netloc:
        raise ValueError(f"{URL} without a user name or password ('user@')")
    if not parts.hostname or not parts.netloc.startswith("[") and not HOST_NAME.match(parts.hostname):
        raise ValueError(f"{URL} with a well-formed host")
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = -1
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"{URL} whose port, if any, is a number from 1 to 65535")
    if any(unquote(segment) in (".", "..") for segment in parts.path.split("/")):
        raise ValueError(f"{URL} without '.' or '..' path segments")
    return value if value.endswith("/") else value + "/"
