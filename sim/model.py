"""The records the world is made of: units, portals, documents and listing rows."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

#: The days the world spans.
WORLD_START = date(2008, 5, 1)
WORLD_END = date(2013, 3, 31)
#: The date the server shows when no `as_of` is given: after the 2013 report deadline rush,
#: before the first planted withdrawal, so one full harvest sees every document held in 2012.
DEFAULT_AS_OF = date(2013, 1, 31)

#: How many listing rows a portal's item may take: the duplicate row lives at this id offset.
DUPLICATE_ID_OFFSET = 50_000_000


@dataclass(frozen=True)
class Unit:
    """An issuing unit (发布机构). `configured` units are written into the xxgk config."""

    id: str
    name: str
    level: str
    region: str
    parent: str | None
    aliases: tuple[str, ...]
    org_code: str  # the 组织机构代码 that starts its index numbers
    doc_prefix: str  # the 文号 prefix, e.g. 龙工商
    configured: bool = True


@dataclass(frozen=True)
class Portal:
    """One served site. `style` picks its page templates (sim.pages)."""

    id: str
    name: str
    level: str
    region: str
    platform: str
    unit: str | None
    style: str
    base: str  # directory (trs), column id (hanweb) or API path (ssp)
    ext: str = "html"
    encoding: str = "utf-8"
    per_page: int = 20
    id_base: int = 100000  # offset of the portal's own document ids


@dataclass(frozen=True, slots=True)
class Doc:
    """One document as its origin publishes it (the ground truth)."""

    g: int  # global number: k * B + n
    n: int  # number of the scale-1 document it derives from
    unit_id: str | None
    publisher: str  # canonical publisher name
    level: str | None
    published: date
    written: date
    index_no: str
    title: str
    doc_no: str | None
    topic: str | None
    function: str | None
    audience: str | None
    genre: str | None
    disclosure: str
    content: str  # "text" | "attachment" | "both" | "report" (an annual report: sim.annual)
    withdrawn_on: date | None
    portals: tuple[str, ...]
    ssp_shift: int = 0  # days the province platform's date is later than the origin's

    @property
    def has_full_text(self) -> bool:
        """True: every generated document has a body, an attachment or both."""
        return self.content in ("text", "attachment", "both", "report")


@dataclass(frozen=True, slots=True)
class Row:
    """One base listing row of a portal: the document, its shown date, and whether it is the
    second (duplicate) listing of that document on the portal."""

    shown: date
    n: int
    duplicate: bool = False


def copy_doc(base: Doc, g: int, k: int) -> Doc:
    """Copy k of a base document: same dates and classes, its own numbers and title."""
    head, serial = base.index_no.rsplit("-", 1)
    doc_no = base.doc_no
    if doc_no:
        number = doc_no[doc_no.rindex("〕") + 1 : -1]
        doc_no = f"{doc_no[: doc_no.rindex('〕') + 1]}{int(number) + 1000 * k}号"
    return Doc(
        g,
        base.n,
        base.unit_id,
        base.publisher,
        base.level,
        base.published,
        base.written,
        f"{head}-{int(serial) + 1000 * k:05d}",
        f"{base.title}（{k + 1}）",
        doc_no,
        base.topic,
        base.function,
        base.audience,
        base.genre,
        base.disclosure,
        base.content,
        base.withdrawn_on,
        base.portals,
        base.ssp_shift,
    )


def mix(n: int, salt: str) -> int:
    """A cheap deterministic pseudo-random number of (n, salt) for per-portal spellings."""
    return zlib.crc32(f"{salt}:{n}".encode())
