"""Serve the simulated portals on loopback, one origin (port) per portal, with faults.

`start(world, host=..., port=0, as_of=..., faults=...)` returns a running `SimServer`
(also a context manager). With `port=0` every portal gets a free port; with `port=P` the
portals take P, P+1, … in the order of `sim.world.PORTALS`. Each portal is a
`PortalServer` (sim.portal_server) over the HTTP plumbing of sim.httpd; sim.faulting
applies the faults and sim.config writes the matching xxgk.toml.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sim.applications import APPLICATIONS_FILE, write_register
from sim.config import config_text
from sim.faulting import per_portal
from sim.faults import Fault, as_faults
from sim.model import Portal
from sim.portal_server import PortalServer
from sim.registry import ServedWorld, build_world, kind_of


class SimServer:
    """The running world: one `PortalServer` per portal, a clock (`as_of`) and faults."""

    def __init__(
        self, world: ServedWorld, host: str, port: int, as_of: date | str | None, faults: Iterable[Fault | str]
    ):
        self.world = world
        self.kind = kind_of(world)
        self.host = host
        self.stopped = False
        self._as_of = _as_date(as_of) if as_of else world.default_as_of
        self._migrations: dict[str, date] = {}
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
        platforms = {pid: self.world_portal(pid).platform for pid in self._servers}
        per = per_portal(as_faults(list(faults)), platforms)
        for pid, server in self._servers.items():
            server.set_faults(per[pid])

    def migrate(self, portal_id: str, on: date | str | None) -> None:
        """Move the portal to a new CMS from day `on` (by the clock): from then on it lists
        the same documents under new detail URLs with new ids (`/art/Y/M/D/art_C_ID.html`),
        its old detail URLs answer 404, and its entry URL and listing pages stay.
        `on=None` undoes the migration."""
        if portal_id not in self._servers:
            raise ValueError(f"no portal {portal_id!r}; portals: {', '.join(self._servers)}")
        day = None if on is None else _as_date(on)
        if day is None:
            self._migrations.pop(portal_id, None)
        else:
            self._migrations[portal_id] = day
        self._servers[portal_id].site.migrated_on = day

    @property
    def migrations(self) -> dict[str, date]:
        """Portal id -> the day of its CMS migration (`migrate`)."""
        return dict(self._migrations)

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

    def config_text(
        self, data_dir: str | Path = "data", warehouse_path: str | Path | None = None, exclude: Iterable[str] = ()
    ) -> str:
        """The xxgk.toml that points at this world (docs/sim.md, Running it), without the
        portals in `exclude` (they keep serving)."""
        return config_text(self.portals, data_dir, warehouse_path, exclude, self.world)

    def write_config(
        self,
        path: str | Path,
        data_dir: str | Path | None = None,
        warehouse_path: str | Path | None = None,
        exclude: Iterable[str] = (),
    ) -> Path:
        """Write `config_text` to `path` (data dir defaults to `data` beside it), and the
        Longyan world's applications register beside it (`applications.csv`,
        sim/applications.py)."""
        path = Path(path)
        data_dir = data_dir if data_dir is not None else path.parent / "data"
        if self.kind.applications:
            write_register(path.with_name(APPLICATIONS_FILE))
        path.write_text(self.config_text(data_dir, warehouse_path, exclude), encoding="utf-8")
        return path

    def export_truth(self, path: str | Path) -> Path:
        """The ground truth with absolute sighting URLs of this server (after a portal's
        migration, as of the clock, its new URLs)."""
        return self.kind.export_truth(self.world, Path(path), self.origins, self.as_of, self.migrations)

    def stop(self) -> None:
        """Close every portal; idle keep-alive connections are reset on their next request."""
        self.stopped = True
        for server in self._servers.values():
            server.close()
            server.close_sisters()

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


def start(
    world: ServedWorld | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    as_of: date | str | None = None,
    faults: Iterable[Fault | str] = (),
) -> SimServer:
    """Serve `world` (default: `build_world()`) and return the running server."""
    return SimServer(world or build_world(), host, port, as_of, faults)
