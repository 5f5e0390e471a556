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
"""

from __future__ import annotations

from warehouse.landing import LANDING_SCHEMA

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
    ("raw_sightings", "true", True),
    ("raw_sighting_details", "coalesce(detail_fetched, false)", False),
)


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
    old = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'raw_listings'"
    ).fetchone()[0]
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
    con.execute(
        f"DELETE FROM {table} USING state_merged AS m "
        f"WHERE {table}.portal_id = m.portal_id AND {table}.item_key = m.item_key"
    )
    columns = ", ".join([landing, *old_spans])
    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM state_merged")


def merge_rows(con, source: str, params: list | None = None) -> None:
    """Fold the landing rows of `source` (a table, or `read_parquet(?)` with `params`) into
    the state tables. Call inside the load's transaction."""
    landing = ", ".join(
        "CAST(seen_at AS TIMESTAMP) AS seen_at" if name == "seen_at" else name
        for name in LANDING_SCHEMA.names
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE state_batch AS SELECT {landing} FROM {source}", params or []
    )
    for table, keep, with_spans in STATE_TABLES:
        _merge_table(con, table, keep, with_spans)
    con.execute("DROP TABLE state_merged")
    con.execute("DROP TABLE state_batch")
