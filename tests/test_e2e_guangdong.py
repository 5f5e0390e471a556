"""End to end on the simulated Guangdong world: gkmlpt (city and county), the Hanweb 信息公开
search and a gov.cn-style central portal, harvested by `xxgk sync` and counted by `xxgk
totals`, against the world's ground truth, exactly.

Real gkmlpt, gov.cn and Hanweb search responses cannot be fetched from where this is built:
the sim serves what public crawlers document of them (docs/platforms.md, docs/sim.md).
Cross-family dedup: a city document on gkmlpt, on the central portal (govcn) and on its
department's TRS site counts once, with one sighting per portal. What is expected comes from
the world's truth (`truth.rows`, `GdDoc.portals`), never from a harvest's output.
"""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import urlsplit

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from sim import truth
from sim.registry import build_world
from sim.server import start
from sim.vocab import OFFICIAL_GENRES

SYSTEM, YEAR = "gd-yh", 2012
SYSTEM_UNITS = {"gd-yh", "gd-yh-bgs", "gd-yh-fgj", "gd-dj", "gd-xl"}
runner = CliRunner()


def truth_figures(world) -> dict:
    """held / official_held / new / fulltext_held per level, and the city's new topics."""
    year_end = date(YEAR, 12, 31)
    figures: dict = {"held": {}, "official_held": {}, "new": {}, "fulltext_held": {}, "topic": {}}
    for doc in truth.rows(world):
        published = date.fromisoformat(doc["published_date"])
        if doc["unit_id"] not in SYSTEM_UNITS or published > year_end:
            continue
        official = doc["genre"] in OFFICIAL_GENRES if doc["genre"] else bool(doc["doc_no"])
        for level in ("all", doc["level"]):
            for measure, add in (
                ("held", 1),
                ("official_held", official),
                ("fulltext_held", doc["has_full_text"]),
                ("new", published.year == YEAR),
            ):
                figures[measure][level] = figures[measure].get(level, 0) + add
        if published.year == YEAR and doc["level"] == "city":
            figures["topic"][doc["topic"]] = figures["topic"].get(doc["topic"], 0) + 1
    return figures


@pytest.fixture(scope="module")
def night(prefect_harness, tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-gd")
    world = build_world("guangdong")
    with start(world, port=0) as sim:
        config = sim.write_config(folder / "xxgk.toml")
        text = re.sub(r"(?m)^retry_delay = .*$", "retry_delay = 0", config.read_text(encoding="utf-8"))
        config.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["sync", "--config", str(config)], terminal_width=200, catch_exceptions=False)
        totals = runner.invoke(
            app,
            ["totals", "--config", str(config), "--system", SYSTEM, "--year", str(YEAR), "--json"],
            catch_exceptions=False,
        )
        yield world, config, result, totals


def test_every_portal_harvests_ok(night) -> None:
    world, _, result, _ = night
    assert result.exit_code == 0, result.output
    for portal in world.portals:
        line = next(line for line in result.output.splitlines() if f" {portal.id} " in line)
        assert " ok " in line, line


def test_figures_equal_the_ground_truth(night) -> None:
    world, _, _, totals = night
    assert totals.exit_code == 0, totals.output
    got = json.loads(totals.output)
    want = truth_figures(world)
    for measure in ("held", "official_held", "new", "fulltext_held"):
        for level, expected in want[measure].items():
            assert got["levels"][level][measure] == expected, (measure, level)
    city_topics = {k: v for k, v in got["categories"]["city"]["topic"].items() if v}
    assert city_topics == want["topic"]


def test_a_document_on_gkmlpt_and_on_the_central_portal_is_one_document(night) -> None:
    world, config, _, _ = night
    from flows.config.load import load_config

    both = [d for d in world.docs if {"gd-yh-gkmlpt", "govcn-central"} <= set(d.portals)]
    assert both
    with duckdb.connect(str(load_config(config).warehouse.path), read_only=True) as con:
        for doc in both:
            portals = con.execute(
                "SELECT count(DISTINCT doc_id), list(DISTINCT portal_id ORDER BY portal_id) "
                "FROM fct_sightings WHERE index_no = ?",
                [doc.index_no],
            ).fetchone()
            assert portals == (1, sorted(doc.portals)), doc.title


def test_a_document_on_gkmlpt_and_on_the_trs_site_is_one_document_with_both_sightings(night) -> None:
    world, config, _, _ = night
    from flows.config.load import load_config

    want = {
        row["index_no"]: {(s["portal_id"], s["url"]) for s in row["sightings"]}
        for row in truth.rows(world)
        if {"gd-yh-gkmlpt", "gd-yh-fgj-site"} <= {s["portal_id"] for s in row["sightings"]}
    }
    assert len(want) == 21  # every document of 粤海市发展和改革局 (every third city document)
    assert sum(len(s) == 3 for s in want.values()) == 3  # n = 14, 35, 56: on govcn as well
    with duckdb.connect(str(load_config(config).warehouse.path), read_only=True) as con:
        for index_no, sightings in want.items():
            docs = con.execute("SELECT doc_id FROM fct_documents WHERE index_no = ?", [index_no]).fetchall()
            assert len(docs) == 1, index_no
            got = con.execute("SELECT portal_id, url FROM fct_sightings WHERE doc_id = ?", [docs[0][0]]).fetchall()
            assert {(p, urlsplit(u).path) for p, u in got} == sightings, index_no
