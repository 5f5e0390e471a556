"""The rows of a Hanweb datastore: each `<record>`'s HTML read for its link, title and date.

A record prints one catalog entry as a fragment of HTML (`<li><a href title>…</a><span>date
</span></li>`, a table row, a `<td>…[2017-04-24]</td>`). The fragments of a group are parsed
as one lxml tree (`tree.py`), each in a wrapper element of its own, and each wrapper read
as a row; a blank record is skipped, any other that cannot be read is returned with its
reason so the crawl counts it.
"""

from __future__ import annotations

from lxml import etree

from connectors.families.base import RawRow, UnreadableRow, date_in_text, item_key_for, resolve_link, unreadable_row
from connectors.families.docno import with_doc_no
from connectors.families.rowtree import elements, inside
from connectors.families.tree import Texts, parse_tree
from connectors.families.trs.blocks import DATE_HOLDERS, link_title
from connectors.normalize import reads_as_date

_WRAPPER = "xxgk-record"
Element = etree._Element


def _record_docs(records: list[str]) -> list[tuple[Element | None, Texts | None]]:
    """Each record's HTML as a parsed element (None for a record without any) with the texts
    of its tree, all records parsed as one document.

    One parse instead of 45 is most of a group's cost. A broken record (`<li style=<br/>`)
    could spill into its neighbour; then the wrapper count is off and each record is
    parsed on its own.
    """
    joined = "".join(f"<{_WRAPPER}>{html}</{_WRAPPER}>" for html in records)
    root = parse_tree(f"<div>{joined}</div>")
    wrappers = list(root.iter(_WRAPPER)) if root is not None else []
    if len(wrappers) == len(records) and all(_parent_tag(w) == "div" for w in wrappers):
        texts = Texts(root)
        return [(w, texts) for w in wrappers]
    docs = []
    for html in records:
        own = parse_tree(html)
        docs.append((own, Texts(own) if own is not None else None))
    return docs


def _parent_tag(node: Element) -> str | None:
    parent = node.getparent()
    return parent.tag if parent is not None else None


def record_rows(records: list[str], base: str) -> tuple[list[RawRow], list[UnreadableRow]]:
    """One row per record that holds a link and a date; blank records are skipped, the
    others that cannot be read are returned with their reason (the crawl counts them)."""
    rows: list[RawRow] = []
    bad: list[UnreadableRow] = []
    for html, (doc, texts) in zip(records, _record_docs(records), strict=True):
        if not html.strip():
            continue
        row = _record_row(doc, base, texts) if doc is not None and texts is not None else "no link"
        if isinstance(row, RawRow):
            rows.append(row)
        else:
            shown = texts.text(doc) if doc is not None and texts is not None else ""
            bad.append(unreadable_row(row, shown or html.strip()))
    return rows, bad


_A = frozenset({"a"})
#: The TRS row reader's date holders: a span/b is looked for anywhere in the record, the
#: others only inside the link. Outside it the date in the record's text is read instead
#: (`2017-04-24` of `<td>[2017-04-24]</td>`): the raw value is part of a row's listing hash,
#: and a new spelling of it would make every such row look changed to an incremental night.
_ANYWHERE, _IN_LINK = DATE_HOLDERS


def _record_row(doc: Element, base: str, texts: Texts) -> RawRow | str:
    """`<a href title>` and its date; else why the record cannot be read (`no link`, `no
    title`, `no date`).

    The date is the last span/b of the record whose text reads as a date, else the last
    other date holder inside the link (`<a><span>招聘公示</span><i>2026-09-10</i></a>`), else a
    date in the record's text outside the link (`<td>…[2017-04-24]</td>`, `<em>`, `<i>` …).
    The title is the link's `title` attribute, else its text without a date holder inside it.
    """
    links = [a for a in elements(doc, _A) if a.get("href")]
    link = next((a for a in links if a.get("title")), links[0] if links else None)
    url = resolve_link(link.get("href"), base) if link is not None else None
    if url is None or link is None:
        return "no link"
    holder, date = _date_holder(doc, link, texts)
    if holder is not None and inside(holder, link):
        _drop(holder)  # the date printed inside the link is no part of the title
    title = link_title(link, texts)
    if not title:
        return "no title"
    if holder is None:
        _drop(link)  # so a date inside the title does not count
        date = date_in_text(texts.text(doc))
    if date is None:
        return "no date"
    fields = with_doc_no({"title": title, "published_date": date})
    return RawRow(url=url, item_key=item_key_for(url), fields=fields)


def _date_holder(doc: Element, link: Element, texts: Texts) -> tuple[Element | None, str | None]:
    """(element, text) of the record's date holder (`_record_row`), or (None, None)."""
    for holders, scope in ((_ANYWHERE, doc), (_IN_LINK, link)):
        for node in reversed(list(elements(scope, holders))):
            value = texts.text(node)
            if value and len(value) <= 40 and reads_as_date(value):
                return node, value
    return None, None


def _drop(node: Element) -> None:
    """Take `node` out of its tree, keeping the text after it (lxml keeps that text on the
    node itself), apart from the text before it as two strings are."""
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        before = node.getprevious()
        if before is not None:
            before.tail = f"{before.tail or ''} {node.tail}"
        else:
            parent.text = f"{parent.text or ''} {node.tail}"
    parent.remove(node)
