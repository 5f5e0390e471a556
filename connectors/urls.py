"""Canonical URLs: one spelling for every way a portal writes the same http(s) address.

Links on listing pages become detail URLs and, where the CMS has no key of its own, item
keys, so `HTTP://Host:80/a/./b` and `http://host/a/b` must come out as one. Kept apart from `normalize` (the field normalizers)
because it is a concern of its own, standard-library only; `normalize` re-exports
`canonical_url` for its callers.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str, base: str | None = None) -> str:
    """An absolute http(s) URL in one spelling: resolved against `base`, lower-case scheme and
    host, no default port, no fragment, no dot segments, non-ASCII percent-encoded (UTF-8).

    Raises ValueError for anything that is not an http(s) URL (javascript:, mailto:, data:).
    The query is kept in its order: portals give meaning to it.
    """
    cleaned = url.translate(_URL_CONTROLS).strip()
    absolute = urljoin(base, cleaned) if base else cleaned
    parts = urlsplit(absolute)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    if "/." in path:
        path = _remove_dot_segments(path)
    return urlunsplit((scheme, netloc, _quoted(path, _SAFE_PATH), _quoted(parts.query, _SAFE_QUERY), ""))


_URL_CONTROLS = dict.fromkeys(map(ord, "\t\r\n"))
_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9/%:@!$&'()*+,;=\-._~?]")


def _quoted(part: str, safe: str) -> str:
    """Percent-encode what a URL may not hold (spaces, non-ASCII); most parts need nothing."""
    return quote(part, safe=safe) if _NEEDS_QUOTING.search(part) else part


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so `/a/./b/../c` and `/a/c` are one URL."""
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if path.endswith(("/.", "/..")):
        out.append("")
    joined = "/".join(out)
    return joined if joined.startswith("/") else "/" + joined
