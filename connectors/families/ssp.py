"""The Fujian search-platform JSON API (`/ssp/search/api/apiSearch`): `GET {url}&page=n&datas=k`.

Each page is `{"error": false, "total": N, "datas": [{"_doctitle", "idxid", "puborg",
"fileno", "pubdate", "docreltime", "docpuburl", …}]}`. The listing ends with `"error": true`
or an empty `datas`; a page may hold fewer rows than asked for, so only the end marker ends
it. Detail pages (`docpuburl`) are TRS detail pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from connectors.errors import LayoutChanged
from connectors.families import trs
from connectors.families.base import (
    ListingPage,
    RawDetail,
    RawRow,
    UnreadableRow,
    platform_key,
    resolve_link,
    small_int,
    split_rows,
    unreadable_row,
    without_surrogates,
)
from connectors.families.jsonpage import json_field, load_object
from connectors.normalize import label_field
from connectors.records import Request

DEFAULT_DATAS = 20
_ID_KEYS = ("docid", "DOCID", "id", "_id", "docId")


def first_request(url: str, options: Mapping[str, str]) -> Request:
    """Page 1 of the search with `datas` rows per page (options `datas`, default 20)."""
    return Request(url=_page_url(url, 1, _datas(options)))


def parse_listing(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """Rows and the next page of one JSON page; an empty page is legitimate only as the end."""
    page = _page_number(request.url)
    data = load_object(text, request.url)
    total = data.get("total")
    total = small_int(str(total)) if isinstance(total, int | str) else None
    items = data.get("datas")
    ended = data.get("error") is True or items == []
    if ended:
        if page > 1 or total == 0:
            return ListingPage(rows=[], page_count=None, advertised_total=total, next_request=None)
        raise LayoutChanged(f"{request.url}: page 1 is empty (error={data.get('error')!r}, total={total!r})")
    if not isinstance(items, list):
        raise LayoutChanged(f"{request.url}: no 'datas' list in the JSON (keys: {sorted(data)[:10]})")
    rows, bad = split_rows(_row(item, i, request.url) for i, item in enumerate(items))
    datas = _datas(options)
    return ListingPage(
        rows=rows,
        page_count=-(-total // datas) if total is not None else None,
        advertised_total=total,
        next_request=Request(url=_page_url(request.url, page + 1, datas)),
        unreadable_rows=bad,
    )


def parse_detail(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """A `docpuburl` page is a TRS detail page."""
    return trs.parse_detail(text, url, options)


def _datas(options: Mapping[str, str]) -> int:
    value = str(options.get("datas", DEFAULT_DATAS))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"ssp option datas must be a positive integer, got {value!r}")
    return int(value)


def _page_url(url: str, page: int, datas: int) -> str:
    """`url` with `page` and `datas` set, the rest of its query kept as written."""
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in ("page", "datas")]
    query = "&".join([*kept, f"page={page}", f"datas={datas}"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _page_number(url: str) -> int:
    value = dict(parse_qsl(urlsplit(url).query)).get("page", "1")
    return int(value) if value.isdigit() else 1


def _row(item: object, index: int, base: str) -> RawRow | UnreadableRow:
    """One search hit: fields by the synonym table, URL from `docpuburl`, key from it or an id;
    a hit without a usable URL is an unreadable row (the crawl counts it)."""
    if not isinstance(item, dict):
        raise LayoutChanged(f"{base}: datas[{index}] is not an object")
    fields: dict[str, str] = {}
    for key, value in item.items():
        fld = label_field(key)
        if fld and fld not in fields and json_field(fld, value) is not None:
            # kept as printed; a JSON escape can make a lone surrogate, which no file format can store
            fields[fld] = without_surrogates(str(value))
    url = resolve_link(without_surrogates(str(item.get("docpuburl") or item.get("url") or "")), base)
    if url is None:
        return unreadable_row("no link", fields.get("title") or f"datas[{index}]")
    own_id = next((without_surrogates(str(item[k])) for k in _ID_KEYS if item.get(k) not in (None, "")), None)
    key = platform_key(url) or own_id or url
    return RawRow(url=url, item_key=key, fields=fields)
