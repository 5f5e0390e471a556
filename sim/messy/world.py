"""The messy profile of the Longyan world (`build_world("messy")`): the same
generated documents plus the planted ones (sim.messy.plant), served with the spellings,
markups and hosts of sim.messy.shown and sim.messy.sites, and written into a config that
makes one portal listing-only, leaves the aggregators without a unit and allows the
province platform's sister hosts by a CIDR block on the platform's port. sim.registry names it
`messy` and serves it with the Site classes of sim.messy.sites.

`small=True` keeps one generated document in ten, as the default world's small version
does (sim.world.small_subset), and every planted one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit

from sim.gen import generate
from sim.gen.placement import listing_rows
from sim.messy.plant import PLANTS, planted_docs, trap_of
from sim.messy.shown import LISTING_ONLY, NO_PORTAL_UNIT, SISTER_NET, sighting
from sim.model import WORLD_END, Doc, Portal
from sim.truth import document_row
from sim.world import World, small_subset


class MessyWorld(World):
    """The Longyan world with the messy profile's traps (docs/sim.md, "The messy profile")."""

    name = "messy"
    config_title = "The simulated Longyan world, messy profile, on loopback, written by `sim --profile messy`."

    def __init__(self, docs: list[Doc], seed: int, scale: int, generated: int):
        rows, pinned = listing_rows(docs)
        super().__init__(docs, rows, pinned, seed, scale, WORLD_END)
        self.generated = generated  # documents before the planted ones
        self.reindexed = next(d.n for d in self.planted() if PLANTS[d.n - generated].trap == "reindexed")

    def planted(self) -> list[Doc]:
        """The planted documents (scale-1)."""
        return self.base_docs[self.generated :]

    def portal_hosts(self, portal_urls: dict[str, str]) -> dict[str, list[str]]:
        """The province platform's extra hosts: its sister hosts, as the block they lie in, on
        the platform's port, where they are served (a block without a port allows only the
        default ports 80 and 443)."""
        port = urlsplit(portal_urls["fj-aic-ssp"]).port
        return {"fj-aic-ssp": [f"{SISTER_NET}.0/24" + (f":{port}" if port else "")]}

    def portal_details(self, portal: Portal) -> str:
        """The config's `details` of a portal: listing-only portals never fetch a page."""
        return "never" if portal.id in LISTING_ONLY else "new"

    def portal_unit(self, portal: Portal) -> str | None:
        """The config's `unit` of a portal: none for the aggregators."""
        return None if portal.id in NO_PORTAL_UNIT else portal.unit

    def truth_rows(self, origins: dict[str, str] | None = None) -> Iterator[dict]:
        """The ground truth (sim.truth.rows): one dict per document, each sighting with the
        row's item key and what the portal prints, traps included."""
        dup = {(r.n, pid) for pid, rs in self.base_rows.items() for r in rs if r.duplicate}
        for doc in self.docs():
            sightings = [
                sighting(self, pid, doc, duplicate, (origins or {}).get(pid, ""))
                for pid in doc.portals
                if self.lists(pid, doc)
                for duplicate in ((False, True) if (doc.n, pid) in dup else (False,))
            ]
            yield {**document_row(doc, sightings), "trap": trap_of(doc, self.generated)}


def build(seed: int = 2012, scale: int = 1, until: date | None = None, small: bool = False) -> MessyWorld:
    """The messy world for `seed` (scale 1, no later days), the small version when `small`."""
    if until is not None or scale != 1:
        raise ValueError("the messy profile has no scale nor later days (until)")
    docs, _, _ = generate(seed)
    if small:
        docs = small_subset(docs)
    return MessyWorld(docs + planted_docs(len(docs)), seed, scale, len(docs))
