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
from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class HostPattern:
    """A glob (`*.suffix`) or an IPv4 block, on the ports it names (both defaults if none)."""

    text: str  # as configured, for messages
    ports: frozenset[int]
    suffix: str | None = None  # `.fj.gov.cn` for `*.fj.gov.cn`
    network: ipaddress.IPv4Network | None = None

    def matches(self, key: str) -> bool:
        """Whether the host key `hostname:port` falls under this pattern."""
        host, _, port = key.rpartition(":")
        if not port.isdigit() or int(port) not in self.ports:
            return False
        if self.suffix is not None:
            return host.endswith(self.suffix) and len(host) > len(self.suffix)
        try:
            return ipaddress.IPv4Address(host) in self.network  # type: ignore[operator]
        except ValueError:  # a name, not an address: never resolved to match a block
            return False


class AllowedHosts(frozenset):
    """The host keys a portal may use (a frozenset of `hostname:port`) and its patterns:
    `key in allowed` is true for a listed key or one a pattern matches."""

    patterns: tuple[HostPattern, ...] = ()

    def __new__(cls, keys: Iterable[str] = (), patterns: Iterable[HostPattern] = ()) -> AllowedHosts:
        allowed = super().__new__(cls, keys)
        allowed.patterns = tuple(patterns)
        return allowed

    def __contains__(self, key: object) -> bool:
        if frozenset.__contains__(self, key):
            return True
        return isinstance(key, str) and any(p.matches(key) for p in self.patterns)

    def describe(self) -> list[str]:
        """The keys and patterns, sorted, for a message."""
        return sorted(self) + [p.text for p in self.patterns]


def host_pattern(item: str) -> HostPattern | None:
    """The pattern an entry of a portal's `hosts` names (`*.name[:port]`, `a.b.c.d/n[:port]`),
    None for a plain name; ValueError (saying what is accepted) for a malformed one."""
    name, port = _split_port(item.strip().lower())
    ports = frozenset({port}) if port is not None else frozenset(DEFAULT_PORTS.values())
    if "*" in name:
        rest = name[2:]
        if not name.startswith("*.") or "*" in rest or not rest or urlsplit(f"//{rest}").hostname != rest:
            raise ValueError(f"{item!r}: a host pattern is '*.' and a domain, such as '*.fj.gov.cn'")
        return HostPattern(item, ports, suffix=f".{rest}")
    if "/" in name:
        try:
            network = ipaddress.IPv4Network(name, strict=True)
        except ValueError as exc:
            raise ValueError(f"{item!r}: not an IPv4 block such as '127.0.3.0/24' ({exc})") from exc
        return HostPattern(item, ports, network=network)
    return None


def _split_port(item: str) -> tuple[str, int | None]:
    """(name, port) of `name` or `name:port`; ValueError for a port that is not one."""
    name, colon, port = item.rpartition(":") if ":" in item.rsplit("]", 1)[-1] else (item, "", "")
    if not colon:
        return item, None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{item!r}: {port!r} is not a port")
    return name, int(port)


def allowed_hosts(url: str, extra: Iterable[str] = ()) -> AllowedHosts:
    """The host keys a portal may use: its entry URL's host plus configured extra hosts.

    A host named without a port (the entry URL on its scheme's default port, or an extra
    host given as `name`) may be reached on both default ports, so the common move from
    http to https on the same name is followed. An extra host may also be `name:port` or
    a URL, which allow exactly that port, or a pattern (`*.name`, an IPv4 block; module
    docstring). Raises ValueError for a malformed pattern.
    """
    entry = host_key(url)
    parts = urlsplit(url)
    keys = {entry}
    patterns: list[HostPattern] = []
    if parts.port is None:
        keys.update(_default_port_keys(parts.hostname or ""))
    for item in extra:
        item = item.strip()
        pattern = None if "://" in item else host_pattern(item)
        if pattern is not None:
            patterns.append(pattern)
        elif "://" in item:
            keys.add(host_key(item))
        elif ":" in item.rsplit("]", 1)[-1]:
            keys.add(item.lower())
        else:
            keys.update(_default_port_keys(item))
    return AllowedHosts(keys, patterns)


def _default_port_keys(hostname: str) -> set[str]:
    """`hostname` on the http and https default ports."""
    return {f"{hostname.lower()}:{port}" for port in DEFAULT_PORTS.values()}


def check_host(url: str, allowed: frozenset[str], asked: str) -> str:
    """The host key of `url`, or ForeignHostError when a request for `asked` (which led to
    `url`, or is `url`) may not go there."""
    host = host_key(url)
    if host not in allowed:
        how = "a redirect" if url != asked else "a request"
        named = allowed.describe() if isinstance(allowed, AllowedHosts) else sorted(allowed)
        raise ForeignHostError(
            f"{how} to {url} (host {host}) refused: not the portal's host nor in its hosts; allowed are {named}"
            + (f"; asked for {asked}" if url != asked else ""),
            url=asked,
        )
    return host
