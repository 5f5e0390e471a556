"""The figures' history (fct_totals_history) and the guard on a falling held figure
(rpt_held_drops): every published night's totals kept across rebuilds of the published file,
each night once, and a night whose held figure fell by more than the configured share named.

Worked by hand: the small world of tests/helpers/warehouse.py, the city bureau's portal and
the province platform listing three 2013 documents of the city bureau (IDX-1 on both).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers.warehouse import PORTALS, land, listing, load_and_build, night, query

REMOVED, OTHER = "ly-aic-xxgk", "fj-gov"
PUBLISHER = "龙岩市工商行政管理局"
DAYS = {day: date(2013, 1, day) for day in range(5, 12)}


def rows(portal_id: str, keys_and_index: dict[str, str], day: date) -> list[dict]:
    seen = night(day)[1]
    return [
        listing(
            portal_id,
            key,
            seen,
            index_no=index,
            title=f"文件{index}",
            publisher_name=PUBLISHER,
            published_date=date(2013, 1, 1),
        )
        for key, index in keys_and_index.items()
    ]


def land_night(tmp_path, day: int) -> str:
    """Both portals list their items on `day`: IDX-1, IDX-2 on the city portal, IDX-1, IDX-3 on
    the province platform: three documents of the city bureau."""
    land(tmp_path, DAYS[day], REMOVED, rows(REMOVED, {"d1": "IDX-1", "d2": "IDX-2"}, DAYS[day]))
    return land(tmp_path, DAYS[day], OTHER, rows(OTHER, {"g1": "IDX-1", "g3": "IDX-3"}, DAYS[day]))


def history(published) -> list[tuple]:
    return query(
        published,
        "SELECT run_id, held FROM fct_totals_history WHERE system_id = 'ly-aic' AND level = 'all' "
        "AND year = 2013 ORDER BY run_id",
    )


def test_every_published_night_is_kept_once_across_rebuilds(tmp_path):
    first = land_night(tmp_path, 5)
    published, _ = load_and_build(tmp_path)
    assert history(published) == [(first, 3)]
    second = land_night(tmp_path, 6)
    load_and_build(tmp_path)
    load_and_build(tmp_path)  # the same night built again: replaced, not repeated
    assert history(published) == [(first, 3), (second, 3)]
    # the history's rows of a night are that night's fct_totals, every system, level and year
    assert query(published, "SELECT count(*) FROM fct_totals_history WHERE run_id = ?", [second]) == query(
        published, "SELECT count(*) FROM fct_totals"
    )


def test_a_history_starts_over_only_without_a_published_file(tmp_path):
    first = land_night(tmp_path, 5)
    published, _ = load_and_build(tmp_path)
    published.unlink()
    second = land_night(tmp_path, 6)
    load_and_build(tmp_path)
    assert [run for run, _ in history(published)] == [second]
    assert first != second


@pytest.mark.parametrize(("share", "warned"), [(0.1, True), (0.7, False)])
def test_a_held_figure_falling_past_the_share_is_named(tmp_path, share, warned):
    first = land_night(tmp_path, 5)
    published, result = load_and_build(tmp_path, max_held_drop=share)
    assert result.held_drops == []
    # the city portal leaves the config: IDX-2 (only it listed) stops counting the next day
    land(tmp_path, DAYS[6], OTHER, rows(OTHER, {"g1": "IDX-1", "g3": "IDX-3"}, DAYS[6]))
    second = night(DAYS[6])[0]
    without = [portal for portal in PORTALS if portal["id"] != REMOVED]
    published, result = load_and_build(tmp_path, portals=without, max_held_drop=share)
    assert history(published) == [(first, 3), (second, 2)]
    drops = {(d["system_id"], d["level"], d["year"]): (d["previous_held"], d["held"]) for d in result.held_drops}
    # 3 -> 2 is a fall of 1/3: past 10 %, within 70 %; every system above the city bureau
    # (its own, the province's) and both its levels' rows (all, city) fall alike
    expected = {(system, level, 2013): (3, 2) for system in ("ly-aic", "fj-aic") for level in ("all", "city")}
    assert drops == (expected if warned else {})
    if warned:
        assert {d["previous_run_id"] for d in result.held_drops} == {first}
        assert {round(d["drop_share"], 4) for d in result.held_drops} == {round(1 / 3, 4)}
