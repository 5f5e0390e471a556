"""Landing rows as they arrive: checked a thousand at a time, written a row group at a time,
never held whole.

Two layouts (docs/reliability.md, "Landing"):

- a portal's own files (`PortalLanding`): `{portal}.listings.parquet`, `{portal}.fetches.parquet`,
  then `{portal}.run.json` last, the layout `write_landing` writes and the distributed night
  copies;
- a batch's files (`BatchLanding`): the rows of every portal of one harvest task in
  `{name}.batch.parquet`, whose Parquet footer carries each portal's run document, and their
  fetch logs in `{name}.batch-fetches.parquet`, written before it. The batch file is its
  portals' run file: renamed into place last, it says the batch's files are whole. Two
  flushed files per batch instead of three per portal, and no folder flush (the load flushes
  a run's folder once before it takes its files).

A portal lands through a sink: `add(row)` as rows arrive, `end_rows()` when its crawl is
over (a row that does not fit the schema raises there or in `add`, and only the rows of that
thousand are dropped), then `finish(run, fetches)` with its run summary.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse.landing import (
    LandingError,
    check_name,
    document_writer,
    fetch_table,
    fsync_path,
    land_portal_files,
    landing_paths,
    make_run_dir,
    release_arrow_memory,
    rows_table,
    run_document,
)
from warehouse.landing_schema import FETCH_SCHEMA, LANDING_SCHEMA

ROWS_PER_CHECK = 1_000  # dict rows converted to Arrow (and so checked) at a time
ROWS_PER_GROUP = 50_000  # rows of one Parquet row group
RUNS_KEY = b"xxgk.runs"  # the batch file's footer entry: its portals' run documents (JSON)


def batch_paths(data_dir: str | os.PathLike, run_id: str, name: str) -> dict[str, Path]:
    """The batch file and its fetch log of batch `name` in run `run_id`."""
    base = Path(data_dir) / "landing" / check_name("run_id", run_id) / check_name("batch name", name)
    return {
        "batch": base.with_name(f"{name}.batch.parquet"),
        "fetches": base.with_name(f"{name}.batch-fetches.parquet"),
    }


def temp_of(path: Path) -> Path:
    """The temporary name a landing file is written under (removed by `remove_stale_temp`)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


class RowStream:
    """Arrow tables into one Parquet file under its temporary name, a row group at a time."""

    def __init__(self, temp: Path, schema: pa.Schema = LANDING_SCHEMA) -> None:
        self.temp, self.schema = temp, schema
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0

    def write(self, table: pa.Table) -> None:
        """Queue `table`; a row group is written once enough rows are queued."""
        self._pending.append(table)
        self._pending_rows += table.num_rows
        if self._pending_rows >= ROWS_PER_GROUP:
            self.flush()

    def flush(self) -> None:
        """Write the queued rows."""
        if self._pending_rows:
            table = pa.concat_tables(self._pending)
            self._open().write_table(table, row_group_size=ROWS_PER_GROUP)
        self._pending, self._pending_rows = [], 0

    def _open(self) -> pq.ParquetWriter:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.temp, self.schema)
        return self._writer

    def close(self, metadata: dict[bytes, bytes] | None = None) -> None:
        """Write what is queued and the footer (with `metadata`), and flush the file to disk."""
        self.flush()
        writer = self._open()  # a file of no rows still carries its schema
        if metadata:
            writer.add_key_value_metadata(metadata)
        writer.close()
        self._writer = None
        fsync_path(self.temp)

    def discard(self) -> None:
        """Drop the file: nothing of it is landed."""
        if self._writer is not None:
            try:
                self._writer.close()
            finally:
                self._writer = None
        self.temp.unlink(missing_ok=True)


class PortalRows:
    """One portal's rows on their way to a stream: checked and converted a thousand at a time."""

    def __init__(self, stream: RowStream, run_id: str, portal_id: str) -> None:
        self.stream, self.run_id, self.portal_id = stream, run_id, portal_id
        self._rows: list[dict] = []
        self.written = 0

    def add(self, row: dict) -> None:
        """One `Listing` as a dict."""
        self._rows.append(row)
        if len(self._rows) >= ROWS_PER_CHECK:
            self.end_rows()

    def add_table(self, table: pa.Table) -> None:
        """Rows already in an Arrow table of `LANDING_SCHEMA`, all of this run and portal
        (bulk writers)."""
        self.end_rows()
        ids = (("run_id", self.run_id), ("portal_id", self.portal_id))
        if not table.schema.equals(LANDING_SCHEMA) or any(
            pc.any(pc.not_equal(table.column(name), value)).as_py() for name, value in ids
        ):
            raise LandingError(f"a table for {self.portal_id}/{self.run_id} is not its rows in LANDING_SCHEMA")
        self.stream.write(table)
        self.written += table.num_rows

    def end_rows(self) -> None:
        """Convert the rows held; raises `LandingError` for rows that do not fit (then dropped)."""
        rows, self._rows = self._rows, []
        if rows:
            self.stream.write(rows_table(rows, self.run_id, self.portal_id))
            self.written += len(rows)

    def settled(self, run: dict) -> dict:
        """`run` once the rows still held are converted (a crawl cut short by an error holds
        some): rows that do not fit are named in its errors instead of landed."""
        try:
            self.end_rows()
        except LandingError as exc:
            return {**run, "errors": [*(run.get("errors") or []), f"rows not landed: {exc}"]}
        return run


class PortalLanding(PortalRows):
    """A sink landing one portal's run as its own files (`landing_paths`)."""

    def __init__(self, data_dir: str | os.PathLike, run_id: str, portal_id: str) -> None:
        self.paths = landing_paths(data_dir, run_id, portal_id)
        self._new_dir = make_run_dir(self.paths["run"].parent)
        super().__init__(RowStream(temp_of(self.paths["listings"])), run_id, portal_id)

    def finish(self, run: dict, fetches: list[dict]) -> None:
        """Land the run: listings, fetch log, then the run file (warehouse.landing's order)."""
        try:
            document = run_document(self.settled(run), self.run_id, self.portal_id)
            fetch_log = fetch_table(fetches, self.run_id, self.portal_id) if fetches else None
            self.stream.close()
            land_portal_files(
                self.paths,
                lambda: os.replace(self.stream.temp, self.paths["listings"]),
                (lambda temp: pq.write_table(fetch_log, temp)) if fetch_log is not None else None,
                document_writer(document),
                self._new_dir,
            )
        finally:
            self.stream.discard()  # the temporary file, when anything failed before its rename
            release_arrow_memory()


class BatchLanding:
    """The landing of one harvest task's portals: one batch file and its fetch log.

    `keep` names portals whose runs an earlier attempt of the same batch landed and this one
    does not harvest again: their rows, run documents and fetch logs are carried over from the
    batch file in place, which this one replaces whole (`carry` adds more before the close:
    portals the night's deadline stopped before their retry began). Close it (`close`) to land what its
    finished portals read; `discard` lands nothing.
    """

    def __init__(self, data_dir: str | os.PathLike, run_id: str, name: str, keep: frozenset[str] = frozenset()):
        self.run_id = check_name("run_id", run_id)
        self.paths = batch_paths(data_dir, run_id, name)
        make_run_dir(self.paths["batch"].parent)
        self._rows = RowStream(temp_of(self.paths["batch"]))
        self._fetches = RowStream(temp_of(self.paths["fetches"]), FETCH_SCHEMA)
        self._sinks: dict[str, PortalRows] = {}
        self.runs: dict[str, dict] = {}
        if keep:
            self.carry(keep)

    def carry(self, keep: frozenset[str]) -> None:
        """Copy the runs of the portals `keep` names from the batch file in place (an earlier
        attempt's), unless this one holds their runs already; at any time before `close`."""
        if not self.paths["batch"].exists():
            return
        found = {
            document["portal_id"]: document
            for document in read_runs(self.paths["batch"])
            if document["portal_id"] in keep and document["portal_id"] not in {*self.runs, *self._sinks}
        }
        if not found:
            return
        self.runs.update(found)
        carried = pa.array(sorted(found), pa.string())
        for stream, path in ((self._rows, self.paths["batch"]), (self._fetches, self.paths["fetches"])):
            if path.exists():
                for batch in pq.ParquetFile(path).iter_batches():
                    part = pa.Table.from_batches([batch])
                    stream.write(part.filter(pc.is_in(part.column("portal_id"), carried)))

    def portal(self, portal_id: str) -> BatchPortal:
        """The sink of one portal of the batch."""
        sink = BatchPortal(self, self._rows, self.run_id, check_name("portal_id", portal_id))
        self._sinks[portal_id] = sink
        self.runs.pop(portal_id, None)
        return sink

    def record(self, portal_id: str, run: dict, fetches: list[dict]) -> None:
        """A portal's run is over: its fetch log queued, its run document kept for the footer."""
        document = run_document(run, self.run_id, portal_id)
        if fetches:
            self._fetches.write(fetch_table(fetches, self.run_id, portal_id))
        self.runs[portal_id] = document

    def close(self) -> Path | None:
        """Land the batch: the fetch log, then the batch file (its runs in the footer), each
        flushed to disk and renamed into place; an earlier attempt's batch file is removed
        first. Rows of a portal that never finished are left out; a batch of no finished
        portal lands nothing (None)."""
        if not self.runs:
            self.discard()
            return None
        try:
            self._rows.close({RUNS_KEY: json.dumps(list(self.runs.values()), ensure_ascii=False).encode()})
            orphans = [p for p, sink in self._sinks.items() if sink.written and p not in self.runs]
            if orphans:
                _drop_rows_of(self._rows.temp, orphans)
            self._fetches.close()
            self.paths["batch"].unlink(missing_ok=True)  # never paired with this attempt's fetch log
            os.replace(self._fetches.temp, self.paths["fetches"])
            os.replace(self._rows.temp, self.paths["batch"])
        finally:
            self.discard()
        return self.paths["batch"]

    def discard(self) -> None:
        """Land nothing: remove the temporary files (whatever an earlier attempt landed stays)."""
        self._rows.discard()
        self._fetches.discard()


class BatchPortal(PortalRows):
    """A sink landing one portal of a batch."""

    def __init__(self, batch: BatchLanding, stream: RowStream, run_id: str, portal_id: str) -> None:
        super().__init__(stream, run_id, portal_id)
        self.batch = batch

    def finish(self, run: dict, fetches: list[dict]) -> None:
        """Record the portal's run in its batch (landed when the batch closes)."""
        try:
            self.batch.record(self.portal_id, self.settled(run), fetches)
        finally:
            release_arrow_memory()


def read_runs(batch_file: Path) -> list[dict]:
    """The run documents a batch file's footer carries."""
    metadata = pq.read_metadata(batch_file).metadata or {}
    if RUNS_KEY not in metadata:
        raise ValueError(f"{batch_file.name} carries no run documents")
    documents = json.loads(metadata[RUNS_KEY])
    if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
        raise ValueError(f"{batch_file.name}: its run documents are not a list of objects")
    return documents


def _drop_rows_of(path: Path, portal_ids: list[str]) -> None:
    """Rewrite a closed batch file without the rows of `portal_ids` (portals that never
    finished: no run document says what their rows are)."""
    source = pq.ParquetFile(path)
    stream = RowStream(path.with_name(path.name.removesuffix(".tmp") + ".kept.tmp"))
    dropped = pa.array(portal_ids, pa.string())
    for batch in source.iter_batches():
        part = pa.Table.from_batches([batch])
        stream.write(part.filter(pc.invert(pc.is_in(part.column("portal_id"), dropped))))
    stream.close({RUNS_KEY: source.metadata.metadata[RUNS_KEY]})
    os.replace(stream.temp, path)
