"""Where the portals of a world listen, before the server answers on their sockets.

Two layouts (sim.registry says which world takes which): a port each on one host, as the
Longyan and Guangdong worlds are served (`--port P`: P, P+1, …), and a loopback address
each on one port, as the province is (127.10.0.1, 127.10.0.2, …), so that a harvester's
per-host politeness meets as many hosts as there are portals.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

#: Connections waiting to be accepted, per listening socket.
BACKLOG = 128

#: (portal count, host, port) -> one (host named in the origin, listening socket) per portal
Layout = Callable[[int, str, int], list[tuple[str, socket.socket]]]


def bind(address: str, port: int) -> socket.socket:
    """A listening, non-blocking TCP socket on (address, port); the address stays reusable
    while old connections linger, so a portal taken down can listen again on its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _close_all(bound: list[tuple[str, socket.socket]]) -> None:
    for _, sock in bound:
        sock.close()


def port_each(count: int, host: str, port: int) -> list[tuple[str, socket.socket]]:
    """A port each on `host`: `port`, `port`+1, … in portal order (0: a free port each)."""
    bound: list[tuple[str, socket.socket]] = []
    try:
        for i in range(count):
            bound.append((host, bind(host, port + i if port else 0)))
    except OSError:
        _close_all(bound)
        raise
    return bound


def portal_address(i: int) -> str:
    """The loopback address of portal number `i` (250 per /24, never .0 or .255)."""
    block, host = divmod(i, 250)
    return f"127.{10 + block // 256}.{block % 256}.{host + 1}"


def address_each(count: int, host: str, port: int) -> list[tuple[str, socket.socket]]:
    """A loopback address each (`portal_address`), all on `port` (0: one port free on every
    address). `host` is not used: the addresses are the layout."""
    chosen = port
    for _ in range(5):
        bound: list[tuple[str, socket.socket]] = []
        try:
            for i in range(count):
                address = portal_address(i)
                bound.append((address, bind(address, port)))
                port = port or bound[0][1].getsockname()[1]
            return bound
        except OSError:
            _close_all(bound)
            if chosen:
                raise
            port = 0  # another process holds the free port on one of the addresses: try another
    raise OSError(f"no port free on all {count} loopback addresses")
