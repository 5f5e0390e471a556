"""The simulated Fujian AIC disclosure catalog as it stood around 2012 (deterministic).

`build(seed, scale)` generates every document of the unit tree (the province bureau,
the Longyan city bureau with its departments and seven county bureaus, the Xiamen bureau,
and a few Longyan departments outside any configured system) and decides on which portals
each one is listed (sim.gen). The generator allocates documents so that the 2012 figures
of the Longyan report hold by construction (see `sim.seed` and docs/sim.md).

Only the scale-1 world is materialised. At scale N every document has N copies
(k = 0 .. N-1) derived on demand (`World.doc(g)` with g = k * B + n), so scale 100 costs
no more memory than scale 1. Listings repeat each base row N times (one per copy); the
pinned 置顶 row of the 红盾网 is copy 0 only, so that site does not list the guide's copies.

`small=True` keeps one generated document in ten (and the two the listings single out:
the 红盾网's pinned guide and the city platform's doubly listed one, and every document
withdrawn after the default date), so a harvest of the whole world takes seconds. sim.registry names this world `longyan`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from sim.catalog import PORTALS, UNITS
from sim.gen import generate
from sim.gen.placement import guide, listing_rows, twice
from sim.model import DEFAULT_AS_OF, WORLD_END, Doc, Row, copy_doc


class World:
    """The generated documents and their listings, with scale-N copies derived on demand."""

    name = "longyan"
    default_as_of = DEFAULT_AS_OF

    def __init__(
        self,
        docs: list[Doc],
        rows: dict[str, list[Row]],
        pinned: dict[str, int],
        seed: int,
        scale: int,
        end: date = WORLD_END,
    ):
        self.base_docs = docs
        self.base_rows = rows  # per portal, newest first, pinned row excluded
        self.pinned = pinned  # portal id -> n of the document pinned at the top of page 0
        self.seed = seed
        self.scale = scale
        self.end = end  # the last day with new documents
        self.units = UNITS
        self.portals = PORTALS

    @property
    def base_count(self) -> int:
        """B, the number of scale-1 documents."""
        return len(self.base_docs)

    def doc(self, g: int) -> Doc:
        """Document g (copy k = g // B of base document n = g % B)."""
        k, n = divmod(g, self.base_count)
        base = self.base_docs[n]
        if k == 0:
            return base
        if k >= self.scale:
            raise KeyError(g)
        return copy_doc(base, g, k)

    def docs(self) -> Iterator[Doc]:
        """Every document of the world at its scale."""
        for k in range(self.scale):
            for base in self.base_docs:
                yield base if k == 0 else copy_doc(base, k * self.base_count + base.n, k)

    def lists(self, portal_id: str, doc: Doc) -> bool:
        """Whether the portal lists the document at all (on some day)."""
        if portal_id not in doc.portals:
            return False
        return doc.g == doc.n or self.pinned.get(portal_id) != doc.n

    def visible(self, doc: Doc, shown: date, as_of: date) -> bool:
        """Whether a listing of `doc` dated `shown` is on its portal on day `as_of`."""
        return shown <= as_of and (doc.withdrawn_on is None or doc.withdrawn_on > as_of)

    def listing(self, portal_id: str, as_of: date) -> Listing:
        """The rows portal `portal_id` lists on day `as_of` (newest first)."""
        docs = self.base_docs
        rows = [r for r in self.base_rows[portal_id] if self.visible(docs[r.n], r.shown, as_of)]
        pinned = None
        pn = self.pinned.get(portal_id)
        if pn is not None and self.visible(docs[pn], docs[pn].published, as_of):
            pinned = Row(docs[pn].published, pn)
        return Listing(self, rows, pinned)


class Listing:
    """The expanded listing of one portal on one day: row i of the scale-N list is copy
    i % N of base row i // N, after the pinned row (if any)."""

    def __init__(self, world: World, rows: list[Row], pinned: Row | None):
        self.world = world
        self.rows = rows
        self.pinned = pinned

    def __len__(self) -> int:
        return len(self.rows) * self.world.scale + (1 if self.pinned else 0)

    def natural_count(self) -> int:
        """Rows without the pinned one."""
        return len(self.rows) * self.world.scale

    def natural(self, start: int, stop: int) -> list[tuple[Row, int]]:
        """(row, g) for natural rows start..stop-1."""
        scale, b = self.world.scale, self.world.base_count
        stop = min(stop, self.natural_count())
        out = []
        for i in range(max(start, 0), stop):
            row = self.rows[i // scale]
            out.append((row, (i % scale) * b + row.n))
        return out


#: One generated document in this many is kept by `small`.
SMALL_EVERY = 10


def small_subset(docs: list[Doc], withdrawn_later: bool = False) -> list[Doc]:
    """Every SMALL_EVERY-th document and the two the listings single out, renumbered; with
    `withdrawn_later`, every document withdrawn after DEFAULT_AS_OF as well."""
    keep = {guide(docs).n, twice(docs).n}
    if withdrawn_later:
        keep |= {d.n for d in docs if d.withdrawn_on is not None and d.withdrawn_on > DEFAULT_AS_OF}
    chosen = [d for d in docs if d.n % SMALL_EVERY == 0 or d.n in keep]
    return [replace(d, g=i, n=i) for i, d in enumerate(chosen)]


def build(seed: int = 2012, scale: int = 1, until: date | None = None, small: bool = False) -> World:
    """The deterministic world for `seed`, with every document copied `scale` times. With
    `until` (after WORLD_END), the world goes on to that day: new Longyan documents every day
    and a few withdrawals (sim.gen.later); without it, the default world, byte for byte.
    `small` keeps one document in ten for quick end-to-end measurements."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    if until is not None and until <= WORLD_END:
        raise ValueError(f"until must be after {WORLD_END}, got {until}")
    docs, rows, pinned = generate(seed, until)
    if small:
        docs = small_subset(docs, withdrawn_later=True)  # the nights of a small world meet them too
        rows, pinned = listing_rows(docs)
    return World(docs, rows, pinned, seed, scale, until or WORLD_END)
