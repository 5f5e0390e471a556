"""int_title_runs: the date runs of the title rule (docs/matching.md), computed over arrays
in `warehouse.components.linked_runs`.

Per unit and title key that a sighting without index_no holds, the distinct published dates
are cut into runs by single linkage: a date at most `TITLE_WINDOW_DAYS` after the previous
one is in its run, a later one opens the next. So a date added later never cuts a run: it
joins one, or links two into one. A run is named by its first date, which does not depend
on the order of the rows. (int_match_groups refuses a run spanning more than 7 days.) The
same runs are a gaps-and-islands window in SQL; over arrays they
cost a little less CPU (docs/matching.md).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from warehouse.components import linked_runs

#: A date at most this many days after the previous date of its unit and title is in its run.
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
    first_days = linked_runs(
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
