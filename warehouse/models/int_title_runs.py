"""int_title_runs: the date runs of the title rule (docs/matching.md), computed over arrays
in `warehouse.components.bounded_runs`.

Per unit and title key that a sighting without index_no holds, the distinct published dates
are cut into runs spanning at most `TITLE_WINDOW_DAYS` from their first date. A run is
named by its first date, so the key does not depend on the order of the rows.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from warehouse.components import bounded_runs

#: A title run spans at most this many days from its first published date.
TITLE_WINDOW_DAYS = 3

GRAIN = "one row per unit × title key × published date that the title rule compares"
MATERIALIZED = "temp"
INPUTS = ("int_sightings",)

_DATES = """
WITH free_title_keys AS (
    SELECT DISTINCT unit_id, title_key
    FROM int_sightings
    WHERE index_no IS NULL AND unit_id IS NOT NULL AND title_key IS NOT NULL
      AND published_date IS NOT NULL
)
SELECT
    unit_id,
    title_key,
    published_date,
    dense_rank() OVER (ORDER BY unit_id, title_key) AS partition_no,
    date_diff('day', DATE '1970-01-01', published_date) AS day_no
FROM (
    SELECT DISTINCT s.unit_id, s.title_key, s.published_date
    FROM int_sightings AS s
    SEMI JOIN free_title_keys AS k ON k.unit_id = s.unit_id AND k.title_key = s.title_key
    WHERE s.published_date IS NOT NULL
)
ORDER BY partition_no, day_no
"""


def build(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Each compared (unit, title key, published date) with the first date of its run."""
    dates = con.sql(_DATES).to_arrow_table()
    first_days = bounded_runs(
        dates.column("partition_no").to_numpy(), dates.column("day_no").to_numpy(), TITLE_WINDOW_DAYS
    )
    run_start = pa.array(first_days.astype("int32"), pa.int32()).cast(pa.date32())
    return pa.table(
        {
            "unit_id": dates.column("unit_id"),
            "title_key": dates.column("title_key"),
            "published_date": dates.column("published_date"),
            "run_start": run_start,
        }
    )
