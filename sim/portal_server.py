"""One portal on the server: its listening sockets, its site and its faults, and the routing
of every request (faults first, then the site's page).

The portal reads what the whole server shares (the clock, whether it has stopped, the
request log) from a `ServerState` it is handed, and knows nothing else of the server.
Everything here runs on the portal's event loop (sim.loops), but for the switches the
server flips from its caller's thread (`ServerState.as_of`, a site's migration day), each
a single assignment.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, unquote

from sim.faulting import FaultState, detail_fault, listing_fault, redirect_or_waf, refusal
from sim.faults import Fault
from sim.httpd import Answer, Connection, Later
from sim.listening import BACKLOG, bind
from sim.pages.base import Site
from sim.pages.wire import Req, Response

#: One request as `SimServer.record` keeps it: (portal id, method, target, body).
Logged = tuple[str, str, str, bytes]


@dataclass
class ServerState:
    """What every portal of one server reads: the day served, whether the server has
    stopped (every request then gets a reset), and the request log while recording."""

    as_of: date
    stopped: bool = False
    log: list[Logged] | None = None


class PortalServer:
    """One portal: where it listens, its site, its faults and what it was asked.

    `site` is the portal's Site (sim.pages, or a world's own classes) made for the origin of
    `sock`, its bound socket. A site with `sister_addresses` (pages it also serves on other
    loopback hosts) gets a socket on each, same port; `down` closes only the main one."""

    def __init__(self, state: ServerState, site: Site, sock: socket.socket, connections: set[Connection]):
        self.state = state
        self.id = site.portal.id
        self.site = site
        self.origin = site.origin
        self.address, self.port = sock.getsockname()[:2]
        self._connections = connections  # the server's open connections
        self._sockets = [sock]
        try:
            self._sockets += [bind(a, self.port) for a in getattr(site, "sister_addresses", ())]
        except OSError:
            for bound in self._sockets:
                bound.close()
            raise
        self._main: asyncio.Server | None = None
        self._sisters: list[asyncio.Server] = []
        self.faults = FaultState([])
        self.requests = 0  # every request read (faults included)
        self.served = 0  # requests answered with a page (fault responses excluded)

    # -- listening (on the portal's loop)

    async def listen(self) -> None:
        """Accept connections on the bound sockets."""
        self._main, *self._sisters = [await self._accept(sock) for sock in self._sockets]
        self._sockets = []

    async def _accept(self, sock: socket.socket) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        return await loop.create_server(lambda: Connection(self, loop, self._connections), sock=sock, backlog=BACKLOG)

    async def reopen(self) -> None:
        """Accept connections again on the same address and port (after `down`)."""
        if self._main is None:
            self._main = await self._accept(bind(self.address, self.port))

    def close(self) -> None:
        """Stop accepting connections on the portal's address (they are then refused); the
        sister hosts and open connections stay (their requests get a reset)."""
        if self._main is not None:
            self._main.close()
            self._main = None

    def close_all(self) -> None:
        """Stop listening everywhere (the server stops, or never started listening)."""
        self.close()
        for server in self._sisters:
            server.close()
        for sock in self._sockets:
            sock.close()
        self._sisters, self._sockets = [], []

    async def set_faults(self, faults: list[Fault]) -> None:
        """Plant these faults (counters restart); `down` closes the portal, else it listens."""
        self.faults = FaultState(faults)
        kinds = self.faults.by_kind
        self.site.hostile = "hostile" in kinds
        self.site.layout_changed = "layout" in kinds
        self.site.xxe = "xxe" in kinds
        if "down" in kinds:
            self.close()
        else:
            await self.reopen()

    # -- answering

    def answer(self, method: str, target: str, body: bytes, peer: tuple[str, int]) -> Answer:
        """The answer to one request (`peer` is the client's address): None drops the
        connection (`reset`, `down`, a stopped server); a fault answers before the page."""
        self.requests += 1
        if self.state.log is not None:
            self.state.log.append((self.id, method, target, body))
        faults = self.faults
        nth = faults.count_request()
        if self.state.stopped or faults.drops_connections():
            return None
        path, _, qs = target.partition("?")
        req = Req(method, unquote(path), dict(parse_qsl(qs, keep_blank_values=True)), {})
        if method == "POST":
            req.form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        early = redirect_or_waf(req, faults, self.port)
        if early is not None:
            return early
        if wait := faults.wait():
            return Later(wait, lambda: self._page(req, faults, nth))
        return self._page(req, faults, nth)

    def _page(self, req: Req, faults: FaultState, nth: int) -> Answer:
        """The page for a request, unless the portal refuses it; listing-page and detail-page
        faults applied."""
        refused = refusal(faults, nth)
        if refused is not None:
            return refused
        as_of = self.state.as_of
        try:
            response = listing_fault(faults, self.site, req, as_of) or detail_fault(faults, self.site, req)
            response = response or self.site.handle(req, as_of)
        except Exception as exc:  # noqa: BLE001 - a bug must show as a 500, not a dropped connection
            return Response(500, f"internal error: {exc!r}".encode(), "text/plain")
        self.served += 1
        return response
