"""What a simulated portal lists on a day, from the generator itself (never from a harvest):
what a complete listing of that portal shows, as item keys, each its detail URL's own
(`sim.shown.item_key`, the key the pipeline gives a sighting)."""

from __future__ import annotations

from datetime import date

from sim.catalog import PORTAL_BY_ID
from sim.model import Doc, Row
from sim.shown import detail_path, item_key
from sim.world import World


def listed_rows(world: World, portal_id: str, day: date) -> list[tuple[Row, int]]:
    """(row, document number g) of every row portal `portal_id` lists on `day`, the pinned
    row included."""
    listing = world.listing(portal_id, day)
    rows = listing.natural(0, listing.natural_count())
    if listing.pinned:
        rows.append((listing.pinned, listing.pinned.n))
    return rows


def listed_keys(world: World, portal_id: str, day: date, migrated: bool = False) -> frozenset[str]:
    """The item keys of every row portal `portal_id` lists on `day` (after its CMS migration
    when `migrated`)."""
    portal = PORTAL_BY_ID[portal_id]
    return frozenset(
        item_key(detail_path(portal, world.doc(g), row.duplicate, migrated))
        for row, g in listed_rows(world, portal_id, day)
    )


def doc_keys(portal_id: str, doc: Doc) -> frozenset[str]:
    """Every key a document may be listed under on a portal: before and after a migration,
    and its second listing where the portal lists it twice."""
    portal = PORTAL_BY_ID[portal_id]
    return frozenset(
        item_key(detail_path(portal, doc, duplicate, migrated))
        for duplicate in (False, True)
        for migrated in (False, True)
    )
