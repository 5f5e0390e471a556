"""TRS pagination: a `createPageHTML` call or `var countPage` (connectors/families/page_script.py),
else a rendered link to the next page. Pages are `index.html`, `index_1.html` … (the call's
own file name and extension when it gives them: `fg.shtml`, `fg_2.shtml` …)."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from connectors.families.page_script import assigned, create_page
from connectors.normalize import canonical_url
from connectors.records import Request


class Pager(NamedTuple):
    """How a listing pages: its page count and current page (0-based) when printed, the
    pages' file name and extension when a call names them, and the suffix of the second
    page (`index_1` after `index`, or `fg_2` after `fg`)."""

    page_count: int | None
    current: int | None
    name: str = "index"
    ext: str | None = None
    second_suffix: int = 1


def pager(code: str) -> Pager:
    """The pager of a page from createPageHTML or countPage/currentPage in the live code of
    its scripts (`totals.live_parts`: a call commented out is not the pager)."""
    call = create_page(code)
    if call is not None:
        return Pager(call.pages, call.current, call.name, call.ext, call.second_suffix)
    return Pager(assigned(code, "countPage"), assigned(code, "currentPage"))


def next_request(url: str, paging: Pager, text: str) -> Request | None:
    """The next page in the listing's directory, or None on the last page.

    The page number comes from the URL asked for (`index_3.html` is page 3, `fg_3.shtml` page
    2 of a call whose second page is `fg_2`), else from the page's own pager; the extension is
    the pager's, else the entry page's (.htm, .html, .shtml). Without a page count, the page
    must link to the next page itself.
    """
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    own = re.fullmatch(rf"{re.escape(paging.name)}(?:_(\d+))?\.(\w+)", name)
    if own:
        number = own.group(1)
        index = 0 if number is None else max(int(number) - paging.second_suffix + 1, 0)
        ext = own.group(2)
    else:
        index = paging.current or 0
        ext = paging.ext or _linked_extension(text, paging.name) or "html"
    following = f"{paging.name}_{index + paging.second_suffix}.{ext}"
    if paging.page_count is None:
        # no pager script we know: follow a rendered link to the next page, if there is one
        if not _links_to(text, following):
            return None
    elif index + 1 >= paging.page_count:
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


def _linked_extension(text: str, name: str) -> str | None:
    match = re.search(rf"{re.escape(name)}_\d+\.(s?html?)\b", text)
    return match.group(1) if match else None
