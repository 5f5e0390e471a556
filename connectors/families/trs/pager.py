"""TRS pagination: `createPageHTML(count, current, "index", "html")` or `var countPage`,
else a rendered link to the next `index_N` page; pages are `index.html`, `index_1.html` …"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from connectors.families.base import small_int
from connectors.normalize import canonical_url
from connectors.records import Request

_CREATE_PAGE = re.compile(
    r"createPageHTML\s*\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,"
    r"\s*['\"](\w+)['\"]"
)
_PAGE_URL = re.compile(r"^index(?:_(\d+))?\.(\w+)$")


def int_var(text: str, name: str) -> int | None:
    """The value of `var name = 123` in the page's scripts."""
    match = re.search(rf"\bvar\s+{name}\s*=\s*['\"]?(\d+)", text)
    return small_int(match.group(1)) if match else None


def pager(code: str) -> tuple[int | None, int | None, str | None]:
    """(page count, current 0-based page, extension) from createPageHTML or countPage in
    the live code of a page's scripts (`totals.live_parts`: a call commented out is not the
    pager)."""
    match = _CREATE_PAGE.search(code)
    if match:
        return small_int(match.group(1)), small_int(match.group(2)), match.group(4)
    return int_var(code, "countPage"), int_var(code, "currentPage"), None


def next_request(url: str, page_count: int | None, current: int | None, ext: str | None, text: str) -> Request | None:
    """`index_{i+1}.<ext>` in the listing's directory, or None on the last page.

    The page number comes from the URL asked for (`index_3.html` is page 3), else from the
    page's own pager; the extension is the entry page's (.htm, .html, .shtml). Without a
    page count, the page must link to the next page itself.
    """
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    own = _PAGE_URL.match(name)
    if own:
        index = int(own.group(1) or 0)
        ext = own.group(2)
    else:
        index = current or 0
        ext = ext or _linked_extension(text) or "html"
    following = f"index_{index + 1}.{ext}"
    if page_count is None:
        # no pager script we know: follow a rendered link to the next page, if there is one
        if not _links_to(text, following):
            return None
    elif index + 1 >= page_count:
        return None
    return Request(url=canonical_url(urljoin(url, following)))


#: An href's value; each match ends where its value does, so a scan never starts over.
_HREF_VALUE = re.compile(r"""href\s*=\s*["']?([^"'\s>]*)""")


def _links_to(text: str, name: str) -> bool:
    """Whether an href on the page names the file `name` (`…/index_2.htm`, not `index_2.html`).

    Linear in the page: one pass over the href values, each searched once for the name.
    """
    wanted = re.compile(rf"\b{re.escape(name)}\b")
    return any(wanted.search(m.group(1)) for m in _HREF_VALUE.finditer(text))


def _linked_extension(text: str) -> str | None:
    match = re.search(r"index_\d+\.(s?html?)\b", text)
    return match.group(1) if match else None
