"""The landing contract's columns: a listing row's (`LANDING_SCHEMA`), a fetch log row's
(`FETCH_SCHEMA`), the keys of a run file (`RUN_KEYS`), and the columns added since the
first landing files were written, which an older file may lack (`LATER_COLUMNS`)."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from warehouse.fields import DATE_FIELDS, FIELDS


def _field_columns() -> list[pa.Field]:
    """The metadata fields of a listing, each next to its raw form, in display order."""
    columns: list[pa.Field] = []
    for name in FIELDS:
        kind = pa.date32() if name in DATE_FIELDS else pa.string()
        columns += [pa.field(name, kind), pa.field(f"{name}_raw", pa.string())]
    return columns


#: One landing row: the fields of `connectors.records.Listing` plus the run it belongs to.
LANDING_SCHEMA = pa.schema(
    [
        pa.field("portal_id", pa.string(), nullable=False),
        pa.field("item_key", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("list_url", pa.string()),
        pa.field("page_no", pa.int32()),
        pa.field("row_no", pa.int32()),
        pa.field("seen_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("listing_hash", pa.string()),
        *_field_columns(),
        pa.field("flags", pa.string()),
        pa.field("detail_fetched", pa.bool_()),
        pa.field("detail_sha256", pa.string()),
        pa.field("has_body", pa.bool_()),
        pa.field("n_attachments", pa.int32()),
        # listing | detail: a detail row is an owed detail page read again (or tried again)
        # on a later night; it carries detail fields only (docs/reliability.md, Detail debt)
        pa.field("row_kind", pa.string()),
        pa.field("detail_attempted", pa.bool_()),
        pa.field("detail_error", pa.string()),
        # the wanted detail page answered 404/410: gone (a dead link), not owed
        pa.field("detail_gone", pa.bool_()),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

#: One fetch-log row: `connectors.records.FetchLogEntry` with the run and portal it belongs to.
FETCH_SCHEMA = pa.schema(
    [
        pa.field("portal_id", pa.string()),
        pa.field("run_id", pa.string()),
        pa.field("url", pa.string()),
        pa.field("method", pa.string()),
        pa.field("status", pa.int32()),
        pa.field("bytes", pa.int64()),
        pa.field("elapsed", pa.float64()),
        pa.field("attempts", pa.int32()),
        pa.field("sha256", pa.string()),
        pa.field("encoding", pa.string()),
        pa.field("error", pa.string()),
        pa.field("fetched_at", pa.timestamp("us", tz="UTC")),
        pa.field("final_url", pa.string()),
        pa.field("not_modified", pa.bool_()),
    ]
)

#: The keys of a run file (the `RunSummary` fields).
RUN_KEYS = (
    "portal_id",
    "run_id",
    "mode",
    "status",
    "reason",
    "started_at",
    "finished_at",
    "pages",
    "rows",
    "unreadable_rows",
    "advertised_total",
    "details_fetched",
    "details_owed",
    "details_paid",
    "details_given_up",
    "details_gone",
    "requests",
    "retries",
    "bytes",
    "complete",
    "errors",
)

#: Landing columns added after the first landing files were written, in the order they were
#: added: an older file lacks the last few of them (they load as NULL: a listing row, no
#: detail attempt recorded, no dead link).
LATER_COLUMNS = ("row_kind", "detail_attempted", "detail_error", "detail_gone")


def later_columns_missing(names: Iterable[str]) -> list[str] | None:
    """The later columns a file with columns `names` lacks, when it is an older file (it
    lacks the last few of them, none of the others); None when it lacks others too."""
    present = set(names)
    missing = [name for name in LANDING_SCHEMA.names if name not in present]
    if missing != list(LATER_COLUMNS[len(LATER_COLUMNS) - len(missing) :]):
        return None
    return missing
