"""The report's own arithmetic, checked and reported, never corrected.

Template identities: table 三's per column 一 + 二 = 三(七) + 四, (七)总计 = the sum of the
outcome rows, each row's 总计 = the sum of its applicant columns, and table 四's 总计 = the sum
of its four results. Prose: a level's parts add up to the whole they are given as part of,
a list of categories does not exceed its count, a stated share is what its counts give.
A blank term counts nothing; a sum is checked only when its total and at least one of its
parts are stated.
"""

from __future__ import annotations

from connectors.annual_report import templates as tpl
from connectors.annual_report.model import Figure, Inconsistency, Report


def _numbers(report: Report) -> dict[str, float]:
    return {
        f.path: f.value for f in report.figures if isinstance(f.value, int | float) and not isinstance(f.value, bool)
    }


def _sum(values: dict[str, float], paths: list[str]) -> tuple[float, dict[str, float]] | None:
    used = {p: values[p] for p in paths if p in values}
    return (sum(used.values()), used) if used else None


def _equal(name: str, values: dict, left: list[str], right: list[str], found: list, passed: list) -> None:
    a, b = _sum(values, left), _sum(values, right)
    if a is None or b is None:
        return
    if abs(a[0] - b[0]) > 1e-9:
        found.append(Inconsistency(name, {**a[1], **b[1]}, a[0], b[0]))
    else:
        passed.append(name)


def check(report: Report) -> tuple[list[Inconsistency], int]:
    """(the inconsistencies, the number of checks that held)."""
    values = _numbers(report)
    found: list[Inconsistency] = []
    passed: list[str] = []
    if report.kind in tpl.RESULT_ROWS:
        for col, name in zip(tpl.APPLICANTS, tpl.APPLICANT_NAMES, strict=True):
            t = f"table3.{{}}.{col}".format
            _equal(
                f"table 三 {name}: 一 + 二 = 三(七) + 四",
                values,
                [t("new_received"), t("carried_over")],
                [t("total_processed"), t("carried_forward")],
                found,
                passed,
            )
            if t("total_processed") in values:
                _equal(
                    f"table 三 {name}: (七)总计 = the outcome rows",
                    values,
                    [t("total_processed")],
                    [t(r) for r in tpl.RESULT_ROWS[report.kind]],
                    found,
                    passed,
                )
        for row in tpl.TABLE3_KEYS:
            if f"table3.{row}.total" in values:
                _equal(
                    f"table 三 {row}: 总计 = the applicant columns",
                    values,
                    [f"table3.{row}.total"],
                    [f"table3.{row}.{c}" for c in tpl.APPLICANTS[:-1]],
                    found,
                    passed,
                )
        for group in tpl.TABLE4_GROUPS:
            if f"table4.{group}.total" in values:
                _equal(
                    f"table 四 {group}: 总计 = the four results",
                    values,
                    [f"table4.{group}.total"],
                    [f"table4.{group}.{c}" for c in tpl.TABLE4_COLUMNS[:-1]],
                    found,
                    passed,
                )
    _prose_checks(report.figures, values, found, passed)
    return found, len(passed)


def _prose_checks(figures: list[Figure], values: dict, found: list, passed: list) -> None:
    for measure in ("cumulative", "new"):
        whole = f"core.proactive_{measure}"
        parts = [p for p in values if p.startswith("detail.levels.") and p.endswith(f".{measure}")]
        if whole in values and len(parts) > 1:
            _equal(f"主动公开 {measure}: the levels = the whole", values, parts, [whole], found, passed)
    for head in {
        p.rpartition(".")[0] for p in values if "_by_category." in p or p.startswith("core.proactive_by_category")
    }:
        count = _count_of(head)
        members = [p for p in values if p.rpartition(".")[0] == head]
        if count in values and sum(values[p] for p in members) > values[count]:
            found.append(
                Inconsistency(
                    f"categories above their count ({count})",
                    {p: values[p] for p in members + [count]},
                    sum(values[p] for p in members),
                    values[count],
                )
            )
    shares = [f for f in figures if f.path.endswith(".share") and f.value]
    for share in shares:
        group = share.path.removesuffix(".share")
        members = [p for p in values if p.startswith(group + ".categories.")]
        count = _count_of(group.split("_groups.")[0] + "_groups")
        if count not in values or not members or not values[count]:
            continue
        own = sum(values[p] for p in members)
        stated = str(share.value).rstrip("%")
        decimals = len(stated.partition(".")[2])
        if abs(100 * own / values[count] - float(stated)) <= 0.5 * 10**-decimals + 1e-9:
            passed.append(share.path)
        else:
            found.append(
                Inconsistency(
                    f"stated share {share.value} of {count}",
                    {**{p: values[p] for p in members}, count: values[count], share.path: share.value},
                    round(100 * own / values[count], 2),
                    float(stated),
                )
            )


def _count_of(head: str) -> str:
    """The count a category list or group belongs to: detail.levels.city.new_groups -> detail.levels.city.new."""
    if head.startswith("core.proactive_by_category"):
        return "core.proactive_new"
    base, _, name = head.rpartition(".")
    measure = name.split("_by_category")[0].split("_groups")[0]
    if base == "detail":
        return f"core.proactive_{measure}"
    return f"{base}.{measure}"
