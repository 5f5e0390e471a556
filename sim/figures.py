"""What a correct pipeline reports on a given night: the counting rules of docs/counting.md
applied to the documents it can have seen by then, from the ground truth (never from pages).

`figures_as_of(world, as_of)` gives, per year, the figures of a system in the shape of
`xxgk totals --json` (`levels` and `categories`); `withdrawals_as_of(world, as_of)` the
withdrawals done by then. `sim.truth` re-exports both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sim.catalog import PORTAL_BY_ID, UNIT_BY_ID, UNITS
from sim.model import Doc
from sim.shown import shown_date
from sim.vocab import OFFICIAL_GENRES
from sim.world import World

#: The levels in the order `xxgk totals` prints them (after `all`).
LEVELS = ("province", "city", "county")
SCHEMES = ("topic", "function", "audience")
#: The category of a document without a value in a scheme.
UNCLASSIFIED = "未分类"


@dataclass(frozen=True, slots=True)
class Counted:
    """A document a pipeline counts on the night, with the withdrawal it can know of."""

    doc: Doc
    withdrawn_on: date | None


def system_units(system: str) -> frozenset[str]:
    """The configured unit `system` and all its descendants."""
    unit = UNIT_BY_ID.get(system)
    if unit is None or not unit.configured:
        raise ValueError(f"system {system!r} is not a configured unit")
    members = {system}
    grown = True
    while grown:
        more = {u.id for u in UNITS if u.configured and u.parent in members}
        grown = not more <= members
        members |= more
    return frozenset(members)


def is_official(doc: Doc) -> bool:
    """公文类: an official genre, or no genre and a 文号 (docs/counting.md)."""
    return doc.genre in OFFICIAL_GENRES if doc.genre else bool(doc.doc_no)


def first_shown(world: World, doc: Doc, portals: Collection[str] | None = None) -> date | None:
    """The first day any portal (of `portals`, when given) lists the document (None if none
    ever does)."""
    days = [
        shown_date(doc, PORTAL_BY_ID[p])
        for p in doc.portals
        if world.lists(p, doc) and (portals is None or p in portals)
    ]
    return min(days, default=None)


def first_read(world: World, doc: Doc, reads: Mapping[str, Collection[date]]) -> date | None:
    """The first night a pipeline read a listing that showed the document: `reads` maps a
    portal to the nights its listing was read (None if none did)."""
    nights = [
        night
        for p in doc.portals
        if p in reads and world.lists(p, doc)
        for night in reads[p]
        if shown_date(doc, PORTAL_BY_ID[p]) <= night and (doc.withdrawn_on is None or night < doc.withdrawn_on)
    ]
    return min(nights, default=None)


def _kept_by_removed(world: World, doc: Doc, removed: Mapping[str, date], first_night: date | None) -> bool:
    """Whether a portal removed from the configuration keeps a sighting of the document that
    the pipeline can never withdraw: the portal showed it before its removal, and the
    document was withdrawn on or after the removal."""
    for pid, gone in removed.items():
        if not world.lists(pid, doc) or doc.withdrawn_on is None or doc.withdrawn_on < gone:
            continue
        start = shown_date(doc, PORTAL_BY_ID[pid])
        if first_night is not None:
            start = max(start, first_night)
        if start < gone:
            return True
    return False


def counted(
    world: World,
    as_of: date,
    system: str = "ly-aic",
    first_night: date | None = None,
    removed: Mapping[str, date] | None = None,
    portals: Collection[str] | Mapping[str, Collection[date]] | None = None,
    withdrawn: Mapping[str, date | None] | None = None,
) -> list[Counted]:
    """The documents of `system` a pipeline counts on night `as_of`: 主动公开, listed by
    then on some portal (of `portals`, when given; when `portals` maps portals to the nights
    their listings were read, listed on one of those nights), and (when the pipeline started on
    `first_night`) not withdrawn on or before its first night, which it never saw.
    `withdrawn` (doc id -> date or None) replaces the truth's withdrawal of those documents
    by the one the pipeline can know of (None: not yet)."""
    units = system_units(system)
    out = []
    for doc in world.docs():
        if doc.unit_id not in units or doc.disclosure != "主动公开":
            continue
        seen = first_read(world, doc, portals) if isinstance(portals, Mapping) else first_shown(world, doc, portals)
        gone = doc.withdrawn_on
        if seen is None or seen > as_of or (first_night and gone and gone <= first_night):
            continue
        if gone and removed and _kept_by_removed(world, doc, removed, first_night):
            gone = None
        if withdrawn is not None and (doc_id := f"sim-{doc.g:07d}") in withdrawn:
            gone = withdrawn[doc_id]
        out.append(Counted(doc, gone))
    return out


def _level_figures(held: list[Doc], year: int) -> dict[str, int]:
    new = [d for d in held if d.published.year == year]
    return {
        "held": len(held),
        "official_held": sum(map(is_official, held)),
        "new": len(new),
        "official_new": sum(map(is_official, new)),
        "fulltext_held": sum(d.has_full_text for d in held),
    }


def _categories(new: list[Doc]) -> dict[str, dict[str, int]]:
    out = {}
    for scheme in SCHEMES:
        counts = Counter(getattr(d, scheme) or UNCLASSIFIED for d in new)
        out[scheme] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def year_figures(docs: Iterable[Counted], year: int, as_of: date) -> dict:
    """`levels` and `categories` of one year: held at the year's end (on `as_of` for a year
    not yet ended), new in the year, per level."""
    cut = min(date(year, 12, 31), as_of)
    held = [
        c.doc for c in docs if c.doc.published <= cut and not (c.withdrawn_on is not None and c.withdrawn_on <= cut)
    ]
    parts = {"all": held}
    for level in LEVELS:
        part = [d for d in held if d.level == level]
        if part:
            parts[level] = part
    return {
        "levels": {k: _level_figures(v, year) for k, v in parts.items()},
        "categories": {k: _categories([d for d in v if d.published.year == year]) for k, v in parts.items()},
    }


def figures_as_of(
    world: World,
    as_of: date,
    system: str = "ly-aic",
    years: list[int] | None = None,
    *,
    first_night: date | None = None,
    removed: Mapping[str, date] | None = None,
    portals: Collection[str] | Mapping[str, Collection[date]] | None = None,
    withdrawn: Mapping[str, date | None] | None = None,
) -> dict[int, dict]:
    """Year -> the figures a correct pipeline reports for `system` on night `as_of`:
    `{"levels": {"all"|level: {held, official_held, new, official_new, fulltext_held}},
    "categories": {"all"|level: {scheme: {category: n}}}}` (docs/counting.md; `未分类` for
    no value). A document counts once some portal lists it (its year is its published date
    at the origin); a withdrawal counts from its day `withdrawn_on`. `years` defaults to the
    first published year of the system's documents through `as_of`'s year.

    `first_night`: the pipeline's first night (documents withdrawn on or before it were
    never seen). `removed`: portal id -> the first night the portal is out of the
    configuration; a document it listed before then keeps that sighting, so a withdrawal on
    or after that night never happens for the pipeline (withdrawals before it are taken as
    done). `portals`: the portals the pipeline harvests (default: all); a document counts
    once one of them lists it; or portal id -> the nights the pipeline read its listing, and
    a document counts once it was listed on one of them (a portal down for a night sees its
    new documents on its next night). `withdrawn`: doc id -> the withdrawal the pipeline can know
    of on the night, instead of the truth's (a date, or None for not yet withdrawn): a
    pipeline sees a withdrawal only after two full listings miss the document, and dates it
    by the first of them (docs/withdrawal.md)."""
    docs = counted(world, as_of, system, first_night, removed, portals, withdrawn)
    if years is None:
        first = min((c.doc.published.year for c in docs), default=as_of.year)
        years = list(range(first, as_of.year + 1))
    return {year: year_figures(docs, year, as_of) for year in years}


def withdrawals_as_of(world: World, as_of: date, since: date | None = None) -> list[tuple[str, date]]:
    """(doc_id, withdrawn_on) of every document withdrawn on or before `as_of` (and after
    `since`, when given), by date."""
    out = [
        (f"sim-{d.g:07d}", d.withdrawn_on)
        for d in world.docs()
        if d.withdrawn_on is not None and d.withdrawn_on <= as_of and (since is None or d.withdrawn_on > since)
    ]
    return sorted(out, key=lambda t: (t[1], t[0]))
