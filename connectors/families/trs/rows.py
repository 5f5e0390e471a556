"""TRS listing rows: the xxgk table by its header row, dated `li` rows in known list
containers or the page's main block, or rows picked by a portal's CSS selectors."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from bs4 import BeautifulSoup
from bs4.element import Tag

from connectors.errors import LayoutChanged
from connectors.families.base import (
    RawRow,
    first,
    has_ancestor,
    item_key_for,
    resolve_link,
    short_text,
    tags,
    text_of,
)
from connectors.normalize import label_field, parse_date
from connectors.records import FIELDS

#: Classes of list containers (or rows) of known templates (docs/platforms.md, TRS): rows in
#: them win over any other dated list on the page.
KNOWN_LIST_CLASSES = frozenset({"gl_list", "zfxxgk_zdgkc", "list_base", "xxgk_gfxwjk-list-li"})
_MORE_LINK = re.compile(r"^(更多|more|>>|»|查看更多)", re.I)


def find_rows(doc: BeautifulSoup, base: str, options: Mapping[str, str]) -> list[RawRow]:
    """The listing rows by the first method that finds any."""
    if options.get("rows"):
        return _rows_by_options(doc, base, options)
    for table in tags(doc, _TABLE):
        rows = _table_rows(table, base)
        if rows:
            return rows
    return _li_rows(doc, base)


_TABLE = frozenset({"table"})
_TR = frozenset({"tr"})
_CELL = frozenset({"td", "th"})
_A = frozenset({"a"})
_LI = frozenset({"li"})
_DATE_HOLDERS = frozenset({"span", "b"})


def _cells(tr: Tag) -> list[Tag]:
    return [c for c in tr.children if isinstance(c, Tag) and c.name in _CELL]


def _header_columns(tr: Tag) -> dict[int, str] | None:
    """Column index -> field for a header row naming at least two known columns, one the title."""
    columns: dict[int, str] = {}
    for i, cell in enumerate(_cells(tr)):
        label = short_text(cell)  # a header cell holds a short label, not a nested table
        fld = label_field(label) if label and first(cell, _A) is None else None
        if fld:
            columns.setdefault(i, fld)
    if len(columns) >= 2 and "title" in columns.values():
        return columns
    return None


def _table_rows(table: Tag, base: str) -> list[RawRow]:
    """Rows of an xxgk table, columns mapped by the header row's labels (not by position)."""
    columns = None
    rows: list[RawRow] = []
    for tr in _own_rows(table):
        if columns is None:
            columns = _header_columns(tr)
            continue
        cells = _cells(tr)
        title_col = next(i for i, f in columns.items() if f == "title")
        if title_col >= len(cells):
            continue
        link = first(cells[title_col], _A, "href")
        url = resolve_link(link.get("href") if link else None, base)
        if url is None:
            continue
        fields = {f: text_of(cells[i]) for i, f in columns.items() if i < len(cells) and f != "title"}
        fields["title"] = _link_title(link)
        rows.append(RawRow(url=url, item_key=item_key_for(url), fields=_present(fields)))
    return rows


def _own_rows(table: Tag) -> Iterator[Tag]:
    """The `tr`s of a table in document order, not those of tables nested in it (a nested
    table is read on its own): each element is visited once however deep tables nest."""
    stack = list(reversed(table.contents))
    while stack:
        node = stack.pop()
        if not isinstance(node, Tag) or node.name in _TABLE:
            continue
        if node.name in _TR:
            yield node
        stack.extend(reversed(node.contents))


def _link_title(link: Tag) -> str:
    """The title attribute (list text is often cut with "..."), else the link text."""
    title = str(link.get("title") or "").strip()
    return title or text_of(link)


def _present(fields: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in fields.items() if v}


def _dated(node: Tag) -> str | None:
    """The text of the last span/b in a row that reads as a date, or None."""
    for candidate in reversed(list(tags(node, _DATE_HOLDERS))):
        value = text_of(candidate)
        if value and parse_date(value)[0] is not None:
            return value
    return None


def _li_row(li: Tag, base: str) -> RawRow | None:
    """A `li` that holds an item link and a date; navigation and "more" links are not rows.

    Of several links (a `[栏目]` prefix before the title is common) the item is the one with a
    `title` attribute, else the one with the longest text.
    """
    date_text = _dated(li)
    if date_text is None:
        return None
    candidates: list[tuple[bool, int, str, Tag]] = []
    for link in tags(li, _A):
        if not link.get("href") or has_ancestor(link, _DATE_HOLDERS, stop=li):
            continue
        text = text_of(link)
        url = None if _MORE_LINK.match(text) else resolve_link(str(link["href"]), base)
        if url is not None:
            candidates.append((bool(link.get("title")), len(text), url, link))
    if not candidates:
        return None
    _, _, url, link = max(candidates, key=lambda c: (c[0], c[1]))  # first of equals wins
    fields = {"title": _link_title(link), "published_date": date_text}
    return RawRow(url=url, item_key=item_key_for(url), fields=_present(fields))


def _place_of(li: Tag, places: dict[int, tuple[int, bool]]) -> tuple[int, bool]:
    """(id of the page block a row belongs to, whether it is in a known list container).

    The block is the nearest ancestor div with a class or id. `places` remembers the answer
    for every element climbed through, so each is climbed through once per page.
    """
    chain: list[Tag] = []
    node: Tag | None = li
    while node is not None and id(node) not in places:
        chain.append(node)
        node = node.parent
    block, known = places[id(node)] if node is not None else (id(None), False)
    for element in reversed(chain):  # from the outermost down to the row
        classes = element.get("class") or ()
        known = known or bool(KNOWN_LIST_CLASSES.intersection(classes))
        if element.name == "div" and (classes or element.get("id")):
            block = id(element)
        places[id(element)] = (block, known)
    return places[id(li)]


def _li_rows(doc: BeautifulSoup, base: str) -> list[RawRow]:
    """Dated link rows: those in known list containers, else those of the page block holding
    the most of them (a side box of news loses to the list)."""
    known: list[RawRow] = []
    by_block: dict[int, list[RawRow]] = {}
    places: dict[int, tuple[int, bool]] = {}
    for li in tags(doc, _LI):
        row = _li_row(li, base)
        if row is None:
            continue
        block, in_known = _place_of(li, places)
        if in_known:
            known.append(row)
        by_block.setdefault(block, []).append(row)
    if known or not by_block:
        return known
    return max(by_block.values(), key=len)  # max keeps the first of equals: document order


def _rows_by_options(doc: BeautifulSoup, base: str, options: Mapping[str, str]) -> list[RawRow]:
    """Rows from the portal's CSS selectors: `rows`, then per row `link`/`title`/`date`/fields."""
    rows: list[RawRow] = []
    for node in _select(doc, options["rows"]):
        link = _select_one(node, options.get("link") or options.get("title") or "a[href]")
        if link is not None and link.name != "a":
            link = first(link, _A, "href") or next((p for p in link.parents if p.name == "a"), None)
        url = resolve_link(link.get("href") if link else None, base)
        if url is None:
            continue
        fields: dict[str, str] = {"title": _link_title(link)}
        if options.get("title"):
            title_node = _select_one(node, options["title"])
            if title_node is not None:
                fields["title"] = _link_title(title_node)
        selectors = {"published_date": options.get("date"), **_field_selectors(options)}
        for fld, selector in selectors.items():
            found = _select_one(node, selector) if selector else None
            if found is not None:
                fields[fld] = text_of(found)
        rows.append(RawRow(url=url, item_key=item_key_for(url), fields=_present(fields)))
    return rows


def _field_selectors(options: Mapping[str, str]) -> dict[str, str]:
    return {f: options[f] for f in FIELDS if f != "title" and options.get(f)}


def _select(node: Tag, selector: str) -> list[Tag]:
    """`node.select`, a malformed selector in the portal's options reported as such."""
    try:
        return node.select(selector)
    except Exception as exc:  # soupsieve raises its own error types for a bad selector
        raise LayoutChanged(f"bad CSS selector {selector!r} in portal options: {exc}") from exc


def _select_one(node: Tag, selector: str) -> Tag | None:
    found = _select(node, selector)
    return found[0] if found else None
