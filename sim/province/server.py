"""Serve a province of thousands of portals from one thread: one asyncio event loop, one
listening socket per portal, each portal on its own loopback address (127.10.0.1,
127.10.0.2, …; all on one port), so a harvester's per-host politeness meets real hosts.

A thread (and a `ThreadingHTTPServer`) per portal, as the Longyan world's server has, would
cost 5,000 threads; the event loop holds 5,000 listening sockets for the price of their file
descriptors. Every request is parsed by sim/province/http.py and answered by the portal's family `Site` of sim.pages, after the faults
that answer with a response (sim.faulting). Faults that need a blocking server (`down`,
`slow`, `oversize`) are refused with the reason; `reset` drops the connection.

    with start_province(build_province(1000)) as sim:
        sim.write_config("xxgk.toml", per_host_delay=0.05, concurrency=32)
        sim.requests("hx-ssp")      # requests the portal received (faults included)
        sim.record(); ...; kept = sim.record(False)   # every request, to replay
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from sim.config import config_text
from sim.faulting import FaultState, detail_fault, listing_fault, per_portal, portal_fault
from sim.faults import FaultError, as_faults
from sim.pages.wire import Req, Response
from sim.province.http import Connection
from sim.province.world import ProvinceWorld
from sim.registry import kind_of

#: Faults a single event loop cannot serve without stalling every other portal.
REFUSED_FAULTS = ("down", "slow", "oversize")


def portal_address(i: int) -> str:
    """The loopback address of portal number `i` (250 per /24, never .0 or .255)."""
    block, host = divmod(i, 250)
    return f"127.{10 + block // 256}.{block % 256}.{host + 1}"


class ProvincePortal:
    """One portal: its address, its site, its faults and what it was asked."""

    def __init__(self, sim: ProvinceServer, portal, address: str, port: int):
        self.sim = sim
        self.id = portal.id
        self.origin = f"http://{address}:{port}"
        self.site = kind_of(sim.world).sites[portal.platform](sim.world, portal, self.origin)
        self.faults = FaultState([])
        self.requests = 0  # every request read (faults included)
        self.served = 0  # requests answered with a page (fault responses excluded)

    def answer(self, method: str, target: str, body: bytes) -> Response | None:
        """The response to one request; None: drop the connection (`reset`)."""
        self.requests += 1
        if self.sim.log is not None:
            self.sim.log.append((self.id, method, target, body))
        state = self.faults
        nth = state.count_request()
        if self.sim.stopped or state.drops_connections():
            return None
        path, _, qs = target.partition("?")
        req = Req(method, unquote(path), dict(parse_qsl(qs, keep_blank_values=True)), {})
        if method == "POST":
            req.form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        response = portal_fault(req, state, nth, urlsplit(self.origin).port or 80)
        if response is not None:
            return response
        try:
            as_of = self.sim.as_of
            response = listing_fault(state, self.site, req, as_of) or detail_fault(state, self.site, req)
            response = response or self.site.handle(req, as_of)
        except Exception as exc:  # noqa: BLE001 - a bug must show as a 500, not a dropped connection
            return Response(500, f"internal error: {exc!r}".encode(), "text/plain")
        self.served += 1
        return response


class ProvinceServer:
    """A running province: every portal listening on its own loopback address, one event loop."""

    def __init__(self, world: ProvinceWorld, port: int = 0, as_of: date | str | None = None, faults=()):
        self.world = world
        self.stopped = False
        self.log: list[tuple[str, str, str, bytes]] | None = None  # (portal, method, target, body) when recording
        self._as_of = date.fromisoformat(str(as_of)) if as_of else world.default_as_of
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="sim-province", daemon=True)
        self._sockets = _listen_all(len(world.portals), port)
        self.port = self._sockets[0].getsockname()[1]
        self._portals = {
            p.id: ProvincePortal(self, p, portal_address(i), self.port) for i, p in enumerate(world.portals)
        }
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result()
        self.set_faults(faults)

    async def _serve(self) -> None:
        self._servers = [
            await self.loop.create_server(lambda p=portal: Connection(p, self.loop), sock=sock)
            for portal, sock in zip(self._portals.values(), self._sockets, strict=True)
        ]

    @property
    def as_of(self) -> date:
        return self._as_of

    def set_as_of(self, day: date | str) -> None:
        """Serve the province as it stood on `day`."""
        self._as_of = day if isinstance(day, date) else date.fromisoformat(str(day))

    def set_faults(self, faults: Iterable) -> None:
        """Replace every fault (sim.faults specs; `down`, `slow` and `oversize` refused)."""
        faults = as_faults(list(faults))
        for fault in faults:
            if fault.kind in REFUSED_FAULTS:
                raise FaultError(f"fault {fault}: the province server does not serve {', '.join(REFUSED_FAULTS)}")
        per = per_portal(faults, {p.id: p.platform for p in self.world.portals})
        for pid, portal in self._portals.items():
            portal.faults = FaultState(per[pid])
            kinds = portal.faults.by_kind
            portal.site.hostile, portal.site.layout_changed = "hostile" in kinds, "layout" in kinds
            portal.site.xxe = "xxe" in kinds

    @property
    def portals(self) -> dict[str, str]:
        """Portal id -> entry URL."""
        return {pid: p.origin + p.site.entry_path() for pid, p in self._portals.items()}

    @property
    def origins(self) -> dict[str, str]:
        return {pid: p.origin for pid, p in self._portals.items()}

    def requests(self, portal_id: str | None = None) -> int:
        """Requests one portal (or every portal) received since the start."""
        if portal_id is not None:
            return self._portals[portal_id].requests
        return sum(p.requests for p in self._portals.values())

    def request_counts(self) -> dict[str, int]:
        """Portal id -> requests received."""
        return {pid: p.requests for pid, p in self._portals.items()}

    def record(self, on: bool = True) -> list[tuple[str, str, str, bytes]]:
        """Start (or stop) keeping every request as (portal id, method, target, body), for a
        benchmark that replays them; returns the requests kept since the last call."""
        kept, self.log = self.log or [], [] if on else None
        return kept

    def served(self, portal_id: str) -> int:
        return self._portals[portal_id].served

    def config_text(self, data_dir: str | Path = "data", warehouse_path=None, **harvest: object) -> str:
        """The xxgk.toml of the province; `harvest` overrides [harvest] keys (e.g.
        per_host_delay=0.05, concurrency=32)."""
        text = config_text(self.portals, data_dir, warehouse_path, (), self.world)
        head, sep, rest = text.partition("[harvest]\n")
        lines = rest.split("\n")
        for key, value in harvest.items():
            line = f"{key} = {value!r}".replace("'", '"')
            at = next((i for i, old in enumerate(lines) if old.split(" = ")[0] == key), None)
            lines[at if at is not None else 0 : at + 1 if at is not None else 0] = [line]
        return head + sep + "\n".join(lines)

    def write_config(self, path: str | Path, data_dir=None, warehouse_path=None, **harvest: object) -> Path:
        """Write `config_text` to `path` (data dir defaults to `data` beside it)."""
        path = Path(path)
        data_dir = data_dir if data_dir is not None else path.parent / "data"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.config_text(data_dir, warehouse_path, **harvest), encoding="utf-8")
        return path

    def stop(self) -> None:
        """Close every listening socket and connection, then the loop."""
        if self.stopped:
            return
        self.stopped = True

        async def close() -> None:
            for server in self._servers:
                server.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()

    def __enter__(self) -> ProvinceServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _listen_all(count: int, port: int) -> list[socket.socket]:
    """A listening socket per portal address, all on `port` (0: one free port found for all)."""
    chosen = port
    for _ in range(5):
        sockets: list[socket.socket] = []
        try:
            for i in range(count):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((portal_address(i), port))
                port = port or sock.getsockname()[1]
                sock.listen(128)
                sock.setblocking(False)
            return sockets
        except OSError:
            for sock in sockets:
                sock.close()
            if chosen:
                raise
            port = 0  # another process holds the free port on one of the addresses: try another
    raise OSError(f"no port free on all {count} loopback addresses")


def start_province(world: ProvinceWorld, *, port: int = 0, as_of=None, faults=()) -> ProvinceServer:
    """Serve `world` (sim.province.world.build_province) and return the running server."""
    return ProvinceServer(world, port, as_of, faults)
