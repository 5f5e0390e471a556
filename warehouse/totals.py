"""A system's figures for one year, read from the published file (`xxgk totals --json`).

The counting rules are in docs/counting.md; fct_totals and fct_category_counts hold them.
"""

from __future__ import annotations

import os

from warehouse.config_tables import LEVELS
from warehouse.db import connect

_TOTAL_KEYS = ("held", "official_held", "new", "official_new", "fulltext_held")
_SCHEMES = ("topic", "function", "audience")


def _read(published_path: str | os.PathLike, system_id: str, year: int) -> tuple[list, list]:
    """The fct_totals rows and non-zero fct_category_counts rows of the system and year."""
    con = connect(published_path, read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM dim_units WHERE unit_id = ?", [system_id]).fetchone()[0]:
            raise KeyError(f"{system_id!r} is not a configured unit")
        rows = con.execute(
            f"SELECT level, {', '.join(_TOTAL_KEYS)} FROM fct_totals WHERE system_id = ? AND year = ? ORDER BY level",
            [system_id, year],
        ).fetchall()
        categories = con.execute(
            "SELECT level, scheme, category, n FROM fct_category_counts "
            "WHERE system_id = ? AND year = ? AND n > 0 ORDER BY level, scheme, n DESC, category",
            [system_id, year],
        ).fetchall()
    finally:
        con.close()
    return rows, categories


def totals(published_path: str | os.PathLike, system_id: str, year: int) -> dict:
    """The figures of one system and year as the JSON of docs/counting.md.

    `levels` has `all` and every level holding documents; `categories` has, per level, the
    three schemes with their non-zero categories (未分类 whenever above zero).
    """
    rows, categories = _read(published_path, system_id, year)
    levels = {row[0]: dict(zip(_TOTAL_KEYS, row[1:], strict=True)) for row in rows}
    levels.setdefault("all", dict.fromkeys(_TOTAL_KEYS, 0))
    by_level: dict[str, dict[str, dict[str, int]]] = {level: {scheme: {} for scheme in _SCHEMES} for level in levels}
    for level, scheme, category, n in categories:
        by_level.setdefault(level, {scheme: {} for scheme in _SCHEMES})
        by_level[level][scheme][category] = n
    ordered = ["all", *[level for level in LEVELS if level in levels]]
    return {
        "system": system_id,
        "year": year,
        "levels": {level: levels[level] for level in ordered},
        "categories": {level: by_level[level] for level in ordered},
    }
