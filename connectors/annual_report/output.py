"""A report as one JSON-ready object: the figures in the shape of the labelled corpus
(`kind`, `unit`, `year`, `table2`, `table3`, `table4`, `core`), the prose's other figures
(`detail`), and where each figure was read (`located`)."""

from __future__ import annotations

from typing import Any

from connectors.annual_report.model import Figure, Report


def _value(figure: Figure) -> Any:
    if figure.approx and figure.value is not None:
        return {"approx": figure.text}
    return figure.value


def _put(tree: dict, path: list[str], value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree[path[-1]] = value


def as_dict(report: Report) -> dict[str, Any]:
    """The report's object. A table not in the report is null; a cell of a table found that
    states nothing is null; `core` and `detail` hold only what the prose states."""
    out: dict[str, Any] = {
        "kind": report.kind,
        "unit": report.unit,
        "year": report.year,
        "source": report.source,
        "table2": None,
        "table3": None,
        "table4": None,
        "core": {},
        "detail": {},
    }
    for figure in report.figures:
        head, *rest = figure.path.split(".")
        if head in ("core", "detail") and figure.value is None:
            continue
        if out.get(head) is None:
            out[head] = {}
        _put(out[head], rest, _value(figure))
    out["inconsistencies"] = [
        {"check": i.check, "figures": i.figures, "left": i.left, "right": i.right} for i in report.inconsistencies
    ]
    out["checks_passed"] = report.checks_passed
    out["notes"] = report.notes
    out["located"] = [
        {"figure": f.path, "value": f.value, "approx": f.approx, "text": f.text, "where": f.where}
        for f in report.figures
        if f.value is not None
    ]
    return out
