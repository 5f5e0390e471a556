"""The totals a listing page advertises, in the pager styles real portals print.

A listing's advertised total is what lets a run tell a complete walk from one that fell
short (docs/reliability.md). Portals print it in their pager's script or text:

| style | gives | e.g. |
|---|---|---|
| `countnum` | items | `var countnum = 6348;` (TRS inline pager) |
| `recordCount` | items | `recordCount:'107'` (TRS list scripts), `var recordCount = 107` |
| `totalRecord` | items | `totalRecord:138` (Hanweb jpage), `var totalRecord = "138"` |
| `totalCount` | items | `totalCount: 6221` |
| `Math.ceil(N/M)` | items | `var totalPage = Math.ceil(1071/20);` (N items, M a page) |
| `共N条` | items | `共 138 条` in the pager's text |
| `createPageHTML(N, …)` | pages | `createPageHTML(20, 0, "index", "html")` |
| `createPageHTML('div', N, c, …, M)` | pages and items | `createPageHTML('page_div', 5, 1, 'fg', 'shtml', 89)` |
| `countPage`, `totalPage`, `pageCount` | pages | `var countPage = 16//共多少页` |
| `共N页` | pages | `共<span>14</span>页` |

Names may be declared with `var`, `let` or `const`, assigned, or written as object keys,
their number quoted or not, or cast (`var countPage = Number("34")`: connectors/families/page_script.py). Only live code counts: a call or assignment inside a JavaScript
comment (`//createPageHTML(16, …)`, `/* … */`) or an HTML comment is not the page's pager.
A zero is a placeholder a script fills in later (`共<span>0</span>页`), never a total.
JSON APIs carry their totals as fields (`total`, `totalCount`, `count`): their families read
those (`jsonpage.json_int`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from connectors.families.base import small_int
from connectors.families.page_script import CreatePage, create_page, named

_ITEM_VARS = named("countnum", "recordCount", "totalRecord", "totalCount", "recordcount", "totalrecord")
_ITEMS_CEIL = re.compile(r"Math\.ceil\(\s*([0-9]{1,15})\s*/\s*[0-9]{1,6}\s*\)")
_ITEMS_TEXT = re.compile(r"共\s*([0-9]{1,15})\s*条")
_PAGE_VARS = named("countPage", "totalPage", "totalPages", "pageCount")
_PAGES_TEXT = re.compile(r"共\s*([0-9]{1,15})\s*页")
_TAG = re.compile(r"<[^<>]*>")
_SPACE_ENTITY = re.compile(r"&(?:nbsp|ensp|emsp|#160|#12288);", re.I)
_NO_CALL = CreatePage(None, None, "", "", 1, None)


class Advertised(NamedTuple):
    """What a page advertises: items in the listing and pages, each None when not printed."""

    items: int | None
    pages: int | None


def advertised(text: str) -> Advertised:
    """The items and pages a listing page's live pager code and text advertise."""
    return advertised_in(*live_parts(text))


def advertised_in(code: str, shown: str) -> Advertised:
    """`advertised` of a page already split into live code and shown text (`live_parts`)."""
    call = create_page(code) or _NO_CALL
    items = call.items or _first(_ITEM_VARS, code) or _first(_ITEMS_CEIL, code) or _first(_ITEMS_TEXT, shown)
    pages = call.pages or _first(_PAGE_VARS, code) or _first(_PAGES_TEXT, shown)
    return Advertised(items, pages)


def _first(pattern: re.Pattern[str], text: str) -> int | None:
    """The first number `pattern` finds that is a count (not zero, not absurd)."""
    for match in pattern.finditer(text):
        value = small_int(match.group(1))
        if value:
            return value
    return None


def live_parts(text: str) -> tuple[str, str]:
    """(the live code of the page's scripts, the text shown outside them): HTML comments,
    JavaScript comments and tags removed. One forward scan, linear in the page."""
    code: list[str] = []
    shown: list[str] = []
    position = 0
    opener = re.compile(r"<!--|<script\b", re.I)
    script_end = re.compile(r"</script\s*>", re.I)
    while True:
        found = opener.search(text, position)
        if found is None:
            shown.append(text[position:])
            break
        shown.append(text[position : found.start()])
        if found.group(0) == "<!--":
            end = text.find("-->", found.end())
            position = len(text) if end == -1 else end + 3
            continue
        body_start = text.find(">", found.end())
        if body_start == -1:
            break
        end = script_end.search(text, body_start)
        stop = len(text) if end is None else end.start()
        code.append(_live_js(text[body_start + 1 : stop]))
        position = len(text) if end is None else end.end()
    visible = _SPACE_ENTITY.sub(" ", _TAG.sub(" ", " ".join(shown)))
    return "\n".join(code), visible


_JS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)|(?<![:\\\"'])//[^\n]*|^\s*(?:<!--|-->)[^\n]*", re.S | re.M)


def _live_js(script: str) -> str:
    """A script without its comments: `/* … */`, `// …` (not the `//` of a URL's `://`), and
    the `<!--` / `-->` lines old templates wrap their scripts in."""
    return _JS_COMMENT.sub(" ", script)
