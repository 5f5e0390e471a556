"""A Hanweb `<datastore>` read for what the walk needs: its records, `<totalrecord>` and
`<nextgroup>`, and nothing else.

The column page embeds its first group as datastore XML in a `<script type="text/xml">`; the
data proxy answers with the same element. Old jslib templates print template chrome between
the records, outside CDATA (`<table … align=center>`, an image, stray text): not XML an XML
parser accepts, and not the listing's. So the store is not parsed as XML. First, any
DOCTYPE, ENTITY, ELEMENT or ATTLIST declaration outside CDATA refuses the response
(`UnsafeXml`): bytes that declare entities are hostile, and nothing is ever expanded. Then
one forward scan takes each `<record>`'s content (its CDATA text, or its markup as written
when a portal left CDATA out) and the content of the first `<totalrecord>` and
`<nextgroup>`; every other tag, comment and text outside them is skipped. A record left
open ends where the next datastore element starts. The scan is linear in the response
however its markup is broken (an unclosed CDATA section or comment runs to the end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from connectors.errors import UnsafeXml
from connectors.families.base import cut_regions

_CDATA = (("<![CDATA[", "]]>"),)
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)\b", re.I)
_STORE_OPEN = re.compile(r"<datastore\b", re.I)
_STORE_CLOSE = re.compile(r"</datastore\s*>", re.I)
#: What the scan stops at: a CDATA section, a comment, and the datastore's own elements.
_MARK = re.compile(r"<!\[CDATA\[|<!--|<(/?)(record|recordset|totalrecord|nextgroup)\b[^<>]*>", re.I)
_FIELDS = frozenset({"totalrecord", "nextgroup"})


@dataclass
class Datastore:
    """What a datastore holds: each record's HTML in order, and the text of its first
    `<totalrecord>` and `<nextgroup>` (None when it has none)."""

    records: list[str] = field(default_factory=list)
    totalrecord: str | None = None
    nextgroup: str | None = None


def read_datastore(text: str, url: str, is_proxy: bool) -> Datastore | None:
    """The first `<datastore>` of a column page or data-proxy response, or None when it
    holds none. Raises `UnsafeXml` when the response (a proxy's whole answer; on a column
    page, the store's script) declares a DOCTYPE or ENTITY outside CDATA."""
    found = _find(text)
    if found is None:
        return None
    start, inner_end, end = found
    # a data-proxy response is XML from its first byte; in a column page the XML starts at
    # its <script type="text/xml">, where a DOCTYPE may precede the store
    scanned = text if is_proxy else text[_script_start(text, start) : end]
    if _DECLARATION.search(cut_regions(scanned, _CDATA)):
        raise UnsafeXml(f"{url}: the XML declares a DOCTYPE or ENTITY; refused, nothing expanded")
    return _scan(text, start, inner_end)


def _find(text: str) -> tuple[int, int, int] | None:
    """Where the first `<datastore>…</datastore>` starts, where its closing tag starts and
    where it ends, or None (one forward scan each way: no rescanning however many openers a
    page holds)."""
    start = _STORE_OPEN.search(text)
    end = _STORE_CLOSE.search(text, start.end()) if start else None
    return (start.start(), end.start(), end.end()) if start and end else None


def _script_start(text: str, before: int) -> int:
    """Where the `<script` element enclosing position `before` starts (else `before`)."""
    found = max(text.rfind("<script", 0, before), text.rfind("<SCRIPT", 0, before))
    return found if found != -1 else before


class _Reader:
    """The scan's state: the element whose content is being taken, and what it holds so far."""

    def __init__(self) -> None:
        self.store = Datastore()
        self.current: str | None = None  # record, totalrecord or nextgroup
        self.parts: list[str] = []

    def start(self, name: str, empty: bool) -> None:
        """An opening tag of a record or a field: its content is taken from here."""
        self.current, self.parts = name, []
        if empty:
            self.end()

    def end(self) -> None:
        """The element being taken ends: a record is kept in order, a field the first time."""
        content = "".join(self.parts)
        if self.current == "record":
            self.store.records.append(content)
        elif self.current == "totalrecord" and self.store.totalrecord is None:
            self.store.totalrecord = content
        elif self.current == "nextgroup" and self.store.nextgroup is None:
            self.store.nextgroup = content
        self.current, self.parts = None, []


def _scan(text: str, position: int, stop: int) -> Datastore:
    """The records and fields of the store between `position` and `stop`."""
    reader = _Reader()
    while (mark := _MARK.search(text, position, stop)) is not None:
        if reader.current is not None:
            reader.parts.append(text[position : mark.start()])  # the element's markup as written
        token = mark.group(0)
        if mark.group(2) is None:  # a CDATA section or a comment, each taken whole
            cdata = token.startswith("<![")
            closer = "]]>" if cdata else "-->"
            end = text.find(closer, mark.end(), stop)
            content_end = stop if end == -1 else end
            if reader.current is not None and cdata:
                reader.parts.append(text[mark.end() : content_end])
            position = stop if end == -1 else end + len(closer)
            continue
        position = mark.end()
        closing, name = bool(mark.group(1)), mark.group(2).lower()
        if reader.current is not None:
            # any element of the store's own ends the one being taken, closed or not
            same = closing and name == reader.current
            reader.end()
            if same:
                continue
        if not closing and (name == "record" or name in _FIELDS):
            reader.start(name, empty=token.endswith("/>"))
    if reader.current is not None:
        reader.parts.append(text[position:stop])
        reader.end()
    return reader.store
