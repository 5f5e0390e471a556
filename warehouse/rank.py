"""The packed rank of a sighting within its document, as DuckDB macros (docs/matching.md).

int_documents orders a document's sightings origin first, then most fields, then the
earliest run that first listed them, then portal_id, then item_key's hash. The first run,
not the time first seen: the portals of one night's run are harvested one after another or
side by side, in an order that changes from night to night, so within a run the time says
how the harvest went, not which portal had the document first. The ranking is packed into
one HUGEINT so that one `min` finds the best sighting and the best key alone tells its
origin distance, portal and field mask. Bits, from the least significant:

    bits   0..11   field mask: bit i set when the sighting holds FIELDS[i] (12 bits)
    bits  12..43   the low 32 bits of hash(item_key): a total order among equals
    bits  44..59   the portal's place in portal_id order, 1..65535 (16 bits)
    bits  60..111  the place of the sighting's first run (first_run_id) in run_id order,
                   1.. (52 bits)
    bits 112..119  how many fields the sighting lacks (n_fields - bit_count(field_mask))
    bits 120..126  levels from the document's unit up to the portal's unit (0..63), or 64
                   when the portal's unit is not on the unit's line (not an origin)

Bit 127 (the sign) stays clear. `rank_order_key` is the key without the origin distance
(int_documents also ranks sightings before it knows the document's unit); `rank_key` adds
it. `check_rank_limits` refuses a build whose portals or fields would overflow their bits.
"""

from __future__ import annotations

from warehouse.fields import FIELDS

FIELD_MASK_BITS = 12
HASH_BITS = 32
PORTAL_BITS = 16
RUN_BITS = 52
MISSING_BITS = 8
#: The distance of a sighting whose portal is no ancestor of the document's unit.
NOT_ORIGIN = 64

#: The most portals a rank can tell apart (portal ranks start at 1).
MAX_PORTALS = (1 << PORTAL_BITS) - 1

_HASH_SHIFT = FIELD_MASK_BITS
_PORTAL_SHIFT = _HASH_SHIFT + HASH_BITS
_RUN_SHIFT = _PORTAL_SHIFT + PORTAL_BITS
_MISSING_SHIFT = _RUN_SHIFT + RUN_BITS
_DISTANCE_SHIFT = _MISSING_SHIFT + MISSING_BITS


class RankLimitError(ValueError):
    """The portals or fields of this build do not fit in the packed rank."""


def check_rank_limits(n_portals: int, n_fields: int = len(FIELDS)) -> None:
    """Refuse, before any model runs, what the packed rank cannot hold."""
    if n_fields > FIELD_MASK_BITS:
        raise RankLimitError(
            f"{n_fields} fields: more than {FIELD_MASK_BITS} fields cannot be ranked in the "
            f"packed rank (its field mask has {FIELD_MASK_BITS} bits; see warehouse/rank.py)"
        )
    if n_portals > MAX_PORTALS:
        raise RankLimitError(
            f"{n_portals} portals: more than {MAX_PORTALS} portals cannot be ranked in the "
            f"packed rank (the portal index has {PORTAL_BITS} bits; see warehouse/rank.py)"
        )


def macros_sql() -> str:
    """The CREATE TEMP MACRO statements the models use (never written to the published file)."""
    n_fields = len(FIELDS)
    return f"""
CREATE OR REPLACE TEMP MACRO rank_order_key(field_mask, run_rank, portal_rank, item_key) AS
    (((CAST({n_fields} - bit_count(field_mask) AS HUGEINT) * {1 << RUN_BITS}
        + run_rank) * {1 << PORTAL_BITS} + portal_rank)
        * {1 << HASH_BITS} + hash(item_key) % {1 << HASH_BITS})
        * {1 << FIELD_MASK_BITS} + field_mask;
CREATE OR REPLACE TEMP MACRO rank_key(origin_distance, order_key) AS
    CAST(coalesce(origin_distance, {NOT_ORIGIN}) AS HUGEINT) * {1 << _DISTANCE_SHIFT} + order_key;
CREATE OR REPLACE TEMP MACRO rank_origin_distance(key) AS
    CASE WHEN key // {1 << _DISTANCE_SHIFT} < {NOT_ORIGIN}
        THEN CAST(key // {1 << _DISTANCE_SHIFT} AS INTEGER)
    END;
CREATE OR REPLACE TEMP MACRO rank_portal(key) AS
    key // {1 << _PORTAL_SHIFT} % {1 << PORTAL_BITS};
CREATE OR REPLACE TEMP MACRO rank_field_mask(key) AS
    CAST(key % {1 << FIELD_MASK_BITS} AS INTEGER);
"""
