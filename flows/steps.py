"""The nightly run's steps as plain functions: choose a mode, harvest one portal, build.

Prefect only schedules these (flows/nightly.py); they are tested and usable without it.
A harvest never raises for a portal's fault: it lands what it got with a run file that
says what went wrong, because a portal that fails tonight must keep everything it had
and must never stop the others.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.crawl import PortalTarget, crawl
from connectors.errors import ConnectorError, FetchError, ForeignHostError, ResponseTooLarge
from connectors.http import HttpClient
from connectors.records import Listing, RunSummary
from flows.config import Config, Harvest, Portal
from warehouse.landing import write_landing

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
    new: int = 0  # distinct items not known before this run
    requests: int = 0
    duration: float = 0.0
    transient: bool = False  # failed in a way worth another attempt (down, timeouts, 5xx)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for tables, artifacts and JSON."""
        return asdict(self)


def new_run_id(now: datetime | None = None) -> str:
    """A UTC timestamp id (`20121231T020000Z`), so runs sort by time."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def make_client(harvest: Harvest, data_dir: Path) -> HttpClient:
    """The one HTTP client of a run, shared by every portal's thread."""
    return HttpClient(
        data_dir,
        user_agent=harvest.user_agent,
        timeout=harvest.timeout,
        per_host_delay=harvest.per_host_delay,
    )


def target_of(portal: Portal) -> PortalTarget:
    """The connectors' view of a configured portal."""
    return PortalTarget(
        portal.id, portal.platform, portal.url, portal.details, dict(portal.options), tuple(portal.hosts)
    )


def last_complete_full_run(data_dir: Path, portal_id: str) -> datetime | None:
    """When the portal's latest complete, successful full listing started, from its run files."""
    landing = Path(data_dir) / "landing"
    if not landing.is_dir():
        return None
    for run_dir in sorted((p for p in landing.iterdir() if p.is_dir()), reverse=True):
        run_file = run_dir / f"{portal_id}.run.json"
        if not run_file.is_file():
            continue
        try:
            run = json.loads(run_file.read_text(encoding="utf-8"))
            if run.get("mode") == "full" and run.get("complete") and run.get("status") == "ok":
                return datetime.fromisoformat(run["started_at"])
        except (ValueError, KeyError, TypeError):
            continue  # an unreadable run file proves nothing; the loader reports it
    return None


def choose_mode(data_dir: Path, portal_id: str, full_every_days: int, force_full: bool = False,
                now: datetime | None = None) -> str:
    """`full` when asked, or when no complete full listing is younger than `full_every_days`."""
    if force_full:
        return "full"
    last = last_complete_full_run(data_dir, portal_id)
    now = now or datetime.now(UTC)
    if last is None or now - last >= timedelta(days=full_every_days):
        return "full"
    return "incremental"


def is_transient(exc: BaseException) -> bool:
    """A failure another attempt may cure: the network or the server, not the page or our rules."""
    return isinstance(exc, FetchError) and not isinstance(exc, ForeignHostError | ResponseTooLarge)


def harvest_portal(
    portal: Portal,
    client: HttpClient,
    *,
    data_dir: Path,
    run_id: str,
    mode: str,
    known: dict[str, str] | None = None,
    progress: ProgressFn | None = None,
) -> PortalOutcome:
    """Crawl one portal and land its rows and run file, whatever happens; return its outcome.

    A connector error ends the crawl: the rows read so far are landed with status
    `failed` (the warehouse keeps what it had for that portal). Any other exception is a
    bug; it is landed as a failure too, then re-raised so it is not mistaken for a portal's
    fault.
    """
    known = known or {}
    started = time.monotonic()
    rows: list[dict[str, Any]] = []
    keys: set[str] = set()
    pages: set[int] = set()
    fetches: list[dict[str, Any]] = []
    run = crawl(target_of(portal), client, mode=mode, known=known, run_id=run_id)
    summary: RunSummary = run.summary
    failure: BaseException | None = None
    try:
        for listing in run:
            rows.append(_row(listing))
            keys.add(listing.item_key)
            pages.add(listing.page_no)
            if progress is not None:
                progress(portal.id, len(pages), len(rows), summary.advertised_total)
    except Exception as exc:  # noqa: BLE001 - landed and classified below; bugs re-raised
        failure = exc
        _mark_failed(summary, exc)
    finally:
        fetches = _fetch_log(run, client)
    summary.finished_at = summary.finished_at or datetime.now(UTC)
    write_landing(data_dir, run_id, portal.id, rows, run=asdict(summary), fetches=fetches)
    if failure is not None and not isinstance(failure, ConnectorError):
        raise failure
    return PortalOutcome(
        portal_id=portal.id,
        mode=summary.mode,
        status=summary.status,
        reason=summary.reason,
        pages=summary.pages or len(pages),
        rows=summary.rows or len(rows),
        new=len(keys - known.keys()),
        requests=summary.requests or len(fetches),
        duration=time.monotonic() - started,
        transient=failure is not None and is_transient(failure),
        errors=list(summary.errors),
    )


def _row(listing: Listing) -> dict[str, Any]:
    """A landing row: the Listing's fields as a plain dict."""
    return asdict(listing)


def _mark_failed(summary: RunSummary, exc: BaseException) -> None:
    """Record on the run summary that the crawl ended with `exc`."""
    reason = f"{type(exc).__name__}: {exc}"
    summary.status = "failed"
    summary.complete = False
    summary.reason = summary.reason or reason
    summary.errors.append(reason)


def _fetch_log(run: Any, client: HttpClient) -> list[dict[str, Any]]:
    """The crawl's fetch log as dicts (the landing's fetches file)."""
    entries = getattr(run, "fetches", None)
    if entries is None:
        return []
    return [asdict(entry) for entry in entries]


@dataclass
class BuildOutcome:
    """What the warehouse step did: loaded runs, whether the build and its checks passed."""

    ok: bool
    reason: str | None = None
    runs_loaded: int = 0
    rows_loaded: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def build_warehouse(config: Config) -> BuildOutcome:
    """Load every whole landing file, build the models, run the checks, publish atomically."""
    from warehouse.build import build
    from warehouse.load import load

    data_dir = config.warehouse.data_dir
    loaded = load(config.warehouse.state_path, data_dir)
    result = build(
        config.warehouse.state_path, config.warehouse.path, config.units_as_dicts(), config.portals_as_dicts()
    )
    ok = bool(getattr(result, "ok", True))
    return BuildOutcome(
        ok=ok,
        reason=None if ok else str(getattr(result, "reason", None) or getattr(result, "failed_checks", "checks failed")),
        runs_loaded=len(loaded.runs_loaded),
        rows_loaded=loaded.rows_loaded,
    )
