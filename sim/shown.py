"""What a portal shows of a document: its dates, its spelling of the index number and the
publisher, its ids and URLs. The ground truth's sightings use these too."""

from __future__ import annotations

from datetime import date, timedelta

from sim.catalog import PORTAL_BY_ID, UNIT_BY_ID
from sim.model import DUPLICATE_ID_OFFSET, Doc, Portal, mix


def iso(d: date) -> str:
    return d.isoformat()


def cn(d: date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def cn_short(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def dotted(d: date) -> str:
    return f"{d.year}.{d.month:02d}.{d.day:02d}"


def bracketed(d: date) -> str:
    return f"[{d.isoformat()}]"


#: How each listing style prints a date, on listings and on detail pages.
LIST_DATE = {
    "xxgk_table": iso,
    "hongdun_li": iso,
    "gov_gl_list": iso,
    "county_zdgkc": iso,
    "county_li": bracketed,
    "county_gl_gbk": dotted,
    "county_table": cn_short,
    "hanweb_span": iso,
    "hanweb_b": iso,
    "ssp": iso,
}
DETAIL_DATE = {
    "xxgk_table": cn,
    "hongdun_li": cn_short,
    "gov_gl_list": iso,
    "county_zdgkc": cn,
    "county_li": cn,
    "county_gl_gbk": cn_short,
    "county_table": cn,
    "hanweb_span": iso,
    "hanweb_b": iso,
    "ssp": iso,
}


_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}

#: The four odd spellings of an index number each platform family uses now and then.
INDEX_VARIANTS = {
    "ssp": lambda t: (t.translate(_FULLWIDTH), t.lower(), t.replace("/", " / "), t.translate(_FULLWIDTH)),
    "hanweb": lambda t: (t.replace("-", "－"), t.replace("-", "—"), t.replace("/", "／"), t.replace("-", " - ")),
    "trs": lambda t: (t.replace("/", " / "), t.replace("-", "–"), t.replace("-", "‐"), t.lower()),
}


def index_spelling(doc: Doc, portal: Portal) -> str:
    """The index number as this portal prints it: the canonical form mostly, sometimes with
    full-width characters, inner spaces, a lower-case check letter or another dash."""
    text = doc.index_no
    pick = mix(doc.n, portal.id) % 20
    if portal.style == "xxgk_table" or pick > 3:
        return text
    return INDEX_VARIANTS[portal.platform](text)[pick]


def publisher_spelling(doc: Doc, portal: Portal) -> str:
    """The publisher as this portal prints it: the name or one of its aliases."""
    unit = UNIT_BY_ID.get(doc.unit_id or "")
    if unit is None or not unit.aliases or portal.style == "xxgk_table":
        return doc.publisher
    names = (unit.name, *unit.aliases)
    return names[mix(doc.n, portal.id + ":pub") % len(names)]


def shown_date(doc: Doc, portal: Portal) -> date:
    """The published date the portal shows (the province platform lags one document)."""
    return doc.published + timedelta(days=doc.ssp_shift) if portal.style == "ssp" else doc.published


def doc_id(portal: Portal, g: int, duplicate: bool = False) -> int:
    """The portal's own id of document g (the second listing of a document has its own)."""
    return portal.id_base + g + (DUPLICATE_ID_OFFSET if duplicate else 0)


#: The first id of the detail pages a portal serves after its CMS migration (SimServer.migrate):
#: every document gets a new id there, and a new URL scheme.
MIGRATED_ID_BASE = 8_000_000
_PORTAL_NUMBER = {p.id: i for i, p in enumerate(PORTAL_BY_ID.values())}


def migrated_column(portal: Portal) -> int:
    """The column number in the portal's detail URLs after its migration (one per portal,
    unlike any Hanweb column of the world; portals of another world, each on its own host,
    share the next number)."""
    return 100 + _PORTAL_NUMBER.get(portal.id, len(_PORTAL_NUMBER))


def detail_path(portal: Portal, doc: Doc, duplicate: bool = False, migrated: bool = False) -> str:
    """The path of the document's detail page on this portal (after the portal's CMS
    migration when `migrated`: `/art/Y/M/D/art_COLUMN_ID.html` with a new id)."""
    d = shown_date(doc, portal)
    if migrated:
        ident = MIGRATED_ID_BASE + doc.g + (DUPLICATE_ID_OFFSET if duplicate else 0)
        return f"/art/{d.year}/{d.month}/{d.day}/art_{migrated_column(portal)}_{ident}.html"
    ident = doc_id(portal, doc.g, duplicate)
    if portal.platform == "hanweb":
        return f"/art/{d.year}/{d.month}/{d.day}/art_{portal.base}_{ident}.html"
    base = "/xxgk/zfxxgk/" if portal.style == "ssp" else portal.base
    month = f"{d.year}{d.month:02d}"  # not strftime: this runs for every row served
    return f"{base}{month}/t{month}{d.day:02d}_{ident}.{portal.ext}"


def item_key(path: str) -> str:
    """The CMS's own key of a detail path as the sim makes it: `tYYYYMMDD_ID` (TRS and the
    province platform's TRS pages) or `art_COLUMN_ID` (Hanweb), the file name's stem; the
    pipeline keys a sighting by it (docs/fields.md)."""
    return path.rsplit("/", 1)[-1].split(".", 1)[0]


def shown_fields(portal_id: str, doc: Doc, duplicate: bool = False, migrated: bool = False) -> dict:
    """What portal `portal_id` shows of `doc`: path, title, index number, publisher and
    published date as printed on its detail page (the truth's sighting record)."""
    portal = PORTAL_BY_ID[portal_id]
    return {
        "path": detail_path(portal, doc, duplicate, migrated),
        "title": doc.title,
        "index_no": index_spelling(doc, portal),
        "publisher": publisher_spelling(doc, portal),
        "published": DETAIL_DATE[portal.style](shown_date(doc, portal)),
        "listed_date": LIST_DATE[portal.style](shown_date(doc, portal)),
    }


def cut(title: str, limit: int = 24) -> str:
    """A list text cut the way CMS templates cut it."""
    return title if len(title) <= limit else title[: limit - 2] + "..."
