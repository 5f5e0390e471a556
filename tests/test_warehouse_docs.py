"""warehouse/models.yml documents every public table and column, and its queries run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from helpers.warehouse import land, listing, load_and_build, night, query

import warehouse

DOCS = yaml.safe_load((Path(warehouse.__file__).parent / "models.yml").read_text(encoding="utf-8"))
PUBLIC_PREFIXES = ("dim_", "fct_", "rpt_")


def published_world(tmp_path):
    seen = night(date(2013, 1, 5))[1]
    land(
        tmp_path,
        date(2013, 1, 5),
        "ly-aic-xxgk",
        [
            listing(
                "ly-aic-xxgk",
                "a",
                seen,
                index_no="FJ00101-0203-2012-00001",
                title="甲",
                published_date=date(2012, 3, 1),
            ),
        ],
    )
    return load_and_build(tmp_path)[0]


def test_every_public_table_and_column_is_documented(tmp_path):
    published = published_world(tmp_path)
    columns = query(
        published,
        "SELECT table_name, column_name FROM information_schema.columns ORDER BY table_name, ordinal_position",
    )
    built: dict[str, list[str]] = {}
    for table, column in columns:
        if table.startswith(PUBLIC_PREFIXES):
            built.setdefault(table, []).append(column)
    documented = {table: list(entry["columns"]) for table, entry in DOCS["tables"].items()}
    assert documented == built
    assert all(entry["grain"] for entry in DOCS["tables"].values())
    assert all(all(text for text in entry["columns"].values()) for entry in DOCS["tables"].values())


def test_the_example_queries_run(tmp_path):
    published = published_world(tmp_path)
    results = [query(published, example["sql"]) for example in DOCS["queries"]]
    assert len(results) == 5
    assert results[0] == [("all", 1, 0, 1, 0, 100.0), ("city", 1, 0, 1, 0, 100.0)]
    # the one sighting is its document's origin (its portal is its unit's own), matched on index_no
    assert results[1] == [
        (
            "甲",
            date(2012, 3, 1),
            "ly-aic-xxgk",
            "http://ly-aic-xxgk.example/a.html",
            True,
            "index_no",
            date(2012, 3, 1),
            [],
        )
    ]
    assert results[2] == []  # last night's only run was ok and not quarantined
    assert results[3] == []  # its one document is dated and counted
    assert results[4] == []  # nothing waits for a release or a decision
