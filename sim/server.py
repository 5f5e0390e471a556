"""Serve the simulated portals on loopback, one origin (port) per portal, with faults.

`start(world, host=..., port=0, as_of=..., faults=...)` returns a running `SimServer`
(also a context manager). With `port=0` every portal gets a free port; with `port=P` the
portals take P, P+1, … in the order of `sim.world.PORTALS`.
"""

from __future__ import annotations

import json
import math
import socket
import struct
import threading
import time
from collections.abc import Iterable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from sim import render, truth
from sim.faults import Fault, FaultError, as_faults
from sim.render import CHALLENGE_PAGE, Req, Response, Site
from sim.world import DEFAULT_AS_OF, PORTALS, UNITS, Portal, World, build_world

MAX_BODY = 1 << 20


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler that hands every request to its portal."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else every keep-alive request waits ~40 ms
    server_version = "Apache"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are closed after this

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.portal.serve(self, "GET")

    def do_POST(self) -> None:  # noqa: N802
        self.server.portal.serve(self, "POST")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: a benchmark serves thousands of requests."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128


class _FaultState:
    """The faults of one portal and the counters they need."""

    def __init__(self, faults: list[Fault]):
        self.by_kind = {f.kind: f for f in faults}
        self.requests = 0
        self.last_429: float | None = None
        self.lock = threading.Lock()

    def arg(self, kind: str) -> object:
        return self.by_kind[kind].arg


class PortalServer:
    """One portal's listening socket, its site and its faults."""

    def __init__(self, sim: SimServer, portal_id: str, host: str, port: int):
        self.sim = sim
        self.portal_id = portal_id
        self.host = host
        self.httpd: _HTTPServer | None = None
        self.thread: threading.Thread | None = None
        self._listen(port)
        self.port = self.httpd.server_address[1]
        self.origin = f"http://{host}:{self.port}"
        self.site: Site = render.make_site(sim.world, sim.world_portal(portal_id), self.origin)
        self.faults = _FaultState([])
        self.served = 0
        self._count_lock = threading.Lock()

    def _listen(self, port: int) -> None:
        self.httpd = _HTTPServer((self.host, port), _Handler)
        self.httpd.portal = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       name=f"sim-{self.portal_id}", daemon=True)
        self.thread.start()

    def listening(self) -> bool:
        return self.httpd is not None

    def close(self) -> None:
        """Stop accepting connections (connections then get refused)."""
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def reopen(self) -> None:
        """Accept connections again on the same port."""
        if self.httpd is None:
            self._listen(self.port)

    def set_faults(self, faults: list[Fault]) -> None:
        self.faults = _FaultState(faults)
        kinds = self.faults.by_kind
        self.site.hostile = "hostile" in kinds
        self.site.layout_changed = "layout" in kinds
        self.site.xxe = "xxe" in kinds
        if "down" in kinds:
            self.close()
        else:
            self.reopen()

    # -- request handling

    def serve(self, h: _Handler, method: str) -> None:
        """Answer one request, faults first."""
        state = self.faults
        with state.lock:
            state.requests += 1
            nth = state.requests
        if self.sim.stopped or "down" in state.by_kind or "reset" in state.by_kind:
            self._reset(h)
            return
        path, _, qs = h.path.partition("?")
        req = Req(method, unquote(path), dict(parse_qsl(qs, keep_blank_values=True)), {})
        if method == "POST":
            req.form = self._form(h)
        response = self._faulty(req, state, nth)
        if response is None:
            try:
                response = self.respond(req)
            except Exception as exc:  # a bug must show as a 500, not a dropped connection
                response = Response(500, f"internal error: {exc!r}".encode(), "text/plain")
        if response.status == -1:
            self._oversize(h, float(state.arg("oversize")))
            return
        self._send(h, response)
        with self._count_lock:
            self.served += 1

    @staticmethod
    def _form(h: _Handler) -> dict[str, str]:
        """The urlencoded form of a POST; a body too large or of unknown length is not read
        (and the connection is closed after the answer, so no stray bytes stay on it)."""
        try:
            length = int(h.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            h.close_connection = True
            return {}
        raw = h.rfile.read(length)
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))

    def respond(self, req: Req) -> Response:
        """The page for a request, with the listing-page faults applied."""
        state, site, as_of = self.faults, self.site, self.sim.as_of
        page = site.listing_page_of(req)
        if page is not None and page >= 0:
            if "page-fail" in state.by_kind and page == state.arg("page-fail"):
                return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")
            if "stub" in state.by_kind and page >= state.arg("stub"):
                return site.stub()
            if "loop" in state.by_kind and page >= max(int(state.arg("loop")), 1):
                return site.render_listing(req, page, as_of, 0)
        return site.handle(req, as_of)

    def _faulty(self, req: Req, state: _FaultState, nth: int) -> Response | None:
        """The response a connection-level or whole-portal fault gives, if any."""
        kinds = state.by_kind
        if "redirect" in kinds:
            target = state.arg("redirect") or f"http://127.0.0.2:{self.port}"
            location = str(target).rstrip("/") + req.path
            return Response(302, b"", "text/html", [("Location", location)])
        if "waf" in kinds:
            return Response(200, CHALLENGE_PAGE.encode(), "text/html; charset=utf-8")
        if "slow" in kinds:
            time.sleep(float(state.arg("slow")))
        if "flaky" in kinds and nth <= int(state.arg("flaky")):
            return Response(503, b"<html><body>503 Service Temporarily Unavailable</body></html>",
                            "text/html", [("Retry-After", "1")])
        if "429" in kinds:
            wait = float(state.arg("429"))
            with state.lock:
                now = time.monotonic()
                limited = state.last_429 is None or now - state.last_429 < wait
                if limited:
                    state.last_429 = now
            if limited:
                return Response(429, b"<html><body>429 Too Many Requests</body></html>",
                                "text/html", [("Retry-After", str(math.ceil(wait)))])
        if "oversize" in kinds:
            return Response(-1, b"")
        return None

    def _send(self, h: _Handler, response: Response) -> None:
        try:
            h.send_response(response.status)
            h.send_header("Content-Type", response.content_type)
            h.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers:
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True

    def _oversize(self, h: _Handler, megabytes: float) -> None:
        """A response of `megabytes` MB (honest Content-Length), streamed until the client
        gives up."""
        size = int(megabytes * 1024 * 1024)
        block = b"<!-- " + b"x" * 65520 + b" -->\n"
        try:
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(size))
            h.end_headers()
            sent = 0
            while sent < size:
                chunk = block[: size - sent]
                h.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
            pass
        h.close_connection = True

    @staticmethod
    def _reset(h: _Handler) -> None:
        """Drop the connection with a TCP reset, no response."""
        try:
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
        except OSError:
            pass
        h.close_connection = True


class SimServer:
    """The running world: one `PortalServer` per portal, a clock (`as_of`) and faults."""

    def __init__(self, world: World, host: str, port: int, as_of: date | str | None,
                 faults: Iterable[Fault | str]):
        self.world = world
        self.host = host
        self.stopped = False
        self._as_of = _as_date(as_of) if as_of else DEFAULT_AS_OF
        self._servers: dict[str, PortalServer] = {}
        try:
            for i, portal in enumerate(world.portals):
                self._servers[portal.id] = PortalServer(self, portal.id, host, port + i if port else 0)
            self.set_faults(faults)
        except BaseException:
            self.stop()
            raise

    def world_portal(self, portal_id: str) -> Portal:
        """The world's description of a portal (family, style, unit …)."""
        return next(p for p in self.world.portals if p.id == portal_id)

    @property
    def as_of(self) -> date:
        """The day the world is served as of."""
        return self._as_of

    def set_as_of(self, day: date | str) -> None:
        """Serve the world as it stood on `day` (later documents hidden, withdrawals done)."""
        self._as_of = _as_date(day)

    def set_faults(self, faults: Iterable[Fault | str]) -> None:
        """Replace every planted fault (an empty list clears them); counters restart."""
        parsed = as_faults(list(faults))
        per: dict[str, list[Fault]] = {pid: [] for pid in self._servers}
        for fault in parsed:
            targets = list(per) if fault.portal == "*" else [fault.portal]
            for pid in targets:
                if pid not in per:
                    raise FaultError(f"fault {fault}: no portal {pid!r}; portals: {', '.join(per)}")
                platform = self.world_portal(pid).platform
                if fault.kind == "xxe" and platform != "hanweb":
                    if fault.portal == "*":
                        continue
                    raise FaultError(f"fault {fault}: xxe applies to hanweb portals only")
                per[pid].append(fault)
        for pid, server in self._servers.items():
            server.set_faults(per[pid])

    @property
    def portals(self) -> dict[str, str]:
        """Portal id -> entry URL."""
        return {pid: s.origin + s.site.entry_path() for pid, s in self._servers.items()}

    @property
    def origins(self) -> dict[str, str]:
        """Portal id -> origin (http://host:port)."""
        return {pid: s.origin for pid, s in self._servers.items()}

    def served(self, portal_id: str) -> int:
        """How many requests the portal has answered with a page (faults excluded)."""
        return self._servers[portal_id].served

    def config_text(self, data_dir: str | Path = "data", warehouse_path: str | Path | None = None
                    ) -> str:
        """The xxgk.toml that points at this world (DESIGN section 3)."""
        return config_text(self.portals, data_dir, warehouse_path)

    def write_config(self, path: str | Path, data_dir: str | Path | None = None,
                     warehouse_path: str | Path | None = None) -> Path:
        """Write `config_text` to `path` (data dir defaults to `data` beside it)."""
        path = Path(path)
        data_dir = data_dir if data_dir is not None else path.parent / "data"
        path.write_text(self.config_text(data_dir, warehouse_path), encoding="utf-8")
        return path

    def export_truth(self, path: str | Path) -> Path:
        """The ground truth with absolute sighting URLs of this server."""
        return truth.export(self.world, path, self.origins)

    def stop(self) -> None:
        """Close every portal; idle keep-alive connections are reset on their next request."""
        self.stopped = True
        for server in self._servers.values():
            server.close()

    def __enter__(self) -> SimServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _as_date(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"as_of {value!r} is not a date (YYYY-MM-DD)") from None


def _toml(value: object) -> str:
    """A TOML value (JSON's string and list syntax is valid TOML for these values)."""
    return json.dumps(value, ensure_ascii=False)


def config_text(portal_urls: dict[str, str], data_dir: str | Path = "data",
                warehouse_path: str | Path | None = None) -> str:
    """The xxgk.toml for portals served at `portal_urls` (portal id -> entry URL)."""
    data_dir = str(data_dir)
    warehouse_path = str(warehouse_path or Path(data_dir) / "xxgk.duckdb")
    lines = [
        "# The simulated Longyan 2012 world on loopback, written by `sim`.",
        "", "[warehouse]", f"path = {_toml(warehouse_path)}", f"data_dir = {_toml(data_dir)}",
        "", "[harvest]", "concurrency = 8", "per_host_delay = 0", "timeout = 5",
        "full_every_days = 7", 'user_agent = "xxgk/0.1 (+simulated world)"',
        "retry_delay = 1  # on loopback a portal made to fail is retried within seconds",
    ]
    for unit in UNITS:
        if not unit.configured:
            continue
        lines += ["", "[[unit]]", f"id = {_toml(unit.id)}", f"name = {_toml(unit.name)}",
                  f"level = {_toml(unit.level)}", f"region = {_toml(unit.region)}"]
        if unit.parent:
            lines.append(f"parent = {_toml(unit.parent)}")
        lines.append(f"aliases = {_toml(list(unit.aliases))}")
    for portal in PORTALS:
        lines += ["", "[[portal]]", f"id = {_toml(portal.id)}", f"name = {_toml(portal.name)}",
                  f"level = {_toml(portal.level)}", f"region = {_toml(portal.region)}",
                  f"platform = {_toml(portal.platform)}", f"url = {_toml(portal_urls[portal.id])}"]
        if portal.unit:
            lines.append(f"unit = {_toml(portal.unit)}")
        lines.append('details = "new"')
    return "\n".join(lines) + "\n"


def start(world: World | None = None, *, host: str = "127.0.0.1", port: int = 0,
          as_of: date | str | None = None, faults: Iterable[Fault | str] = ()) -> SimServer:
    """Serve `world` (default: `build_world()`) and return the running server."""
    return SimServer(world or build_world(), host, port, as_of, faults)
