"""The 主动公开 section of an annual report, in the report's own words and as tables.

The wording follows the Longyan City AIC 2012 report's section 二 (held at the year end with
its city and county parts and their 公文类, full text, new in the year; then the system
unit's own level's new items by topic, function and audience with the shares of the
groups the report names). Every figure comes from `totals()` (the same as
`xxgk totals --json`); nothing is typed in.
"""

from __future__ import annotations

from typing import Any

from reports.data import ReportData
from reports.groups import REPORT_GROUPS, Groups, pct, report_groups

LEVEL_WORDS = {"province": "省级单位", "city": "市级单位", "county": "县（市、区）级单位"}
SCHEME_WORDS = {"topic": "主题分类", "function": "业务职能分类", "audience": "服务对象分类"}
UNCLASSIFIED = "未分类"


def _parts(levels: dict[str, dict[str, int]]) -> str:
    parts = [
        f"{LEVEL_WORDS.get(level, level)}主动公开{row['held']}条（公文类{row['official_held']}条）"
        for level, row in levels.items()
        if level != "all"
    ]
    return "，".join(parts)


def held_paragraph(data: ReportData) -> str:
    """二.1: held at the year end, its levels, full text, new in the year."""
    levels = data.figures["levels"]
    whole = levels["all"]
    year = data.year
    text = f"{year}年，{data.unit_name}系统累计主动公开政府信息{whole['held']}条。"
    if len(levels) > 1:
        text += f"其中{_parts(levels)}，"
    text += f"全文电子化达{pct(whole['fulltext_held'], whole['held'])}。"
    text += f"{year}年，{data.unit_name}系统新增发布主动公开信息{whole['new']}条。"
    return text


def _scheme_sentence(scheme: str, counts: dict[str, int], total: int, groups: Groups) -> str:
    """从…分类情况看，A类信息n条、B…，占主动公开信息的x%；the rest listed after."""
    pieces, named = [], set()
    for names, n in _groups_of(scheme, counts, groups, total):
        listed = "、".join(f"{name}类信息{counts.get(name, 0)}条" for name in names)
        pieces.append(f"{listed}，占主动公开信息的{pct(n, total)}")
        named.update(names)
    rest = [(name, n) for name, n in counts.items() if name not in named and name != UNCLASSIFIED]
    if rest:
        listed = "、".join(f"{name}类信息{n}条（{pct(n, total)}）" for name, n in rest)
        pieces.append(f"另有{listed}")
    if counts.get(UNCLASSIFIED):
        pieces.append(f"未标注{SCHEME_WORDS[scheme]}的信息{counts[UNCLASSIFIED]}条")
    return f"从{SCHEME_WORDS[scheme]}情况看，" + "，".join(pieces)


def _groups_of(scheme: str, counts: dict[str, int], groups: Groups, total: int):
    """The groups of a scheme that name at least one category present."""
    figures = {"categories": {"x": {scheme: counts}}, "levels": {"x": {"new": total}}}
    chosen = [(s, names) for s, names in groups if s == scheme and any(name in counts for name in names)]
    return [(names, n) for _, names, n, _ in report_groups(figures, "x", chosen)]


def categories_paragraph(data: ReportData, groups: Groups = REPORT_GROUPS) -> str:
    """二.3: the system unit's own level's new items by the three schemes."""
    level = data.unit_level
    total = data.figures["levels"].get(level, {}).get("new", 0)
    counts = data.figures["categories"].get(level, {})
    sentences = [
        _scheme_sentence(scheme, counts.get(scheme, {}), total, groups) for scheme in SCHEME_WORDS if counts.get(scheme)
    ]
    head = f"{data.year}年，{LEVEL_WORDS.get(level, level)}（{data.unit_name}及其内设、直属机构）新增发布主动公开信息{total}条"
    if not sentences:
        return head + "。"
    return head + "，" + "；".join(sentences) + "。"


def section_two(data: ReportData, groups: Groups = REPORT_GROUPS) -> list[str]:
    """The section as paragraphs: heading, 1. held and new, 2. categories."""
    return ["二、政府信息主动公开情况", "1." + held_paragraph(data), "2." + categories_paragraph(data, groups)]


def summary_rows(data: ReportData) -> list[dict[str, Any]]:
    """The section's figures as a table: 项目, 条数, 占比."""
    levels = data.figures["levels"]
    whole = levels["all"]
    rows = [{"项目": "累计主动公开（年末）", "条数": whole["held"], "占比": "100%" if whole["held"] else "–"}]
    for level, row in levels.items():
        if level == "all":
            continue
        word = LEVEL_WORDS.get(level, level)
        rows.append({"项目": f"其中{word}", "条数": row["held"], "占比": pct(row["held"], whole["held"])})
        rows.append(
            {"项目": f"{word}公文类", "条数": row["official_held"], "占比": pct(row["official_held"], row["held"])}
        )
    rows.append(
        {"项目": "全文电子化", "条数": whole["fulltext_held"], "占比": pct(whole["fulltext_held"], whole["held"])}
    )
    rows.append({"项目": "本年新增发布", "条数": whole["new"], "占比": pct(whole["new"], whole["held"])})
    for level, row in levels.items():
        if level != "all":
            rows.append(
                {
                    "项目": f"其中{LEVEL_WORDS.get(level, level)}新增",
                    "条数": row["new"],
                    "占比": pct(row["new"], whole["new"]),
                }
            )
    return rows


def category_rows(data: ReportData) -> list[dict[str, Any]]:
    """Every level's new items by scheme and category, with the share of the level's new."""
    rows = []
    for level, schemes in data.figures["categories"].items():
        total = data.figures["levels"].get(level, {}).get("new", 0)
        for scheme, counts in schemes.items():
            for category, n in counts.items():
                rows.append(
                    {
                        "层级": level,
                        "分类方法": SCHEME_WORDS.get(scheme, scheme),
                        "类别": category,
                        "新增条数": n,
                        "占本层级新增": pct(n, total),
                    }
                )
    return rows


def group_rows(data: ReportData, groups: Groups = REPORT_GROUPS) -> list[dict[str, Any]]:
    """The report's groups with their sums and shares (the seed's 79.57%, 66.81% …)."""
    return [
        {
            "分类方法": SCHEME_WORDS.get(scheme, scheme),
            "类别组": "、".join(names),
            "条数": n,
            "新增合计": total,
            "占比": pct(n, total),
        }
        for scheme, names, n, total in report_groups(data.figures, data.unit_level, groups)
    ]
