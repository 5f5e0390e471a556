"""The configured units and portals, and the build's settings, as the warehouse's `cfg_` tables.

They come validated: flows/config/model.py refuses a config with duplicate ids, unknown levels,
parents or units, or a parent cycle, before anything is harvested or built. Here they are
taken as given and only laid out as Arrow tables of fixed schemas.
"""

from __future__ import annotations

import pyarrow as pa

LEVELS = ("province", "city", "county")

UNIT_SCHEMA = pa.schema(
    [(name, pa.string()) for name in ("id", "name", "level", "region", "parent")] + [("aliases", pa.list_(pa.string()))]
)
PORTAL_SCHEMA = pa.schema(
    [(name, pa.string()) for name in ("id", "name", "level", "region", "platform", "url", "unit", "details")]
)


def config_tables(units: list[dict], portals: list[dict]) -> tuple[pa.Table, pa.Table]:
    """Units and portals (as `Config.units_as_dicts()` and `portals_as_dicts()` give them)."""
    unit_rows = [
        {
            **{key: unit.get(key) for key in UNIT_SCHEMA.names},
            "aliases": list(unit.get("aliases") or []),
        }
        for unit in units
    ]
    portal_rows = [{key: portal.get(key) for key in PORTAL_SCHEMA.names} for portal in portals]
    return (
        pa.Table.from_pylist(unit_rows, schema=UNIT_SCHEMA),
        pa.Table.from_pylist(portal_rows, schema=PORTAL_SCHEMA),
    )


#: The build's settings (one row): plain values the caller takes from its config, so the
#: warehouse never reads a config file. Defaults are those of flows/config/model.py.
SETTINGS_SCHEMA = pa.schema(
    [
        ("quarantine_release_listings", pa.int64()),
        ("removed_portal_grace_days", pa.int64()),
        ("max_held_drop", pa.float64()),
    ]
)


def settings_table(
    quarantine_release_listings: int = 3, removed_portal_grace_days: int = 0, max_held_drop: float = 0.1
) -> pa.Table:
    """`cfg_settings`: how many quarantined listings release a quarantine (0: never on their
    own), the grace days of a removed portal, and the share by which a held figure may fall
    from one published night to the next without a warning (docs/withdrawal.md)."""
    return pa.Table.from_pylist(
        [
            {
                "quarantine_release_listings": quarantine_release_listings,
                "removed_portal_grace_days": removed_portal_grace_days,
                "max_held_drop": max_held_drop,
            }
        ],
        schema=SETTINGS_SCHEMA,
    )
