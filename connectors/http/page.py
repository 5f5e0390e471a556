"""What a fetch returns, and what it leaves in the fetch log."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.records import FetchLogEntry, Request


@dataclass(frozen=True)
class Page:
    """A response body as the crawl sees it: decoded, archived, with how it was obtained."""

    url: str  # the URL asked for
    final_url: str  # after same-host redirects; relative links resolve against this
    status: int  # 200-299, or 304 when the archived body was reused
    headers: dict[str, str]  # lower-case names
    content: bytes
    text: str
    encoding: str
    sha256: str
    attempts: int
    elapsed: float
    fetched_at: datetime
    not_modified: bool = False


def log_entry(request: Request, status: int | None, started: float, attempts: int, *,
              page: Page | None = None, error: Exception | None = None,
              now: datetime | None = None) -> FetchLogEntry:
    """The fetch-log entry of one fetch that began at `started` (monotonic) and produced
    `page`, or failed with `error` (dated `now` by the client's clock, else the wall clock)."""
    return FetchLogEntry(
        url=request.url, method=request.method.upper(), status=status,
        bytes=len(page.content) if page else 0, elapsed=time.monotonic() - started,
        attempts=attempts, sha256=page.sha256 if page else None,
        encoding=page.encoding if page else None,
        error=str(error) if error is not None else None,
        fetched_at=page.fetched_at if page else (now or datetime.now(UTC)),
        final_url=page.final_url if page else None,
        not_modified=page.not_modified if page else False,
    )
