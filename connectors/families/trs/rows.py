"""TRS listing rows: the xxgk table by its header row, dated `li` rows (`trs.blocks`), or rows
picked by a portal's CSS selectors (`families.selected`, shared with the generic family);
each method also reports the rows it could not read.

The page is parsed once into an lxml tree (`tree.py`) for the tables and the dated lists;
only a portal whose options name a `rows` selector has its page parsed by bs4, whose
soupsieve reads the selectors as operators write them (`selected.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from lxml import etree

from connectors.families.base import RawRow, UnreadableRow, item_key_for, resolve_link, soup, unreadable_row
from connectors.families.docno import with_doc_no
from connectors.families.rowtree import first_element
from connectors.families.selected import select_rows
from connectors.families.tree import Texts, parse_tree
from connectors.families.trs.blocks import li_rows, link_title
from connectors.normalize import label_field, reads_as_date

Element = etree._Element


class FoundRows(NamedTuple):
    """The rows of a listing page and the rows beside them that could not be read."""

    rows: list[RawRow]
    unreadable: list[UnreadableRow]


def find_rows(text: str, base: str, options: Mapping[str, str]) -> FoundRows:
    """The listing rows of a page's `text` by the first method that finds any (or any
    unreadable row). Raises `LayoutChanged` for a page past the parsers' bounds."""
    if options.get("rows"):
        return FoundRows(*select_rows(soup(text), base, options))
    root = parse_tree(text)
    if root is None:
        return FoundRows([], [])
    texts = Texts(root)
    for table in root.iter("table"):
        found = _table_rows(table, base, texts)
        if found.rows or found.unreadable:
            return found
    return FoundRows(*li_rows(root, base, texts))


_TABLE = "table"
_TR = "tr"
_CELL = ("td", "th")
_A = ("a",)


def _cells(tr: Element) -> list[Element]:
    return list(tr.iterchildren(*_CELL))


def _header_columns(tr: Element, texts: Texts) -> dict[int, str] | None:
    """Column index -> field for a header row naming at least two known columns, one the title."""
    columns: dict[int, str] = {}
    for i, cell in enumerate(_cells(tr)):
        label = texts.short(cell)  # a header cell holds a short label, not a nested table
        fld = label_field(label) if label and first_element(cell, _A) is None else None
        if fld:
            columns.setdefault(i, fld)
    if len(columns) >= 2 and "title" in columns.values():
        return columns
    return None


def _table_rows(table: Element, base: str, texts: Texts) -> FoundRows:
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
            columns = _header_columns(tr, texts)
            continue
        cells = _cells(tr)
        if len(cells) < 2:
            continue
        read = _table_row(cells, columns, base, texts)
        if isinstance(read, RawRow):
            rows.append(read)
        elif read is not None:
            bad.append(unreadable_row(read, texts.text(tr)))
    return FoundRows(rows, bad)


def _table_row(cells: list[Element], columns: dict[int, str], base: str, texts: Texts) -> RawRow | str | None:
    """One table row as a row, or why it cannot be read, or None for an empty row."""
    title_col = next(i for i, f in columns.items() if f == "title")
    link = first_element(cells[title_col], _A, "href") if title_col < len(cells) else None
    url = resolve_link(link.get("href") if link is not None else None, base)
    if url is None or link is None:
        return "no link" if any(texts.text(c) for c in cells) else None
    fields = {f: texts.text(cells[i]) for i, f in columns.items() if i < len(cells) and f != "title"}
    fields["title"] = link_title(link, texts)
    if not fields["title"]:
        return "no title"
    if "published_date" in columns.values() and not reads_as_date(fields.get("published_date")):
        return "no date"
    return RawRow(url=url, item_key=item_key_for(url), fields=with_doc_no(_present(fields)))


def _own_rows(table: Element) -> Iterator[Element]:
    """The `tr`s of a table in document order, not those of tables nested in it (a nested
    table is read on its own): each element is visited once however deep tables nest."""
    stack = list(table.iterchildren(etree.Element, reversed=True))
    while stack:
        node = stack.pop()
        if node.tag == _TABLE:
            continue
        if node.tag == _TR:
            yield node
        stack.extend(node.iterchildren(etree.Element, reversed=True))


def _present(fields: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in fields.items() if v}
