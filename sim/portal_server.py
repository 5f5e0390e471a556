"""One portal on its own port: its listening socket, its site and its faults, and the
routing of every request (faults first, then the site's page)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

from sim import httpd
from sim.faulting import OVERSIZE, FaultState, detail_fault, listing_fault, portal_fault
from sim.faults import Fault
from sim.pages.base import Site
from sim.pages.wire import Req, Response

if TYPE_CHECKING:
    from sim.server import SimServer


class PortalServer:
    """One portal's listening socket, its site and its faults."""

    def __init__(self, sim: SimServer, portal_id: str, host: str, port: int):
        self.sim = sim
        self.portal_id = portal_id
        self.host = host
        self.httpd: httpd.HTTPServer | None = None
        self.thread: threading.Thread | None = None
        self._listen(port)
        self.port = self.httpd.server_address[1]
        self.origin = f"http://{host}:{self.port}"
        portal = sim.world_portal(portal_id)
        self.site: Site = sim.kind.sites[portal.platform](sim.world, portal, self.origin)
        # Sister hosts (a site that links its pages on other loopback addresses): the same
        # pages on the same port of each address.
        self.sisters = [self._serve(addr, self.port) for addr in getattr(self.site, "sister_addresses", ())]
        self.faults = FaultState([])
        self.served = 0
        self._count_lock = threading.Lock()

    def _listen(self, port: int) -> None:
        self.httpd = self._serve(self.host, port)

    def _serve(self, host: str, port: int) -> httpd.HTTPServer:
        server = httpd.HTTPServer((host, port), httpd.Handler)
        server.portal = self
        self.thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"sim-{self.portal_id}", daemon=True
        )
        self.thread.start()
        return server

    def listening(self) -> bool:
        return self.httpd is not None

    def close(self) -> None:
        """Stop accepting connections (connections then get refused)."""
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def close_sisters(self) -> None:
        """Stop serving the sister hosts (when the world stops)."""
        for server in self.sisters:
            server.shutdown()
            server.server_close()
        self.sisters = []

    def reopen(self) -> None:
        """Accept connections again on the same port."""
        if self.httpd is None:
            self._listen(self.port)

    def set_faults(self, faults: list[Fault]) -> None:
        self.faults = FaultState(faults)
        kinds = self.faults.by_kind
        self.site.hostile = "hostile" in kinds
        self.site.layout_changed = "layout" in kinds
        self.site.xxe = "xxe" in kinds
        if "down" in kinds:
            self.close()
        else:
            self.reopen()

    # -- request handling

    def serve(self, h: httpd.Handler, method: str) -> None:
        """Answer one request, faults first."""
        state = self.faults
        nth = state.count_request()
        if self.sim.stopped or state.drops_connections():
            httpd.reset(h)
            return
        path, _, qs = h.path.partition("?")
        req = Req(method, unquote(path), dict(parse_qsl(qs, keep_blank_values=True)), {})
        if method == "POST":
            req.form = httpd.read_form(h)
        response = portal_fault(req, state, nth, self.port)
        if response is None:
            try:
                response = self.respond(req)
            except Exception as exc:  # a bug must show as a 500, not a dropped connection
                response = Response(500, f"internal error: {exc!r}".encode(), "text/plain")
        if response.status == OVERSIZE:
            httpd.send_oversize(h, float(state.arg("oversize")))
            return
        httpd.send(h, response)
        with self._count_lock:
            self.served += 1

    def respond(self, req: Req) -> Response:
        """The page for a request, with the listing-page and detail-page faults applied."""
        as_of = self.sim.as_of
        faulty = listing_fault(self.faults, self.site, req, as_of)
        if faulty is None:
            faulty = detail_fault(self.faults, self.site, req)
        return faulty if faulty is not None else self.site.handle(req, as_of)
