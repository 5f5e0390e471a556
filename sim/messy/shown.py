"""What a portal of the messy world shows of a document: the default spellings
(sim.shown) changed where the profile plants a trap. Pages and the ground truth both
read these, so the truth says exactly what was served."""

from __future__ import annotations

from datetime import date

from sim.catalog import PORTAL_BY_ID
from sim.messy.plant import REINDEXED_ON_GOV
from sim.messy.variants import WRITTEN_DATE_PORTAL, list_date, messy_publisher
from sim.model import Doc, Portal, mix
from sim.shown import (
    DETAIL_DATE,
    LIST_DATE,
    detail_path,
    index_spelling,
    item_key,
    publisher_spelling,
    shown_date,
)
from sim.world import World

#: Portals whose detail pages print no 索引号 for every document, or for one in N.
NO_INDEX_ALWAYS = ("ly-gov",)
NO_INDEX_ONE_IN = {"ly-hongdun": 4}
#: Portals whose detail pages print no 发布机构 on one page in N (each a county bureau's own
#: site, which lists its own documents only).
NO_PUBLISHER_ONE_IN = {"ly-xl-aic-site": 4, "ly-sh-aic-site": 4, "ly-wp-aic-site": 4}
#: Portals written into the config as listing-only (`details = "never"`).
LISTING_ONLY = ("ly-zp-aic-site",)
#: Aggregators written into the config without a unit (they list many units' documents).
NO_PORTAL_UNIT = ("fj-aic-ssp", "ly-aic-xxgk")
#: The province platform links detail pages on these sister hosts (county and city sites),
#: one per publishing unit's site: 127.0.3.K on the platform's port.
SISTER_NET = "127.0.3"
_SISTER = {
    "ly-aic": 1,
    "ly-xl-aic": 2,
    "ly-yd-aic": 3,
    "ly-ct-aic": 4,
    "ly-sh-aic": 5,
    "ly-wp-aic": 6,
    "ly-lc-aic": 7,
    "ly-zp-aic": 8,
    "fj-aic": 9,
    "xm-aic": 10,
}
SISTER_ADDRESSES = tuple(f"{SISTER_NET}.{k}" for k in sorted(set(_SISTER.values())))


def sister_address(doc: Doc) -> str:
    """The sister host of the province platform's link to `doc`: its unit's site (a city
    department's is the city bureau's)."""
    unit = doc.unit_id or "ly-aic"
    key = unit if unit in _SISTER else "ly-aic"
    return f"{SISTER_NET}.{_SISTER[key]}"


def shows_index(reindexed: int | None, doc: Doc, portal: Portal) -> str | None:
    """The index number the portal prints on the detail page, None where it prints none.
    The city government site prints one only for the document it re-indexed."""
    if portal.id in NO_INDEX_ALWAYS:
        return REINDEXED_ON_GOV if doc.n == reindexed else None
    every = NO_INDEX_ONE_IN.get(portal.id)
    if every and mix(doc.n, portal.id + ":noidx") % every == 0:
        return None
    return index_spelling(doc, portal)


def shows_publisher(doc: Doc, portal: Portal) -> str:
    """The publisher the portal prints (configured alias or a messy variant; '' for none)."""
    every = NO_PUBLISHER_ONE_IN.get(portal.id)
    if every and mix(doc.n, portal.id + ":nopub") % every == 0:
        return ""
    return messy_publisher(doc, portal, publisher_spelling(doc, portal))


def detail_date(doc: Doc, portal: Portal) -> date:
    """The date the portal prints as published: the written date on WRITTEN_DATE_PORTAL."""
    return doc.written if portal.id == WRITTEN_DATE_PORTAL else shown_date(doc, portal)


def listed_text(doc: Doc, portal: Portal, shown: date) -> str:
    """The date text of the portal's listing row of `doc`."""
    return list_date(portal, doc, shown, LIST_DATE[portal.style](shown))


def sighting(world: World, portal_id: str, doc: Doc, duplicate: bool, origin: str) -> dict:
    """The truth's record of one listing row: where it links, its item key, and what the
    portal prints of the document."""
    portal = PORTAL_BY_ID[portal_id]
    path = detail_path(portal, doc, duplicate)
    if portal.style == "ssp" and origin:
        origin = f"http://{sister_address(doc)}:{origin.rsplit(':', 1)[1]}"
    return {
        "portal_id": portal_id,
        "url": origin + path,
        "item_key": item_key(path),
        "title": doc.title,
        "index_no": shows_index(getattr(world, "reindexed", None), doc, portal),
        "publisher": shows_publisher(doc, portal),
        "published": DETAIL_DATE[portal.style](detail_date(doc, portal)),
        "listed_date": listed_text(doc, portal, shown_date(doc, portal)),
    }
