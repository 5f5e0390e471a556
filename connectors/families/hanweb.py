"""Hanweb (大汉) jcms/jpaas columns: a column page with an embedded `<datastore>`, then data-proxy groups.

The column page `/col/col{COL}/index.html` carries the first group of records in
`<script type="text/xml"><datastore>`; later groups come from
`POST …/dataproxy.jsp?startrecord=…&endrecord=…&perpage=15` with the form fields of the
`nextgroup` link and the column page as Referer. The datastore is read by a scan that never
expands anything (`hanweb_store`): a response that declares a DOCTYPE or ENTITY is refused
(`UnsafeXml`), template markup between the records is skipped. What the column page's jpage
call says of its datastore (the total, the group's size) is read by `hanweb_jpage`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urljoin, urlsplit

from connectors.errors import LayoutChanged, StubPage
from connectors.families.base import ListingPage, RawDetail, check_stub, small_int, unreadable
from connectors.families.detail import parse_detail_page
from connectors.families.hanweb_jpage import stated_group, stated_total, without_other_calls
from connectors.families.hanweb_records import record_rows
from connectors.families.hanweb_store import Datastore, read_datastore
from connectors.families.totals import advertised_in, live_parts
from connectors.normalize import canonical_url
from connectors.records import Request

GROUP_SIZE = 45  # records per data-proxy group (3 pages of 15)
PER_PAGE = 15
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"


def first_request(url: str, options: Mapping[str, str]) -> Request:
    """The column page, as configured."""
    return Request(url=url)


def parse_listing(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """Records, advertised total and the next data-proxy group of a column page or a group."""
    is_proxy = request.method.upper() == "POST" or "dataproxy" in request.url
    if not is_proxy:
        check_stub(text, f"column page {request.url}")
    store = read_datastore(text, request.url, is_proxy)
    if store is None:
        raise unreadable(text, f"{request.url}: no <datastore> (looked for the jpage datastore XML)")
    records = store.records
    total, stated = _stop_figures(store, text, is_proxy)
    start, asked = _range(request)
    if is_proxy and not any(html.strip() for html in records):
        if total is not None and start > total:
            # asked past the total, after a column page that did not say it held the last group
            return ListingPage(rows=[], page_count=_requests_for(total), advertised_total=total)
        raise StubPage(f"{request.url}: an empty group (advertised total {total}): end of usable data")
    if not records:
        raise unreadable(text, f"{request.url}: a <datastore> without any <record> (looked for the jpage records)")
    rows, bad = record_rows(records, request.url)
    if not rows:
        reasons = ", ".join(sorted({b.reason for b in bad}))
        raise LayoutChanged(
            f"{request.url}: {len(records)} records but no rows ({reasons}); looked for "
            "<li><a href title>…</a><span|b>date</span></li> or <td>…[date]</td> in each record"
        )
    if is_proxy:
        form, referer, proxy = dict(request.data), dict(request.headers).get("Referer", ""), request.url
    else:
        form, referer, proxy = _form(store, text, request.url), request.url, _proxy_url(store, request.url)
    held_to = start + len(records) - 1  # the last record this response holds
    group = asked if asked is not None else stated
    # without a total to stop at, a group shorter than asked for (or than the jpage call
    # says the page's group is) is the last one; a column page that says neither proves no
    # end by its length, so the next group is asked for and the proxy's answer decides
    done = held_to >= total if total is not None else group is not None and len(records) < group
    # the next group starts after the records actually received, so a short group loses none
    next_request = None if done else _group_request(proxy, held_to + 1, held_to + GROUP_SIZE, form, referer)
    return ListingPage(
        rows=rows,
        page_count=_requests_for(total),
        advertised_total=total,
        next_request=next_request,
        unreadable_rows=tuple(bad),
    )


def parse_detail(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """The `索 引 号 | v | 分 类 | v …` table, body `div#zoom` and attachments of an article."""
    return parse_detail_page(text, url, options)


# --- how far the listing goes -----------------------------------------------------------


def _stop_figures(store: Datastore, text: str, is_proxy: bool) -> tuple[int | None, int | None]:
    """(advertised total, records in a full first group) of a response, each None when
    not said.

    The total is the datastore's `<totalrecord>`; else the `totalRecord` of the jpage call
    handed the page's datastore (`hanweb_jpage`); else any total the page's live code
    advertises (`totals`) outside the other jpage calls (a search box's placeholder). The group is what a column page's jpage call states; a data-proxy
    answer is judged by the range its request asked for instead.
    """
    total = small_int((store.totalrecord or "").strip())
    if total is not None:
        return total, None
    code, shown = live_parts(text)
    stated = None if is_proxy else stated_group(code)
    total = stated_total(code)
    return (total if total is not None else advertised_in(without_other_calls(code), shown).items), stated


def _requests_for(total: int | None) -> int | None:
    """The requests (not 15-row pages) a listing of `total` records takes."""
    return -(-total // GROUP_SIZE) if total is not None else None


# --- next group -------------------------------------------------------------------------


def _nextgroup_query(store: Datastore) -> tuple[str | None, dict[str, str]]:
    """(proxy path, query parameters) of the `nextgroup` link, decoded once."""
    href = re.search(r"href\s*=\s*['\"]([^'\"]+)['\"]", store.nextgroup or "")
    if href is None:
        return None, {}
    parts = urlsplit(href.group(1).replace("&amp;", "&"))
    return parts.path or None, dict(parse_qsl(parts.query, keep_blank_values=True))


def _proxy_url(store: Datastore, column_url: str) -> str:
    path, _ = _nextgroup_query(store)
    return canonical_url(urljoin(column_url, path or DEFAULT_PROXY))


def _page_value(text: str, name: str) -> str | None:
    match = re.search(rf"\b{name}\s*[=:]\s*['\"]?(\d+)", text)
    return match.group(1) if match else None


def _form(store: Datastore, text: str, column_url: str) -> dict[str, str]:
    """The data-proxy form: ids from the nextgroup link, else from the page (and the URL).

    `webname` is sent as the link gives it after one decoding: links carry it percent-encoded
    twice, and the form encoding restores exactly what the portal wrote.
    """
    _, query = _nextgroup_query(store)
    column = re.search(r"/col/col(\d+)/", column_url)
    form = {
        "col": "1",
        "appid": query.get("appid", "1"),
        "webid": query.get("webid") or _page_value(text, "webid") or "",
        "path": query.get("path", "/"),
        "columnid": query.get("columnid") or _page_value(text, "columnid") or (column.group(1) if column else ""),
        "sourceContentType": query.get("sourceContentType", "1"),
        "unitid": query.get("unitid") or _page_value(text, "unitid") or "",
        "webname": query.get("webname", ""),
        "permissiontype": query.get("permissiontype", "0"),
    }
    missing = [k for k in ("webid", "columnid", "unitid") if not form[k]]
    if missing:
        raise LayoutChanged(f"{column_url}: no {', '.join(missing)} in the nextgroup link or the page")
    return form


def _range(request: Request) -> tuple[int, int | None]:
    """(first record, records asked for) of a response: from a data-proxy request's
    startrecord/endrecord; a column page holds the first group, whose size its request
    does not say (None)."""
    query = dict(parse_qsl(urlsplit(request.url).query))
    try:
        start, end = int(query["startrecord"]), int(query["endrecord"])
    except (KeyError, ValueError):
        return 1, None
    return start, end - start + 1


def _group_request(proxy: str, start: int, end: int, form: dict[str, str], referer: str) -> Request:
    """The POST for records start..end."""
    base = proxy.split("?", 1)[0]
    url = f"{base}?startrecord={start}&endrecord={end}&perpage={PER_PAGE}"
    return Request(url=url, method="POST", data=tuple(form.items()), headers=(("Referer", referer),) if referer else ())
