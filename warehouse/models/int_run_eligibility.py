"""int_run_eligibility: which complete full listings may withdraw sightings (docs/withdrawal.md).

A portal's complete full listings in order, each eligible unless it would withdraw more
than 10% of the sightings listed before it (then quarantined) or an operator rejected it;
quarantined listings become eligible when enough of them in a row confirm the same missing
sightings (cfg_settings.quarantine_release_listings) or an operator approves one (the latest
decision of a portal run in state.raw_quarantine_decisions). Computed over arrays in
`warehouse.components.run_eligibility`. Published beside the models that read it.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from warehouse.components import run_eligibility

GRAIN = "one row per complete full listing (portal × run) with status ok"
MATERIALIZED = "table"
INPUTS = ("stg_runs", "stg_sightings", "state.raw_quarantine_decisions", "cfg_settings")


def build(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The eligibility of every complete full listing, from the runs and the sightings' spans."""
    runs = con.sql(
        "SELECT portal_id, run_id, started_at FROM stg_runs WHERE mode = 'full' AND status = 'ok' AND is_complete"
    ).to_arrow_table()
    spans = con.sql(
        "SELECT portal_id, first_run_id, last_run_id, count(*) AS n FROM stg_sightings GROUP BY ALL"
    ).to_arrow_table()
    decisions = con.sql(
        "SELECT portal_id, run_id, arg_max(decision, seq) AS decision FROM state.raw_quarantine_decisions GROUP BY ALL"
    ).to_arrow_table()
    [(release_listings,)] = con.sql("SELECT quarantine_release_listings FROM cfg_settings").fetchall()
    return run_eligibility(runs, spans, decisions, release_listings)
