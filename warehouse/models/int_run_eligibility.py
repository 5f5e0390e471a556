"""int_run_eligibility: which complete full listings may withdraw sightings (docs/withdrawal.md).

A portal's complete full listings in order, each eligible unless it would withdraw more
than 10% of the sightings listed before it (then quarantined); computed over arrays in
`warehouse.components.run_eligibility`. Published beside the models that read it.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from warehouse.components import run_eligibility

GRAIN = "one row per complete full listing (portal × run) with status ok"
MATERIALIZED = "table"
INPUTS = ("stg_runs", "int_listing_spans")


def build(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The eligibility of every complete full listing, from the runs and the sightings' spans."""
    runs = con.sql(
        "SELECT portal_id, run_id, started_at FROM stg_runs "
        "WHERE mode = 'full' AND status = 'ok' AND is_complete"
    ).to_arrow_table()
    spans = con.sql(
        "SELECT portal_id, first_run_id, last_run_id, count(*) AS n FROM int_listing_spans "
        "GROUP BY ALL"
    ).to_arrow_table()
    return run_eligibility(runs, spans)
