"""Opening DuckDB files the same way everywhere: UTC session, helpers the SQL models use."""

from __future__ import annotations

import os

import duckdb
import pyarrow as pa
import pyarrow.compute as pc


def _nfkc(values: pa.Array) -> pa.Array:
    """NFKC over a whole Arrow column at once (DuckDB itself only offers NFC)."""
    return pc.utf8_normalize(values, "NFKC")


def connect(path: str | os.PathLike, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection whose timestamps are UTC and which knows `nfkc(text)`.

    The session time zone is pinned because landing times are UTC and DuckDB would
    otherwise convert them to the machine's zone when casting.
    """
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET TimeZone = 'UTC'")
    con.create_function("nfkc", _nfkc, ["VARCHAR"], "VARCHAR", type="arrow", side_effects=False)
    return con
