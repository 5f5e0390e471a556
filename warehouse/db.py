"""Opening DuckDB files the same way everywhere: UTC session, helpers the SQL models use."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc


def _nfkc(values: pa.Array) -> pa.Array:
    """NFKC over a whole Arrow column at once (DuckDB itself only offers NFC)."""
    return pc.utf8_normalize(values, "NFKC")


#: DuckDB's memory limit for every connection of ours (it spills to disk past it). Loading and
#: building 10M sightings in one process peaks at about 2.6 GB (bench/bench_build.py). The
#: build takes the config's `[warehouse] memory_limit` instead.
MEMORY_LIMIT = "2GB"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*$", re.I)
_UNIT = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def memory_bytes(size: str) -> int | None:
    """The bytes a memory size as DuckDB reads it names (`512MB`, `1.5GB`, `2GiB`), or None
    for anything else."""
    found = _SIZE.match(size)
    return int(float(found.group(1)) * _UNIT[found.group(2).upper()]) if found else None


def connect(
    path: str | os.PathLike, read_only: bool = False, memory_limit: str = MEMORY_LIMIT
) -> duckdb.DuckDBPyConnection:
    """A connection whose timestamps are UTC, whose memory is bounded by `memory_limit`
    (DuckDB spills what does not fit to the folder beside the file, `spill_dir`), and which
    knows `nfkc(text)`.

    The session time zone is pinned because landing times are UTC and DuckDB would
    otherwise convert them to the machine's zone when casting. Row order of bulk inserts
    and model tables carries no meaning here, so DuckDB need not preserve it. The
    allocator's background threads hand freed memory back to the system: without them the
    memory a load freed stayed with the process through the build that followed it (4.0 GB
    instead of 2.6 GB at 10M sightings).
    """
    con = duckdb.connect(
        str(path),
        read_only=read_only,
        config={
            "memory_limit": memory_limit,
            "preserve_insertion_order": False,
            "allocator_background_threads": True,
        },
    )
    con.execute("SET TimeZone = 'UTC'")
    con.create_function("nfkc", _nfkc, ["VARCHAR"], "VARCHAR", type="arrow", side_effects=False)
    return con


def spill_dir(path: str | os.PathLike) -> Path:
    """The folder where DuckDB spills a database's work past the memory limit (`<file>.tmp`)."""
    path = Path(path)
    return path.with_name(path.name + ".tmp")


def remove_spill_dir(path: str | os.PathLike) -> list[Path]:
    """Delete the spill folder a killed process left beside a database file; return it.

    DuckDB removes its spill files when it closes, but not those of a killed process, and
    never looks at them again. Only for a database no process has open (for the state
    database: the nightly run's lock).
    """
    folder = spill_dir(path)
    if not folder.is_dir():
        return []
    shutil.rmtree(folder, ignore_errors=True)
    return [folder]
