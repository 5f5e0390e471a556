"""Load and validate `xxgk.toml` into typed objects.

A bad config is refused as a whole, before any request: every problem is collected into one
`ConfigError` whose lines each name the file, the entry (`portal[3] id="ly-gov"`) and the
field, so an operator fixes them all in one pass.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from connectors.families.checks import MAX_UNREADABLE_SHARE
from connectors.http.hosts import host_pattern

DEFAULT_USER_AGENT = "xxgk/0.1 (government information-disclosure catalog harvester)"

Level = Literal["province", "city", "county"]
Platform = Literal["trs", "hanweb", "ssp", "gkmlpt", "govcn", "hanweb-xxgk"]
Details = Literal["new", "always", "never"]


class ConfigError(ValueError):
    """The config file cannot be used; the message lists every problem found, one per line."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = problems
        lines = "\n".join(f"  {path}: {problem}" for problem in problems)
        super().__init__(f"invalid config {path} ({len(problems)} problem(s)):\n{lines}")


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt key would otherwise be ignored without a word."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Warehouse(_Strict):
    """Where the published DuckDB file and the working data (landing, archive, state) live."""

    path: Path = Path("data/xxgk.duckdb")
    data_dir: Path = Path("data")

    @property
    def state_path(self) -> Path:
        """The warehouse's working database (raw_ tables, loaded runs); never read by analysts."""
        return self.data_dir / "state.duckdb"


class Harvest(_Strict):
    """How politely and how often the portals are harvested."""

    concurrency: int = Field(8, ge=1, le=256)
    per_host_delay: float = Field(1.0, ge=0)
    timeout: float = Field(30, gt=0)
    full_every_days: int = Field(7, ge=1)
    user_agent: str = Field(DEFAULT_USER_AGENT, min_length=1)
    retries: int = Field(2, ge=0, le=10)  # extra attempts of a portal harvest after a transient failure
    retry_delay: float = Field(60, ge=0)  # seconds before such an attempt
    # base seconds of the jittered exponential backoff between the attempts of one request
    request_backoff: float = Field(1.0, ge=0, le=60)
    # processes that parse pages beside the harvest threads (parsing is CPU-bound and the
    # threads share one interpreter lock); None: one per core; 0: parse in the threads
    parse_processes: int | None = Field(None, ge=0, le=64)
    # seconds one page's parse may take; past it the page fails and its process is killed
    # (enforced only with parse processes; in the threads it is checked after the parse)
    parse_timeout: float = Field(20, gt=0, le=600)
    # quarantined listings in a row, missing the same sightings, that release a quarantine
    # (docs/withdrawal.md); 0: never on its own, only an operator's approval releases one
    quarantine_release_listings: int = Field(3, ge=0, le=100)
    # days after a removed portal's last run before its sightings stop counting, measured
    # by the latest run the state database holds (docs/withdrawal.md)
    removed_portal_grace_days: int = Field(0, ge=0, le=3650)
    # detail debt (docs/reliability.md): per portal and night, owed detail pages asked for
    # again at most this many times and for this many seconds; given up after this many
    # failed attempts
    detail_debt_requests: int = Field(200, ge=0, le=100_000)
    detail_debt_seconds: float = Field(120, ge=0, le=86_400)
    detail_debt_max_attempts: int = Field(8, ge=1, le=30)
    # the share of a listing page's rows that may be unreadable (no link, date or title)
    # before the portal's run fails as a changed layout (docs/reliability.md)
    max_unreadable_share: float = Field(MAX_UNREADABLE_SHARE, ge=0, le=1)

    @field_validator("quarantine_release_listings")
    @classmethod
    def _release_is_a_confirmation(cls, value: int) -> int:
        """One listing cannot confirm itself: 1 would release every quarantine at once."""
        if value == 1:
            raise ValueError("1 would release every quarantine at once; use 2 or more, or 0 for never")
        return value


class Unit(_Strict):
    """An issuing unit (发布机构) that totals are counted for."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    level: Level
    region: str | None = None
    parent: str | None = None
    aliases: list[str] = []


class Portal(_Strict):
    """One disclosure portal: where it lives, which CMS family serves it, how to read it."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    level: Level
    region: str | None = None
    platform: Platform
    url: str
    unit: str | None = None
    details: Details = "new"
    hosts: list[str] = []  # hosts besides the url's own that the portal may send us to
    options: dict[str, str] = {}

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        """Only http(s) URLs with a host can be fetched."""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host")
        return value

    @field_validator("hosts")
    @classmethod
    def _bare_hosts(cls, value: list[str]) -> list[str]:
        """Extra hosts are host names or patterns (`*.name`, an IPv4 block; each optionally
        with a port), not URLs."""
        for host in value:
            if host_pattern(host) is not None:  # raises ValueError for a malformed pattern
                continue
            if not host or "/" in host or " " in host or urlsplit(f"//{host}").hostname is None:
                raise ValueError(f"must be host names ('www.x.gov.cn'), '*.x.gov.cn' or '127.0.3.0/24', not {host!r}")
        return value

    @property
    def url_host(self) -> str:
        """The host (with port, when given) of the portal's entry URL."""
        return urlsplit(self.url).netloc


class Config(_Strict):
    """The whole of `xxgk.toml`, with relative paths already resolved against its folder."""

    source: Path = Path("xxgk.toml")
    warehouse: Warehouse = Warehouse()
    harvest: Harvest = Harvest()
    units: list[Unit] = Field(default_factory=list, alias="unit")
    portals: list[Portal] = Field(default_factory=list, alias="portal")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def portal(self, portal_id: str) -> Portal:
        """The portal with this id; KeyError names the ids that exist."""
        for portal in self.portals:
            if portal.id == portal_id:
                return portal
        known = ", ".join(p.id for p in self.portals)
        raise KeyError(f"no portal {portal_id!r} in {self.source} (portals: {known})")

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id; KeyError names the file."""
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        raise KeyError(f"no unit {unit_id!r} in {self.source}")

    def units_as_dicts(self) -> list[dict[str, Any]]:
        """The units as plain dicts, the shape `warehouse.build` takes."""
        return [unit.model_dump() for unit in self.units]

    def portals_as_dicts(self) -> list[dict[str, Any]]:
        """The portals as plain dicts, the shape `warehouse.build` takes."""
        return [portal.model_dump() for portal in self.portals]


def load_config(path: Path | str) -> Config:
    """Read, validate and resolve a config file; raise one `ConfigError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"cannot be read: {exc}"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None  # the message has line and column
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path | str = "xxgk.toml") -> Config:
    """Validate an already-parsed TOML document as if it were read from `path`."""
    path = Path(path)
    if "source" in raw:  # `source` is set by the loader, never by the file
        raise ConfigError(path, ["top level: field 'source': unknown key (misspelt?)"])
    try:
        config = Config.model_validate({**raw, "source": path})
    except ValidationError as exc:
        raise ConfigError(path, [_describe(error, raw) for error in exc.errors()]) from None
    problems = _cross_checks(config)
    if problems:
        raise ConfigError(path, problems)
    return _resolve_paths(config, path.resolve().parent)


def _describe(error: Any, raw: dict[str, Any]) -> str:
    """Turn one pydantic error into `entry: field 'x': message`, naming array entries by id."""
    loc = list(error["loc"])
    entry = "top level"
    if loc and loc[0] in ("unit", "portal") and len(loc) >= 2 and isinstance(loc[1], int):
        entry = _entry_name(loc[0], loc[1], raw)
        loc = loc[2:]
    elif loc and loc[0] in ("warehouse", "harvest"):
        entry = f"[{loc[0]}]"
        loc = loc[1:]
    field = ".".join(str(part) for part in loc) or "(the entry itself)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (misspelt?)"
    elif error["type"] == "missing":
        message = "is required"
    elif "input" in error and error["type"] not in ("model_type", "dict_type", "list_type"):
        message = f"{message} (got {error['input']!r})"
    return f"{entry}: field '{field}': {message}"


def _entry_name(kind: str, index: int, raw: dict[str, Any]) -> str:
    """`portal[3] id="ly-gov"`: the position for the eye, the id for search."""
    entries = raw.get(kind)
    entry_id = None
    if isinstance(entries, list) and index < len(entries) and isinstance(entries[index], dict):
        entry_id = entries[index].get("id")
    return f'{kind}[{index}] id="{entry_id}"' if isinstance(entry_id, str) else f"{kind}[{index}]"


def _cross_checks(config: Config) -> list[str]:
    """What no single entry can check: unique ids, existing parents and units, no cycles."""
    problems: list[str] = []
    for kind, entries in (("unit", config.units), ("portal", config.portals)):
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            if entry.id in seen:
                problems.append(f"{kind}[{index}] id=\"{entry.id}\": field 'id': duplicate of {kind}[{seen[entry.id]}]")
            else:
                seen[entry.id] = index
    unit_ids = {unit.id for unit in config.units}
    for index, unit in enumerate(config.units):
        if unit.parent is not None and unit.parent not in unit_ids:
            problems.append(f'unit[{index}] id="{unit.id}": field \'parent\': no unit with id "{unit.parent}"')
    problems.extend(_cycles(config.units))
    for index, portal in enumerate(config.portals):
        if portal.unit is not None and portal.unit not in unit_ids:
            problems.append(f'portal[{index}] id="{portal.id}": field \'unit\': no unit with id "{portal.unit}"')
    return problems


def _cycles(units: list[Unit]) -> list[str]:
    """Report each unit whose chain of parents comes back to itself (a system must be a tree)."""
    parent_of = {unit.id: unit.parent for unit in units}
    problems = []
    for index, unit in enumerate(units):
        seen = {unit.id}
        current = unit.parent
        while current is not None and current in parent_of:
            if current == unit.id:
                chain = " -> ".join([unit.id, *_chain(parent_of, unit.id)])
                problems.append(f"unit[{index}] id=\"{unit.id}\": field 'parent': cycle {chain}")
                break
            if current in seen:  # a cycle further up; reported at its own members
                break
            seen.add(current)
            current = parent_of[current]
    return problems


def _chain(parent_of: dict[str, str | None], start: str) -> list[str]:
    """The parents of `start` up to and including `start` again."""
    chain, current = [], parent_of[start]
    while current is not None and current != start:
        chain.append(current)
        current = parent_of.get(current)
    return [*chain, start]


def _resolve_paths(config: Config, base: Path) -> Config:
    """Make the warehouse paths absolute against the config file's folder, not the shell's."""
    warehouse = config.warehouse.model_copy(
        update={"path": _absolute(config.warehouse.path, base), "data_dir": _absolute(config.warehouse.data_dir, base)}
    )
    return config.model_copy(update={"warehouse": warehouse})


def _absolute(path: Path, base: Path) -> Path:
    """`path` expanded (~) and anchored at `base` when relative."""
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()
