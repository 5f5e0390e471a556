"""The compacted sighting state of the state database, kept by the load.

Two tables, each one row per sighting (portal × item_key), in the landing schema's columns:

- `raw_sightings`: the sighting's **latest landing row**, plus when and in which runs it
  was first and last seen (`first_seen_at`, `last_seen_at`: min and max seen_at;
  `first_run_id`, `last_run_id`: min and max run_id), what the withdrawal rules read;
- `raw_sighting_details`: its latest landing row **that fetched the detail page** (only
  sightings that ever had one), whose fields overlay the latest row's in the build.

"Latest" orders rows by seen_at, then by position (earlier page and row first: listings are
newest first), then by run_id: `RECENCY`. Each load folds its new landing rows into the two
tables (`merge_rows`, in the load's transaction): min, max and "the latest" do not depend on
the order or the grouping of the rows folded, and folding a row twice changes nothing, so
the state after any sequence of loads (runs arriving late, in one batch or one by one)
equals the state folded from every landing file at once (`warehouse.rebuild`).
The landing files stay the archive; superseded rows are not kept in the database, so the
state and the build that reads it grow with sightings, not with nights.

`raw_sightings` keeps listing rows only (`row_kind` 'listing', or NULL in older files): only
they say where and when a sighting was listed; a detail row (an owed detail page read or
tried again on a later night) counts for `raw_sighting_details` alone.

The detail debt (warehouse/portal_state.py) is the third table, `raw_detail_attempts`: the rows
whose detail page was wanted but not read (failed: `detail_attempted` with `detail_error`;
gone: `detail_gone` too; not asked: `detail_error` only) that are later than the sighting's
latest read (the `seen_at` of its `raw_sighting_details` row; every row while it has none),
at most ATTEMPT_ROWS_KEPT of each kind (requests, rows not asked): the latest. Folding is a
set union of those rows (a row folded twice is kept once) pruned of every row not later than
the latest read, then of all but the latest K of each kind: the latest read only moves
forward, so a pruned row is never needed again, and the latest K of a union are the latest K
of the latest K of its parts, so the kept rows are those of every landing row at once,
whatever the order of the loads. A sighting is owed (or gone) while it has such rows.

Columns added to the landing schema later (`LATER_COLUMNS`) are added to older state
tables, and read as NULL from older landing files and from an older `raw_listings`.
"""

from __future__ import annotations

import re

import pyarrow.parquet as pq

from warehouse.landing_schema import LANDING_SCHEMA, LATER_COLUMNS, later_columns_missing

_SQL_TYPES = {
    "string": "VARCHAR",
    "int32": "INTEGER",
    "date32[day]": "DATE",
    "bool": "BOOLEAN",
    "timestamp[us, tz=UTC]": "TIMESTAMP",
}

#: The order of a sighting's landing rows: the greatest is its latest.
RECENCY = (
    "(CAST(epoch_us(seen_at) AS HUGEINT) * 4294967296"
    " - CAST(least(greatest(page_no, 0), 65535) AS HUGEINT) * 65536"
    " - least(greatest(row_no, 0), 65535), run_id)"
)

_KEYS = ("portal_id", "item_key")
_SPANS = (
    ("first_seen_at", "TIMESTAMP", "min", "seen_at"),
    ("last_seen_at", "TIMESTAMP", "max", "seen_at"),
    ("first_run_id", "VARCHAR", "min", "run_id"),
    ("last_run_id", "VARCHAR", "max", "run_id"),
)
#: (table, which landing rows it keeps, whether it carries the spans)
STATE_TABLES = (
    ("raw_sightings", "coalesce(row_kind, 'listing') = 'listing'", True),
    ("raw_sighting_details", "coalesce(detail_fetched, false)", False),
)


#: The columns of a row of the detail debt, and which landing rows are one (a wanted detail
#: page not read).
_ATTEMPT_COLUMNS = (
    "portal_id VARCHAR, item_key VARCHAR, run_id VARCHAR, seen_at TIMESTAMP, url VARCHAR,"
    " row_kind VARCHAR, page_no INTEGER, row_no INTEGER, detail_attempted BOOLEAN,"
    " detail_error VARCHAR, listing_hash VARCHAR, detail_gone BOOLEAN"
)
_ATTEMPT_NAMES = ", ".join(part.split()[0] for part in _ATTEMPT_COLUMNS.split(","))
#: Columns of `raw_detail_attempts` added after the first state databases were made.
_LATER_ATTEMPT_COLUMNS = (("listing_hash", "VARCHAR"), ("detail_gone", "BOOLEAN"))
_UNREAD = "NOT coalesce(detail_fetched, false) AND detail_error IS NOT NULL"

#: Rows of each kind `raw_detail_attempts` keeps per sighting: the latest K requests (failed
#: or gone) and the latest K rows not asked. K is the most failed attempts a page may have
#: before it is given up (`[harvest] detail_debt_max_attempts` is at most K), so the count
#: of failed attempts is exact up to that point and the owed and given-up pages do not
#: depend on the cap.
ATTEMPT_ROWS_KEPT = 12


def _sql_type(name: str) -> str:
    return _SQL_TYPES[str(LANDING_SCHEMA.field(name).type)]


def landing_columns_sql() -> str:
    """The landing schema as an SQL column list, so the state tables cannot drift from it."""
    return ", ".join(f"{column.name} {_SQL_TYPES[str(column.type)]}" for column in LANDING_SCHEMA)


def ensure_state_schema(con) -> None:
    """Create the state tables if this state database is new; fold an older database's
    `raw_listings` (every landing row) into them once, then drop it."""
    spans = "".join(f", {name} {kind}" for name, kind, _, _ in _SPANS)
    for table, _, with_spans in STATE_TABLES:
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ({landing_columns_sql()}"
            f"{spans if with_spans else ''}, PRIMARY KEY (portal_id, item_key))"
        )
        for name in LATER_COLUMNS:  # a state database made before them
            con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {_sql_type(name)}")
    con.execute(f"CREATE TABLE IF NOT EXISTS raw_detail_attempts ({_ATTEMPT_COLUMNS})")
    for name, kind in _LATER_ATTEMPT_COLUMNS:
        con.execute(f"ALTER TABLE raw_detail_attempts ADD COLUMN IF NOT EXISTS {name} {kind}")
    old = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'raw_listings'").fetchone()[0]
    if old:
        con.execute("BEGIN TRANSACTION")
        try:
            merge_rows(con, "raw_listings")
            con.execute("DROP TABLE raw_listings")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def _merge_table(con, table: str, keep: str, with_spans: bool) -> None:
    """Fold `state_batch` into one state table: per touched sighting, the latest of its old
    row and its new rows (and the min/max spans), replacing the old row."""
    values = [name for name in LANDING_SCHEMA.names if name not in _KEYS]
    spans = [f"{how}({name}) AS {name}" for name, _, how, _ in _SPANS] if with_spans else []
    new_spans = [f"{source} AS {name}" for name, _, _, source in _SPANS] if with_spans else []
    old_spans = [name for name, _, _, _ in _SPANS] if with_spans else []
    landing = ", ".join(LANDING_SCHEMA.names)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE state_merged AS
        WITH candidates AS (
            SELECT {", ".join([landing, *old_spans])} FROM {table}
            SEMI JOIN (SELECT DISTINCT portal_id, item_key FROM state_batch WHERE {keep}) AS b
                USING (portal_id, item_key)
            UNION ALL
            SELECT {", ".join([landing, *new_spans])} FROM state_batch WHERE {keep}
        ),
        folded AS (
            SELECT portal_id, item_key,
                arg_max(struct_pack({", ".join(values)}), {RECENCY}) AS latest
                {"".join(f", {span}" for span in spans)}
            FROM candidates
            GROUP BY portal_id, item_key
        )
        SELECT portal_id, item_key, latest.* {"".join(f", {name}" for name in old_spans)}
        FROM folded
    """)
    if not _replace_whole(con, table):
        con.execute(
            f"DELETE FROM {table} USING state_merged AS m "
            f"WHERE {table}.portal_id = m.portal_id AND {table}.item_key = m.item_key"
        )
    columns = ", ".join([landing, *old_spans])
    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM state_merged")


def _replace_whole(con, table: str) -> bool:
    """When the fold replaces at least half of a table's rows (a full listing of every
    portal), put a new table of its other rows in its place instead of deleting them one by
    one: DuckDB removes deleted rows from the table's primary-key index when the
    transaction commits, which made a full night's load several times night 1's. Whether
    it did."""
    touched = con.execute("SELECT count(*) FROM state_merged").fetchone()[0]
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if total == 0 or touched * 2 < total:
        return False
    mine = "table_name = ? AND database_name = current_database() AND schema_name = 'main'"
    definition = con.execute(f"SELECT sql FROM duckdb_tables() WHERE {mine}", [table]).fetchone()[0]
    con.execute(re.sub(rf"^CREATE TABLE {table}\b", f"CREATE TABLE {table}_next", definition, count=1))
    columns = ", ".join(
        name
        for (name,) in con.execute(
            f"SELECT column_name FROM duckdb_columns() WHERE {mine} ORDER BY column_index", [table]
        ).fetchall()
    )
    con.execute(
        f"INSERT INTO {table}_next SELECT {columns} FROM {table} ANTI JOIN state_merged USING (portal_id, item_key)"
    )
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {table}_next RENAME TO {table}")
    return True


def _merge_attempts(con) -> None:
    """Fold `state_batch` into `raw_detail_attempts` (after the detail rows are folded): per
    sighting with a new wanted detail page, its old and new unread rows, once each, that are
    later than its latest read, and of those the latest ATTEMPT_ROWS_KEPT of each kind."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE state_touched AS
        SELECT DISTINCT portal_id, item_key FROM state_batch
        WHERE coalesce(detail_fetched, false) OR detail_error IS NOT NULL
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE state_merged AS
        WITH candidates AS (
            SELECT {_ATTEMPT_NAMES} FROM raw_detail_attempts
            SEMI JOIN state_touched USING (portal_id, item_key)
            UNION
            SELECT {_ATTEMPT_NAMES} FROM state_batch WHERE {_UNREAD}
        ),
        after_read AS (
            SELECT c.* FROM candidates AS c
            LEFT JOIN raw_sighting_details AS d USING (portal_id, item_key)
            WHERE d.seen_at IS NULL OR c.seen_at > d.seen_at
        ),
        ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY portal_id, item_key, coalesce(detail_attempted, false)
                ORDER BY seen_at DESC, run_id DESC, {_ATTEMPT_NAMES}
            ) AS nth
            FROM after_read
        )
        SELECT {_ATTEMPT_NAMES} FROM ranked WHERE nth <= {ATTEMPT_ROWS_KEPT}
    """)
    con.execute(
        "DELETE FROM raw_detail_attempts USING state_touched AS t "
        "WHERE raw_detail_attempts.portal_id = t.portal_id "
        "AND raw_detail_attempts.item_key = t.item_key"
    )
    con.execute(f"INSERT INTO raw_detail_attempts ({_ATTEMPT_NAMES}) SELECT {_ATTEMPT_NAMES} FROM state_merged")
    con.execute("DROP TABLE state_touched")


def _selects(con, source: str | list[str]) -> tuple[str, list]:
    """The landing rows of `source` (a table, or Parquet files) as one SELECT and its
    parameters, the columns a source lacks (`LATER_COLUMNS`: older files, an older table)
    as NULL."""
    if isinstance(source, str):
        names = {
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [source]
            ).fetchall()
        }
        groups = [(source, [], [n for n in LANDING_SCHEMA.names if n not in names])]
    else:
        by_missing: dict[tuple[str, ...], list[str]] = {}
        for path in source:
            missing = later_columns_missing(pq.read_schema(path).names) or []
            by_missing.setdefault(tuple(missing), []).append(path)
        groups = [("read_parquet(?)", [files], list(missing)) for missing, files in sorted(by_missing.items())]
    parts = []
    for table, _, missing in groups:
        columns = ", ".join(
            f"CAST(NULL AS {_sql_type(name)}) AS {name}"
            if name in missing
            else "CAST(seen_at AS TIMESTAMP) AS seen_at"
            if name == "seen_at"
            else name
            for name in LANDING_SCHEMA.names
        )
        parts.append(f"SELECT {columns} FROM {table}")
    return " UNION ALL ".join(parts), [p for _, params, _ in groups for p in params]


def merge_rows(con, source: str | list[str]) -> None:
    """Fold the landing rows of `source` (a table, or a list of Parquet files) into the
    state tables. Call inside the load's transaction."""
    select, params = _selects(con, source)
    con.execute(f"CREATE OR REPLACE TEMP TABLE state_batch AS {select}", params)
    for table, keep, with_spans in STATE_TABLES:
        _merge_table(con, table, keep, with_spans)
    _merge_attempts(con)
    con.execute("DROP TABLE state_merged")
    con.execute("DROP TABLE state_batch")
