"""The www.gov.cn policy library: its JSON search API, then two detail templates.

`GET {url}&p={n}&n={k}` (the configured URL holds the search: `t=zhengcelibrary`, `q`,
`sort=pubtime` …) → `{"code": 200, "searchVO": {"totalCount": 0, "catMap": {"gongwen":
{"totalCount", "listVO": [{title, url, pcode, puborg, pubtimeStr, pubtime, ptime, childtype,
index, id}]}, "bumenfile": …, "otherfile": …, "gongbao": …}}}`. The top-level `totalCount` is 0:
each category has its own. One document may sit in several categories: its item key is the
same in each, so the crawl sees it once. The end is every `listVO` empty, or `code: 1001`
with `searchVO: null`. Detail pages are the 政策文件库 overview table
(`div.policyLibraryOverview_header`) or the 国务院文件 `table.bd1`, both label/value cells.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from connectors.errors import LayoutChanged
from connectors.families.base import (
    ListingPage,
    RawDetail,
    RawRow,
    UnreadableRow,
    resolve_link,
    split_rows,
    unreadable_row,
)
from connectors.families.detail import parse_detail_page
from connectors.families.jsonpage import json_fields, json_int, json_text, load_object
from connectors.records import Request

__all__ = ["first_request", "parse_detail", "parse_listing", "top_level"]

DEFAULT_N = 10
_CONTENT_ID = re.compile(r"/(content_\d+)\.s?html?$")
#: field -> hit keys, in order of preference. `pubtimeStr` and `pubtime` (epoch ms) are the
#: 发布日期, `ptime` (epoch ms) the 成文日期: `0` in the categories that have none (news).
_FIELDS = {
    "title": ("title",),
    "index_no": ("index",),
    "doc_no": ("pcode",),
    "publisher_name": ("puborg",),
    "published_date": ("pubtimeStr", "pubtime"),
    "written_date": ("ptime",),
    "topic": ("childtype",),
}


def first_request(url: str, options: Mapping[str, str]) -> Request:
    """Page 1 of the search, `n` results per category (option `n`, default 10)."""
    return Request(url=_page_url(url, 1, _per_page(options)))


def parse_listing(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """The rows of every category of one result page, and the next page while any has more."""
    data = load_object(text, request.url)
    page = _page_number(request.url)
    vo = data.get("searchVO")
    if data.get("code") == 1001 or vo is None:
        if page > 1:
            return ListingPage(rows=[])
        raise LayoutChanged(f"{request.url}: no results on page 1 (code={data.get('code')!r}, msg={data.get('msg')!r})")
    if not isinstance(vo, dict):
        raise LayoutChanged(f"{request.url}: searchVO is not an object")
    lists = _lists(vo, request.url)
    rows, bad = split_rows(_row(item, i, request.url) for items in lists.values() for i, item in enumerate(items))
    totals = [json_int(c.get("totalCount")) for c in (vo.get("catMap") or {}).values() if isinstance(c, dict)]
    total = max([t for t in totals if t is not None], default=None)
    if not rows and not bad:
        if page > 1 or total == 0:
            return ListingPage(rows=[], advertised_total=total)
        raise LayoutChanged(f"{request.url}: page 1 lists nothing")
    k = _per_page(options)
    more = any(len(items) >= k for items in lists.values())
    return ListingPage(
        rows=rows,
        page_count=-(-total // k) if total else None,
        advertised_total=total,
        next_request=Request(url=_page_url(request.url, page + 1, k)) if more else None,
        unreadable_rows=bad,
    )


def parse_detail(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """Either template's label cells; 主题分类 `A\\B` gives its top level A as the topic."""
    detail = parse_detail_page(text, url, options)
    topic = detail.fields.get("topic")
    if topic:
        return replace(detail, fields={**detail.fields, "topic": top_level(topic)})
    return detail


def top_level(value: str) -> str:
    """The top level of a gov.cn 主题分类 (`国土资源、能源\\电力` → `国土资源、能源`)."""
    return re.split(r"[\\/＼]", value, maxsplit=1)[0].strip() or value


def _per_page(options: Mapping[str, str]) -> int:
    value = str(options.get("n", DEFAULT_N))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"govcn option n must be a positive integer, got {value!r}")
    return int(value)


def _page_url(url: str, page: int, n: int) -> str:
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in ("p", "n")]
    query = "&".join([*kept, f"p={page}", f"n={n}"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _page_number(url: str) -> int:
    value = dict(parse_qsl(urlsplit(url).query)).get("p", "1")
    return int(value) if value.isdigit() else 1


def _lists(vo: dict, url: str) -> dict[str, list]:
    """Category name -> its `listVO` (also a bare `searchVO.listVO`)."""
    out: dict[str, list] = {}
    cats = vo.get("catMap")
    if cats is not None and not isinstance(cats, dict):
        raise LayoutChanged(f"{url}: catMap is not an object")
    for name, cat in (cats or {}).items():
        items = cat.get("listVO") if isinstance(cat, dict) else None
        if items is not None and not isinstance(items, list):
            raise LayoutChanged(f"{url}: catMap.{name}.listVO is not a list")
        out[name] = items or []
    if isinstance(vo.get("listVO"), list):
        out[""] = vo["listVO"]
    if not out:
        raise LayoutChanged(f"{url}: searchVO has neither catMap nor listVO")
    return out


_HIGHLIGHT = re.compile(r"</?em>", re.I)
_TAG = re.compile(r"<[^<>]*>")


def _plain(text: str) -> str | None:
    """A field's text without the search's `<em>` highlights, other markup (`<br/>` inside
    gongbao titles) as a space, white space collapsed."""
    return " ".join(_TAG.sub(" ", _HIGHLIGHT.sub("", text)).split()) or None


def _row(item: object, index: int, base: str) -> RawRow | UnreadableRow:
    """One hit: fields by name (`<em>` highlights dropped), the top level of `childtype`; a
    hit without a usable URL is an unreadable row (the crawl counts it)."""
    if not isinstance(item, dict):
        raise LayoutChanged(f"{base}: listVO[{index}] is not an object")
    fields = json_fields(item, _FIELDS, clean=_plain)
    if "topic" in fields:
        fields["topic"] = top_level(fields["topic"])
    url = resolve_link(str(item.get("url") or ""), base)
    if url is None:
        return unreadable_row("no link", fields.get("title") or f"listVO[{index}]")
    found = _CONTENT_ID.search(urlsplit(url).path)
    ident = json_text(item.get("id"))
    key = found.group(1) if found else f"govcn_{ident}" if ident else url
    return RawRow(url=url, item_key=key, fields=fields)
