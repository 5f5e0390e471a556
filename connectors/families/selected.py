"""Listing rows picked by a portal's CSS selectors (`[portal.options]`): every row of the
`generic` family, and a TRS portal's rows when its options override detection.

`rows` selects the row elements; within each row `link`, `title`, `date` and the field
selectors (`index_no`, `doc_no`, `publisher` …) pick the rest. Selectors are compiled by
soupsieve, once, and a malformed one is named: `selector_problem` for the config's
validation, `LayoutChanged` when a page is read with one (docs/platforms.md, "generic").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import soupsieve
from bs4.element import Tag

from connectors.errors import LayoutChanged
from connectors.families.base import (
    RawRow,
    UnreadableRow,
    date_in_text,
    item_key_for,
    resolve_link,
    tags,
    text_of,
    unreadable_row,
)
from connectors.families.docno import with_doc_no
from connectors.families.rowtext import MORE_LINK, bare_strings, parents_below, title_attribute, title_text
from connectors.normalize import reads_as_date
from connectors.records import FIELDS

#: A selector longer than this is no selector an operator wrote.
MAX_SELECTOR_CHARS = 500
#: Option names that hold a selector besides the field names (`index_no`, `publisher` …).
SELECTOR_OPTIONS = ("rows", "link", "title", "date", "next")
#: Field selectors: every field but the title and the date (`title` and `date` pick those)
#: by its own name, and `publisher` for `publisher_name`.
FIELD_OPTIONS = {name: name for name in FIELDS if name not in ("title", "published_date")} | {
    "publisher": "publisher_name"
}
#: Text cut short by the template: the title attribute holds the whole title.
_CUT = re.compile(r"(?:\.{2,}|…+|⋯+)$")
_A = frozenset({"a"})
_NESTED = frozenset({"li", "tr"})


def selector_problem(css: str) -> str | None:
    """Why `css` is no usable CSS selector (empty, too long, malformed), or None."""
    if not css.strip():
        return "an empty selector"
    if len(css) > MAX_SELECTOR_CHARS:
        return f"a selector of {len(css)} characters (at most {MAX_SELECTOR_CHARS})"
    try:
        _compiled(css)
    except Exception as exc:  # noqa: BLE001 - soupsieve raises several types for a bad selector
        return f"not a CSS selector soupsieve reads: {exc}".splitlines()[0]
    return None


def selector_options(options: Mapping[str, str]) -> dict[str, str]:
    """The options that hold a CSS selector, by name."""
    return {name: value for name, value in options.items() if name in SELECTOR_OPTIONS or name in FIELD_OPTIONS}


@lru_cache(maxsize=256)
def _compiled(css: str) -> soupsieve.SoupSieve:
    return soupsieve.compile(css)


def select(node: Tag, css: str) -> list[Tag]:
    """The elements under `node` that `css` selects; a bad selector is `LayoutChanged` naming it."""
    problem = selector_problem(css)
    if problem:
        raise LayoutChanged(f"bad CSS selector {css!r} in portal options: {problem}")
    return _compiled(css).select(node)


def select_one(node: Tag, css: str) -> Tag | None:
    """The first element under `node` that `css` selects, or None."""
    found = select(node, css)
    return found[0] if found else None


def select_rows(doc: Tag, base: str, options: Mapping[str, str]) -> tuple[list[RawRow], list[UnreadableRow]]:
    """The rows the `rows` selector picks, read with the row selectors, and the rows beside
    them that could not be read (each with its reason)."""
    rows: list[RawRow] = []
    bad: list[UnreadableRow] = []
    for node in select(doc, options["rows"]):
        read = read_selected(node, base, options)
        if isinstance(read, RawRow):
            rows.append(read)
        elif read is not None:
            bad.append(unreadable_row(read, text_of(node)))
    return rows, bad


def read_selected(node: Tag, base: str, options: Mapping[str, str]) -> RawRow | str | None:
    """One selected element as a row, or why it cannot be read (`no link`, `no date`,
    `no title`), or None when it is no row at all: an element with neither a followable link
    nor a date (a spacer, a header row, a note, a lone "more" link)."""
    title_node = select_one(node, options["title"]) if options.get("title") else None
    link = _link(node, base, title_node, options.get("link"))
    href = link.get("href") if link is not None else None
    url = resolve_link(str(href), base) if href else None
    date = _date(node, options.get("date"))
    if url is None or link is None:
        return "no link" if reads_as_date(date) else None
    if not date:
        return "no date"
    fields = {"title": row_title(title_node if title_node is not None else link, link), "published_date": date}
    for option, name in FIELD_OPTIONS.items():
        found = select_one(node, options[option]) if options.get(option) else None
        value = text_of(found) if found is not None else ""
        if value:
            fields[name] = value
    if not fields["title"]:
        return "no title"
    return RawRow(url=url, item_key=item_key_for(url), fields=with_doc_no(fields))


def _link(node: Tag, base: str, title_node: Tag | None, link_css: str | None) -> Tag | None:
    """The row's item link: `link`'s element, else the `title` element's link, else the row's
    first link that leads somewhere (not `#` or `javascript:`) outside the lists nested in
    it. A "more" link (更多, >>) is never one: it leads to another listing."""
    chosen = select_one(node, link_css) if link_css else title_node
    if chosen is not None:
        link = chosen if chosen.name == "a" else _enclosing_link(chosen)
        return None if link is None or MORE_LINK.match(text_of(link)) else link
    for link in tags(node, _A):
        if (
            link.get("href")
            and resolve_link(str(link["href"]), base) is not None
            and not MORE_LINK.match(text_of(link))
            and not any(p.name in _NESTED for p in parents_below(link, node))
        ):
            return link
    return None


def _enclosing_link(node: Tag) -> Tag | None:
    """The link inside `node` (a title cell), else the link around it."""
    inner = next((a for a in tags(node, _A) if a.get("href")), None)
    return inner or next((p for p in node.parents if p.name == "a"), None)


def _date(node: Tag, date_css: str | None) -> str | None:
    """The printed date: the `date` element's text, else a date in the row's own text
    outside its links (`… [2012-03-05]`)."""
    if date_css:
        found = select_one(node, date_css)
        return (text_of(found) or None) if found is not None else None
    return date_in_text(" ".join(bare_strings(node)))


def row_title(node: Tag, link: Tag | None) -> str:
    """The title element's text; its `title` attribute (or the link's) instead when the text
    is empty or cut short (ends in …, ... or is the start of the attribute)."""
    text = title_text(text_of(node))
    attribute = title_attribute(str(node.get("title") or (link.get("title") if link is not None else "") or ""))
    flat = " ".join(attribute.split())  # the text's white space is collapsed: compare alike
    if attribute and (not text or _CUT.search(text) or (flat.startswith(text) and flat != text)):
        return title_text(attribute)
    return text
