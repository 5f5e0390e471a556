"""The doc_id registry the build carries from the published file to the next one.

A document keeps the doc_id it was first given (docs/matching.md, "Document ids"). The
registry that says which id each sighting held lives in the published file itself, in two
tables the models write: `fct_sighting_doc_ids` (sighting -> doc_id) and `dim_doc_ids`
(every id ever issued: when, from which key, and what became of it). Before any model
runs, the build attaches the published file read-only, copies those two tables into the
temporary tables `prev_sighting_doc_ids` and `prev_doc_ids`, and detaches it; the models
read only those. The new registry is written into the new file and published with it by
the same `os.replace`, so a failed build leaves yesterday's registry where it was.

Without a published file (the first night, or a lost file), or with one written before
the registry existed, both tables are empty and every document gets the id derived from
its key (`md5(doc_key)`), the id the first night gave it if its key has not changed.
A published file that cannot be read fails the build rather than re-deriving every id.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

#: temp table -> (the published table it is copied from, its columns)
PREVIOUS = {
    "prev_sighting_doc_ids": (
        "fct_sighting_doc_ids",
        "portal_id VARCHAR, item_key VARCHAR, doc_id VARCHAR",
    ),
    "prev_doc_ids": (
        "dim_doc_ids",
        "doc_id VARCHAR, issued_run_id VARCHAR, issued_doc_key VARCHAR, current_doc_id VARCHAR, "
        "retired_run_id VARCHAR, retired_reason VARCHAR",
    ),
}


class RegistryError(RuntimeError):
    """The published file exists but its doc_id registry cannot be read."""


def _column_names(columns: str) -> str:
    """`a VARCHAR, b VARCHAR` -> `a, b`."""
    return ", ".join(column.split()[0] for column in columns.split(","))


def _copy_previous(con: duckdb.DuckDBPyConnection) -> bool:
    """Copy the registry tables of the attached `previous` file; False when it has not both."""
    found = {
        row[0]
        for row in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'previous'").fetchall()
    }
    if not all(table in found for table, _ in PREVIOUS.values()):
        return False
    for name, (table, columns) in PREVIOUS.items():
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT {_column_names(columns)} FROM previous.{table}")
    return True


def read_previous_registry(con: duckdb.DuckDBPyConnection, published: Path) -> bool:
    """Create `prev_sighting_doc_ids` and `prev_doc_ids` from the published file, or empty.

    Returns whether a registry was found. Raises `RegistryError` when the file exists but
    cannot be attached or read (move it away to have the ids derived from keys again).
    """
    copied = False
    if published.exists():
        try:
            con.execute("ATTACH ? AS previous (READ_ONLY)", [str(published)])
        except duckdb.Error as exc:
            raise RegistryError(
                f"the published file {published} cannot be opened to read its doc_id registry "
                f"({exc}); move it away to derive the ids from the documents' keys again"
            ) from exc
        try:
            copied = _copy_previous(con)
        except duckdb.Error as exc:
            raise RegistryError(f"the doc_id registry of {published} cannot be read: {exc}") from exc
        finally:
            con.execute("DETACH previous")
    if not copied:
        for name, (_, columns) in PREVIOUS.items():
            con.execute(f"CREATE TEMP TABLE {name} ({columns})")
    return copied
