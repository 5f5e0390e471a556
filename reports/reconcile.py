"""Reconciliation: the figures a unit reported against the warehouse's, figure by figure.

The reported figures are a small TOML file (docs/reports.md, Reconciliation;
reports/examples/longyan_2012_reported.toml). Three kinds of finding:

- a **difference**: reported minus warehouse, for every figure and category count, failing
  when its size exceeds the tolerance (items; a rate or share is converted to items of its
  base before comparing);
- an **inconsistency** of the report itself: parts that exceed their whole, a stated share
  that its own counts do not give, a scheme said to be complete whose counts do not add up
  to the new items;
- the **documents behind** a difference where the catalog can tell (a category's documents,
  the documents of a complete scheme in categories the report does not name).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse.totals import totals

MEASURES = ("held", "official_held", "new", "official_new", "fulltext_held")
RATES = {"fulltext_rate": ("fulltext_held", "held")}
SCHEMES = ("topic", "function", "audience")
LEVELS = ("all", "province", "city", "county")
SHOWN_DOCUMENTS = 10


class ReportedError(ValueError):
    """The reported-figures file cannot be read: the message names the file and the key."""


@dataclass
class Reported:
    path: Path
    system: str
    year: int
    figures: dict[str, dict[str, Any]]
    groups: list[dict[str, Any]]
    complete: dict[str, list[str]]


@dataclass
class Finding:
    name: str
    reported: str
    warehouse: str
    difference: int | None
    ok: bool
    documents: list[tuple[str, str]] = field(default_factory=list)
    n_documents: int = 0


@dataclass
class Result:
    reported: Reported
    tolerance: int
    findings: list[Finding]
    inconsistencies: list[Finding]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)


def parse_share(text: Any, where: str) -> float:
    """'79.57%' -> 0.7957."""
    try:
        return float(str(text).strip().rstrip("%")) / 100
    except ValueError:
        raise ReportedError(f'{where}: {text!r} is not a percentage like "79.57%"') from None


def share_matches(stated: str, n: int, total: int) -> bool:
    """The stated share ('79.57%', '60%') is n / total rounded to the decimals it shows."""
    text = stated.strip().rstrip("%")
    decimals = len(text.partition(".")[2])
    return abs(100 * n / total - float(text)) <= 0.5 * 10**-decimals + 1e-9


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ReportedError(f"{where}: unknown key {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


def load_reported(path: Path, system: str | None = None, year: int | None = None) -> Reported:
    """Read and validate the file; `system` and `year` override the file's."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ReportedError(f"{path}: {exc}") from None
    # approximate, stated and inconsistencies: what `xxgk reported extract` adds; kept, not compared
    _check_keys(
        raw,
        {"system", "year", "source", "figures", "groups", "complete", "approximate", "stated", "inconsistencies"},
        str(path),
    )
    system, year = system or raw.get("system"), year or raw.get("year")
    if not isinstance(system, str) or not isinstance(year, int):
        raise ReportedError(f'{path}: give system = "ID" and year = YYYY (or --system/--year)')
    figures = raw.get("figures", {})
    for level, values in figures.items():
        _check_keys({level: 0}, set(LEVELS), f"{path}: [figures]")
        _check_keys(values, set(MEASURES) | set(RATES), f"{path}: [figures.{level}]")
    for i, group in enumerate(raw.get("groups", [])):
        where = f"{path}: groups[{i}]"
        _check_keys(group, {"level", "scheme", "categories", "share"}, where)
        if group.get("scheme") not in SCHEMES or group.get("level") not in LEVELS:
            raise ReportedError(
                f"{where}: level must be one of {', '.join(LEVELS)}, scheme one of {', '.join(SCHEMES)}"
            )
        if "share" in group:
            parse_share(group["share"], where)
    return Reported(Path(path), system, year, figures, list(raw.get("groups", [])), dict(raw.get("complete", {})))


def _finding(name: str, reported: int, warehouse: int, tolerance: int) -> Finding:
    diff = reported - warehouse
    return Finding(name, str(reported), str(warehouse), diff, abs(diff) <= tolerance)


def _figure_findings(claims: Reported, figures: dict, tolerance: int) -> list[Finding]:
    found = []
    for level, values in claims.figures.items():
        ours = figures["levels"].get(level, dict.fromkeys(MEASURES, 0))
        for key, value in values.items():
            if key in RATES:
                part, base = RATES[key]
                in_items = round(parse_share(value, key) * ours[base])
                f = _finding(f"{level} {key}", in_items, ours[part], tolerance)
                f.reported = f"{value} (= {in_items} of {ours[base]})"
                f.warehouse = f"{ours[part]} of {ours[base]}"
                found.append(f)
            else:
                found.append(_finding(f"{level} {key}", int(value), int(ours[key]), tolerance))
    return found


def _group_findings(claims: Reported, figures: dict, tolerance: int, con) -> list[Finding]:
    found = []
    for group in claims.groups:
        level, scheme = group["level"], group["scheme"]
        ours = figures["categories"].get(level, {}).get(scheme, {})
        for category, n in group["categories"].items():
            f = _finding(f"{level} {scheme} {category}", int(n), int(ours.get(category, 0)), tolerance)
            if not f.ok:
                f.n_documents, f.documents = _documents(con, claims, level, scheme, [category], True)
            found.append(f)
        if "share" in group:
            new = figures["levels"].get(level, {}).get("new", 0)
            total = sum(int(ours.get(c, 0)) for c in group["categories"])
            stated = round(parse_share(group["share"], "share") * new)
            f = _finding(f"{level} {scheme} share of {'+'.join(group['categories'])}", stated, total, tolerance)
            f.reported, f.warehouse = (
                f"{group['share']} (= {stated} of {new})",
                f"{total} of {new} = {total / new:.2%}" if new else "0",
            )
            found.append(f)
    return found


def _inconsistencies(claims: Reported, con) -> list[Finding]:
    """Where the report disagrees with itself."""
    found: list[Finding] = []
    fig = claims.figures
    parts = [lv for lv in ("province", "city", "county") if "held" in fig.get(lv, {})]
    if "held" in fig.get("all", {}) and parts and len(parts) > 1:
        total = sum(fig[lv]["held"] for lv in parts)
        if total != fig["all"]["held"]:
            found.append(
                Finding(
                    f"held: {' + '.join(parts)}", str(total), str(fig["all"]["held"]), total - fig["all"]["held"], False
                )
            )
    for level, values in fig.items():
        for part, whole in (("official_held", "held"), ("new", "held"), ("official_new", "new")):
            if part in values and whole in values and values[part] > values[whole]:
                found.append(
                    Finding(
                        f"{level} {part} above {whole}",
                        str(values[part]),
                        str(values[whole]),
                        values[part] - values[whole],
                        False,
                    )
                )
    for group in claims.groups:
        new = fig.get(group["level"], {}).get("new")
        if "share" in group and new:
            own = sum(group["categories"].values())
            if not share_matches(str(group["share"]), own, new):
                found.append(
                    Finding(
                        f"{group['level']} {group['scheme']} stated share {group['share']}",
                        f"{own} of {new} = {own / new:.2%}",
                        group["share"],
                        None,
                        False,
                    )
                )
    for level, schemes in claims.complete.items():
        new = fig.get(level, {}).get("new")
        for scheme in schemes:
            counts = {
                c: n
                for g in claims.groups
                if g["level"] == level and g["scheme"] == scheme
                for c, n in g["categories"].items()
            }
            total = sum(counts.values())
            if new is not None and total != new:
                f = Finding(
                    f"{level} {scheme}: {' + '.join(str(n) for n in counts.values())}",
                    str(total),
                    f"{new} new",
                    total - new,
                    False,
                )
                f.n_documents, f.documents = _documents(con, claims, level, scheme, list(counts), False)
                found.append(f)
    return found


def _documents(
    con, claims: Reported, level: str, scheme: str, categories: list[str], inside: bool
) -> tuple[int, list[tuple[str, str]]]:
    """The new documents of the system, level and year in (or outside) the categories: a
    document's category is its value's category (its canonical label, else its own), as
    fct_category_counts counts it."""
    column = {"topic": "d.topic", "function": 'd."function"', "audience": "d.audience"}[scheme]
    test = "IN" if inside else "NOT IN"
    marks = ", ".join("?" for _ in categories) or "NULL"
    sql = f"""WITH RECURSIVE sys(unit_id) AS (
        SELECT unit_id FROM dim_units WHERE unit_id = ?
        UNION SELECT u.unit_id FROM dim_units AS u JOIN sys ON u.parent_unit_id = sys.unit_id)
      SELECT d.doc_id, d.title FROM fct_documents AS d
      LEFT JOIN dim_vocabulary_values AS v ON v.field = ? AND v.value = {column}
      WHERE d.unit_id IN (SELECT unit_id FROM sys) AND d.disclosure = '主动公开'
        AND (? = 'all' OR d.level = ?) AND year(d.counted_date) = ?
        AND (d.withdrawn_date IS NULL OR year(d.withdrawn_date) > ?)
        AND coalesce(v.category, '未分类') {test} ({marks})
      ORDER BY d.counted_date, d.doc_id"""
    params = [claims.system, scheme, level, level, claims.year, claims.year, *categories]
    rows = con.execute(sql, params).fetchall()
    return len(rows), [(r[0], r[1] or "") for r in rows[:SHOWN_DOCUMENTS]]


def reconcile_figures(published_path: str | os.PathLike, claims: Reported, tolerance: int = 0) -> Result:
    """Every finding; KeyError when the system is not in the warehouse."""
    figures = totals(published_path, claims.system, claims.year)
    con = duckdb.connect(str(published_path), read_only=True)
    try:
        findings = _figure_findings(claims, figures, tolerance) + _group_findings(claims, figures, tolerance, con)
        inconsistencies = _inconsistencies(claims, con)
    finally:
        con.close()
    return Result(claims, tolerance, findings, inconsistencies)


def render_lines(result: Result) -> list[str]:
    """The findings as text lines (what `xxgk reconcile` prints)."""
    claims = result.reported
    lines = [
        f"Reconciliation of {claims.path.name}: system {claims.system}, year {claims.year}, tolerance {result.tolerance}",
        f"{'figure':<44} {'reported':>24} {'warehouse':>24} {'diff':>6}",
    ]
    for f in result.findings:
        diff = "" if f.difference is None else f"{f.difference:+d}"
        lines.append(f"{f.name:<44} {f.reported:>24} {f.warehouse:>24} {diff:>6}  {'ok' if f.ok else 'DIFFERS'}")
        lines += _document_lines(f)
    lines.append(
        "The report's own inconsistencies:" if result.inconsistencies else "The report is consistent with itself."
    )
    for f in result.inconsistencies:
        diff = "" if f.difference is None else f" (difference {f.difference:+d})"
        lines.append(f"  ! {f.name} = {f.reported}, against {f.warehouse}{diff}")
        lines += _document_lines(f)
    bad = sum(not f.ok for f in result.findings)
    lines.append(
        f"Result: {bad} of {len(result.findings)} figures differ by more than {result.tolerance}; "
        f"{len(result.inconsistencies)} inconsistencies in the report."
    )
    return lines


def _document_lines(f: Finding) -> list[str]:
    if not f.n_documents:
        return []
    lines = [f"      documents behind it in the warehouse: {f.n_documents}"]
    lines += [f"        {doc_id}  {title}" for doc_id, title in f.documents]
    if f.n_documents > len(f.documents):
        lines.append(f"        … and {f.n_documents - len(f.documents)} more")
    return lines
