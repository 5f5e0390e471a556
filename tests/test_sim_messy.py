"""The messy profile's ground truth: its figures, worked out here from the exported truth
with the counting rules of docs/counting.md and, for the full world, by hand from the
report's figures plus the planted documents; and each planted trap as the truth states it.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from datetime import date

import pytest
from helpers.longyan import LONGYAN_UNITS, OFFICIAL

from connectors.http.hosts import allowed_hosts, check_host
from sim import truth
from sim.figures import figures_as_of
from sim.model import DEFAULT_AS_OF
from sim.registry import build_world
from sim.server import start

CITY_UNITS = {u for u in LONGYAN_UNITS if not u.endswith("-aic") or u == "ly-aic"}


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """The full messy world's truth, exported to JSON and read back."""
    path = truth.export(build_world("messy"), tmp_path_factory.mktemp("truth") / "truth.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def small_docs():
    return list(truth.rows(build_world("messy", small=True)))


def figures(docs: list[dict], year: int = 2012) -> dict[str, dict[str, int]]:
    """held / official_held / new per level of ly-aic, by the counting rules, from truth rows."""
    end = f"{year}-12-31"
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("held", "official_held", "new"), 0))
    for d in docs:
        listed = any(s["portal_id"] for s in d["sightings"])
        if d["unit_id"] not in LONGYAN_UNITS or d["disclosure"] != "主动公开" or not listed:
            continue
        if d["published_date"] > end or (d["withdrawn_on"] and d["withdrawn_on"] <= end):
            continue
        official = d["genre"] in OFFICIAL if d["genre"] else bool(d["doc_no"])
        for level in ("all", "city" if d["unit_id"] in CITY_UNITS else "county"):
            out[level]["held"] += 1
            out[level]["official_held"] += official
            out[level]["new"] += d["published_date"] >= f"{year}-01-01"
    return dict(out)


def test_full_messy_world_is_the_report_plus_the_planted_documents(docs):
    # The report's figures (docs/sim.md) plus the planted documents, all 主动公开 and new in
    # 2012: city 4 penalty decisions (3 with 文号: official), 2 annual reports (报告), the
    # re-indexed notice, the index-prefix pair (a notice; an attachment list, 其他), the
    # survey notice = 10 held, 8 official; county 3 work bulletins (其他) and 2 annual
    # reports, and 漳平's 2 work bulletins (其他) and 2 penalty decisions (no genre, no 文号)
    # on two portals = 9 held, 2 official.
    assert figures(docs) == {
        "all": {"held": 2887 + 19, "official_held": 2733 + 10, "new": 725 + 19},
        "city": {"held": 885 + 10, "official_held": 756 + 8, "new": 235 + 10},
        "county": {"held": 2002 + 9, "official_held": 1977 + 2, "new": 490 + 9},
    }


def test_truth_figures_agree_with_the_hand_count(docs, small_docs):
    for world, rows in ((build_world("messy"), docs), (build_world("messy", small=True), small_docs)):
        got = figures_as_of(world, DEFAULT_AS_OF, "ly-aic", [2012])[2012]["levels"]
        want = figures(rows)
        assert {lv: {k: got[lv][k] for k in want[lv]} for lv in want} == want


def test_small_world_keeps_a_tenth_and_every_planted_document(small_docs, docs):
    planted = {d["title"] for d in docs if d["trap"]}
    assert planted == {d["title"] for d in small_docs if d["trap"]}
    assert len(docs) // 12 < len(small_docs) < len(docs) // 8


def test_every_sighting_names_its_item_key_and_the_keys_are_unique(docs):
    keys = [(s["portal_id"], s["item_key"]) for d in docs for s in d["sightings"]]
    assert len(keys) == len(set(keys))
    assert all(s["url"].rsplit("/", 1)[1].startswith(s["item_key"] + ".") for d in docs for s in d["sightings"])


def test_reindexed_document_has_two_index_numbers(docs):
    (doc,) = [d for d in docs if d["trap"] == "reindexed"]
    shown = {s["portal_id"]: s["index_no"] for s in doc["sightings"]}
    assert shown["ly-aic-xxgk"] == doc["index_no"] and shown["ly-gov"] not in (None, doc["index_no"])


def test_two_documents_share_an_index_prefix(docs):
    pair = [d for d in docs if d["trap"] == "index-prefix"]
    assert len(pair) == 2 and pair[1]["index_no"].startswith(pair[0]["index_no"])
    assert pair[0]["title"] != pair[1]["title"] and pair[0]["published_date"] == pair[1]["published_date"]


@pytest.mark.parametrize("title", ["行政处罚决定书", "工作动态", "政府信息公开工作年度报告"])
def test_generic_titles_one_unit_several_documents_within_days(docs, title):
    by_unit = defaultdict(list)
    for d in docs:
        if d["title"] == title:
            by_unit[d["unit_id"]].append(d)
    unit, same = max(by_unit.items(), key=lambda kv: len(kv[1]))
    days = sorted(date.fromisoformat(d["published_date"]) for d in same)
    assert len(same) >= 2 and (days[-1] - days[0]).days <= 3
    assert len({d["doc_id"] for d in same}) == len(same)
    if title == "行政处罚决定书":
        assert len({d["doc_no"] for d in same}) == len(same) and None in {d["doc_no"] for d in same}


def test_prefix_trap_same_title_same_day_two_units(docs):
    pair = [d for d in docs if d["trap"] == "prefix-unit"]
    assert {d["publisher"] for d in pair} == {"龙岩市工商行政管理局", "龙岩市工商业联合会"}
    assert len({(d["title"], d["published_date"]) for d in pair}) == 1
    assert all(any(s["portal_id"] == "ly-gov" for s in d["sightings"]) for d in pair)


def test_publisher_spellings_outside_the_configured_aliases(docs):
    with start(build_world("messy", small=True)) as sim:
        config = tomllib.loads(sim.config_text("data"))
    names = {n for u in config["unit"] for n in (u["name"], *u["aliases"])}
    printed = {s["publisher"] for d in docs for s in d["sightings"]}
    odd = printed - names
    assert {"龙岩工商局", "龙岩市工商局局机关", "龍巖市工商行政管理局"} <= odd
    assert any("（" in n for n in odd) and any("(" in n for n in odd)
    parent = [
        s
        for d in docs
        if d["unit_id"] == "ly-aic-qyzc"
        for s in d["sightings"]
        if s["publisher"] == "龙岩市工商行政管理局"
    ]
    assert parent, "a department printed as its parent bureau"


def test_detail_pages_without_index_number(docs):
    gov = [s for d in docs for s in d["sightings"] if s["portal_id"] == "ly-gov"]
    hongdun = [s["index_no"] for d in docs for s in d["sightings"] if s["portal_id"] == "ly-hongdun"]
    assert sum(s["index_no"] is None for s in gov) == len(gov) - 1
    assert 0 < hongdun.count(None) < len(hongdun) / 2


def test_one_portal_shows_the_written_date(docs):
    gov = [(d, s) for d in docs for s in d["sightings"] if s["portal_id"] == "ly-gov"]
    assert all(s["listed_date"] == d["written_date"] for d, s in gov)
    assert sum(d["written_date"] != d["published_date"] for d, _ in gov) > 50


def test_config_listing_only_portal_aggregators_without_unit_and_sister_hosts():
    world = build_world("messy", small=True)
    with start(world) as sim:
        config = tomllib.loads(sim.config_text("data"))
        port = sim.origins["fj-aic-ssp"].rsplit(":", 1)[1]
    portals = {p["id"]: p for p in config["portal"]}
    assert portals["ly-zp-aic-site"]["details"] == "never"
    assert "unit" not in portals["fj-aic-ssp"] and "unit" not in portals["ly-aic-xxgk"]
    # The sister hosts listen on the platform's port: the block must name it, since a block
    # without a port allows only ports 80 and 443.
    ssp = portals["fj-aic-ssp"]
    assert ssp["hosts"] == [f"127.0.3.0/24:{port}"]
    allowed = allowed_hosts(ssp["url"], ssp["hosts"])
    sister = f"http://127.0.3.4:{port}/xxgk/zfxxgk/201203/t20120305_1.htm"
    assert check_host(sister, allowed, sister) == f"127.0.3.4:{port}"


def test_default_profile_is_untouched():
    plain, default = build_world(), build_world("longyan")
    assert [d.index_no for d in plain.base_docs] == [d.index_no for d in default.base_docs]
    assert not hasattr(plain, "reindexed") and all(not r.get("trap") for r in truth.rows(build_world(small=True)))


def test_command_line_serves_the_messy_profile_and_exports_its_truth(tmp_path):
    import subprocess
    import sys

    import pyarrow.parquet as pq

    args = ["--profile", "messy", "--small", "--write-config", str(tmp_path / "xxgk.toml")]
    args += ["--export-truth", str(tmp_path / "truth.parquet")]
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args], stdout=subprocess.PIPE, text=True)
    try:
        lines = iter(proc.stdout.readline, "")
        assert any(line.startswith("serving") for line in lines)
        table = pq.read_table(tmp_path / "truth.parquet").to_pylist()
        config = tomllib.loads((tmp_path / "xxgk.toml").read_text(encoding="utf-8"))
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
    assert {d["trap"] for d in table} >= {"generic", "reindexed", "index-prefix", "prefix-unit"}
    assert all(s["item_key"] for d in table for s in d["sightings"])
    assert {p["id"]: p["details"] for p in config["portal"]}["ly-zp-aic-site"] == "never"


def test_generic_titles_of_different_documents_on_different_portals_without_index_number(docs):
    # 漳平 publishes two 工作动态 and two 行政处罚决定书, a day apart, each on one portal: its
    # listing-only site or the city government site, neither printing an index number
    shared = [d for d in docs if d["trap"] == "generic-shared"]
    assert sorted(d["title"] for d in shared) == ["工作动态", "工作动态", "行政处罚决定书", "行政处罚决定书"]
    for title in ("工作动态", "行政处罚决定书"):
        pair = [d for d in shared if d["title"] == title]
        portals = [s["portal_id"] for d in pair for s in d["sightings"]]
        days = sorted(date.fromisoformat(d["published_date"]) for d in pair)
        assert sorted(portals) == ["ly-gov", "ly-zp-aic-site"] and (days[1] - days[0]).days == 1
        assert {d["unit_id"] for d in pair} == {"ly-zp-aic"} and not any(d["doc_no"] for d in pair)
