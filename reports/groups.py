"""How an annual report groups the categories of its new items when it gives shares.

The Longyan City AIC 2012 report (its section 二.3) names some categories of each scheme and
gives the share of the group ("以上信息占主动公开信息的79.57%"). `REPORT_GROUPS` is that
grouping; `report_groups` counts each group from `totals()` figures. `xxgk demo` prints
them and the report text (reports/text.py) words them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Groups = Sequence[tuple[str, tuple[str, ...]]]

#: (scheme, categories) in the order the 2012 report names them.
REPORT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("topic", ("组织机构", "规范性文件", "规划计划", "统计信息", "工商动态及其他")),
    ("function", ("内资企业注册", "消费维权", "商标广告监管", "政务公开及其他综合")),
    ("audience", ("服务企业", "服务消费者")),
    ("audience", ("服务其他群体",)),
)


def report_groups(
    figures: Mapping[str, Any], level: str = "city", groups: Groups = REPORT_GROUPS
) -> list[tuple[str, tuple[str, ...], int, int]]:
    """(scheme, category names, their count, the level's new total) for each group."""
    counts = figures.get("categories", {}).get(level, {})
    total = figures.get("levels", {}).get(level, {}).get("new", 0)
    return [
        (scheme, names, sum(counts.get(scheme, {}).get(name, 0) for name in names), total) for scheme, names in groups
    ]


def pct(n: int | float, total: int | float) -> str:
    """A share as the reports print it: two decimals (79.57%, 60.00%), a whole 100% as 100%;
    '–' when the total is zero."""
    if not total:
        return "–"
    if n == total:
        return "100%"
    return f"{n / total:.2%}"
