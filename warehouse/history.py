"""The figures' history the build carries from the published file to the next one.

Every published night's totals are kept in the published file itself (`fct_totals_history`,
one row per night × system × level × year), so a dashboard can show how a figure moved from
one night to the next. The published file is rebuilt whole every night, so before the models
run the build copies the previous file's history into the temporary table
`prev_totals_history`; the model appends tonight's figures to it. Without a published file, or
with one written before the history existed, the history starts tonight. A published file
that cannot be read fails the build (as the doc_id registry does) rather than losing history.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

#: The history's columns, as `fct_totals_history` writes them.
HISTORY_COLUMNS = (
    "run_id VARCHAR, published_at TIMESTAMPTZ, system_id VARCHAR, level VARCHAR, year BIGINT, "
    "held BIGINT, official_held BIGINT, new BIGINT, official_new BIGINT, fulltext_held BIGINT"
)


class HistoryError(RuntimeError):
    """The published file exists but its history cannot be read."""


def read_previous_history(con: duckdb.DuckDBPyConnection, published: Path) -> int:
    """Create `prev_totals_history` from the published file (empty without one); return its
    number of rows. Raises `HistoryError` when the file exists but cannot be read."""
    con.execute(f"CREATE TEMP TABLE prev_totals_history ({HISTORY_COLUMNS})")
    if not published.exists():
        return 0
    try:
        con.execute("ATTACH ? AS previous_history (READ_ONLY)", [str(published)])
    except duckdb.Error as exc:
        raise HistoryError(f"the published file {published} cannot be opened to read its history ({exc})") from exc
    try:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'previous_history' "
            "AND table_name = 'fct_totals_history'"
        ).fetchone()[0]
        if found:
            names = ", ".join(column.split()[0] for column in HISTORY_COLUMNS.split(","))
            con.execute(f"INSERT INTO prev_totals_history SELECT {names} FROM previous_history.fct_totals_history")
    except duckdb.Error as exc:
        raise HistoryError(f"the history of {published} cannot be read: {exc}") from exc
    finally:
        con.execute("DETACH previous_history")
    return con.execute("SELECT count(*) FROM prev_totals_history").fetchone()[0]
