"""How the planted faults (sim.faults) change what a portal answers: per-portal fault state,
the whole-portal and connection faults that answer before any page, and the listing-page
faults that replace a listing page.

Every request of a server is answered on its one event loop (sim.httpd), so the counters
here are never updated by two requests at once; the `slow` fault's wait is the server's to
keep (`FaultState.wait`), never a sleep here.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Iterable, Mapping
from datetime import date

from sim.faults import Fault, FaultError
from sim.httpd import Oversize
from sim.pages.base import Site
from sim.pages.common import CHALLENGE_PAGE
from sim.pages.wire import Req, Response


class FaultState:
    """The faults of one portal and the counters they need."""

    def __init__(self, faults: list[Fault]):
        self.by_kind = {f.kind: f for f in faults}
        self.requests = 0
        self.last_429: float | None = None

    def arg(self, kind: str) -> object:
        return self.by_kind[kind].arg

    def count_request(self) -> int:
        """Count one more request; its number (from 1) since the faults were set."""
        self.requests += 1
        return self.requests

    def drops_connections(self) -> bool:
        return "down" in self.by_kind or "reset" in self.by_kind

    def wait(self) -> float:
        """Seconds every answer waits (`slow`), after a redirect or WAF page would be given."""
        return float(self.arg("slow")) if "slow" in self.by_kind else 0.0


def per_portal(faults: Iterable[Fault], platforms: Mapping[str, str]) -> dict[str, list[Fault]]:
    """Every portal's faults (`*` spread over all portals; xxe over the Hanweb ones only).
    `platforms` maps each portal id to its platform family."""
    per: dict[str, list[Fault]] = {pid: [] for pid in platforms}
    for fault in faults:
        targets = list(per) if fault.portal == "*" else [fault.portal]
        for pid in targets:
            if pid not in per:
                raise FaultError(f"fault {fault}: no portal {pid!r}; portals: {', '.join(per)}")
            if fault.kind == "xxe" and platforms[pid] != "hanweb":
                if fault.portal == "*":
                    continue
                raise FaultError(f"fault {fault}: xxe applies to hanweb portals only")
            per[pid].append(fault)
    return per


def _too_many(state: FaultState) -> Response | None:
    """429 for the first request and any request less than S seconds after the last 429."""
    wait = float(state.arg("429"))
    now = time.monotonic()
    limited = state.last_429 is None or now - state.last_429 < wait
    if limited:
        state.last_429 = now
    if not limited:
        return None
    return Response(
        429, b"<html><body>429 Too Many Requests</body></html>", "text/html", [("Retry-After", str(math.ceil(wait)))]
    )


def redirect_or_waf(req: Req, state: FaultState, port: int) -> Response | None:
    """The answer of a portal moved elsewhere (`redirect`) or behind a WAF (`waf`), if any:
    given at once, before any wait."""
    kinds = state.by_kind
    if "redirect" in kinds:
        target = state.arg("redirect") or f"http://127.0.0.2:{port}"
        location = str(target).rstrip("/") + req.path
        return Response(302, b"", "text/html", [("Location", location)])
    if "waf" in kinds:
        return Response(200, CHALLENGE_PAGE.encode(), "text/html; charset=utf-8")
    return None


def refusal(state: FaultState, nth: int) -> Response | Oversize | None:
    """What a portal that refuses request number `nth` gives instead of its page, if it
    does: a 503 (`flaky`), a 429 (`429`) or an endless body (`oversize`)."""
    kinds = state.by_kind
    if "flaky" in kinds and nth <= int(state.arg("flaky")):
        return Response(
            503, b"<html><body>503 Service Temporarily Unavailable</body></html>", "text/html", [("Retry-After", "1")]
        )
    if "429" in kinds:
        limited = _too_many(state)
        if limited is not None:
            return limited
    if "oversize" in kinds:
        return Oversize(int(float(state.arg("oversize")) * 1024 * 1024))
    return None


def fails_detail(path: str, share: float) -> bool:
    """Whether `detail-fail:share` fails the detail page at `path`: a stable hash of the path
    below the share (the same pages every request; a smaller share fails a subset)."""
    return zlib.crc32(path.encode("utf-8")) % 1_000_000 < share * 1_000_000


def detail_fault(state: FaultState, site: Site, req: Req) -> Response | None:
    """A detail page that detail-fail replaces with a 500, if any."""
    if "detail-fail" not in state.by_kind or not site.is_detail(req.path):
        return None
    if not fails_detail(req.path, float(state.arg("detail-fail"))):
        return None
    return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")


def listing_fault(state: FaultState, site: Site, req: Req, as_of: date) -> Response | None:
    """A listing page that page-fail, stub or loop replaces, if any."""
    page = site.listing_page_of(req)
    if page is None or page < 0:
        return None
    if "page-fail" in state.by_kind and page == state.arg("page-fail"):
        return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")
    if "stub" in state.by_kind and page >= state.arg("stub"):
        return site.stub()
    if "loop" in state.by_kind and page >= max(int(state.arg("loop")), 1):
        return site.render_listing(req, page, as_of, 0)
    return None
