"""An extracted annual report as the TOML file `xxgk reconcile --reported` reads.

The catalog's figures (held, new, official, full text; a level's categories in the groups
the report gives shares of) go where reconcile compares them; everything else the report
states goes under `[stated]` (kept, not compared), its approximate figures say so in
`approximate`, and its own inconsistencies under `[[inconsistencies]]`. Category names are
mapped onto the warehouse's vocabulary by a canonical form (simplified characters, without
信息, cut at 类; a vocabulary label that begins the name when no label equals it), and
printed as the report printed them in a comment.
"""

from __future__ import annotations

import csv
import functools
import json
from importlib import resources
from typing import Any

from connectors.annual_report.hanzi import simplified

_LEVEL_MEASURES = {
    "cumulative": "held",
    "official_cumulative": "official_held",
    "new": "new",
    "official_new": "official_new",
}


@functools.cache
def vocabulary_labels() -> tuple[dict[str, list[str]], dict[tuple[str, str], set[str]]]:
    """(scheme -> the warehouse's category labels, (scheme, code family) -> its labels)."""
    labels: dict[str, list[str]] = {}
    families: dict[tuple[str, str], set[str]] = {}
    with resources.files("warehouse").joinpath("seeds/vocabulary.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["field"] in ("topic", "function", "audience"):
                if row["label"] not in labels.get(row["field"], []):
                    labels.setdefault(row["field"], []).append(row["label"])
                families.setdefault((row["field"], row["code"].rpartition("-")[0]), set()).add(row["label"])
    return labels, families


def canonical(name: str) -> str:
    text = simplified(name).replace("信息", "").replace("的", "")
    return text.split("类")[0] if "类" in text else text


def vocabulary_label(scheme: str, name: str, vocabulary: dict[str, list[str]]) -> str:
    """The warehouse label a report's category name stands for, else the name as printed."""
    labels = vocabulary.get(scheme, [])
    key = canonical(name)
    exact = [label for label in labels if canonical(label) == key]
    if len(exact) == 1:
        return exact[0]
    prefix = [label for label in labels if key.startswith(canonical(label))]
    return prefix[0] if len(prefix) == 1 else name


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _plain(value: Any) -> Any:
    """An approximate figure {approx: '260余'} as its text; the rest as it is."""
    if isinstance(value, dict) and set(value) == {"approx"}:
        return value["approx"]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _catalog_figures(core: dict, detail: dict) -> dict[str, dict[str, Any]]:
    """level -> measure -> value, for the figures reconcile compares."""
    figures: dict[str, dict[str, Any]] = {}
    for key, measure in (
        ("proactive_cumulative", "held"),
        ("proactive_new", "new"),
        ("fulltext_rate", "fulltext_rate"),
    ):
        if key in core:
            figures.setdefault("all", {})[measure] = core[key]
    for key in ("official_cumulative", "official_new"):
        if key in detail:
            figures.setdefault("all", {})[_LEVEL_MEASURES[key]] = detail[key]
    for level, values in detail.get("levels", {}).items():
        if level in ("province", "city", "county"):
            for key, measure in _LEVEL_MEASURES.items():
                if key in values:
                    figures.setdefault(level, {})[measure] = values[key]
    return figures


def _figure_lines(figures: dict, located: dict, approximate: list[str]) -> list[str]:
    lines: list[str] = []
    for level, values in figures.items():
        lines.append(f"\n[figures.{level}]")
        for measure, value in values.items():
            if isinstance(value, dict):
                approximate.append(f"{level}.{measure}")
                number = located.get(_path_of(level, measure), {}).get("value")
                lines.append(f"{measure} = {_toml(number)}  # approximate: {value['approx']}")
            else:
                lines.append(f"{measure} = {_toml(value)}")
    return lines


def to_toml(report: dict, system: str | None, year: int | None) -> str:
    """The TOML text of one extracted report (an `annual_report.as_dict` object)."""
    located = {x["figure"]: x for x in report["located"]}
    core, detail = report["core"], report["detail"]
    lines = [
        f"# {report['unit'] or 'unit not named'} {report['year'] or ''}: figures read from {report['source']}",
        f"# kind: {report['kind']}; every figure below was read from the report, never inferred.",
    ]
    if system:
        lines.append(f"system = {_toml(system)}")
    if year or report["year"]:
        lines.append(f"year = {year or report['year']}")
    lines.append(f"source = {_toml(report['source'])}")
    top = len(lines)  # top-level keys go before the first table
    approximate: list[str] = []
    lines += _figure_lines(_catalog_figures(core, detail), located, approximate)
    lines += _groups(detail)
    stated = {
        k: _plain(v) for k, v in core.items() if k not in ("proactive_cumulative", "proactive_new", "fulltext_rate")
    }
    stated |= {k: _plain(v) for k, v in detail.items() if k != "levels"}
    stated |= {t: report[t] for t in ("table2", "table3", "table4") if report.get(t) is not None}
    if approximate:
        lines.insert(top, f"approximate = {_toml(approximate)}")
    if stated:
        lines += ["\n# What else the report states (not compared with the catalog).", "[stated]"]
        lines += [f"{_toml(k)} = {_toml(_nulls(v))}" for k, v in stated.items()]
    for item in report["inconsistencies"]:
        lines += ["\n[[inconsistencies]]", f"check = {_toml(item['check'])}", f"figures = {_toml(item['figures'])}"]
    return "\n".join(lines) + "\n"


def _path_of(level: str, measure: str) -> str:
    if level == "all":
        return {"held": "core.proactive_cumulative", "new": "core.proactive_new"}.get(measure, f"detail.{measure}")
    reverse = {v: k for k, v in _LEVEL_MEASURES.items()}
    return f"detail.levels.{level}.{reverse.get(measure, measure)}"


def _nulls(value: Any) -> Any:
    """TOML has no null: a cell not stated is written as the string "not stated"."""
    if value is None:
        return "not stated"
    if isinstance(value, dict):
        return {k: _nulls(v) for k, v in value.items()}
    return value


def _groups(detail: dict) -> list[str]:
    vocabulary, families = vocabulary_labels()
    lines: list[str] = []
    complete: dict[str, list[str]] = {}
    for level, values in detail.get("levels", {}).items():
        for scheme, groups in values.get("new_groups", {}).items():
            named: set[str] = set()
            for _, group in sorted(groups.items(), key=lambda kv: int(kv[0])):
                counts = {vocabulary_label(scheme, n, vocabulary): v for n, v in group.get("categories", {}).items()}
                named |= set(counts)
                lines.append(f"\n# as printed: {', '.join(group.get('categories', {}))}")
                lines += [
                    "[[groups]]",
                    f"level = {_toml(level)}",
                    f"scheme = {_toml(scheme)}",
                    f"categories = {_toml(_plain(counts))}",
                ]
                if "share" in group:
                    lines.append(f"share = {_toml(group['share'])}")
            whole = any(named >= labels for (s, _), labels in families.items() if s == scheme)
            if whole and level in ("city", "county", "province"):
                complete.setdefault(level, []).append(scheme)
    if complete:
        lines.append(
            "\n# Schemes of which the report names every category of one vocabulary: they must add up to the new items."
        )
        lines.append("[complete]")
        lines += [f"{level} = {_toml(schemes)}" for level, schemes in complete.items()]
    return lines
