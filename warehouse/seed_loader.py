"""Seeds: the CSV files of `warehouse/seeds/`, loaded as tables before any model runs.

Every `NAME.csv` in the folder becomes the table `seed_NAME` of the build (and of the published
file), so a model reads it like any source and an analyst can read, and extend, the data the
models rely on (docs/vocabularies.md). `seeds.toml` in the same folder declares a seed's
columns, their types and its key; a declared seed is checked against it, and a seed nobody
declared loads with its header's columns, all text, no key.

A seed is read strictly, because a wrong mapping table silently changes every figure: UTF-8
(a leading byte-order mark is allowed), a header naming each declared column exactly once and
no other, every row as many values as the header, every value of its column's type, key
columns never empty, no key twice. Each problem is a `SeedError` naming the file and line.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

SEEDS_DIR = Path(__file__).parent / "seeds"
DECLARATIONS = "seeds.toml"

#: The types a declaration may give a column, and how a CSV value becomes one.
_TYPES = {
    "VARCHAR": (pa.string(), str),
    "BIGINT": (pa.int64(), int),
    "DOUBLE": (pa.float64(), float),
    "BOOLEAN": (pa.bool_(), lambda text: {"true": True, "false": False}[text.lower()]),
    "DATE": (pa.date32(), date.fromisoformat),
}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class SeedError(ValueError):
    """A seed file (or its declaration) is malformed; the message names the file and line."""


@dataclass(frozen=True)
class SeedSpec:
    """A seed's declared columns (name -> type, in order) and key columns."""

    columns: dict[str, str]
    key: tuple[str, ...] = ()


def seed_files(seeds_dir: Path | None = None) -> dict[str, Path]:
    """Every seed of the folder by table name (`seed_NAME` for `NAME.csv`)."""
    folder = seeds_dir or SEEDS_DIR
    files = {}
    for path in sorted(folder.glob("*.csv")):
        if not _NAME.match(path.stem):
            raise SeedError(f"{path}: a seed's file name must be lower-case letters, digits and _ (a table name)")
        files[f"seed_{path.stem}"] = path
    return files


def declarations(seeds_dir: Path | None = None) -> dict[str, SeedSpec]:
    """The seeds `seeds.toml` declares, by file stem; a declaration of a type we do not know,
    of a key that is no column, or of a file that does not exist is refused."""
    folder = seeds_dir or SEEDS_DIR
    path = folder / DECLARATIONS
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SeedError(f"{path}: {exc}") from exc
    specs = {}
    for stem, entry in raw.items():
        where = f"{path}: [{stem}]"
        if not (folder / f"{stem}.csv").exists():
            raise SeedError(f"{where}: declares {stem}.csv, which is not in {folder}")
        if not isinstance(entry, dict) or set(entry) - {"columns", "key"}:
            raise SeedError(f"{where}: a seed declares only columns and key (got {entry!r})")
        columns = {name: str(kind).upper() for name, kind in dict(entry.get("columns", {})).items()}
        unknown = sorted(kind for kind in columns.values() if kind not in _TYPES)
        if not columns or unknown:
            raise SeedError(f"{where}: columns must map names to {', '.join(_TYPES)} (got {unknown or 'none'})")
        key = tuple(entry.get("key", ()))
        if any(name not in columns for name in key):
            raise SeedError(f"{where}: key {list(key)} names a column it does not declare")
        specs[stem] = SeedSpec(columns, key)
    return specs


def _header(path: Path, header: list[str], spec: SeedSpec | None) -> list[str]:
    """The header's column names, checked against the declaration."""
    names = [name.strip() for name in header]
    if not names or any(not name for name in names) or len(set(names)) != len(names):
        raise SeedError(f"{path}:1: the header must name every column once (got {names})")
    if spec is not None:
        missing = [name for name in spec.columns if name not in names]
        extra = [name for name in names if name not in spec.columns]
        if missing or extra:
            faults = ([f"missing {missing}"] if missing else []) + ([f"unknown {extra}"] if extra else [])
            raise SeedError(
                f"{path}:1: columns {names} are not those {DECLARATIONS} declares ({list(spec.columns)}): "
                + "; ".join(faults)
            )
    return names


def _value(path: Path, line: int, column: str, text: str, kind: str):
    """One CSV value as its column's type; empty is NULL."""
    if text == "":
        return None
    try:
        return _TYPES[kind][1](text)
    except (ValueError, KeyError):
        raise SeedError(f"{path}:{line}: column {column!r} must be {kind} (got {text!r})") from None


def read_seed(path: Path, spec: SeedSpec | None = None) -> pa.Table:
    """One seed file as an Arrow table of its declared (else text) columns, checked strictly."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        names = _header(path, next(reader, []), spec)
        kinds = [spec.columns[name] if spec else "VARCHAR" for name in names]
        rows, first_line = [], {}
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue  # a blank line
            if len(values) != len(names):
                raise SeedError(f"{path}:{line}: {len(values)} values for the {len(names)} columns {names}")
            row = {n: _value(path, line, n, v.strip(), k) for n, v, k in zip(names, values, kinds, strict=True)}
            _check_key(path, line, row, spec, first_line)
            rows.append(row)
    except csv.Error as exc:
        raise SeedError(f"{path}:{reader.line_num}: {exc}") from None
    schema = pa.schema([(name, _TYPES[kind][0]) for name, kind in zip(names, kinds, strict=True)])
    return pa.Table.from_pylist(rows, schema=schema)


def _check_key(path: Path, line: int, row: dict, spec: SeedSpec | None, first_line: dict) -> None:
    """Refuse an empty key column or a key seen on an earlier line."""
    if spec is None or not spec.key:
        return
    key = tuple(row[name] for name in spec.key)
    empty = [name for name, value in zip(spec.key, key, strict=True) if value is None]
    if empty:
        raise SeedError(f"{path}:{line}: key column {empty[0]!r} is empty")
    if key in first_line:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(spec.key, key, strict=True))
        raise SeedError(f"{path}:{line}: duplicate key ({shown}), first on line {first_line[key]}")
    first_line[key] = line


def load_seeds(con: duckdb.DuckDBPyConnection, seeds_dir: Path | None = None) -> list[str]:
    """Create `seed_NAME` for every seed of the folder; return the table names."""
    specs = declarations(seeds_dir)
    names = []
    for table, path in seed_files(seeds_dir).items():
        con.register(f"{table}_arrow", read_seed(path, specs.get(path.stem)))
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM {table}_arrow")
        con.unregister(f"{table}_arrow")
        names.append(table)
    return names
