"""The small landing world the warehouse tests share: four units, five portals, and the
helpers that land rows exactly as the flows do, load them and build.

Rows are written through `write_landing`, loaded into a real DuckDB state file under the
test's tmp_path and built; nothing is mocked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from warehouse.build import build
from warehouse.landing import write_landing
from warehouse.load import load

#: The metadata fields of a listing, in the order of connectors.records.FIELDS.
FIELDS = (
    "title",
    "index_no",
    "doc_no",
    "publisher_name",
    "published_date",
    "written_date",
    "topic",
    "function",
    "audience",
    "genre",
    "validity",
    "disclosure",
)

#: A province bureau, a city bureau below it, and two county bureaus below the city.
UNITS = [
    {
        "id": "fj-aic",
        "name": "福建省工商行政管理局",
        "level": "province",
        "region": "350000",
        "parent": None,
        "aliases": ["福建省工商局"],
    },
    {
        "id": "ly-aic",
        "name": "龙岩市工商行政管理局",
        "level": "city",
        "region": "350800",
        "parent": "fj-aic",
        "aliases": ["龙岩市工商局"],
    },
    {
        "id": "xl-aic",
        "name": "新罗区工商行政管理局",
        "level": "county",
        "region": "350802",
        "parent": "ly-aic",
        "aliases": ["新罗工商分局"],
    },
    {
        "id": "ct-aic",
        "name": "长汀县工商行政管理局",
        "level": "county",
        "region": "350821",
        "parent": "ly-aic",
        "aliases": [],
    },
]

#: Each bureau's own portal, and the province government portal that lists many units.
PORTALS = [
    {
        "id": "fj-gov",
        "name": "福建省政府信息公开",
        "level": "province",
        "region": "350000",
        "platform": "ssp",
        "url": "http://fj.example/",
        "unit": None,
        "details": "new",
    },
    {
        "id": "fj-aic-xxgk",
        "name": "福建省工商局信息公开",
        "level": "province",
        "region": "350000",
        "platform": "trs",
        "url": "http://fjaic.example/",
        "unit": "fj-aic",
        "details": "new",
    },
    {
        "id": "ly-aic-xxgk",
        "name": "龙岩市工商局信息公开",
        "level": "city",
        "region": "350800",
        "platform": "trs",
        "url": "http://ly.example/",
        "unit": "ly-aic",
        "details": "new",
    },
    {
        "id": "xl-aic-xxgk",
        "name": "新罗区工商局信息公开",
        "level": "county",
        "region": "350802",
        "platform": "hanweb",
        "url": "http://xl.example/",
        "unit": "xl-aic",
        "details": "new",
    },
    {
        "id": "ct-aic-xxgk",
        "name": "长汀县工商局信息公开",
        "level": "county",
        "region": "350821",
        "platform": "hanweb",
        "url": "http://ct.example/",
        "unit": "ct-aic",
        "details": "new",
    },
]


def night(day: date, hour: int = 2) -> tuple[str, datetime]:
    """The run_id and start time (02:00 UTC unless told) of the harvest on `day`."""
    started = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return started.strftime("%Y%m%dT%H%M%SZ"), started


def listing(portal_id: str, item_key: str, seen_at: datetime, detail: bool = True, **fields) -> dict:
    """One landing row as `dataclasses.asdict(Listing)` gives it; `fields` set the metadata.

    A row with a detail page gets has_body True and no attachments unless told otherwise.
    """
    row = {
        "portal_id": portal_id,
        "item_key": item_key,
        "url": f"http://{portal_id}.example/{item_key}.html",
        "list_url": f"http://{portal_id}.example/index.html",
        "page_no": 0,
        "row_no": 0,
        "seen_at": seen_at,
        "listing_hash": f"{item_key}:{sorted(fields.items())}",
        "flags": None,
        "detail_fetched": detail,
        "detail_sha256": f"sha-{item_key}" if detail else None,
        "has_body": True if detail else None,
        "n_attachments": 0 if detail else None,
        "row_kind": "listing",
        "detail_attempted": detail,
        "detail_error": None,
    }
    for name in FIELDS:
        row[name] = None
        row[f"{name}_raw"] = None
    for name, value in fields.items():
        if name not in row:
            raise KeyError(name)
        row[name] = value
        if name in FIELDS:
            row[f"{name}_raw"] = str(value) if value is not None else None
    return row


def land(
    data_dir: Path,
    day: date,
    portal_id: str,
    rows: list[dict],
    mode: str = "full",
    status: str = "ok",
    complete: bool | None = None,
    hour: int = 2,
    minutes: int = 1,
) -> str:
    """Write one portal's run of `day` (rows' seen_at `minutes` after the run's start, at `hour`
    UTC: the portals of one run are harvested in turn); return run_id."""
    run_id, started = night(day, hour)
    for row in rows:
        row["seen_at"] = started + timedelta(minutes=minutes)
    if complete is None:
        complete = mode == "full" and status == "ok"
    run = {
        "portal_id": portal_id,
        "run_id": run_id,
        "mode": mode,
        "status": status,
        "reason": None if status == "ok" else "listing page 3 timed out",
        "started_at": started,
        "finished_at": started + timedelta(minutes=5),
        "pages": 1,
        "rows": len(rows),
        "advertised_total": len(rows),
        "details_fetched": len(rows),
        "requests": len(rows) + 1,
        "retries": 0,
        "bytes": 1000,
        "complete": complete,
        "errors": [] if status == "ok" else ["page 3: timeout"],
    }
    write_landing(data_dir, run_id, portal_id, rows, run)
    return run_id


def load_and_build(data_dir: Path, units: list[dict] = UNITS, portals: list[dict] = PORTALS, **settings: float):
    """Load every landing run and build the published file; return (published path, result).

    `settings` go to the build (warehouse/config_tables.py: cfg_settings)."""
    state = data_dir / "state.duckdb"
    published = data_dir / "xxgk.duckdb"
    load(state, data_dir)
    return published, build(state, published, units, portals, **settings)


def query(published: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of `sql` over the published file, read-only, as analysts read it."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def raw_count(data_dir: Path) -> int:
    """How many sightings the state database holds (raw_sightings: one row per portal × item)."""
    con = duckdb.connect(str(data_dir / "state.duckdb"), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM raw_sightings").fetchone()[0]
    finally:
        con.close()
