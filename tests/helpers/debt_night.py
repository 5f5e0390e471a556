"""One night's crawl of one portal on a clock of its own, landed as the nightly flow lands it:
for the detail debt's tests, which move nights forward by hand and read what the state
database then owes."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

from connectors.crawl import PortalTarget, crawl
from connectors.detail_debt import DebtPolicy, OwedDetail
from connectors.http import HttpClient
from connectors.records import Listing, RunSummary
from flows.config.clock import starting_at
from flows.night.steps import flat_dict
from warehouse.landing import write_landing


def crawl_night(
    target: PortalTarget,
    day: date,
    data_dir: Path,
    *,
    owed: dict[str, OwedDetail] | None = None,
    known: dict[str, str] | None = None,
) -> tuple[list[Listing], RunSummary]:
    """Crawl `target` at 02:00 UTC of `day` (its pages and run dated by that clock, the debt's
    night `day`), land the rows, run file and fetch log under `data_dir`; the rows and the
    summary."""
    clock = starting_at(datetime(day.year, day.month, day.day, 2, tzinfo=UTC))
    run_id = clock().strftime("%Y%m%dT%H%M%SZ")
    with HttpClient(data_dir, per_host_delay=0, backoff=0.01, backoff_max=0.02, timeout=5, clock=clock) as http:
        run = crawl(target, http, run_id=run_id, known=known, owed=owed, debt=DebtPolicy(day))
        rows = list(run)
        write_landing(
            data_dir,
            run_id,
            target.portal_id,
            [flat_dict(row) for row in rows],
            run=asdict(run.summary),
            fetches=[flat_dict(entry) for entry in run.fetches],
        )
    return rows, run.summary
