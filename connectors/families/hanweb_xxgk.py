"""Hanweb (大汉) 信息公开 search: `POST /module/xxgk/search.jsp`, HTML rows and `共N页`.

The configured URL is the search page with its fixed parameters in the query (`infotypeId`,
`jdid`, `area`, `sortfield` …); every page is asked for by POSTing them as a form with
`currpage=N` (from 1). The answer is an HTML table of rows (a header row naming the columns:
信息名称/标题, 索引号, 发布机构, 发布日期 / 生成日期 …) and a pager `共N页`. Detail pages
(`/art/Y/M/D/art_COL_ID.html`) hold the box `索 引 号 | … | 分 类 | … | 发布机构 | … |
发文日期 | … | 文 号 | … | 有 效 性 |`, where one 分类 cell holds the catalogue column, the
主题 and the 体裁, separated by spaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from connectors.errors import NoRows
from connectors.families.base import ListingPage, RawDetail, check_stub, unreadable
from connectors.families.detail import parse_detail_page
from connectors.families.totals import advertised
from connectors.families.trs.rows import find_rows
from connectors.records import Request

__all__ = ["first_request", "parse_detail", "parse_listing", "split_classification"]

_CLASS_LABEL = "label:分类"


def first_request(url: str, options: Mapping[str, str]) -> Request:
    """Page 1: the URL's query as the POST form, with `currpage=1`."""
    return _page_request(url, 1)


def parse_listing(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """The rows of one result page, `共N页` and the next page's POST while N is not reached."""
    check_stub(text, f"search page {request.url}")
    rows, bad = find_rows(text, request.url, options)
    page = _current(request)
    printed = advertised(text)
    pages = printed.pages
    if not rows and not bad:
        if pages is not None and page > pages:
            return ListingPage(rows=[], page_count=pages)
        raise unreadable(
            text,
            f"search page {request.url}: no rows; looked for a result table "
            "with a header row (信息名称/标题, 索引号, 发布日期 …)",
            NoRows,
        )
    more = page < pages if pages is not None else False
    return ListingPage(
        rows=rows,
        page_count=pages,
        advertised_total=printed.items,
        next_request=_page_request(request.url, page + 1, dict(request.data)) if more else None,
        unreadable_rows=tuple(bad),
    )


def parse_detail(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """The label box; the 分类 cell's 主题 and 体裁 fill topic and genre (unless the portal's
    options map 分类 otherwise)."""
    if _CLASS_LABEL in options:
        return parse_detail_page(text, url, options)
    detail = parse_detail_page(text, url, {**options, _CLASS_LABEL: "function"})
    fields = dict(detail.fields)
    combined = fields.pop("function", None)
    if combined:
        topic, genre = split_classification(combined)
        if topic:
            fields.setdefault("topic", topic)
        if genre:
            fields.setdefault("genre", genre)
    return replace(detail, fields=fields)


def split_classification(value: str) -> tuple[str | None, str | None]:
    """(主题, 体裁) of a 分类 cell `column 主题 体裁` (`政府信息公开年报 综合政务,文秘工作 其他`);
    (None, None) unless it holds exactly three space-separated parts."""
    parts = value.replace("\u3000", " ").split()
    if len(parts) != 3:
        return None, None
    return parts[1], parts[2]


def _current(request: Request) -> int:
    value = dict(request.data).get("currpage", "1")
    return int(value) if value.isdigit() else 1


def _page_request(url: str, page: int, form: dict[str, str] | None = None) -> Request:
    """POST to the search page: the form (first: the configured URL's query) with `currpage`."""
    parts = urlsplit(url)
    if form is None:
        form = dict(parse_qsl(parts.query, keep_blank_values=True))
    form = {k: v for k, v in form.items() if k != "currpage"}
    target = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return Request(
        url=target, method="POST", data=(*form.items(), ("currpage", str(page))), headers=(("Referer", target),)
    )
