"""A report as read (connectors/annual_report) turned into the rows the warehouse lands
(warehouse/reported_store.py): one row per figure or blank cell, with its value as a number
where it is one and, where the catalog can tell it, which catalog figure it is.

The catalog figures (docs/reports.md, Nightly reconciliation): the prose's held, new,
公文类 and full-text rate of the whole system (`core`, `detail`) or of a level
(`detail.levels.LEVEL`), its categories and shares (`…new_groups.SCHEME.N`), and the
template's table 二 rows 规章 and 行政规范性文件 (issued, valid). A category's name is mapped
onto the warehouse's vocabulary as `xxgk reported extract` maps it (flows/reported/toml.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from connectors.annual_report import Figure, Report
from flows.reported.toml import vocabulary_label, vocabulary_labels

_LEVELS = ("province", "city", "county")
_MEASURES = {"cumulative": "held", "official_cumulative": "official_held", "new": "new", "official_new": "official_new"}
_DIRECT = {
    "core.proactive_cumulative": "held",
    "core.proactive_new": "new",
    "core.fulltext_rate": "fulltext_rate",
    "detail.official_cumulative": "official_held",
    "detail.official_new": "official_new",
    "table2.regulations.made": "rules_issued",
    "table2.regulations.valid": "rules_valid",
    "table2.normative_docs.made": "normative_issued",
    "table2.normative_docs.valid": "normative_valid",
}
_GROUP = re.compile(
    r"detail\.(?:levels\.(?P<level>\w+)\.)?new_groups\.(?P<scheme>topic|function|audience)\.(?P<n>\d+)\."
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def number(figure: Figure) -> float | None:
    """The figure as a number: a count, an amount, or a rate's percentage (79.57% -> 79.57)."""
    value = figure.value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.endswith("%") and _NUMBER.fullmatch(text[:-1].strip()):
        return float(text[:-1])
    return None


def _level_measure(path: str) -> tuple[str, str] | None:
    if path in _DIRECT:
        return "all", _DIRECT[path]
    parts = path.split(".")
    if len(parts) == 4 and parts[:2] == ["detail", "levels"] and parts[2] in _LEVELS and parts[3] in _MEASURES:
        return parts[2], _MEASURES[parts[3]]
    return None


def catalog_keys(figures: list[Figure]) -> dict[str, tuple[str, str, str | None, str | None]]:
    """path -> (level, measure, scheme, category) for the figures the catalog can give."""
    vocabulary, _ = vocabulary_labels()
    keys: dict[str, tuple[str, str, str | None, str | None]] = {}
    groups: dict[str, list[str]] = defaultdict(list)
    for f in figures:
        if found := _level_measure(f.path):
            keys[f.path] = (*found, None, None)
        elif (m := _GROUP.match(f.path)) and (m.group("level") or "all") in ("all", *_LEVELS):
            level, scheme, rest = m.group("level") or "all", m.group("scheme"), f.path[m.end() :]
            if rest.startswith("categories."):
                label = vocabulary_label(scheme, rest.removeprefix("categories."), vocabulary)
                keys[f.path] = (level, "category", scheme, label)
                groups[m.group(0)].append(label)
    for f in figures:
        m = _GROUP.match(f.path)
        if m and f.path[m.end() :] == "share" and groups.get(m.group(0)):
            keys[f.path] = (m.group("level") or "all", "share", m.group("scheme"), "+".join(groups[m.group(0)]))
    return keys


def figure_rows(report: Report, doc_id: str, source_url: str) -> list[dict[str, Any]]:
    """The landing rows of one read source: every figure and blank cell of the report."""
    keys = catalog_keys(report.figures)
    rows = []
    for f in report.figures:
        level, measure, scheme, category = keys.get(f.path, (None, None, None, None))
        rows.append(
            {
                "doc_id": doc_id,
                "source_url": source_url,
                "figure": f.path,
                "value": number(f),
                "value_text": None if f.value is None else str(f.value),
                "is_stated": f.value is not None,
                "is_approximate": f.approx,
                "printed": f.text or None,
                "location": f.where or None,
                "level": level,
                "measure": measure,
                "scheme": scheme,
                "category": category,
            }
        )
    return rows
