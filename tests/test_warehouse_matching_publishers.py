"""Publisher names resolved conservatively (docs/matching.md, Publisher resolution): exact,
then normalized (width, traditional characters, 机关/本级), then a missing 省/市/县/区, each
only when it finds exactly one unit; never by prefix. Hand-made landing rows on the small
world of tests/helpers/warehouse.py, built into a real DuckDB file."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from helpers.warehouse import UNITS, land, listing, load_and_build, night, query

from warehouse.seed_loader import SEEDS_DIR, SeedError, declarations, read_seed

D1 = date(2013, 1, 5)
SEEN = night(D1)[1]

#: 吉林省 and 吉林市: one place name at two levels, so 吉林工商局 could be either
JILIN = [
    {"id": "jl-aic", "name": "吉林省工商行政管理局", "level": "province", "region": "220000", "parent": None,
     "aliases": ["吉林省工商局"]},
    {"id": "jlc-aic", "name": "吉林市工商行政管理局", "level": "city", "region": "220200", "parent": "jl-aic",
     "aliases": ["吉林市工商局"]},
]  # fmt: skip

#: a department of the city bureau, whose name has 范 (範 in traditional characters)
DEPARTMENT = [
    {"id": "ly-scgf", "name": "龙岩市工商行政管理局市场规范管理科", "level": "city", "region": "350800",
     "parent": "ly-aic", "aliases": []},
]  # fmt: skip

#: printed name -> (the unit it must resolve to, the rule; None: not resolved)
PRINTED = {
    "龙岩市工商局": ("ly-aic", "exact"),
    "龙岩市　工商局": ("ly-aic", "exact"),  # a full-width space
    "龍巖市工商行政管理局": ("ly-aic", "normalized"),  # traditional characters
    "龙岩市工商局机关": ("ly-aic", "normalized"),
    "龙岩市工商局局机关": ("ly-aic", "normalized"),  # the bureau's 局 said twice: 局 + 局机关
    "龍巖市工商行政管理局市場規範管理科": ("ly-scgf", "normalized"),  # 範 is 范
    "龙岩市工商局（本级）": ("ly-aic", "normalized"),
    "龙岩工商局": ("ly-aic", "missing_level"),  # 龙岩市工商局 without 市
    "龍巖工商行政管理局": ("ly-aic", "missing_level"),
    "新罗区工商分局": ("xl-aic", "missing_level"),  # the alias 新罗工商分局 lacks the 区
    "龙岩市工商业联合会": (None, "unresolved"),  # starts like 龙岩市工商…, is another body
    "龙岩县工商局": (None, "unresolved"),  # a 县 where the unit has a 市 is another unit
    "吉林工商局": (None, "ambiguous"),
}


def test_publisher_names_resolve_by_the_first_rule_that_finds_exactly_one_unit(tmp_path):
    rows = [
        listing("fj-gov", f"g{number}", SEEN, index_no=f"G-{number}", title=f"通知{number}", publisher_name=name)
        for number, name in enumerate(PRINTED)
    ]
    land(tmp_path, D1, "fj-gov", rows)
    published, _ = load_and_build(tmp_path, units=UNITS + JILIN + DEPARTMENT)
    units = dict(query(published, "SELECT publisher_name, unit_id FROM fct_sightings"))
    assert units == {name: unit for name, (unit, _) in PRINTED.items()}
    report = query(
        published,
        "SELECT publisher_name, resolution, resolved_unit_id, candidate_unit_ids, fallback_unit_id, n_sightings "
        "FROM rpt_unmatched_publishers",
    )
    expected = [
        (name, rule, unit, ["jl-aic", "jlc-aic"] if rule == "ambiguous" else None, None, 1)
        for name, (unit, rule) in PRINTED.items()
        if rule != "exact"
    ]
    assert sorted(report) == sorted(expected)


def test_an_unresolved_name_on_a_unit_portal_counts_under_the_portal_unit(tmp_path):
    land(
        tmp_path,
        D1,
        "ct-aic-xxgk",
        [listing("ct-aic-xxgk", "c1", SEEN, index_no="C-1", title="甲", publisher_name="长汀县工商业联合会")],
    )
    published, _ = load_and_build(tmp_path)
    assert query(published, "SELECT unit_id, unit_source FROM fct_sightings") == [("ct-aic", "portal")]
    assert query(published, "SELECT resolution, fallback_unit_id FROM rpt_unmatched_publishers") == [
        ("unresolved", "ct-aic")
    ]


def test_the_traditional_characters_seed_is_one_character_to_one(tmp_path):
    spec = declarations()["traditional_chars"]
    table = read_seed(SEEDS_DIR / "traditional_chars.csv", spec).to_pydict()
    pairs = dict(zip(table["traditional"], table["simplified"], strict=True))
    assert pairs["龍"] == "龙" and pairs["巖"] == "岩" and pairs["縣"] == "县" and pairs["區"] == "区"
    bad = tmp_path / "traditional_chars.csv"
    bad.write_text("traditional,simplified\n龍,龙\n龍,竜\n", encoding="utf-8")
    with pytest.raises(
        SeedError, match=r"traditional_chars.csv:3: duplicate key \(traditional='龍'\), first on line 2"
    ):
        read_seed(bad, spec)


def test_the_one_to_one_check_refuses_rows_translate_cannot_use():
    check = (SEEDS_DIR.parent / "checks" / "traditional_chars_one_to_one.sql").read_text(encoding="utf-8")
    con = duckdb.connect()
    con.execute("CREATE TABLE seed_traditional_chars (traditional VARCHAR, simplified VARCHAR)")
    con.execute("INSERT INTO seed_traditional_chars VALUES ('龍', '龙'), ('巖', '岩')")
    assert con.execute(check).fetchall() == []
    con.execute("INSERT INTO seed_traditional_chars VALUES ('區域', '区'), ('縣', '縣'), ('龙', '竜')")
    assert sorted(con.execute(check).fetchall()) == [("區域", "区"), ("縣", "縣"), ("龍", "龙")]
