"""Guangdong's 政府信息公开目录管理平台 (gkmlpt): an index page with the catalogue tree, then JSON.

`GET {base}/gkmlpt/index` prints `SID: '2'` and `window._CONFIG = {… TREE: [{id, name,
post_count, children, jump_url}, …] …}`. Each category is listed by
`GET {base}/gkmlpt/api/all/{cat}?page=N&sid=SID` → `{"total", "classify": {"post_count"},
"articles": [{id, title, identifier, document_number, publisher, date, …}]}`; page 0 answers
what page 1 does, so a walk from page 0 goes on at page 2. The walk goes
through every category of the tree (or those named by the `categories` option) one after the
other: the categories still to walk ride on the request (`Request.carry`). An article listed
in two categories has one item key (its id), so the crawl sees it once. A page reports its
category's count as `category_total`, never as the listing's total: categories overlap, and
real sites count more than they serve (docs/platforms.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from connectors.errors import LayoutChanged
from connectors.families.base import (
    ListingPage,
    RawDetail,
    RawRow,
    UnreadableRow,
    check_stub,
    resolve_link,
    split_rows,
    unreadable,
    unreadable_row,
)
from connectors.families.detail import parse_detail_page
from connectors.families.jsonpage import json_fields, json_int, json_text, load_object
from connectors.records import Request

__all__ = ["first_request", "parse_detail", "parse_listing"]

_SID = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
_CONFIG = re.compile(r"window\._CONFIG\s*=")
_TREE = re.compile(r"\bTREE\s*:\s*\[")
_API = re.compile(r"/gkmlpt/api/all/(\d+)$")

#: field -> article keys, in order of preference (the first that says something wins)
_FIELDS = {
    "title": ("title",),
    "index_no": ("identifier",),
    "doc_no": ("document_number",),
    "publisher_name": ("publisher",),
    "written_date": ("date",),
    "published_date": ("display_publish_time", "created_at", "create_time"),
    "topic": ("classify_theme_name",),
    "genre": ("classify_genre_name",),
}


def first_request(url: str, options: Mapping[str, str]) -> Request:
    """The index page (`{base}/gkmlpt/index`), as configured."""
    return Request(url=url)


def parse_listing(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """The index page (SID and tree: no rows, the first category next) or one API page."""
    if _API.search(urlsplit(request.url).path):
        return _api_page(text, request, options)
    return _index_page(text, request, options)


def parse_detail(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """A content page (`/gkmlpt/content/…/post_ID.html`): its label table and body (by default
    `div.article-content`; no saved content page is known, see docs/platforms.md)."""
    return parse_detail_page(text, url, {"body": ".article-content", **options})


# --- the index page ---------------------------------------------------------------------


def _index_page(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    check_stub(text, f"gkmlpt index {request.url}")
    sid = _SID.search(text)
    config = _CONFIG.search(text)
    if sid is None or config is None:
        raise unreadable(text, f"{request.url}: no SID or window._CONFIG (not a gkmlpt index page)")
    tree = _tree(text, config.end(), request.url)
    wanted = _wanted(options)
    cats = [c for c in walk_tree(tree) if wanted is None or c in wanted]
    if not cats:
        raise LayoutChanged(f"{request.url}: the catalogue tree names no category with posts")
    base = request.url.split("/gkmlpt/", 1)[0]
    first = _page_request(f"{base}/gkmlpt/api/all/{cats[0]}", sid.group(1), _first_page(options), tuple(cats[1:]))
    return ListingPage(rows=[], passing=True, next_request=first)


def _tree(text: str, start: int, url: str) -> list:
    """The `TREE: [...]` array of the config object (JSON inside a JS literal)."""
    found = _TREE.search(text, start)
    if found is None:
        raise LayoutChanged(f"{url}: window._CONFIG has no TREE")
    try:
        tree, _ = json.JSONDecoder(strict=False).raw_decode(text, found.end() - 1)
    except json.JSONDecodeError as exc:
        raise LayoutChanged(f"{url}: the TREE is not JSON: {exc}") from exc
    if not isinstance(tree, list):
        raise LayoutChanged(f"{url}: the TREE is not a list")
    return tree


def walk_tree(nodes: list) -> Iterator[str]:
    """Category ids in tree order: every node with posts (or no count) and no `jump_url`
    (a link elsewhere), children after their parent; each id once."""
    seen: set[str] = set()
    stack = [(n, 0) for n in reversed(nodes)]
    while stack:
        node, level = stack.pop()
        if not isinstance(node, dict) or level > 16:
            continue
        ident = str(node.get("id", ""))
        count = node.get("post_count")
        if (
            ident.isdigit()
            and ident not in seen
            and not node.get("jump_url")
            and (count is None or (isinstance(count, int) and count > 0))
        ):
            seen.add(ident)
            yield ident
        children = node.get("children")
        if isinstance(children, list):
            stack.extend((c, level + 1) for c in reversed(children))


def _wanted(options: Mapping[str, str]) -> set[str] | None:
    value = str(options.get("categories", "")).strip()
    return {c.strip() for c in value.split(",") if c.strip()} or None if value else None


def _first_page(options: Mapping[str, str]) -> int:
    value = str(options.get("first_page", "1"))
    if value not in ("0", "1"):
        raise ValueError(f"gkmlpt option first_page must be 0 or 1, got {value!r}")
    return int(value)


def _page_request(api: str, sid: str, page: int, carry: tuple[str, ...]) -> Request:
    return Request(url=f"{api}?page={page}&sid={sid}", carry=carry)


# --- one API page -----------------------------------------------------------------------


def _api_page(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    data = load_object(text, request.url)
    parts = urlsplit(request.url)
    query = dict(parse_qsl(parts.query))
    page, sid = int(query.get("page", "1") or 1), query.get("sid", "")
    articles = data.get("articles")
    if articles is None:
        articles = []
    if not isinstance(articles, list):
        raise LayoutChanged(f"{request.url}: 'articles' is not a list")
    count = _post_count(data)
    rows, bad = split_rows(_row(a, i, request.url) for i, a in enumerate(articles))
    # page 0 lists what page 1 does: after it comes page 2, and page N is N pages read
    pages_read = max(page, 1)
    more = bool(articles) and (count is None or pages_read * len(articles) < count)
    if more:
        api = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        following = _page_request(api, sid, pages_read + 1, request.carry)
    else:
        following = _next_category(request, sid, options)
    return ListingPage(
        rows=rows,
        passing=not rows and not bad,
        next_request=following,
        page_count=-(-count // len(articles)) if count and articles and pages_read == 1 else None,
        category_total=count,
        resume=_next_category(request, sid, options),
        unreadable_rows=bad,
    )


def _next_category(request: Request, sid: str, options: Mapping[str, str]) -> Request | None:
    """Page one of the next category still to walk, or None after the last."""
    if not request.carry:
        return None
    parts = urlsplit(request.url)
    api = urlunsplit((parts.scheme, parts.netloc, _API.sub(f"/gkmlpt/api/all/{request.carry[0]}", parts.path), "", ""))
    return _page_request(api, sid, _first_page(options), request.carry[1:])


def _post_count(data: dict) -> int | None:
    """`classify.post_count`, else `total`: how many articles the category says it has."""
    classify = data.get("classify")
    for value in ((classify or {}).get("post_count") if isinstance(classify, dict) else None, data.get("total")):
        if (count := json_int(value)) is not None:
            return count
    return None


def _row(item: object, index: int, base: str) -> RawRow | UnreadableRow:
    """One article: its fields, its URL (`url`, else `post_url`) and its id as the item key;
    an article without a usable URL is an unreadable row (the crawl counts it)."""
    if not isinstance(item, dict):
        raise LayoutChanged(f"{base}: articles[{index}] is not an object")
    fields = json_fields(item, _FIELDS)
    validity = _validity(item)
    if validity:
        fields["validity"] = validity
    url = resolve_link(str(item.get("url") or item.get("post_url") or ""), base)
    if url is None:
        return unreadable_row("no link", fields.get("title") or f"articles[{index}]")
    ident = json_text(item.get("id"))
    return RawRow(url=url, item_key=f"post_{ident}" if ident else url, fields=fields)


def _validity(item: dict) -> str | None:
    """废止 / 失效 from `is_abolished` / `is_expired`; 有效 when both say no; None when absent."""
    flags = [item.get(k) for k in ("is_abolished", "is_expired")]
    if all(f is None for f in flags):
        return None
    if flags[0] in (True, 1, "1", "true"):
        return "废止"
    if flags[1] in (True, 1, "1", "true"):
        return "失效"
    return "有效"
