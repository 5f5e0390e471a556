"""int_traditional_chars: the traditional characters publisher names are read with, each with
its simplified form (docs/matching.md, Publisher resolution), from the packaged vocabulary
`warehouse/seeds/traditional_chars.csv` (columns `traditional,simplified`, one character
each).

The table is small and one-to-one per row, so a name is converted character by character
(DuckDB `translate`). A row that is not one character to one other, or a character given
two simplified forms, fails the build with the file's line rather than resolving names
wrongly.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pyarrow as pa

import warehouse

#: The packaged table (found through the package, wherever the model files are read from).
SEED = Path(warehouse.__file__).parent / "seeds" / "traditional_chars.csv"

GRAIN = "one row per traditional character: its simplified form"
MATERIALIZED = "temp"
INPUTS = ()


def read_pairs(path: Path = SEED) -> dict[str, str]:
    """traditional -> simplified from the CSV; a bad row raises ValueError naming its line."""
    pairs: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["traditional", "simplified"]:
            raise ValueError(f"{path}: the header must be 'traditional,simplified', not {reader.fieldnames}")
        for row in reader:
            traditional, simplified = row["traditional"], row["simplified"]
            where = f"{path}:{reader.line_num}"
            if len(traditional or "") != 1 or len(simplified or "") != 1 or traditional == simplified:
                raise ValueError(f"{where}: expected one character mapped to another, got {row}")
            if pairs.get(traditional, simplified) != simplified:
                raise ValueError(f"{where}: {traditional} is given two simplified forms")
            pairs[traditional] = simplified
    return pairs


def build(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The seed's pairs as a table (the connection is not needed: the seed is a file)."""
    pairs = read_pairs()
    return pa.table(
        {"traditional": pa.array(list(pairs), pa.string()), "simplified": pa.array(list(pairs.values()), pa.string())}
    )
