"""Host keys and the allow-list a portal's requests must stay inside.

A host key is `hostname:port` with the port made explicit: the unit of politeness (one
gate per key) and of permission (a request or a redirect hop to a key not allowed is
refused before a byte is sent).

A portal's `hosts` may also name patterns (docs/config.md): `*.fj.gov.cn` allows every
subdomain of fj.gov.cn (not fj.gov.cn itself: list it too if it is wanted), and an IPv4 block
`127.0.3.0/24` allows every address in it as the URL writes it (a name is never resolved to
match a block). Either may carry `:port`, as a name may.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from functools import lru_cache
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


def host_pattern(item: str) -> list[str] | None:
    """The allow-list entries a pattern in a portal's `hosts` stands for (`*.name:port` or
    `a.b.c.d/n:port`, on both default ports when no port is named), None for a plain name;
    ValueError (saying what is accepted) for a malformed pattern."""
    if "://" in item:
        return None  # a URL, not a pattern
    name, port = _split_port(item.strip().lower())
    ports = [port] if port is not None else list(DEFAULT_PORTS.values())
    if "*" in name:
        rest = name[2:]
        if not name.startswith("*.") or "*" in rest or not rest or urlsplit(f"//{rest}").hostname != rest:
            raise ValueError(f"{item!r}: a host pattern is '*.' and a domain, such as '*.fj.gov.cn'")
    elif "/" in name:
        try:
            name = str(ipaddress.IPv4Network(name, strict=True))
        except ValueError as exc:
            raise ValueError(f"{item!r}: not an IPv4 block such as '127.0.3.0/24' ({exc})") from exc
    else:
        return None
    return [f"{name}:{p}" for p in ports]


def _split_port(item: str) -> tuple[str, int | None]:
    """(name, port) of `name` or `name:port`; ValueError for a port that is not one."""
    if ":" not in item.rsplit("]", 1)[-1]:
        return item, None
    name, _, port = item.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{item!r}: {port!r} is not a port")
    return name, int(port)


@lru_cache(maxsize=256)
def _patterns(allowed: frozenset[str]) -> tuple[tuple[str | ipaddress.IPv4Network, int], ...]:
    """The patterns among an allow-list's entries, parsed once per allow-list: (`.suffix`
    or the IPv4 network, port)."""
    found: list[tuple[str | ipaddress.IPv4Network, int]] = []
    for entry in allowed:
        name, _, port = entry.rpartition(":")
        if name.startswith("*."):
            found.append((name[1:], int(port)))
        elif "/" in name:
            found.append((ipaddress.IPv4Network(name), int(port)))
    return tuple(found)


def _matches(host: str, allowed: frozenset[str]) -> bool:
    """Whether the host key `hostname:port` is allowed by a pattern: a subdomain (never the
    apex) of a `*.` domain, or an IPv4 address as the URL writes it inside a block (a name is
    never resolved to match one), on the pattern's port."""
    name, _, port = host.rpartition(":")
    for pattern, pattern_port in _patterns(allowed):
        if int(port) != pattern_port:
            continue
        if isinstance(pattern, str):
            if name.endswith(pattern) and len(name) > len(pattern):
                return True
        else:
            try:
                if ipaddress.IPv4Address(name) in pattern:
                    return True
            except ValueError:
                continue
    return False


def allowed_hosts(url: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host keys a portal may use: its entry URL's host plus configured extra hosts.

    A host named without a port (the entry URL on its scheme's default port, or an extra
    host given as `name`) may be reached on both default ports, so the common move from
    http to https on the same name is followed. An extra host may also be `name:port` or
    a URL, which allow exactly that port, or a pattern (`*.name`, an IPv4 block; module
    docstring), kept in the set as `pattern:port` and matched by `check_host`. Raises
    ValueError for a malformed pattern.
    """
    entry = host_key(url)
    parts = urlsplit(url)
    keys = {entry}
    if parts.port is None:
        keys.update(_default_port_keys(parts.hostname or ""))
    for item in extra:
        item = item.strip()
        pattern = host_pattern(item)
        if pattern is not None:
            keys.update(pattern)
        elif "://" in item:
            keys.add(host_key(item))
        elif ":" in item.rsplit("]", 1)[-1]:
            keys.add(item.lower())
        else:
            keys.update(_default_port_keys(item))
    return frozenset(keys)


def _default_port_keys(hostname: str) -> set[str]:
    """`hostname` on the http and https default ports."""
    return {f"{hostname.lower()}:{port}" for port in DEFAULT_PORTS.values()}


def permits(allowed: frozenset[str], host: str) -> bool:
    """Whether the allow-list `allowed` lets a request reach the host key `host`."""
    return host in allowed or _matches(host, allowed)


def check_host(url: str, allowed: frozenset[str], asked: str) -> str:
    """The host key of `url`, or ForeignHostError when a request for `asked` (which led to
    `url`, or is `url`) may not go there."""
    host = host_key(url)
    if not permits(allowed, host):
        how = "a redirect" if url != asked else "a request"
        raise ForeignHostError(
            f"{how} to {url} (host {host}) refused: not the portal's host nor in its hosts; "
            f"allowed are {sorted(allowed)}" + (f"; asked for {asked}" if url != asked else ""),
            url=asked,
        )
    return host


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


def is_ip_literal(host: str) -> bool:
    """Whether a host key's name is an IP address (`10.0.0.5:8080`, `[::1]:80`)."""
    name, _ = _split_port(host)
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def resolves_internal(host: str) -> bool:
    """Whether a host key's name is, or resolves to, a private, loopback, link-local or
    reserved address (a name that does not resolve is not internal: it reaches nothing)."""
    name, _ = _split_port(host)
    name = name.strip("[]")
    try:
        return _internal(ipaddress.ip_address(name))
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    return any(_internal(ipaddress.ip_address(info[4][0].split("%")[0])) for info in infos)


def vet_seen_hosts(seen: Iterable[str], entry: str) -> tuple[list[str], list[str]]:
    """(hosts an operator may be proposed, hosts refused) among the hosts a page's links name.

    A page's links are the portal's, so hostile: a host given as an IP literal is refused, and
    so is a name that resolves to a private, loopback or link-local address, unless the entry
    page itself is on such an address (an intranet portal, a test world on loopback): a public
    page must not point the harvester at internal services."""
    entry_internal = resolves_internal(host_key(entry))
    proposed, refused = [], []
    for host in seen:
        if is_ip_literal(host) or (resolves_internal(host) and not entry_internal):
            refused.append(host)
        else:
            proposed.append(host)
    return proposed, refused
