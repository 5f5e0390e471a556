"""A portal removed from the config (docs/withdrawal.md): its sightings stop counting, as of
the day after its last run, once the grace period has run out; a document another portal
still lists stays held through that sighting; putting the portal back undoes it."""

from __future__ import annotations

from datetime import date

from helpers.warehouse import PORTALS, land, listing, load_and_build, night, query

REMOVED, OTHER = "ly-aic-xxgk", "fj-gov"
WITHOUT = [portal for portal in PORTALS if portal["id"] != REMOVED]
PUBLISHER = "龙岩市工商行政管理局"
JAN = {day: date(2013, 1, day) for day in range(5, 12)}


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


def land_world(tmp_path) -> None:
    """5 January: the city bureau's portal lists IDX-1 and IDX-2, the province portal IDX-1 and
    IDX-3; 6 January: the province portal alone."""
    land(tmp_path, JAN[5], REMOVED, rows(REMOVED, {"d1": "IDX-1", "d2": "IDX-2"}, JAN[5]))
    land(tmp_path, JAN[5], OTHER, rows(OTHER, {"g1": "IDX-1", "g3": "IDX-3"}, JAN[5]))
    land(tmp_path, JAN[6], OTHER, rows(OTHER, {"g1": "IDX-1", "g3": "IDX-3"}, JAN[6]))


def documents(published) -> dict[str, tuple]:
    return dict(
        (index, (n, when))
        for index, n, when in query(published, "SELECT index_no, n_sightings, withdrawn_date FROM fct_documents")
    )


def held_2013(published) -> int:
    return query(published, "SELECT held FROM fct_totals WHERE system_id = 'ly-aic' AND level = 'all' AND year = 2013")[
        0
    ][0]


def sightings(published) -> list[tuple]:
    return query(
        published, "SELECT portal_id, item_key, withdrawn_date, withdrawn_reason FROM fct_sightings ORDER BY ALL"
    )


def test_a_removed_portal_stops_counting_unless_another_portal_lists_the_document(tmp_path):
    land_world(tmp_path)
    published, _ = load_and_build(tmp_path)
    assert held_2013(published) == 3
    assert all(when is None for _, _, when, _ in sightings(published))

    published, _ = load_and_build(tmp_path, portals=WITHOUT)
    # the removed portal's last run started 5 January 02:00 UTC (10:00 in China): its
    # sightings are withdrawn as of 6 January, the first day nobody looked
    assert sightings(published) == [
        (OTHER, "g1", None, None),
        (OTHER, "g3", None, None),
        (REMOVED, "d1", JAN[6], "portal removed"),
        (REMOVED, "d2", JAN[6], "portal removed"),
    ]
    # IDX-1 stays held through the province portal; IDX-2 was only on the removed portal
    assert documents(published) == {"IDX-1": (2, None), "IDX-2": (1, JAN[6]), "IDX-3": (1, None)}
    assert held_2013(published) == 2
    assert query(
        published,
        "SELECT is_configured, n_sightings, n_listed_sightings, removed_date FROM dim_portals WHERE portal_id = ?",
        [REMOVED],
    ) == [(False, 2, 0, JAN[6])]

    published, _ = load_and_build(tmp_path)  # configured again: the evidence is as it was
    assert held_2013(published) == 3 and documents(published)["IDX-2"] == (1, None)


def test_the_grace_period_is_measured_by_the_harvest(tmp_path):
    land_world(tmp_path)
    # latest run 6 January 02:00, less than 3 days after the removed portal's last run
    published, _ = load_and_build(tmp_path, portals=WITHOUT, removed_portal_grace_days=3)
    assert held_2013(published) == 3
    assert query(published, "SELECT removed_date FROM dim_portals WHERE portal_id = ?", [REMOVED]) == [(None,)]

    # a run started 8 January 02:00, exactly 3 days after 5 January 02:00: the grace is over;
    # the date stays the day after the last run, not the end of the grace
    land(tmp_path, JAN[8], OTHER, rows(OTHER, {"g1": "IDX-1", "g3": "IDX-3"}, JAN[8]))
    published, _ = load_and_build(tmp_path, portals=WITHOUT, removed_portal_grace_days=3)
    assert held_2013(published) == 2
    assert documents(published)["IDX-2"] == (1, JAN[6])
