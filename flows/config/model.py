"""The typed model of `xxgk.toml`: warehouse, harvest, units and portals, each field with its
type, default and the checks one entry can make on its own (flows/config/load.py reads a file
into it; flows/config/checks.py holds the checks across entries)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from connectors.families.checks import MAX_UNREADABLE_SHARE
from connectors.families.options import option_problems
from connectors.http.hosts import host_pattern
from warehouse.db import memory_bytes
from warehouse.state import ATTEMPT_ROWS_KEPT

#: The least memory the build may be given (`[warehouse] memory_limit`): its largest single
#: steps cannot all spill to disk.
MIN_BUILD_MEMORY = 256 * 2**20
#: `[warehouse] memory_limit` when the config says none: the least the build may have. The
#: load and build of a province's night spill little at this size, and DuckDB's share of the
#: night's peak stays near it (it took what it could of 2GB: a 5,000-portal night's load
#: peaked at 386 MB over its start with 2GB, 274 MB with 256MB, in the same time).
DEFAULT_MEMORY_LIMIT = "256MiB"
DEFAULT_USER_AGENT = "xxgk/0.1 (government information-disclosure catalog harvester)"

#: The longest night a config may ask for: one week (a longer one is a typo, not a plan).
MAX_NIGHT_SECONDS = 7 * 86_400

_UNIT_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)

Level = Literal["province", "city", "county"]
Platform = Literal["trs", "hanweb", "ssp", "gkmlpt", "govcn", "hanweb-xxgk", "jpaas", "generic"]
Details = Literal["new", "always", "never"]


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt key would otherwise be ignored without a word."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Warehouse(_Strict):
    """Where the published DuckDB file and the working data (landing, archive, state) live."""

    path: Path = Path("data/xxgk.duckdb")
    data_dir: Path = Path("data")
    # DuckDB's memory for the load and the build (it spills the rest to disk beside its file)
    memory_limit: str = DEFAULT_MEMORY_LIMIT

    @field_validator("memory_limit")
    @classmethod
    def _memory_size(cls, value: str) -> str:
        size = memory_bytes(value)
        if size is None:
            raise ValueError(f"{value!r} is no memory size: write a number and a unit, such as '512MB' or '2GB'")
        if size < MIN_BUILD_MEMORY:
            raise ValueError(f"{value!r} is less than the 256MB a build needs")
        return value.strip()

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
    # processes that parse pages beside the harvest threads; 0: parse in the threads, which
    # costs the least CPU (no page or row crosses a process boundary: docs/reliability.md)
    parse_processes: int = Field(0, ge=0, le=64)
    # seconds one page's parse may take; past it the page fails (with parse processes, its
    # process is killed at the deadline; in the threads it is checked when the parse ends)
    parse_timeout: float = Field(20, gt=0, le=600)
    # quarantined listings in a row, missing the same sightings, that release a quarantine
    # (docs/withdrawal.md); 0: never on its own, only an operator's approval releases one
    quarantine_release_listings: int = Field(3, ge=0, le=100)
    # days after a removed portal's last run before its sightings stop counting, measured
    # by the latest run the state database holds (docs/withdrawal.md)
    removed_portal_grace_days: int = Field(0, ge=0, le=3650)
    # the share by which a system's held figure may fall from one published night to the
    # next before the night is published with a warning and exit code 3 (docs/withdrawal.md)
    max_held_drop: float = Field(0.1, ge=0, le=1)
    # detail debt (docs/reliability.md): per portal and night, owed detail pages are asked
    # for again for at most this many seconds, as many as per_host_delay allows in them (and
    # at most detail_debt_requests, when set); given up after this many failed attempts (at
    # most the failed attempts the state database keeps of a page)
    detail_debt_seconds: float = Field(600, ge=0, le=86_400)
    detail_debt_requests: int | None = Field(None, ge=0, le=100_000)
    detail_debt_max_attempts: int = Field(8, ge=1, le=ATTEMPT_ROWS_KEPT)
    # the share of a listing page's rows that may be unreadable (no link, date or title)
    # before the portal's run fails as a changed layout (docs/reliability.md)
    max_unreadable_share: float = Field(MAX_UNREADABLE_SHARE, ge=0, le=1)
    # seconds (or a duration: "6h", "1h30m") after its start past which a night stops
    # harvesting, publishes what it has and marks the rest failed (docs/reliability.md)
    night_deadline: float = Field(6 * 3_600, gt=0, le=MAX_NIGHT_SECONDS)

    @field_validator("night_deadline", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        """A number of seconds, or a duration written with d, h, m and s parts."""
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("quarantine_release_listings")
    @classmethod
    def _release_is_a_confirmation(cls, value: int) -> int:
        """One listing cannot confirm itself: 1 would release every quarantine at once."""
        if value == 1:
            raise ValueError("1 would release every quarantine at once; use 2 or more, or 0 for never")
        return value


def parse_duration(text: str) -> float:
    """Seconds of `text`: a plain number ("3600", "90.5") or parts of days, hours, minutes
    and seconds in any order ("6h", "1h30m", "2d 4h", "45S"); ValueError saying what is
    accepted for anything else."""
    stripped = text.strip()
    try:
        return float(stripped)
    except ValueError:
        pass
    parts = list(_DURATION.finditer(stripped))
    units = [match.group(2).lower() for match in parts]
    whole = "".join(match.group(0) for match in parts).strip() == stripped
    if not parts or not whole or len(set(units)) != len(units):
        raise ValueError(f"{text!r} is not a duration: seconds, or parts like 6h, 1h30m, 2d 4h, 45s")
    return float(sum(float(match.group(1)) * _UNIT_SECONDS[unit] for match, unit in zip(parts, units, strict=True)))


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

    @field_validator("options")
    @classmethod
    def _usable_options(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        """Selectors that parse, and a generic portal's rows and pager (each problem names its option)."""
        problems = option_problems(str(info.data.get("platform", "")), value)
        if problems:
            raise ValueError("; ".join(problems))
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
