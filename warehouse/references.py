"""Which page-archive bodies the warehouse still points at (for `xxgk gc`).

A landing row names the detail page it was read from by the body's sha256
(`detail_sha256`). The warehouse points at the body of every sighting's latest row and of its
latest detail row (the rows of the state database the published tables are built from), at
the annual-report sources the loaded report reads name (`sha256`), and at those of the
landing sets not loaded yet (they will be). The archive itself is the
connectors' (connectors/archive.py): the flows hand its keys over as plain strings.
"""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.db import connect
from warehouse.landing_sets import rel, uncompacted
from warehouse.manifest import TABLE

#: The state tables that point at archived bodies, and their pointing column.
_POINTERS = (
    ("raw_sightings", "detail_sha256"),
    ("raw_sighting_details", "detail_sha256"),
    ("raw_reported_reads", "sha256"),
)


def unreferenced(
    state_path: str | os.PathLike, data_dir: str | os.PathLike, candidates: list[str], kept: list[str]
) -> list[str]:
    """The keys among `candidates` that neither the state database nor a landing set not yet
    loaded points at, nor `kept` names (sorted). Compared in DuckDB: a million keys never
    become a Python set."""
    landing = Path(data_dir) / "landing"
    con = connect(":memory:")
    try:
        con.execute("CREATE TEMP TABLE candidate AS SELECT DISTINCT unnest(CAST(? AS VARCHAR[])) AS sha", [candidates])
        con.execute("CREATE TEMP TABLE referenced AS SELECT unnest(CAST(? AS VARCHAR[])) AS sha", [kept])
        known: set[str] = set()
        if Path(state_path).exists():
            con.execute("ATTACH ? AS state (READ_ONLY)", [str(state_path)])
            tables = {
                name
                for (name,) in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE database_name = 'state'"
                ).fetchall()
            }
            for table, column in _POINTERS:
                if table in tables:
                    con.execute(f"INSERT INTO referenced SELECT {column} FROM state.{table} WHERE {column} IS NOT NULL")
            if TABLE in tables:
                known = {marker for (marker,) in con.execute(f"SELECT DISTINCT marker FROM state.{TABLE}").fetchall()}
        new = [str(s.listings) for s in uncompacted(landing)[0] if s.listings and rel(landing, s.marker) not in known]
        if new:
            con.execute(
                "INSERT INTO referenced SELECT detail_sha256 FROM read_parquet(?, union_by_name = true) "
                "WHERE detail_sha256 IS NOT NULL",
                [new],
            )
        return [
            sha
            for (sha,) in con.execute(
                "SELECT sha FROM candidate ANTI JOIN referenced USING (sha) ORDER BY sha"
            ).fetchall()
        ]
    finally:
        con.close()
