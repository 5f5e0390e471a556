"""Publishing is atomic and guarded by the checks: readers keep their snapshot, a failed
build leaves yesterday's file, and every check fails on the fault it is there to catch."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers.warehouse import PORTALS, UNITS, land, listing, load_and_build, night, query

from flows.config.load import ConfigError, parse_config
from warehouse.build import BuildError, run_checks, totals
from warehouse.db import connect

D1, D2 = date(2013, 1, 5), date(2013, 1, 6)


def first_night(tmp_path):
    seen = night(D1)[1]
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing("ly-aic-xxgk", "a", seen, index_no="A-1", title="甲", published_date=date(2012, 3, 1), topic="t1"),
            listing("ly-aic-xxgk", "b", seen, index_no="A-2", title="乙", published_date=date(2012, 3, 2)),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            listing(
                "fj-gov",
                "g",
                seen,
                index_no="A-1",
                title="甲",
                publisher_name="某协会",
                published_date=date(2012, 3, 1),
            ),
        ],
    )
    return load_and_build(tmp_path)[0]


def test_a_reader_keeps_its_snapshot_across_a_publish(tmp_path):
    published = first_night(tmp_path)
    reader = duckdb.connect(str(published), read_only=True)
    assert reader.execute("SELECT count(*) FROM fct_documents").fetchone()[0] == 2

    land(
        tmp_path,
        D2,
        "ly-aic-xxgk",
        [listing("ly-aic-xxgk", "c", night(D2)[1], index_no="A-3", title="丙", published_date=date(2012, 3, 3))],
    )
    load_and_build(tmp_path)
    # the open reader still sees the file it opened; a new reader sees the new one
    assert reader.execute("SELECT count(*) FROM fct_documents").fetchone()[0] == 2
    assert reader.execute("SELECT held FROM fct_totals WHERE system_id = 'ly-aic' AND level = 'all'").fetchone()[0] == 2
    reader.close()
    assert query(published, "SELECT count(*) FROM fct_documents") == [(3,)]
    assert [path.name for path in published.parent.iterdir() if "building" in path.name] == []


def test_a_failed_check_keeps_the_old_file_and_says_why(tmp_path):
    published = first_night(tmp_path)
    before = published.read_bytes()
    land(
        tmp_path,
        D2,
        "ly-aic-xxgk",
        [listing("ly-aic-xxgk", "c", night(D2)[1], index_no="A-3", title="丙", published_date=date(2012, 3, 3))],
    )
    # two units answering to one alias: publishers could not be resolved, the check refuses
    units = [
        *UNITS,
        {
            "id": "ly-aic-2",
            "name": "龙岩市工商局二",
            "level": "city",
            "region": "350800",
            "parent": None,
            "aliases": ["龙岩市工商局"],
        },
    ]
    with pytest.raises(BuildError, match="check unit_names_unambiguous failed.*龙岩市工商局"):
        load_and_build(tmp_path, units=units)
    assert published.read_bytes() == before
    assert query(published, "SELECT count(*) FROM fct_documents") == [(2,)]
    assert [path.name for path in published.parent.iterdir() if "building" in path.name] == []


def test_an_inconsistent_config_is_refused_by_the_config_not_the_build():
    # the build takes the validated config as given; flows/config/model.py is the one validator
    assert [unit.id for unit in parse_config({"unit": UNITS, "portal": PORTALS}).units] == [
        "fj-aic",
        "ly-aic",
        "xl-aic",
        "ct-aic",
    ]
    refused = {
        "parent": ([{**UNITS[0], "parent": "nowhere"}, *UNITS[1:]], PORTALS),
        "cycle": ([{**UNITS[0], "parent": "ly-aic"}, *UNITS[1:]], PORTALS),
        "unit": (UNITS, [{**PORTALS[0], "unit": "ghost"}, *PORTALS[1:]]),
    }
    problems = {}
    for case, (units, portals) in refused.items():
        with pytest.raises(ConfigError) as caught:
            parse_config({"unit": units, "portal": portals})
        problems[case] = caught.value.problems
    assert problems == {
        "parent": ['unit[0] id="fj-aic": field \'parent\': no unit with id "nowhere"'],
        "cycle": [
            "unit[0] id=\"fj-aic\": field 'parent': cycle fj-aic -> ly-aic -> fj-aic",
            "unit[1] id=\"ly-aic\": field 'parent': cycle ly-aic -> fj-aic -> ly-aic",
        ],
        "unit": ['portal[0] id="fj-gov": field \'unit\': no unit with id "ghost"'],
    }


TAMPERING = {
    "keys_unique": "INSERT INTO fct_documents SELECT * FROM fct_documents LIMIT 1",
    "sighting_in_one_document": "DELETE FROM fct_sightings WHERE item_key = 'b'",
    "one_index_no_per_document": "UPDATE fct_sightings SET index_no = 'A-9' WHERE item_key = 'g'",
    # topic 't1' is in no vocabulary: its document counts under its own label
    "category_counts_sum_to_totals": "DELETE FROM fct_category_counts WHERE category = 't1'",
    "vocabulary_mapped_or_reported": "DELETE FROM rpt_unknown_vocabulary WHERE value = 't1'",
    "vocabulary_consistent": "UPDATE dim_vocabulary SET code = 'gov-02' WHERE field = 'topic' AND value = '国防'",
    "held_not_below_new": "UPDATE fct_totals SET held = new - 1 WHERE new > 0",
    "publishers_resolved_or_listed": "DELETE FROM rpt_unmatched_publishers",
    "every_document_dated_or_listed": "UPDATE fct_documents SET counted_date = NULL",
}


@pytest.fixture(scope="module")
def first_night_published(tmp_path_factory) -> Path:
    """The first night's published file, built once for the checks' tests: each tampers with
    a copy of its own."""
    return first_night(tmp_path_factory.mktemp("first-night"))


@pytest.mark.parametrize("check", sorted(TAMPERING))
def test_each_check_catches_its_fault(first_night_published, tmp_path, check):
    copy = tmp_path / "tampered.duckdb"
    shutil.copy(first_night_published, copy)
    con = connect(copy)
    try:
        run_checks(con, {})  # the published file passes every check
        con.execute(TAMPERING[check])
        with pytest.raises(BuildError, match=f"check {check} failed"):
            run_checks(con, {})
    finally:
        con.close()


def test_an_empty_warehouse_builds_and_counts_zero(tmp_path):
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 0
    assert totals(published, "ly-aic", 2012) == {
        "system": "ly-aic",
        "year": 2012,
        "levels": {"all": {"held": 0, "official_held": 0, "new": 0, "official_new": 0, "fulltext_held": 0}},
        "categories": {"all": {"topic": {}, "function": {}, "audience": {}}},
    }
    with pytest.raises(KeyError, match="not a configured unit"):
        totals(published, "nowhere", 2012)


def test_a_state_smaller_than_a_row_group_builds_on_one_thread_and_a_larger_on_all(tmp_path, monkeypatch):
    import warehouse.build

    first_night(tmp_path)  # a few sightings
    small_published, small = load_and_build(tmp_path)
    small_tables = query(small_published, "SELECT * FROM fct_totals ORDER BY ALL")
    monkeypatch.setattr(warehouse.build, "ROW_GROUP_ROWS", 1)  # the same state, as if past a row group
    large_published, large = load_and_build(tmp_path)
    with duckdb.connect() as con:
        default = con.execute("SELECT current_setting('threads')").fetchone()[0]
    assert (small.threads, large.threads) == (1, default)
    assert query(large_published, "SELECT * FROM fct_totals ORDER BY ALL") == small_tables


def test_a_portal_failing_tonight_keeps_what_it_had(tmp_path):
    published = first_night(tmp_path)
    before = query(published, "SELECT * FROM fct_totals ORDER BY ALL")
    land(tmp_path, D2, "ly-aic-xxgk", [], status="failed")
    load_and_build(tmp_path)
    assert query(published, "SELECT * FROM fct_totals ORDER BY ALL") == before
    assert query(published, "SELECT status, n_rows, reason FROM fct_portal_runs WHERE run_id = ?", [night(D2)[0]]) == [
        ("failed", 0, "listing page 3 timed out")
    ]
