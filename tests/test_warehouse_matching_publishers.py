"""Publisher names resolved conservatively (docs/matching.md, Publisher resolution): exact,
then normalized (width, traditional characters, 机关/本级), then a missing 省/市/县/区, each
only when it finds exactly one unit; never by prefix. Hand-made landing rows on the small
world of tests/helpers/warehouse.py, built into a real DuckDB file."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers.warehouse import PORTALS, UNITS, land, listing, load_and_build, night, query
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


#: two departments of the city bureau, configured without aliases: 办公室 and 市场处
OFFICES = [
    {"id": "ly-bgs", "name": "龙岩市工商行政管理局办公室", "level": "city", "region": "350800", "parent": "ly-aic",
     "aliases": []},
    {"id": "ly-scc", "name": "龙岩市工商行政管理局市场处", "level": "city", "region": "350800", "parent": "ly-aic",
     "aliases": []},
]  # fmt: skip
#: unit -> (its names and aliases, the places above it, top first: its province, its city)
PLACED = {
    "fj-aic": (["福建省工商行政管理局", "福建省工商局"], []),
    "ly-aic": (["龙岩市工商行政管理局", "龙岩市工商局"], ["福建省"]),
    "xl-aic": (["新罗区工商行政管理局", "新罗工商分局"], ["福建省", "龙岩市"]),
    "ct-aic": (["长汀县工商行政管理局"], ["福建省", "龙岩市"]),
}
#: department -> its short name behind its bureau's (ly-aic's) names
DEPARTMENTS = {"ly-bgs": "办公室", "ly-scc": "市场处", "ly-scgf": "市场规范管理科"}
#: how a department is printed behind its bureau's name
BEHIND = ["（{}）", "({})", " {}", "\u3000{}", "{}"]
#: bodies that only start like a configured unit's name: never resolved, never the bureau
LOOKALIKES = ["龙岩市工商业联合会", "龙岩市工商行政管理局工会", "龙岩市工商局（工会）", "新罗区工商业联合会"]


@st.composite
def printed_publisher(draw) -> tuple[str, str | None]:
    """(a name as a portal prints it, the unit it must resolve to; None: no unit)."""
    kind = draw(st.sampled_from(["unit", "department", "lookalike"]))
    if kind == "unit":
        unit = draw(st.sampled_from(sorted(PLACED)))
        names, above = PLACED[unit]
        base = draw(st.sampled_from(names))
    elif kind == "department":
        unit = draw(st.sampled_from(sorted(DEPARTMENTS)))
        above = PLACED["ly-aic"][1]
        base = draw(st.sampled_from(PLACED["ly-aic"][0])) + draw(st.sampled_from(BEHIND)).format(DEPARTMENTS[unit])
    else:
        unit, above, base = None, ["福建省"], draw(st.sampled_from(LOOKALIKES))
    places = [place for place in above if draw(st.booleans())]
    gap = draw(st.sampled_from(["", " "]))
    return "".join(places) + gap + base if places else base, unit


@settings(max_examples=5, deadline=None)
@example([("福建省龙岩市工商行政管理局", "ly-aic"), ("龙岩市新罗区工商行政管理局", "xl-aic"),
          ("福建省龙岩市长汀县工商行政管理局", "ct-aic"), ("龙岩市工商局（办公室）", "ly-bgs"),
          ("龙岩市工商行政管理局 市场处", "ly-scc"), ("福建省 龙岩市工商局（市场规范管理科）", "ly-scgf"),
          ("福建省龙岩市工商业联合会", None), ("龙岩市工商局（工会）", None)])  # fmt: skip
@given(st.lists(printed_publisher(), min_size=4, max_size=16, unique_by=lambda pair: pair[0]))
def test_full_names_with_their_places_and_departments_behind_their_bureau_resolve(printed):
    # a unit's full name with its province and city in front, or a department's short name in
    # brackets or after a space behind its bureau's name (short or full), resolves to exactly
    # that unit; a body that only starts like one resolves to none
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        rows = [
            listing("fj-gov", f"g{number}", SEEN, index_no=f"G-{number}", title=f"通知{number}", publisher_name=name)
            for number, (name, _) in enumerate(printed)
        ]
        land(data, D1, "fj-gov", rows)
        published, _ = load_and_build(data, units=UNITS + DEPARTMENT + OFFICES)
        units = dict(query(published, "SELECT publisher_name, unit_id FROM fct_sightings"))
    assert units == dict(printed)


def test_the_province_in_front_comes_from_the_region_code_when_no_province_unit_is_configured(tmp_path):
    # a config of the city bureau alone (no province unit): its region code 350800 is in 福建省
    city = [{**UNITS[1], "parent": None}]
    names = ["福建省龙岩市工商行政管理局", "福建省龙岩市工商局", "浙江省龙岩市工商局"]
    rows = [
        listing("fj-gov", f"g{number}", SEEN, index_no=f"G-{number}", title=f"通知{number}", publisher_name=name)
        for number, name in enumerate(names)
    ]
    land(tmp_path, D1, "fj-gov", rows)
    portals = [portal for portal in PORTALS if portal["unit"] in (None, "ly-aic")]
    published, _ = load_and_build(tmp_path, units=city, portals=portals)
    assert dict(query(published, "SELECT publisher_name, unit_id FROM fct_sightings")) == {
        "福建省龙岩市工商行政管理局": "ly-aic",
        "福建省龙岩市工商局": "ly-aic",
        "浙江省龙岩市工商局": None,
    }
