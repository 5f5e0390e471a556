"""The same pages give the same figures and doc_ids on every run (docs/matching.md, Which value
each field takes): the small messy world served once, harvested in full with the nightly
steps into three fresh data folders, twice with the config as written and once with its
portals listed in the reverse order (so harvested in the reverse order too), each built;
every published figure, document and doc_id is the same. About a minute."""

from __future__ import annotations

import duckdb
import pytest

from flows.config.load import load_config
from flows.night.housekeeping import new_run_id
from flows.night.publish import build_warehouse
from flows.night.steps import harvest_portal, make_client
from sim.registry import build_world
from sim.server import start

PORTAL = "[[portal]]\n"
#: What a run publishes that must not depend on the order of the harvest.
PUBLISHED = {
    "totals": "SELECT * FROM fct_totals ORDER BY ALL",
    "categories": "SELECT * FROM fct_category_counts ORDER BY ALL",
    "documents": "SELECT * EXCLUDE (first_seen_at, last_seen_at) FROM fct_documents ORDER BY doc_id",
    "sightings": "SELECT portal_id, item_key, doc_id, unit_id, match_rule, is_origin FROM fct_sightings ORDER BY ALL",
    "decisions": "SELECT * FROM fct_match_decisions ORDER BY ALL",
}


def reversed_portals(config_text: str) -> str:
    """The config with its [[portal]] sections (the last tables of the file) in reverse order."""
    head, *portals = config_text.split(PORTAL)
    return head + "".join(PORTAL + section.rstrip("\n") + "\n\n" for section in reversed(portals))


def harvest_and_build(sim, folder, reverse: bool) -> tuple[dict[str, list[tuple]], list[str]]:
    """Write the world's config (its portals reversed when told), harvest every portal in the
    order of the config, build; what was published, and the config's portal order."""
    path = sim.write_config(folder / "xxgk.toml")
    if reverse:
        path.write_text(reversed_portals(path.read_text(encoding="utf-8")), encoding="utf-8")
    config = load_config(path)
    client = make_client(config.harvest, config.warehouse.data_dir)
    run_id = new_run_id()
    for portal in config.portals:
        harvest_portal(portal, client, data_dir=config.warehouse.data_dir, run_id=run_id, mode="full")
    built = build_warehouse(config)
    assert built.ok, built.reason
    with duckdb.connect(str(config.warehouse.path), read_only=True) as con:
        published = {name: con.execute(sql).fetchall() for name, sql in PUBLISHED.items()}
    return published, [portal.id for portal in config.portals]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """What the config as written, the same again and the config with its portals reversed
    published, each with its config's portal order."""
    with start(build_world("messy", small=True)) as sim:
        return [
            harvest_and_build(sim, tmp_path_factory.mktemp(name), reverse)
            for name, reverse in (("first", False), ("again", False), ("reversed", True))
        ]


def test_the_reversed_config_lists_the_same_portals_in_another_order(runs):
    (_, forward), (_, again), (_, backward) = runs
    assert again == forward and backward == list(reversed(forward)) and len(forward) > 2


@pytest.mark.parametrize("table", sorted(PUBLISHED))
def test_every_figure_and_doc_id_is_the_same_on_every_run(runs, table):
    (first, _), (again, _), (reordered, _) = runs
    assert first[table], f"{table} is empty: nothing was compared"
    assert again[table] == first[table]
    assert reordered[table] == first[table]
