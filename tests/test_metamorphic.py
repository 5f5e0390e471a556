"""Metamorphic tests of the warehouse over the simulated Longyan world: what the portals showed,
handed over in another order, in other pieces or in other spellings the seeds know, publishes
the same figures and the same doc_ids.

The world is harvested once (tests/helpers/demo_world.py). Its sightings, as the state
database holds them, are landed again through the landing contract (`write_landing`) into
fresh data dirs, each time changed in one way that must not matter:
- every portal's rows in another order (rows and their positions on the pages);
- each portal's listing split over two nights: half of it in an incremental run, then all of
  it in the next night's full listing;
- the same night landed and loaded twice;
- the config's portals (and units) listed in another order;
- publisher names respelled into the aliases the config gives, and classification values
  into other spellings the vocabulary seed maps onto the same code.
Each is loaded and built as the nightly run does (warehouse.load, warehouse.build) and
compared with the same world landed plainly: every row of fct_totals, fct_category_counts,
the documents' ids and fields, and which document each sighting belongs to.
"""

from __future__ import annotations

import csv
import random
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from helpers.demo_world import CONFIG

from flows.config.load import load_config
from sim.registry import build_world
from warehouse.build import build
from warehouse.landing import write_landing
from warehouse.landing_schema import LANDING_SCHEMA, RUN_KEYS
from warehouse.load import load

SEEDS = Path(__file__).resolve().parents[1] / "warehouse" / "seeds"
COLUMNS = [field.name for field in LANDING_SCHEMA]
#: what is compared: the published figures, and the documents with their ids
PUBLISHED = {
    "totals": "SELECT * FROM fct_totals ORDER BY ALL",
    "categories": "SELECT * FROM fct_category_counts ORDER BY ALL",
    "documents": (
        'SELECT doc_id, unit_id, level, title, index_no, doc_no, published_date, topic, "function", audience, '
        "genre, is_official, has_fulltext, withdrawn_date FROM fct_documents ORDER BY doc_id"
    ),
    "sightings": "SELECT portal_id, item_key, doc_id FROM fct_sightings ORDER BY ALL",
}


def rows_of(state: Path) -> tuple[dict[str, list[dict]], dict[str, dict]]:
    """(portal -> its landing rows, portal -> its run) as the state database holds them."""
    con = duckdb.connect(str(state), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        cursor = con.execute(f"SELECT {', '.join(COLUMNS)} FROM raw_sightings ORDER BY portal_id, page_no, row_no")
        names = [d[0] for d in cursor.description]
        by_portal: dict[str, list[dict]] = {}
        for row in cursor.fetchall():
            record = dict(zip(names, row, strict=True))
            by_portal.setdefault(record["portal_id"], []).append(record)
        cursor = con.execute("SELECT * FROM raw_runs")
        names = [d[0] for d in cursor.description]
        runs = {}
        for row in cursor.fetchall():
            run = dict(zip(names, row, strict=True))
            runs[run["portal_id"]] = {key: run.get(key) for key in RUN_KEYS}
    finally:
        con.close()
    return by_portal, runs


@pytest.fixture(scope="module")
def world(demo_world):
    """The harvested world's config, rows and runs (read, never written)."""
    config = load_config(demo_world / CONFIG)
    rows, runs = rows_of(config.warehouse.state_path)
    world = build_world()
    listed = sum(len(world.listing(p.id, world.default_as_of)) for p in world.portals)
    assert sum(len(r) for r in rows.values()) == listed  # every row the world lists, once
    return config, rows, runs


def night_of(run: dict, days: int, hours: int = 0) -> tuple[str, dict]:
    """The run moved `days` (and `hours`) later: its run id and run dict."""
    started = run["started_at"] + timedelta(days=days, hours=hours)
    moved = {**run, "started_at": started, "finished_at": started + timedelta(minutes=5)}
    run_id = started.strftime("%Y%m%dT%H%M%SZ")
    moved["run_id"] = run_id
    return run_id, moved


def land_night(
    data_dir: Path, rows: dict[str, list[dict]], runs: dict[str, dict], days: int = 0, hours: int = 0, **changes
) -> None:
    """Every portal's rows landed as one run `days` (and `hours`) after the harvest's."""
    for portal_id, portal_rows in rows.items():
        run_id, run = night_of(runs[portal_id], days, hours)
        run.update(changes)
        run["rows"] = len(portal_rows)
        seen = run["started_at"] + timedelta(minutes=1)
        write_landing(data_dir, run_id, portal_id, [{**r, "seen_at": seen} for r in portal_rows], run)


def published(data_dir: Path, config, units=None, portals=None) -> dict[str, list[tuple]]:
    """Load and build as the nightly run does; the compared tables."""
    state, target = data_dir / "state.duckdb", data_dir / "xxgk.duckdb"
    load(state, data_dir)
    result = build(
        state,
        target,
        units if units is not None else config.units_as_dicts(),
        portals if portals is not None else config.portals_as_dicts(),
        quarantine_release_listings=config.harvest.quarantine_release_listings,
        removed_portal_grace_days=config.harvest.removed_portal_grace_days,
    )
    assert result.n_documents > 3000
    con = duckdb.connect(str(target), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in PUBLISHED.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def plain(world, tmp_path_factory):
    """The world landed as it was harvested: one full night."""
    config, rows, runs = world
    data_dir = tmp_path_factory.mktemp("plain")
    land_night(data_dir, rows, runs)
    return published(data_dir, config)


def test_the_plain_landing_publishes_the_harvest_s_figures(world, plain):
    config, _, _ = world
    con = duckdb.connect(str(config.warehouse.path), read_only=True)
    try:
        harvested = con.execute(PUBLISHED["totals"]).fetchall()
    finally:
        con.close()
    assert plain["totals"] == harvested
    held = {(s, lv, y): h for s, lv, y, h, *_ in plain["totals"]}
    assert (held[("ly-aic", "all", 2012)], held[("ly-aic", "city", 2012)]) == (2887, 885)


def test_rows_in_another_order_change_nothing(world, plain, tmp_path):
    config, rows, runs = world
    rng = random.Random(20121231)
    shuffled = {}
    for portal_id, portal_rows in rows.items():
        order = list(portal_rows)
        rng.shuffle(order)
        shuffled[portal_id] = [{**r, "row_no": i % 20, "page_no": i // 20} for i, r in enumerate(order)]
    land_night(tmp_path, shuffled, runs)
    assert published(tmp_path, config) == plain


def test_a_listing_split_over_two_nights_changes_nothing(world, plain, tmp_path):
    config, rows, runs = world
    halves = {portal_id: portal_rows[::2] for portal_id, portal_rows in rows.items()}
    land_night(tmp_path, halves, runs, days=-1, mode="incremental", complete=False)
    land_night(tmp_path, rows, runs)
    now = published(tmp_path, config)
    assert {k: v for k, v in now.items() if k != "documents"} == {k: v for k, v in plain.items() if k != "documents"}
    assert now["documents"] == plain["documents"]


def test_a_night_landed_and_loaded_twice_changes_nothing(world, plain, tmp_path):
    config, rows, runs = world
    land_night(tmp_path, rows, runs)
    first = published(tmp_path, config)
    land_night(tmp_path, rows, runs, hours=1)  # the same night again, an hour later
    assert first == plain
    assert published(tmp_path, config) == plain


def test_portals_and_units_listed_in_another_order_change_nothing(world, plain, tmp_path):
    config, rows, runs = world
    land_night(tmp_path, rows, runs)
    reordered = published(
        tmp_path, config, units=config.units_as_dicts()[::-1], portals=config.portals_as_dicts()[::-1]
    )
    assert reordered == plain


def seed_variants() -> dict[str, str]:
    """canonical spelling -> a variant the spelling seed makes canonical again (其他 -> 其它)."""
    with (SEEDS / "vocabulary_spellings.csv").open(encoding="utf-8") as handle:
        return {row["canonical"]: row["variant"] for row in csv.DictReader(handle)}


def respell(value: str | None, rng: random.Random, by_value: dict, variants: dict[str, str], field: str) -> str | None:
    """`value` in another spelling the seeds map onto the same code, or as it was."""
    if value is None:
        return None
    others = by_value.get((field, value))
    if others and rng.random() < 0.5:
        return rng.choice(others)
    for canonical, variant in variants.items():
        if canonical in value and rng.random() < 0.5:
            return value.replace(canonical, variant)
    return value


def same_code_spellings() -> dict[tuple[str, str], list[str]]:
    """(field, code) -> the values the vocabulary seed maps onto it, for the schemes."""
    spellings: dict[tuple[str, str], list[str]] = {}
    with (SEEDS / "vocabulary.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["field"] in ("topic", "function", "audience"):
                spellings.setdefault((row["field"], row["code"]), []).append(row["value"])
    return {key: values for key, values in spellings.items() if len(values) > 1}


def test_values_respelled_as_the_seeds_and_aliases_know_them_change_nothing(world, plain, tmp_path):
    config, rows, runs = world
    aliases = {unit.name: unit.aliases for unit in config.units if unit.aliases}
    by_value = {
        (field, value): [other for other in values if other != value]
        for (field, _), values in same_code_spellings().items()
        for value in values
    }
    variants = seed_variants()
    rng = random.Random(7)
    respelled_rows, changed = {}, {"publisher_name": 0, "classification": 0}
    for portal_id, portal_rows in rows.items():
        out = []
        for row in portal_rows:
            row = dict(row)
            if row["publisher_name"] in aliases and rng.random() < 0.5:
                row["publisher_name"] = row["publisher_name_raw"] = rng.choice(aliases[row["publisher_name"]])
                changed["publisher_name"] += 1
            for field in ("topic", "function", "audience"):
                value = respell(row[field], rng, by_value, variants, field)
                if value != row[field]:
                    row[field] = row[f"{field}_raw"] = value
                    changed["classification"] += 1
            out.append(row)
        respelled_rows[portal_id] = out
    assert changed["publisher_name"] > 100 and changed["classification"] > 100, changed
    land_night(tmp_path, respelled_rows, runs)
    now = published(tmp_path, config)
    assert now["totals"] == plain["totals"]
    assert now["categories"] == plain["categories"]
    assert [d[:3] for d in now["documents"]] == [d[:3] for d in plain["documents"]]  # doc_id, unit, level
    assert now["sightings"] == plain["sightings"]
