"""Serve a simulated world on loopback: every portal on its own origin, answered by asyncio
event loops (a few, each on a thread of its own, the portals spread among them), with a
clock, faults and a record of the requests.

`start(world, host=..., port=0, as_of=..., faults=...)` returns a running `SimServer` (also
a context manager). Where the portals listen is the world's layout (sim.registry,
sim.listening): the Longyan and Guangdong worlds a port each on `host` (`port=P`: the
portals take P, P+1, … in the world's order; 0: a free port each), the province a loopback
address each on one port. Each portal is a `PortalServer` (sim.portal_server) reading
HTTP/1.1 through sim.httpd; sim.faulting applies the faults and sim.config writes the
matching xxgk.toml. A loop holds a listening socket per portal for the price of its file
descriptor, so a province of 5,000 portals costs no thread per portal (sim.loops says why
there are a few loops rather than one).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from pathlib import Path

from sim.applications import APPLICATIONS_FILE, write_register
from sim.config import config_text
from sim.faulting import per_portal
from sim.faults import Fault, as_faults
from sim.loops import LOOPS, LoopThread, run_all
from sim.model import Portal
from sim.portal_server import Logged, PortalServer, ServerState
from sim.registry import ServedWorld, build_world, kind_of


class SimServer:
    """The running world: a `PortalServer` per portal, each on one of the server's event
    loops, a clock (`as_of`), faults, and counts of what each portal was asked."""

    def __init__(
        self, world: ServedWorld, host: str, port: int, as_of: date | str | None, faults: Iterable[Fault | str]
    ):
        self.world = world
        self.kind = kind_of(world)
        self.host = host
        self._state = ServerState(_as_date(as_of) if as_of else world.default_as_of)
        self._migrations: dict[str, date] = {}
        self._portals: dict[str, PortalServer] = {}
        self._loops = [LoopThread(f"sim-{i}") for i in range(min(LOOPS, len(world.portals)) or 1)]
        self._home: dict[str, LoopThread] = {}  # portal id -> the loop that answers it
        try:
            self._bind(host, port)
            run_all((self._home[pid], portal.listen()) for pid, portal in self._portals.items())
            self.set_faults(faults)
        except BaseException:
            self.stop()
            raise

    def _bind(self, host: str, port: int) -> None:
        """A bound socket and a site per portal, where the world's layout puts them."""
        bound = self.kind.listen(len(self.world.portals), host, port)
        try:
            for i, (portal, (name, sock)) in enumerate(zip(self.world.portals, bound, strict=True)):
                site = self.kind.sites[portal.platform](self.world, portal, f"http://{name}:{sock.getsockname()[1]}")
                home = self._home[portal.id] = self._loops[i % len(self._loops)]
                self._portals[portal.id] = PortalServer(self._state, site, sock, home.connections)
        except BaseException:
            for _, sock in bound:
                sock.close()
            raise

    def world_portal(self, portal_id: str) -> Portal:
        """The world's description of a portal (family, style, unit …)."""
        return next(p for p in self.world.portals if p.id == portal_id)

    @property
    def stopped(self) -> bool:
        return self._state.stopped

    @property
    def as_of(self) -> date:
        """The day the world is served as of."""
        return self._state.as_of

    def set_as_of(self, day: date | str) -> None:
        """Serve the world as it stood on `day` (later documents hidden, withdrawals done)."""
        self._state.as_of = _as_date(day)

    def set_faults(self, faults: Iterable[Fault | str]) -> None:
        """Replace every planted fault (an empty list clears them); counters restart."""
        per = per_portal(as_faults(list(faults)), {p.id: p.platform for p in self.world.portals})
        run_all((self._home[pid], portal.set_faults(per[pid])) for pid, portal in self._portals.items())

    def migrate(self, portal_id: str, on: date | str | None) -> None:
        """Move the portal to a new CMS from day `on` (by the clock): from then on it lists
        the same documents under new detail URLs with new ids (`/art/Y/M/D/art_C_ID.html`),
        its old detail URLs answer 404, and its entry URL and listing pages stay.
        `on=None` undoes the migration."""
        if portal_id not in self._portals:
            raise ValueError(f"no portal {portal_id!r}; portals: {', '.join(self._portals)}")
        day = None if on is None else _as_date(on)
        if day is None:
            self._migrations.pop(portal_id, None)
        else:
            self._migrations[portal_id] = day
        self._portals[portal_id].site.migrated_on = day

    @property
    def migrations(self) -> dict[str, date]:
        """Portal id -> the day of its CMS migration (`migrate`)."""
        return dict(self._migrations)

    @property
    def portals(self) -> dict[str, str]:
        """Portal id -> entry URL."""
        return {pid: p.origin + p.site.entry_path() for pid, p in self._portals.items()}

    @property
    def origins(self) -> dict[str, str]:
        """Portal id -> origin (http://host:port)."""
        return {pid: p.origin for pid, p in self._portals.items()}

    def served(self, portal_id: str) -> int:
        """How many requests the portal has answered with a page (fault responses excluded)."""
        return self._portals[portal_id].served

    def requests(self, portal_id: str | None = None) -> int:
        """Requests one portal (or every portal) received since the start, faults included."""
        if portal_id is not None:
            return self._portals[portal_id].requests
        return sum(p.requests for p in self._portals.values())

    def request_counts(self) -> dict[str, int]:
        """Portal id -> requests received."""
        return {pid: p.requests for pid, p in self._portals.items()}

    def record(self, on: bool = True) -> list[Logged]:
        """Start (or stop) keeping every request as (portal id, method, target, body), for a
        benchmark that replays them; returns the requests kept since the last call."""
        kept, self._state.log = self._state.log or [], [] if on else None
        return kept

    def config_text(
        self,
        data_dir: str | Path = "data",
        warehouse_path: str | Path | None = None,
        exclude: Iterable[str] = (),
        **harvest: object,
    ) -> str:
        """The xxgk.toml that points at this world (docs/sim.md, Running it), without the
        portals in `exclude` (they keep serving); `harvest` overrides [harvest] keys."""
        return config_text(self.portals, data_dir, warehouse_path, exclude, self.world, harvest)

    def write_config(
        self,
        path: str | Path,
        data_dir: str | Path | None = None,
        warehouse_path: str | Path | None = None,
        exclude: Iterable[str] = (),
        **harvest: object,
    ) -> Path:
        """Write `config_text` to `path` (data dir defaults to `data` beside it), and, for the
        worlds that keep one, the applications register beside it (`applications.csv`,
        sim/applications.py)."""
        path = Path(path)
        data_dir = data_dir if data_dir is not None else path.parent / "data"
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind.applications:
            write_register(path.with_name(APPLICATIONS_FILE))
        path.write_text(self.config_text(data_dir, warehouse_path, exclude, **harvest), encoding="utf-8")
        return path

    def export_truth(self, path: str | Path) -> Path:
        """The ground truth with absolute sighting URLs of this server (after a portal's
        migration, as of the clock, its new URLs)."""
        return self.kind.export_truth(self.world, Path(path), self.origins, self.as_of, self.migrations)

    def stop(self) -> None:
        """Close every portal and drop every open connection, then end the loops."""
        if self._state.stopped:
            return
        self._state.stopped = True
        for thread in self._loops:
            thread.stop(partial(_close_all, [p for pid, p in self._portals.items() if self._home[pid] is thread]))

    def __enter__(self) -> SimServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _close_all(portals: list[PortalServer]) -> None:
    for portal in portals:
        portal.close_all()


def _as_date(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"as_of {value!r} is not a date (YYYY-MM-DD)") from None


def start(
    world: ServedWorld | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    as_of: date | str | None = None,
    faults: Iterable[Fault | str] = (),
) -> SimServer:
    """Serve `world` (default: the Longyan world, `build_world()`) and return the running
    server."""
    return SimServer(world or build_world(), host, port, as_of, faults)
