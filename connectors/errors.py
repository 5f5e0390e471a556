"""Why a page or a portal could not be read. Every failure has a reason a person can act on."""


class ConnectorError(Exception):
    """Base of every error the connectors raise on purpose."""


class FetchError(ConnectorError):
    """A request failed for good: refused, timed out, 4xx/5xx after retries, too big, off-host."""


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


class UnsafeXml(PageError):
    """An XML response declaring a DTD or entities; it is refused, never expanded."""
