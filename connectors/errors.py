"""Why a page or a portal could not be read. Every failure has a reason a person can act on."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error the connectors raise on purpose."""


class FetchError(ConnectorError):
    """A request failed for good: refused, timed out, 4xx/5xx after retries, too big, off-host.

    `url`, `status` (the last HTTP status, None when no response came) and `attempts` say
    what was tried, so a run summary can name them; all three are optional.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        attempts: int | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.attempts = attempts


class ForeignHostError(FetchError):
    """A redirect (or a link) pointed at a host the portal is not allowed to use."""


class ResponseTooLarge(FetchError):
    """The body (or its decompressed form) exceeded the configured cap."""


class PageError(ConnectorError):
    """A page was fetched but cannot be read as what it should be."""


class ChallengePage(PageError):
    """A WAF / anti-bot challenge (安全验证, a JavaScript-only body, a captcha form)."""


class StubPage(PageError):
    """A listing page that is too small or has no item links: the end of usable data."""


class LayoutChanged(PageError):
    """A page of a known family on which the expected rows or labels are not found."""


class NoRows(LayoutChanged):
    """A listing page on which no row is found at all. On the first page the layout has
    changed; past it, the pager has run beyond the data (a stub, docs/reliability.md)."""


class UnsafeXml(PageError):
    """An XML response declaring a DTD or entities; it is refused, never expanded."""


class ParseDeadline(PageError):
    """A page whose parse ran past the parse deadline (`[harvest] parse_timeout`); the
    process parsing it was killed. Counted like a changed layout of that page: a listing
    page fails the run, a detail page fails that detail."""
