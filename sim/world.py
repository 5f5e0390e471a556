"""The simulated Fujian AIC disclosure catalog as it stood around 2012 (deterministic).

`build_world(seed, scale)` generates every document of the unit tree (the province bureau,
the Longyan city bureau with its departments and seven county bureaus, the Xiamen bureau,
and a few Longyan departments outside any configured system) and decides on which portals
each one is listed (sim.gen). The generator allocates documents so that the 2012 figures
of the Longyan report hold by construction (see `sim.seed` and docs/sim.md).

Only the scale-1 world is materialised. At scale N every document has N copies
(k = 0 .. N-1) derived on demand (`World.doc(g)` with g = k * B + n), so scale 100 costs
no more memory than scale 1. Listings repeat each base row N times (one per copy); the
pinned 置顶 row of the 红盾网 is copy 0 only, so that site does not list the guide's copies.

The names other modules and tests import from here (units, portals, records, vocabulary,
the report's figures) are re-exported from the modules that define them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sim.catalog import (  # noqa: F401 (re-exported)
    CITY_UNITS,
    COUNTY_UNITS,
    LONGYAN_SYSTEM,
    PORTAL_BY_ID,
    PORTALS,
    UNIT_BY_ID,
    UNITS,
)
from sim.gen import generate
from sim.model import (  # noqa: F401 (re-exported)
    DEFAULT_AS_OF,
    DUPLICATE_ID_OFFSET,
    WORLD_END,
    WORLD_START,
    Doc,
    Portal,
    Row,
    Unit,
    copy_doc,
    mix,
)
from sim.seed import (  # noqa: F401 (re-exported)
    CITY_NEW_AUDIENCES,
    CITY_NEW_FUNCTIONS,
    CITY_NEW_TOPICS,
    REPORT_YEAR,
    SEED_FIGURES,
)
from sim.vocab import (  # noqa: F401 (re-exported)
    AUDIENCES,
    FUNCTION_DEPARTMENT,
    FUNCTIONS,
    OFFICIAL_GENRES,
    OTHER_GENRES,
    SUBJECTS,
    TOPICS,
)


class World:
    """The generated documents and their listings, with scale-N copies derived on demand."""

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


#: The worlds `build_world(world=…)` and `sim --world` know.
WORLDS = ("longyan", "guangdong")
#: The profiles of the Longyan world (`build_world(profile=…)`, `sim --profile`).
PROFILES = ("default", "messy")


def build_world(
    seed: int = 2012,
    scale: int = 1,
    until: date | None = None,
    world: str = "longyan",
    profile: str = "default",
    small: bool = False,
) -> World:
    """The deterministic world for `seed`, with every document copied `scale` times. With
    `until` (after WORLD_END), the world goes on to that day: new Longyan documents every day
    and a few withdrawals (sim.gen.later); without it, the default world, byte for byte.
    `world="guangdong"` is the Guangdong world instead (sim.guangdong: gkmlpt, gov.cn and
    the Hanweb 信息公开 search; one size, no seed, scale or later days).
    `profile="messy"` plants the traps of real portals (sim.messy, docs/sim.md); `small`
    keeps one document in ten (either profile) for quick end-to-end measurements."""
    if world not in WORLDS:
        raise ValueError(f"world must be one of {', '.join(WORLDS)}, got {world!r}")
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    if world == "guangdong":
        if (seed, scale, until, profile, small) != (2012, 1, None, "default", False):
            raise ValueError("the guangdong world has no seed, scale, until, profile or small version")
        from sim.guangdong import build

        return build()
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    if until is not None and until <= WORLD_END:
        raise ValueError(f"until must be after {WORLD_END}, got {until}")
    if profile != "default" or small:
        from sim.messy.world import build

        return build(seed, scale, until, small, profile)
    docs, rows, pinned = generate(seed, until)
    return World(docs, rows, pinned, seed, scale, until or WORLD_END)
