"""The annual reports read in a night, landed and loaded: `reported.figures.parquet` and
`reported.reads.parquet` in the night's landing folder, beside the portals' files, loaded
once each into the state database's `raw_reported_figures` and `raw_reported_reads`.

A read is one source of one report document tried in a run (its detail page, a DOCX, a PDF,
a spreadsheet): what became of it (read, not a report, failed, not read) and why, and the
report's own inconsistencies as JSON. A figure is one figure one read source states, or a
cell it leaves blank (`is_stated` false), with where it was read and, when the catalog can
tell it, the catalog figure it is (`level`, `measure`, `scheme`, `category`; docs/reports.md).
The figures file is written first and the reads file last, so a figures file without its
reads file is an interrupted write that the loader leaves alone, as a listings file
without its run file.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.landing import LandingError, check_name, fsync_path, replace_into

READS_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("unit_id", pa.string()),
        pa.field("year", pa.int32()),
        pa.field("fingerprint", pa.string(), nullable=False),
        pa.field("doc_url", pa.string()),
        pa.field("source_url", pa.string(), nullable=False),
        pa.field("source_kind", pa.string(), nullable=False),  # page | docx | pdf | xlsx | xls | other
        pa.field("status", pa.string(), nullable=False),  # read | failed | not read | fetch failed
        pa.field("reason", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("report_kind", pa.string()),
        pa.field("report_unit", pa.string()),
        pa.field("report_year", pa.int32()),
        pa.field("n_stated", pa.int32()),
        pa.field("inconsistencies", pa.string()),  # JSON: [{check, figures, left, right}]
        pa.field("read_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
FIGURES_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_url", pa.string(), nullable=False),
        pa.field("figure", pa.string(), nullable=False),
        pa.field("value", pa.float64()),
        pa.field("value_text", pa.string()),
        pa.field("is_stated", pa.bool_(), nullable=False),
        pa.field("is_approximate", pa.bool_(), nullable=False),
        pa.field("printed", pa.string()),
        pa.field("location", pa.string()),
        pa.field("level", pa.string()),
        pa.field("measure", pa.string()),
        pa.field("scheme", pa.string()),
        pa.field("category", pa.string()),
    ]
)
STATUSES = ("read", "failed", "not read", "fetch failed")


#: A night's report files in its run folder, the reads file written last (its marker).
REPORTED_FILES = {"figures": "reported.figures.parquet", "reads": "reported.reads.parquet"}


def reported_paths(data_dir: str | os.PathLike, run_id: str) -> dict[str, Path]:
    base = Path(data_dir) / "landing" / check_name("run_id", run_id)
    return {kind: base / name for kind, name in REPORTED_FILES.items()}


def _table(rows: list[dict], schema: pa.Schema, run_id: str, what: str) -> pa.Table:
    columns = {name: [row.get(name) for row in rows] for name in schema.names if name != "run_id"}
    columns["run_id"] = [run_id] * len(rows)
    try:
        return pa.Table.from_pydict(columns, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise LandingError(f"{what} of run {run_id} do not fit their schema: {exc}") from exc


def write_reported_landing(data_dir: str | os.PathLike, run_id: str, reads: list[dict], figures: list[dict]) -> dict:
    """Write a night's reads and figures (figures first, reads last); both validated first."""
    bad = sorted({row.get("status") for row in reads} - set(STATUSES), key=str)
    if bad:
        raise LandingError(f"read status {bad[0]!r} is not one of {', '.join(STATUSES)}")
    reads_table = _table(reads, READS_SCHEMA, run_id, "report reads")
    figures_table = _table(figures, FIGURES_SCHEMA, run_id, "report figures")
    paths = reported_paths(data_dir, run_id)
    paths["reads"].parent.mkdir(parents=True, exist_ok=True)
    replace_into(paths["figures"], lambda temp: pq.write_table(figures_table, temp))
    replace_into(paths["reads"], lambda temp: pq.write_table(reads_table, temp))
    fsync_path(paths["reads"].parent)
    return paths


def _columns(schema: pa.Schema) -> str:
    kinds = {pa.string(): "VARCHAR", pa.int32(): "INTEGER", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN"}
    return ", ".join(f"{f.name} {kinds.get(f.type, 'TIMESTAMP')}{'' if f.nullable else ' NOT NULL'}" for f in schema)


def ensure_reported_schema(con) -> None:
    """Create `raw_reported_reads` and `raw_reported_figures` if this state database is new."""
    con.execute(f"CREATE TABLE IF NOT EXISTS raw_reported_reads ({_columns(READS_SCHEMA)})")
    con.execute(f"CREATE TABLE IF NOT EXISTS raw_reported_figures ({_columns(FIGURES_SCHEMA)})")


def _check(path: Path, schema: pa.Schema, run_id: str, con) -> None:
    found = pq.read_schema(path)
    wrong = [f.name for f in schema if f.name not in found.names or not found.field(f.name).type.equals(f.type)]
    if wrong:
        raise LandingError(f"{path.name}: columns {', '.join(wrong)} missing or of another type")
    foreign = con.execute(
        "SELECT count(*) FILTER (WHERE run_id IS DISTINCT FROM ?) FROM read_parquet(?)", [run_id, str(path)]
    ).fetchone()[0]
    if foreign:
        raise LandingError(f"{path.name} has {foreign} rows of another run")


def _insert(con, run_id: str, paths: dict[str, Path]) -> None:
    reads = ", ".join(READS_SCHEMA.names)
    figures = ", ".join(FIGURES_SCHEMA.names)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"INSERT INTO raw_reported_reads SELECT {reads} FROM read_parquet(?)", [str(paths["reads"])])
        if paths["figures"].exists():
            con.execute(
                f"INSERT INTO raw_reported_figures SELECT {figures} FROM read_parquet(?)", [str(paths["figures"])]
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def load_reported(con, landing: Path) -> list[tuple[str, str]]:
    """Load every night's reads and figures not loaded yet, a night in one transaction; return
    the refused files with their reasons (tried again at the next load)."""
    ensure_reported_schema(con)
    loaded = {row[0] for row in con.execute("SELECT DISTINCT run_id FROM raw_reported_reads").fetchall()}
    refused: list[tuple[str, str]] = []
    for reads in sorted(landing.glob(f"*/{REPORTED_FILES['reads']}")) if landing.is_dir() else []:
        run_id = reads.parent.name
        if run_id in loaded:
            continue
        paths = reported_paths(landing.parent, run_id)
        try:
            _check(reads, READS_SCHEMA, run_id, con)
            if paths["figures"].exists():
                _check(paths["figures"], FIGURES_SCHEMA, run_id, con)
            _insert(con, run_id, paths)
        except (LandingError, OSError, duckdb.Error, pa.ArrowInvalid) as exc:
            refused.append((str(reads), str(exc)))
    return refused


def reports_to_read(published_path: str | os.PathLike) -> list[dict]:
    """The annual-report documents the night must read (fct_annual_reports.needs_read) of the
    published warehouse, oldest first: doc_id, unit_id, year, title, portal_id, url and
    fingerprint. None when nothing is published yet."""
    if not Path(published_path).exists():
        return []
    con = duckdb.connect(str(published_path), read_only=True)
    try:
        cursor = con.execute(
            "SELECT doc_id, unit_id, year, title, portal_id, url, fingerprint FROM fct_annual_reports "
            "WHERE needs_read ORDER BY published_date NULLS LAST, doc_id"
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
