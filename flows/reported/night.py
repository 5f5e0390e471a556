"""The night's annual reports: every report document the published warehouse says is new or
changed (fct_annual_reports.needs_read) is read from its portal and landed for the build.

For each: its detail page is fetched through the night's HTTP client (polite, capped,
archived, within its portal's hosts), read as a report itself, and its attachments are
fetched and read: DOCX, PDF, XLSX and XLS up to MAX_ATTACHMENTS (each within the client's
and the reader's 20 MiB); old .doc files and archives are listed as not read, with the reason, and not fetched. What each source gave, or why it gave nothing, is a
read row; the figures of every source read are figure rows (flows/reported/figures.py). A
failure is a row with its reason, never a stop: the night goes on (docs/reports.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from connectors.annual_report import ReportError, extract
from connectors.errors import FetchError, PageError
from connectors.families.detail import parse_detail_page
from connectors.http import HttpClient, Page, allowed_hosts
from connectors.records import Request
from flows.config.clock import Clock
from flows.config.model import Config, Portal
from flows.night.publish import BuildOutcome
from flows.night.steps import make_client
from flows.reported.figures import figure_rows
from warehouse.reported_store import reports_to_read, write_reported_landing

#: Attachments of one report that are fetched and read, at most.
MAX_ATTACHMENTS = 6
#: Kinds of attachment read, and those listed as not read with the reason.
READ_KINDS = ("docx", "pdf", "xlsx", "xls")
NOT_READ = {
    "doc": "an old Word file (.doc): not read",
}


@dataclass
class ReportsOutcome:
    """What the night's reading of annual reports did: documents read, and those that could
    not be read with their reasons (the run summary prints both)."""

    read: list[str] = field(default_factory=list)  # titles
    failed: list[tuple[str, str]] = field(default_factory=list)  # (title, reason)
    landed: bool = False
    error: str | None = None  # the step itself failed (the night goes on)


def _kind(url: str) -> str:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower().lstrip(".")
    return suffix if suffix in (*READ_KINDS, *NOT_READ) else "other"


def _read(body: bytes, url: str, content_type: str | None):
    """The report a source holds, or the reason it holds none."""
    try:
        return extract(body, url.rsplit("/", 1)[-1], content_type), None
    except ReportError as exc:
        return None, exc.reason
    except Exception as exc:  # noqa: BLE001 - a bug of the reader must not stop the night
        return None, f"internal error: {type(exc).__name__}: {exc}"


class _Reading:
    """One report document's sources read, as read rows and figure rows."""

    def __init__(self, doc: dict[str, Any], fetch: Callable[[str], Page], now: datetime) -> None:
        self.doc, self.fetch, self.now = doc, fetch, now
        self.reads: list[dict[str, Any]] = []
        self.figures: list[dict[str, Any]] = []

    def row(self, url: str, kind: str, status: str, reason: str | None = None, **more: Any) -> None:
        d = self.doc
        self.reads.append(
            {
                "doc_id": d["doc_id"],
                "unit_id": d["unit_id"],
                "year": d["year"],
                "fingerprint": d["fingerprint"],
                "doc_url": d["url"],
                "source_url": url,
                "source_kind": kind,
                "status": status,
                "reason": reason,
                "read_at": self.now,
                **more,
            }
        )

    def source(self, url: str, kind: str, page: Page) -> None:
        report, reason = _read(page.content, url, page.headers.get("content-type"))
        if report is None:
            self.row(url, kind, "failed", reason, sha256=page.sha256)
            return
        inconsistencies = [
            {"check": i.check, "figures": i.figures, "left": i.left, "right": i.right} for i in report.inconsistencies
        ]
        self.row(
            url,
            kind,
            "read",
            sha256=page.sha256,
            report_kind=report.kind,
            report_unit=report.unit,
            report_year=report.year,
            n_stated=len(report.stated()),
            inconsistencies=json.dumps(inconsistencies, ensure_ascii=False),
        )
        self.figures += figure_rows(report, self.doc["doc_id"], url)

    def run(self, options: dict[str, str]) -> None:
        url = self.doc["url"]
        try:
            page = self.fetch(url)
        except FetchError as exc:
            self.row(url, "page", "fetch failed", str(exc))
            return
        self.source(url, "page", page)
        try:
            attachments = parse_detail_page(page.text, page.final_url, options).attachments
        except PageError as exc:
            attachments = ()
            self.reads[-1]["reason"] = f"{self.reads[-1]['reason'] or ''}; attachments not found: {exc}".lstrip("; ")
        for link in attachments[:MAX_ATTACHMENTS]:
            self.attachment(link)
        for link in attachments[MAX_ATTACHMENTS:]:
            self.row(link, _kind(link), "not read", f"more than {MAX_ATTACHMENTS} attachments")

    def attachment(self, link: str) -> None:
        kind = _kind(link)
        if kind not in READ_KINDS:
            self.row(link, kind, "not read", NOT_READ.get(kind, "not a DOCX, PDF, XLSX or XLS: not read"))
            return
        try:
            page = self.fetch(link)
        except FetchError as exc:
            self.row(link, kind, "fetch failed", str(exc))
            return
        self.source(link, kind, page)

    def outcome(self) -> str | None:
        """None when some source was read, else the reasons."""
        if any(r["status"] == "read" for r in self.reads):
            return None
        return "; ".join(f"{r['source_kind']}: {r['reason'] or r['status']}" for r in self.reads)


def read_report(doc: dict[str, Any], portal: Portal, client: HttpClient, now: datetime) -> _Reading:
    """Read one report document's sources through `client`, within its portal's hosts."""
    allowed = allowed_hosts(portal.url, portal.hosts)

    def fetch(url: str) -> Page:
        return client.fetch(Request(url), allowed, attempts=2)

    reading = _Reading(doc, fetch, now)
    reading.run(dict(portal.options))
    return reading


def read_reports(config: Config, client: HttpClient, run_id: str, now: datetime) -> ReportsOutcome:
    """Read every report the published warehouse wants read and land the night's rows."""
    outcome = ReportsOutcome()
    portals = {p.id: p for p in config.portals}
    reads: list[dict[str, Any]] = []
    figures: list[dict[str, Any]] = []
    for doc in reports_to_read(config.warehouse.path):
        portal = portals.get(doc["portal_id"])
        if portal is None:  # the model reads configured portals only; the config changed since
            continue
        reading = read_report(doc, portal, client, now)
        reads += reading.reads
        figures += reading.figures
        reason = reading.outcome()
        if reason is None:
            outcome.read.append(doc["title"])
        else:
            outcome.failed.append((doc["title"], reason))
    if reads:
        write_reported_landing(config.warehouse.data_dir, run_id, reads, figures)
        outcome.landed = True
    return outcome


def reports_step(
    config: Config, run_id: str, clock: Clock, built: BuildOutcome, refresh: Callable[[Config], BuildOutcome]
) -> tuple[ReportsOutcome | None, BuildOutcome]:
    """After a night's published build: read the reports it wants read, through a client like
    the harvest's, then `refresh` the published tables when any reading landed (so tonight's
    reports are in tonight's tables: flows/night/publish.py, `refresh_reported`). A failure of
    the step is its outcome's `error`; the build stands."""
    if not built.ok:
        return None, built
    try:
        with make_client(config.harvest, config.warehouse.data_dir, clock) as client:
            outcome = read_reports(config, client, run_id, clock())
    except Exception as exc:  # noqa: BLE001 - reported in the summary; the night's build stands
        return ReportsOutcome(error=f"{type(exc).__name__}: {exc}"), built
    if not outcome.landed:
        return outcome, built
    again = refresh(config)
    again.runs_loaded, again.rows_loaded = built.runs_loaded, built.rows_loaded
    again.details = {**built.details, **again.details}  # the night's load and compaction stay said
    return outcome, again
