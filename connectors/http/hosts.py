"""Host keys and the allow-list a portal's requests must stay inside.

A host key is `hostname:port` with the port made explicit: the unit of politeness (one
gate per key) and of permission (a request or a redirect hop to a key not allowed is
refused before a byte is sent).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from connectors.errors import ForeignHostError

DEFAULT_PORTS = {"http": 80, "https": 443}


def host_key(url: str) -> str:
    """`hostname:port` of an http(s) URL, the port made explicit; the unit of politeness."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. a malformed IPv6 literal in a hostile Location
        raise ForeignHostError(f"unreadable URL {url!r}: {exc}", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ForeignHostError(f"not an http(s) URL: {url!r}", url=url)
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:  # a port that is not a number or out of range
        raise ForeignHostError(f"bad port in URL {url!r}: {exc}", url=url) from exc
    return f"{parts.hostname.lower()}:{port}"


def allowed_hosts(url: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host keys a portal may use: its entry URL's host plus configured extra hosts.

    A host named without a port (the entry URL on its scheme's default port, or an extra
    host given as `name`) may be reached on both default ports, so the common move from
    http to https on the same name is followed. An extra host may also be `name:port` or
    a URL, which allow exactly that port.
    """
    entry = host_key(url)
    parts = urlsplit(url)
    keys = {entry}
    if parts.port is None:
        keys.update(_default_port_keys(parts.hostname or ""))
    for item in extra:
        item = item.strip()
        if "://" in item:
            keys.add(host_key(item))
        elif ":" in item.rsplit("]", 1)[-1]:
            keys.add(item.lower())
        else:
            keys.update(_default_port_keys(item))
    return frozenset(keys)


def _default_port_keys(hostname: str) -> set[str]:
    """`hostname` on the http and https default ports."""
    return {f"{hostname.lower()}:{port}" for port in DEFAULT_PORTS.values()}


def check_host(url: str, allowed: frozenset[str], asked: str) -> str:
    """The host key of `url`, or ForeignHostError when a request for `asked` (which led to
    `url`, or is `url`) may not go there."""
    host = host_key(url)
    if host not in allowed:
        how = "a redirect" if url != asked else "a request"
        raise ForeignHostError(
            f"{how} to {url} (host {host}) refused: allowed are {sorted(allowed)}"
            + (f"; asked for {asked}" if url != asked else ""),
            url=asked,
        )
    return host
