"""The simulated world's ground truth gives the Longyan 2012 report's figures exactly.

Figures are computed here from the exported truth with the counting rules of
docs/counting.md; the expected values are those of the Longyan City AIC 2012 annual
report (龙岩市工商行政管理局2012年度政府信息公开年度报告; docs/sim.md lists them).
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from datetime import date, timedelta

import pandas as pd
import pytest
from helpers.longyan import LONGYAN_UNITS, OFFICIAL

from sim import truth
from sim.registry import build_world

SYSTEM = LONGYAN_UNITS


@pytest.fixture(scope="module")
def world():
    return build_world()


@pytest.fixture(scope="module")
def docs(world, tmp_path_factory):
    """The truth as a test reads it: exported to JSON and loaded back."""
    path = truth.export(world, tmp_path_factory.mktemp("truth") / "truth.json")
    return json.loads(path.read_text(encoding="utf-8"))


def held(doc: dict, year: int = 2012) -> bool:
    end = f"{year}-12-31"
    return (
        doc["unit_id"] in SYSTEM
        and doc["disclosure"] == "主动公开"
        and doc["published_date"] <= end
        and not (doc["withdrawn_on"] and doc["withdrawn_on"] <= end)
    )


def official(doc: dict) -> bool:
    return doc["genre"] in OFFICIAL if doc["genre"] else bool(doc["doc_no"])


def figures(docs: list[dict], year: int = 2012) -> dict:
    out = {}
    for level in ("all", "city", "county"):
        h = [d for d in docs if held(d, year) and level in ("all", d["level"])]
        new = [d for d in h if d["published_date"].startswith(str(year))]
        out[level] = {
            "held": len(h),
            "official_held": sum(map(official, h)),
            "new": len(new),
            "fulltext_held": sum(d["has_full_text"] for d in h),
        }
    return out


def norm_index(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    for dash in "‐‑‒–—―－﹣":
        text = text.replace(dash, "-")
    return text.replace("／", "/")


def test_levels_give_the_report_figures(docs):
    got = figures(docs)
    assert got["all"] == {"held": 2887, "official_held": 2733, "new": 725, "fulltext_held": 2887}
    assert got["city"] == {"held": 885, "official_held": 756, "new": 235, "fulltext_held": 885}
    assert got["county"] == {"held": 2002, "official_held": 1977, "new": 490, "fulltext_held": 2002}


def test_city_categories_give_the_report_breakdown(docs):
    new = [d for d in docs if held(d) and d["level"] == "city" and d["published_date"].startswith("2012")]
    topic = Counter(d["topic"] or "未分类" for d in new)
    function = Counter(d["function"] or "未分类" for d in new)
    audience = Counter(d["audience"] or "未分类" for d in new)
    five = {"组织机构": 24, "规范性文件": 26, "规划计划": 23, "统计信息": 26, "工商动态及其他": 88}
    assert {k: topic[k] for k in five} == five
    assert round(100 * sum(five.values()) / len(new), 2) == 79.57
    four = {"内资企业注册": 31, "消费维权": 30, "商标广告监管": 27, "政务公开及其他综合": 69}
    assert {k: function[k] for k in four} == four
    assert round(100 * sum(four.values()) / len(new), 2) == 66.81
    assert (audience["服务企业"], audience["服务消费者"], audience["服务其他群体"]) == (46, 39, 141)
    assert round(100 * (46 + 39) / len(new), 2) == 36.17
    assert round(100 * 141 / len(new), 2) == 60.00
    assert audience["未分类"] == 9
    for counts in (topic, function, audience):
        assert sum(counts.values()) == 235


def test_parquet_export_holds_the_same_truth(world, docs, tmp_path):
    frame = pd.read_parquet(truth.export(world, tmp_path / "truth.parquet"))
    assert len(frame) == len(docs)
    held_rows = frame[
        frame["unit_id"].isin(SYSTEM)
        & (frame["disclosure"] == "主动公开")
        & (frame["published_date"] <= "2012-12-31")
        & ~(frame["withdrawn_on"].fillna("9999") <= "2012-12-31")
    ]
    assert len(held_rows) == 2887
    assert set(frame.iloc[0]["sightings"][0]) >= {"portal_id", "url", "index_no", "published"}


def test_world_is_deterministic_and_figures_hold_for_any_seed(docs):
    again = list(truth.rows(build_world()))
    assert json.loads(json.dumps(again, ensure_ascii=False)) == docs
    other = list(truth.rows(build_world(seed=7)))
    assert [d["title"] for d in other] != [d["title"] for d in docs]
    assert figures(other) == figures(docs)


def test_naive_listing_count_is_above_twice_the_truth(world):
    assert truth.naive_listing_count(world) > 2 * 2887


def test_planted_quirks_are_in_the_truth(docs):
    sightings = [(d, s) for d in docs for s in d["sightings"]]
    # Every Longyan 主动公开 document: province platform, city platform and its own site.
    for d in docs:
        if d["unit_id"] in SYSTEM and d["disclosure"] == "主动公开":
            portals = {s["portal_id"] for s in d["sightings"]}
            own = "ly-hongdun" if d["level"] == "city" else f"{d['unit_id']}-site"
            assert {"fj-aic-ssp", "ly-aic-xxgk", own} <= portals
    # Index numbers spelled differently, all normalizing to the canonical one.
    variants = {s["index_no"] for d, s in sightings if s["index_no"] != d["index_no"]}
    assert any("０" in v or "Ｘ" in v for v in variants)
    assert any(" " in v for v in variants) and any("－" in v or "–" in v for v in variants)
    assert all(norm_index(s["index_no"]) == d["index_no"] for d, s in sightings)
    # Publishers printed under aliases; a department printed by its own name.
    assert any(s["publisher"] == "龙岩市工商局" for _, s in sightings)
    assert any(s["publisher"] == "龙岩市工商局企业注册科" for _, s in sightings)
    # One document listed twice on the city platform.
    twice = [d for d in docs if Counter(s["portal_id"] for s in d["sightings"])["ly-aic-xxgk"] == 2]
    assert len(twice) == 1 and len({s["url"] for s in twice[0]["sightings"]}) == 4
    # The year-end document: 2012-12-31 at its origin, 2013-01-01 on the province platform.
    (late,) = [
        d
        for d in docs
        if d["published_date"] == "2012-12-31" and any(s["published"] == "2013-01-01" for s in d["sightings"])
    ]
    shown = {s["portal_id"]: s["published"] for s in late["sightings"]}
    assert shown["fj-aic-ssp"] == "2013-01-01" and shown["ly-aic-xxgk"] == "2012年12月31日"
    assert held(late)
    # Later documents, 依申请公开 entries, publishers outside every system.
    assert sum(d["published_date"] >= "2013-01-01" for d in docs if d["unit_id"] in SYSTEM) > 100
    assert sum(d["disclosure"] == "依申请公开" for d in docs) == 11
    outside = {d["publisher"] for d in docs if d["unit_id"] is None}
    assert "龙岩市工商业联合会" in outside and "龙岩市财政局" in outside


def test_same_titles_that_must_stay_apart(docs):
    by_title: dict[str, list[dict]] = {}
    for d in docs:
        by_title.setdefault(d["title"], []).append(d)

    # Different county bureaus, one title, within three days of each other.
    def spread(ds: list[dict]) -> timedelta:
        days = [date.fromisoformat(d["published_date"]) for d in ds]
        return max(days) - min(days)

    close = [
        ds
        for ds in by_title.values()
        if len({d["unit_id"] for d in ds}) == len(ds) >= 4
        and all(d["level"] == "county" for d in ds)
        and spread(ds) <= timedelta(days=3)
    ]
    assert len(close) >= 2
    # One unit, one title, two documents months apart, with different index numbers.
    twins = [ds for ds in by_title.values() if len(ds) == 2 and ds[0]["unit_id"] == ds[1]["unit_id"]]
    assert len(twins) >= 2
    for a, b in twins:
        gap = abs(date.fromisoformat(a["published_date"]) - date.fromisoformat(b["published_date"]))
        assert gap > timedelta(days=90) and a["index_no"] != b["index_no"]


def test_withdrawals_and_counting_traps(docs):
    later = [d for d in docs if d["withdrawn_on"] and d["withdrawn_on"] > "2012-12-31"]
    assert len(later) == 7 and all(held(d) for d in later)
    assert all(w["withdrawn_on"] > "2013-01-31" for w in later)
    during = [d for d in docs if d["withdrawn_on"] and d["withdrawn_on"] <= "2012-12-31"]
    assert during and not any(held(d) for d in during)
    written_2012 = [d for d in docs if d["written_date"] < "2013" <= d["published_date"] and d["unit_id"] in SYSTEM]
    assert written_2012 and not any(held(d) for d in written_2012)
    # Each branch of the official rule occurs among held documents.
    h = [d for d in docs if held(d)]
    assert any(d["genre"] is None and d["doc_no"] for d in h)
    assert any(d["genre"] is None and not d["doc_no"] for d in h)
    assert any(d["genre"] and d["genre"] not in OFFICIAL and d["doc_no"] for d in h)


def test_scale_copies_every_document():
    world = build_world(scale=3)
    rows = list(truth.rows(world))
    assert len(rows) == 3 * world.base_count
    assert len({r["index_no"] for r in rows}) == len(rows)
    got = figures(rows)
    assert {level: got[level]["held"] for level in got} == {"all": 3 * 2887, "city": 3 * 885, "county": 3 * 2002}
    assert got["all"]["new"] == 3 * 725
    # Only the pinned row of the 红盾网 is not repeated per copy.
    assert truth.naive_listing_count(world) == 3 * truth.naive_listing_count(build_world()) - 2
    for doc in rows[:: len(rows) // 50]:
        assert world.doc(int(doc["doc_id"][4:])).index_no == doc["index_no"]
    listed = sum(len(d["sightings"]) for d in rows if not d["withdrawn_on"])
    assert listed == truth.naive_listing_count(world, date(2099, 1, 1))
