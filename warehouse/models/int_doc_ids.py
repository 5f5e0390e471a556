"""int_doc_ids: every document's doc_id, kept from the previous build or newly issued.

A document that keeps a previous id (int_doc_id_claims.is_survivor) goes on with it. Any
other is issued `md5(doc_key)` (its first 16 hex digits), the id a first build gives it;
when that id was ever issued before, or another new document of this build takes it, the
id is `md5(doc_key || '#' || n)` for the smallest n = 1, 2, ... that is free, so no id is
ever issued twice (docs/matching.md, "Document ids").
"""

from __future__ import annotations

import hashlib

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

GRAIN = "one row per document: its doc_id and when and from which key that id was issued"
MATERIALIZED = "temp"
INPUTS = ("int_document_keys", "int_doc_id_claims", "prev_doc_ids", "stg_runs")
COLUMNS = ["doc_key", "doc_id", "is_new", "issued_run_id", "issued_doc_key"]

_ASSIGN = """
WITH survivors AS (
    SELECT doc_key, previous_doc_id FROM int_doc_id_claims WHERE is_survivor
),
documents AS (
    SELECT
        d.doc_key,
        s.previous_doc_id IS NULL AS is_new,
        coalesce(s.previous_doc_id, substr(md5(d.doc_key), 1, 16)) AS doc_id,
        coalesce(i.issued_run_id, (SELECT max(run_id) FROM stg_runs)) AS issued_run_id,
        CASE WHEN s.previous_doc_id IS NULL THEN d.doc_key ELSE i.issued_doc_key END
            AS issued_doc_key
    FROM (SELECT DISTINCT doc_key FROM int_document_keys) AS d
    LEFT JOIN survivors AS s ON s.doc_key = d.doc_key
    LEFT JOIN prev_doc_ids AS i ON i.doc_id = s.previous_doc_id
)
SELECT
    *,
    is_new AND (
        doc_id IN (SELECT doc_id FROM prev_doc_ids)
        OR doc_id IN (SELECT previous_doc_id FROM survivors)
        OR row_number() OVER (PARTITION BY doc_id ORDER BY is_new, doc_key) > 1
    ) AS is_clash
FROM documents
"""


def _md5_id(text: str) -> str:
    """The first 16 hex digits of md5, as DuckDB's `substr(md5(text), 1, 16)`."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()[:16]


def _taken(con: duckdb.DuckDBPyConnection, ids: list[str]) -> set[str]:
    """Those of `ids` ever issued before (prev_doc_ids) or given to a document tonight."""
    rows = con.execute(
        "SELECT doc_id FROM prev_doc_ids WHERE doc_id IN (SELECT unnest(?)) "
        "UNION SELECT doc_id FROM int_doc_ids_assigned "
        "WHERE NOT is_clash AND doc_id IN (SELECT unnest(?))",
        [ids, ids],
    ).fetchall()
    return {row[0] for row in rows}


def reissue(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, str]:
    """A free id for each of `keys` (documents whose md5 id is taken), in key order."""
    chosen: dict[str, str] = {}
    pending = sorted(keys)
    n = 1
    while pending:
        proposals = {key: _md5_id(f"{key}#{n}") for key in pending}
        taken = _taken(con, list(proposals.values())) | set(chosen.values())
        left = []
        for key in pending:
            if proposals[key] in taken:
                left.append(key)
            else:
                chosen[key] = proposals[key]
                taken.add(proposals[key])
        pending, n = left, n + 1
    return chosen


def build(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Each document's doc_id: kept, or issued from its key and free of every earlier id."""
    assigned = con.sql(_ASSIGN).to_arrow_table()
    if not pc.any(assigned["is_clash"]).as_py():
        return assigned.select(COLUMNS)
    con.register("int_doc_ids_assigned", assigned)
    try:
        fresh = reissue(con, assigned.filter(assigned["is_clash"])["doc_key"].to_pylist())
    finally:
        con.unregister("int_doc_ids_assigned")
    keys = pa.array(list(fresh), pa.string())
    position = pc.index_in(assigned["doc_key"], value_set=keys)
    ids = pc.if_else(pc.is_null(position), assigned["doc_id"], pc.take(pa.array(list(fresh.values())), position))
    return assigned.set_column(assigned.schema.get_field_index("doc_id"), "doc_id", ids).select(COLUMNS)
