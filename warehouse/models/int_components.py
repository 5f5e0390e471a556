"""int_components: the connected components of the sightings without index_no over their
match groups that are not refused (docs/matching.md), computed over arrays in
`warehouse.components`.

A component is labelled by its smallest sighting_id; int_component_keys gives it its key.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from warehouse.components import free_components

GRAIN = "one row per sighting without index_no that is in a match group"
MATERIALIZED = "temp"
INPUTS = ("int_match_groups",)


def build(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Each such sighting with the component it belongs to."""
    groups = con.sql(
        "SELECT group_key, sighting_id FROM int_match_groups WHERE index_no IS NULL AND refusal IS NULL"
    ).to_arrow_table()
    return free_components(groups)
