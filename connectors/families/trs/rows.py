"""TRS listing rows: the xxgk table by its header row, dated `li` rows (`trs.blocks`), or rows
picked by a portal's CSS selectors (`families.selected`, shared with the generic family);
each method also reports the rows it could not read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from bs4 import BeautifulSoup
from bs4.element import Tag

from connectors.families.base import (
    RawRow,
    UnreadableRow,
    first,
    item_key_for,
    resolve_link,
    short_text,
    tags,
    text_of,
    unreadable_row,
)
from connectors.families.docno import with_doc_no
from connectors.families.selected import select_rows
from connectors.families.trs.blocks import li_rows, link_title
from connectors.normalize import label_field, reads_as_date


class FoundRows(NamedTuple):
    """The rows of a listing page and the rows beside them that could not be read."""

    rows: list[RawRow]
    unreadable: list[UnreadableRow]


def find_rows(doc: BeautifulSoup, base: str, options: Mapping[str, str]) -> FoundRows:
    """The listing rows by the first method that finds any (or any unreadable row)."""
    if options.get("rows"):
        return FoundRows(*select_rows(doc, base, options))
    for table in tags(doc, _TABLE):
        found = _table_rows(table, base)
        if found.rows or found.unreadable:
            return found
    return FoundRows(*li_rows(doc, base))


_TABLE = frozenset({"table"})
_TR = frozenset({"tr"})
_CELL = frozenset({"td", "th"})
_A = frozenset({"a"})


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


def _table_rows(table: Tag, base: str) -> FoundRows:
    """Rows of an xxgk table, columns mapped by the header row's labels (not by position).

    A row of fewer than two cells under a header of several (a pager or a note spanning the
    table) is no row; any other row without a link, a title or (when the table has a
    published-date column) a date is unreadable.
    """
    columns = None
    rows: list[RawRow] = []
    bad: list[UnreadableRow] = []
    for tr in _own_rows(table):
        if columns is None:
            columns = _header_columns(tr)
            continue
        cells = _cells(tr)
        if len(cells) < 2:
            continue
        read = _table_row(cells, columns, base)
        if isinstance(read, RawRow):
            rows.append(read)
        elif read is not None:
            bad.append(unreadable_row(read, text_of(tr)))
    return FoundRows(rows, bad)


def _table_row(cells: list[Tag], columns: dict[int, str], base: str) -> RawRow | str | None:
    """One table row as a row, or why it cannot be read, or None for an empty row."""
    title_col = next(i for i, f in columns.items() if f == "title")
    link = first(cells[title_col], _A, "href") if title_col < len(cells) else None
    url = resolve_link(link.get("href") if link else None, base)
    if url is None or link is None:
        return "no link" if any(text_of(c) for c in cells) else None
    fields = {f: text_of(cells[i]) for i, f in columns.items() if i < len(cells) and f != "title"}
    fields["title"] = link_title(link)
    if not fields["title"]:
        return "no title"
    if "published_date" in columns.values() and not reads_as_date(fields.get("published_date")):
        return "no date"
    return RawRow(url=url, item_key=item_key_for(url), fields=with_doc_no(_present(fields)))


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


def _present(fields: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in fields.items() if v}
