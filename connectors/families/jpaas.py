"""Hanweb jpaas columns (Zhejiang): a column shell whose list comes from the unit API.

The column page `/col/col{ID}/index.html` holds no rows. A script of it names the API and
the unit to build:

```html
<script src="/cms_files/default/script/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-
  publish-server/front/page/build/unit" queryData="{'parseType':'bulidstatic','webId':'3185',
  'tplSetId':'…','pageType':'column','tagId':'信息列表','editType':'null','pageId':'1229565788'}">
```

`GET {url}?{queryData}&paramJson={"pageNo":N,"pageSize":K}` answers
`{"success": true, "code": "200", "data": {"html": "…"}}`: the list as HTML (`<li><a title
href>…</a><span>date</span></li>`, read by the TRS row reader) and its pager,
`<table class="pagination" count="388" rows="15" pageNo="1" queryData="…">`. `count` is the
advertised total, `rows` the page size. The shell is a passing page (no rows by design); the
walk goes on page by page until `pageNo × rows` reaches `count`. Detail pages are read by the
shared label reader (`table.xxgktab`: 索引号, 发布机构, 生成日期, 文件编号, 有效性).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from connectors.errors import LayoutChanged, NoRows
from connectors.families.base import ListingPage, RawDetail, check_stub, small_int, unreadable
from connectors.families.detail import parse_detail_page
from connectors.families.jsonpage import load_object
from connectors.families.trs.rows import find_rows
from connectors.normalize import canonical_url
from connectors.records import Request

__all__ = ["first_request", "parse_detail", "parse_listing"]

API_PATH = "/front/page/build/unit"
DEFAULT_PAGE_SIZE = 15
_UNIT_SCRIPT = re.compile(r"<script\b[^>]*?\burl\s*=\s*[\"']([^\"']*" + re.escape(API_PATH) + r")[\"'][^>]*>", re.I)
_QUERY_DATA = re.compile(r"\bqueryData\s*=\s*\"([^\"]{1,2000})\"|\bqueryData\s*=\s*'([^']{1,2000})'", re.I)
_PAIR = re.compile(r"""["']([\w-]{1,40})["']\s*:\s*["']([^"']{0,200})["']""")
_PAGER = re.compile(r"<table\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bpagination\b[^>]*>", re.I)


def first_request(url: str, options: Mapping[str, str]) -> Request:
    """The column shell, as configured."""
    return Request(url=url)


def parse_listing(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """The shell (a passing page: the unit API's first page next) or one API page."""
    if urlsplit(request.url).path.endswith(API_PATH):
        return _api_page(text, request, options)
    return _shell(text, request, options)


def parse_detail(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """An article page: the `xxgktab` label table, meta and body, by the shared reader."""
    return parse_detail_page(text, url, options)


def _shell(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """The column shell: the unit script's API URL and queryData make the first API request.
    Of several unit scripts the one whose `tagId` is the `tag` option, else the first."""
    check_stub(text, f"column shell {request.url}")
    wanted = options.get("tag")
    for script in _UNIT_SCRIPT.finditer(text):
        query = _query_data(script.group(0))
        if query and (not wanted or query.get("tagId") == wanted):
            api = canonical_url(urljoin(request.url, script.group(1)))
            return ListingPage(rows=[], passing=True, next_request=_api_request(api, query, 1, _size(options)))
    raise unreadable(
        text,
        f"{request.url}: no unit script with url=…{API_PATH} and a queryData"
        + (f" whose tagId is {wanted!r}" if wanted else ""),
        NoRows,
    )


def _query_data(tag: str) -> dict[str, str]:
    """The `queryData` attribute of a tag, a JS object of quoted strings, as a dict."""
    found = _QUERY_DATA.search(tag)
    return dict(_PAIR.findall(found.group(1) or found.group(2))) if found else {}


def _size(options: Mapping[str, str]) -> int:
    value = str(options.get("page_size", DEFAULT_PAGE_SIZE))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"jpaas option page_size must be a positive integer, got {value!r}")
    return int(value)


def _api_request(api: str, query: Mapping[str, str], page: int, size: int) -> Request:
    """GET the unit API for one page: the shell's queryData and `paramJson` with the page."""
    fields = {k: v for k, v in query.items() if k != "paramJson"}
    fields["paramJson"] = json.dumps({"pageNo": page, "pageSize": size}, separators=(",", ":"))
    parts = urlsplit(api)
    return Request(url=urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(fields), "")))


def _api_page(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """One page of the unit API: rows from `data.html`, total and page size from its pager."""
    data = load_object(text, request.url)
    html = data.get("data", {}).get("html") if isinstance(data.get("data"), dict) else None
    if not isinstance(html, str):
        raise LayoutChanged(f"{request.url}: no data.html in the unit API's answer (keys: {sorted(data)[:10]})")
    pager = _pager(html)
    total, size = small_int(pager.get("count", "")), small_int(pager.get("rows", ""))
    page = small_int(pager.get("pageno", "")) or _asked_page(request.url)
    rows, bad = find_rows(html, request.url, options)
    if not rows and not bad:
        if page > 1 or total == 0:
            return ListingPage(rows=[], advertised_total=total)
        raise LayoutChanged(f"{request.url}: page 1 of the unit API lists nothing (count {total})")
    size = size or _asked_size(request.url) or len(rows)
    more = page * size < total if total is not None else len(rows) + len(bad) >= size
    query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    return ListingPage(
        rows=rows,
        page_count=-(-total // size) if total is not None and size else None,
        advertised_total=total,
        next_request=_api_request(request.url, query, page + 1, size) if more else None,
        unreadable_rows=tuple(bad),
    )


def _pager(html: str) -> dict[str, str]:
    """The attributes of the answer's pager table (`count`, `rows`, `pageno`), lower-cased."""
    found = _PAGER.search(html)
    if found is None:
        return {}
    return {k.lower(): v for k, v in re.findall(r"""\b([\w-]+)\s*=\s*["']([^"']*)["']""", found.group(0))}


def _param(url: str) -> dict:
    value = dict(parse_qsl(urlsplit(url).query)).get("paramJson", "")
    try:
        found = json.loads(value)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _asked_page(url: str) -> int:
    page = _param(url).get("pageNo")
    return page if isinstance(page, int) and page > 0 else 1


def _asked_size(url: str) -> int | None:
    size = _param(url).get("pageSize")
    return size if isinstance(size, int) and size > 0 else None
