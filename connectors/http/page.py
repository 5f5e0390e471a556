"""What a fetch returns, and what it leaves in the fetch log.

`make_page` turns a received body (or a 304) into the `Page`: the archived body reused for a
304, the body archived by sha256, its validators remembered, and its text decoded. It lives
here, beside `Page`, so the client's module keeps to the exchange and its retries.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.archive import PageArchive, sha256_hex
from connectors.http.charset import decode_body
from connectors.http.exchange import Body
from connectors.http.validators import ValidatorCache
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


def log_entry(
    request: Request,
    status: int | None,
    started: float,
    attempts: int,
    *,
    page: Page | None = None,
    error: Exception | None = None,
    now: datetime | None = None,
) -> FetchLogEntry:
    """The fetch-log entry of one fetch that began at `started` (monotonic) and produced
    `page`, or failed with `error` (dated `now` by the client's clock, else the wall clock)."""
    return FetchLogEntry(
        url=request.url,
        method=request.method.upper(),
        status=status,
        bytes=len(page.content) if page else 0,
        elapsed=time.monotonic() - started,
        attempts=attempts,
        sha256=page.sha256 if page else None,
        encoding=page.encoding if page else None,
        error=str(error) if error is not None else None,
        fetched_at=page.fetched_at if page else (now or datetime.now(UTC)),
        final_url=page.final_url if page else None,
        not_modified=page.not_modified if page else False,
    )


def make_page(
    request: Request,
    body: Body,
    attempts: int,
    started: float,
    now: datetime,
    *,
    archive: PageArchive | None,
    validators: ValidatorCache | None,
) -> Page:
    """Turn a received body (or a 304) into a decoded, archived Page dated `now`."""
    content, content_type = body.content, body.headers.get("content-type")
    not_modified = body.status == 304
    if not_modified:
        # Only a known validator makes a request conditional, and only one can get a 304.
        assert validators is not None and archive is not None
        content, stored_type = validators.archived_body(request.url, archive)
        # A 304 seldom repeats the Content-Type; the charset it declared still holds.
        content_type = content_type or stored_type
    sha = archive.put(content) if archive else sha256_hex(content)
    if validators is not None and request.method.upper() == "GET" and not not_modified:
        validators.put(request.url, body.headers, sha)
    text, encoding = decode_body(content, content_type)
    return Page(
        url=request.url,
        final_url=body.final_url,
        status=body.status,
        headers=body.headers,
        content=content,
        text=text,
        encoding=encoding,
        sha256=sha,
        attempts=attempts,
        elapsed=time.monotonic() - started,
        fetched_at=now,
        not_modified=not_modified,
    )
