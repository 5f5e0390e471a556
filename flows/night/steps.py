"""The nightly run's steps as plain functions: choose a mode, harvest one portal (the
warehouse step that follows is flows/night/publish.py).

Prefect only schedules these (flows/night/flow.py); they are tested and usable without it.
A harvest never raises for a portal's fault: it lands what it got with a run file that
says what went wrong, because a portal that fails tonight must keep everything it had
and must never stop the others. What surrounds the steps (the run id, the data dir's
lock, killed runs' leftovers) is in flows/night/housekeeping.py.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.crawl import PortalTarget, crawl
from connectors.detail_debt import DebtPolicy, OwedDetail
from connectors.families.checks import MAX_UNREADABLE_SHARE
from connectors.http import HttpClient
from connectors.parse_pool import InlineParser, ParsePool, Parser
from connectors.records import FetchLogEntry, Listing, RunSummary
from flows.config.clock import DEADLINE_PASSED, Clock, Deadline, wall
from flows.config.model import Harvest, Portal
from warehouse.landing_stream import BatchLanding, PortalLanding
from warehouse.load import last_complete_full_run

#: progress(portal_id, pages, rows, advertised_total) — called as rows arrive.
ProgressFn = Callable[[str, int, int, "int | None"], None]


@dataclass
class PortalOutcome:
    """What happened to one portal tonight: the operator's row of the run summary."""

    portal_id: str
    mode: str
    status: str  # ok | partial | failed
    reason: str | None = None
    pages: int = 0
    rows: int = 0
    unreadable_rows: int = 0  # listing rows seen but not read (connectors/run_status.py)
    new: int = 0  # distinct items not known before this run
    details_owed: int = 0  # detail pages still owed after the run (connectors/detail_debt.py)
    details_paid: int = 0  # owed detail pages read tonight
    details_given_up: int = 0  # owed detail pages past their last attempt
    details_gone: int = 0  # detail pages whose latest answer was 404/410 (dead links)
    requests: int = 0
    duration: float = 0.0
    transient: bool = False  # failed in a way worth another attempt (down, timeouts, 5xx)
    attempts: int = 1  # harvests of the portal tonight (more than one after transient failures)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for tables, artifacts and JSON."""
        return asdict(self)


def make_client(harvest: Harvest, data_dir: Path, clock: Clock = wall) -> HttpClient:
    """The one HTTP client of a run, shared by every portal's thread; `clock` dates its pages
    and the crawls' runs (flows/config/clock.py)."""
    return HttpClient(
        data_dir,
        user_agent=harvest.user_agent,
        timeout=harvest.timeout,
        per_host_delay=harvest.per_host_delay,
        backoff=harvest.request_backoff,
        clock=clock,
    )


def make_parser_pool(harvest: Harvest) -> Parser:
    """The parser every portal's crawl shares, each page under `parse_timeout`: in the
    harvest threads (`parse_processes = 0`, where the deadline is checked when the parse
    ends), or `parse_processes` processes that are killed at it (connectors/parse_pool.py).
    """
    if harvest.parse_processes == 0:
        return InlineParser(harvest.parse_timeout)
    return ParsePool(harvest.parse_processes, timeout=harvest.parse_timeout)


def target_of(portal: Portal) -> PortalTarget:
    """The connectors' view of a configured portal."""
    return PortalTarget(
        portal.id, portal.platform, portal.url, portal.details, dict(portal.options), tuple(portal.hosts)
    )


def choose_mode(
    state_path: Path, portal_id: str, full_every_days: int, force_full: bool = False, now: datetime | None = None
) -> str:
    """`full` when asked, or when no complete full listing is younger than `full_every_days`.

    The last complete full listing is read from the state database's raw_runs
    (`warehouse.load.last_complete_full_run`), the rows the withdrawals count on; the night
    loads its landing runs right after the harvest, so they are there the next night.
    `now` is the run's clock's reading (flows/config/clock.py; default: the wall clock).
    """
    return mode_for(last_complete_full_run(state_path, portal_id), full_every_days, force_full, now)


def mode_for(
    last_full: datetime | None, full_every_days: int, force_full: bool = False, now: datetime | None = None
) -> str:
    """`choose_mode` for a portal whose last complete full listing started at `last_full`."""
    if force_full:
        return "full"
    now = now or wall()
    if last_full is None or now - last_full >= timedelta(days=full_every_days):
        return "full"
    return "incremental"


def is_transient(summary: RunSummary, fetches: list[FetchLogEntry]) -> bool:
    """A failed run another attempt may cure: its last request got no answer, a 5xx or a 429.

    A challenge page, a changed layout or a refused redirect would fail the same way again.
    """
    if summary.status != "failed" or not fetches:
        return False
    last = fetches[-1]
    return last.error is not None and (last.status is None or last.status >= 500 or last.status == 429)


@functools.lru_cache(maxsize=8)
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def flat_dict(record: Listing | FetchLogEntry) -> dict[str, Any]:
    """`asdict` of a record whose fields are all immutable scalars (str, int, date, None …):
    the same dict, without `asdict`'s deep copy of every value, which cost a tenth of a
    harvest's CPU (bench/bench_harvest.py)."""
    return {name: getattr(record, name) for name in _field_names(type(record))}


def harvest_portal(
    portal: Portal,
    client: HttpClient,
    *,
    data_dir: Path,
    run_id: str,
    mode: str,
    known: dict[str, str] | None = None,
    progress: ProgressFn | None = None,
    parser: Parser | None = None,
    owed: dict[str, OwedDetail] | None = None,
    debt: DebtPolicy | None = None,
    max_unreadable_share: float = MAX_UNREADABLE_SHARE,
    deadline: Deadline | None = None,
    landing: BatchLanding | None = None,
) -> PortalOutcome:
    """Crawl one portal and land its rows and run file, whatever happens; return its outcome.

    The crawl records a portal's failures on its summary instead of raising; the rows read
    before a failure are landed too (the warehouse never withdraws on a failed run). Rows
    stream to the landing file as they come (warehouse/landing_stream.py): into `landing`,
    the batch the portal is harvested in, else into the portal's own files. An exception
    here is a bug of ours: the run is landed as failed, then the bug re-raised.
    `owed` and `debt`: the detail pages owed from earlier nights, and tonight's budget;
    `max_unreadable_share`: `[harvest] max_unreadable_share`. Past the night's `deadline`
    the crawl is stopped at its next row and the run lands as failed with what it read.
    """
    known = known or {}
    started = time.monotonic()
    keys: set[str] = set()
    target = replace(target_of(portal), max_unreadable_share=max_unreadable_share)
    sink = landing.portal(portal.id) if landing is not None else PortalLanding(data_dir, run_id, portal.id)
    run = crawl(target, client, mode=mode, known=known, run_id=run_id, parser=parser, owed=owed, debt=debt)
    summary: RunSummary = run.summary
    bug: Exception | None = None
    n_rows = 0
    try:
        for listing in run:
            sink.add(flat_dict(listing))
            n_rows += 1
            keys.add(listing.item_key)
            if progress is not None:
                progress(portal.id, summary.pages, n_rows, summary.advertised_total)
            if deadline is not None and deadline.passed():
                _cut(summary, deadline.reason)
                break
        sink.end_rows()
    except Exception as exc:  # noqa: BLE001 - landed as a failure below, then re-raised
        bug = exc
        _cut(summary, f"internal error: {type(exc).__name__}: {exc}")
    summary.finished_at = summary.finished_at or client.clock()
    sink.finish(asdict(summary), [flat_dict(entry) for entry in run.fetches])
    if bug is not None:
        raise bug
    return PortalOutcome(
        portal_id=portal.id,
        mode=summary.mode,
        status=summary.status,
        reason=summary.reason,
        pages=summary.pages,
        rows=summary.rows,
        unreadable_rows=summary.unreadable_rows,
        new=len(keys - known.keys()),
        details_owed=summary.details_owed,
        details_paid=summary.details_paid,
        details_given_up=summary.details_given_up,
        details_gone=summary.details_gone,
        requests=summary.requests,
        duration=time.monotonic() - started,
        transient=is_transient(summary, run.fetches),
        errors=list(summary.errors),
    )


def _cut(summary: RunSummary, reason: str) -> None:
    """Mark a run that ended before its crawl did as failed, for `reason`."""
    summary.status, summary.complete, summary.reason = "failed", False, reason
    summary.errors.append(reason)


def not_begun(portal_id: str, mode: str, reason: str = DEADLINE_PASSED) -> PortalOutcome:
    """The outcome of a portal whose harvest never began (the night's deadline had passed)."""
    return PortalOutcome(portal_id, mode, "failed", reason=reason)


def harvest_contained(portal: Portal, client: HttpClient, *, mode: str, **options: Any) -> PortalOutcome:
    """`harvest_portal`, with a bug of ours (its run already landed as failed) turned into the
    portal's failed, not transient, outcome: one portal's bug must not hide the others
    harvested beside it."""
    try:
        return harvest_portal(portal, client, mode=mode, **options)
    except Exception as exc:  # noqa: BLE001 - reported in the summary and the exit code
        return PortalOutcome(portal.id, mode, "failed", reason=f"{type(exc).__name__}: {exc}")
