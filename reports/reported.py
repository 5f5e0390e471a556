"""The units' own annual reports against the catalog, as the report shows them: per unit of
the system with a report for the year, every figure the report states (rpt_reported_vs_catalog;
cells left blank or marked `/` counted in one line), the report's own inconsistencies
(rpt_reported_inconsistencies), and which report documents were read or not, with why
(fct_annual_reports). docs/reports.md, Nightly reconciliation.
"""

from __future__ import annotations

from typing import Any

_SYSTEM_UNITS = """
WITH RECURSIVE sys(unit_id) AS (
    SELECT unit_id FROM dim_units WHERE unit_id = $system
    UNION
    SELECT u.unit_id FROM dim_units AS u JOIN sys ON u.parent_unit_id = sys.unit_id
)"""

REPORTED_QUERIES: dict[str, str] = {
    "reported": f"""{_SYSTEM_UNITS}
        SELECT r.unit_id, u.unit_name, r.figure, r.level, r.measure, r.scheme, r.category, r.reported,
               r.is_approximate, r.catalog_value, r.difference, r.tolerance, r.verdict, r.own_inconsistency,
               r.location
        FROM rpt_reported_vs_catalog AS r JOIN dim_units AS u USING (unit_id)
        WHERE r.unit_id IN (SELECT unit_id FROM sys) AND r.year = $year
        ORDER BY u.level, r.unit_id, r.figure""",
    "reported_own": f"""{_SYSTEM_UNITS}
        SELECT unit_id, position, check_name, own_value, stated_value
        FROM rpt_reported_inconsistencies
        WHERE unit_id IN (SELECT unit_id FROM sys) AND year = $year ORDER BY unit_id, position""",
    "annual_reports": f"""{_SYSTEM_UNITS}
        SELECT unit_id, title, published_date, read_status, coalesce(reason, '') AS reason, url
        FROM fct_annual_reports
        WHERE unit_id IN (SELECT unit_id FROM sys) AND year = $year ORDER BY unit_id, published_date""",
}
LEVEL_WORDS = {"all": "全系统", "province": "省级", "city": "市级", "county": "县级"}
MEASURE_WORDS = {
    "held": "年末累计主动公开",
    "official_held": "其中公文类",
    "new": "本年新增",
    "official_new": "本年新增公文类",
    "fulltext_rate": "全文电子化率",
    "rules_issued": "规章 本年制发",
    "rules_valid": "规章 现行有效",
    "normative_issued": "行政规范性文件 本年制发",
    "normative_valid": "行政规范性文件 现行有效",
}
SCHEME_WORDS = {"topic": "主题", "function": "业务职能", "audience": "服务对象"}
COLUMNS = ("指标", "年报填报", "目录推算", "差额", "容差", "结论", "年报自身不一致", "年报位置", "年报字段")
VERDICT_WORDS = {"agrees": "一致", "differs": "不一致", "not derivable": "不可由目录推算", "not stated": "未填报"}


def figure_label(row: dict[str, Any]) -> str:
    """A figure's name in the report's words (its path when the catalog does not know it)."""
    measure, level = row.get("measure"), LEVEL_WORDS.get(row.get("level") or "", "")
    if measure == "category":
        return f"{level} 新增·{SCHEME_WORDS[row['scheme']]}·{row['category']}"
    if measure == "share":
        return f"{level} 新增·{SCHEME_WORDS[row['scheme']]} 占比（{row['category']}）"
    if measure in MEASURE_WORDS:
        return f"{level} {MEASURE_WORDS[measure]}"
    return row["figure"]


def _number(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 4)
    return value


def unit_tables(tables: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(unit_id, unit_name, rows) per unit with a report read: every stated figure, then one
    row counting the cells the report leaves blank or marks `/`."""
    out: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    blanks: dict[str, int] = {}
    for row in tables.get("reported", []):
        name, rows = out.setdefault(row["unit_id"], (row["unit_name"], []))
        if row["verdict"] == "not stated":
            blanks[row["unit_id"]] = blanks.get(row["unit_id"], 0) + 1
            continue
        values = (
            figure_label(row),
            row["reported"] + ("（约数）" if row["is_approximate"] else ""),
            _number(row["catalog_value"]),
            _number(row["difference"]),
            _number(row["tolerance"]),
            VERDICT_WORDS[row["verdict"]],
            row["own_inconsistency"] or "",
            (row["location"] or "").split(": “")[0],  # the sentence itself is in the report
            row["figure"],
        )
        rows.append(dict(zip(COLUMNS, values, strict=True)))
    for unit_id, (_, rows) in out.items():
        if blanks.get(unit_id):
            rows.append({**dict.fromkeys(COLUMNS, ""), "指标": f"未填报的单元格（空白或“/”）{blanks[unit_id]}个"})
    return [(unit_id, name, rows) for unit_id, (name, rows) in out.items()]


def own_rows(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The reports' own inconsistencies: the check, what its own figures give, what it states."""
    return [
        {
            "单位代码": r["unit_id"],
            "检查": r["check_name"],
            "按年报自身数字": r["own_value"],
            "年报所填": r["stated_value"],
        }
        for r in tables.get("reported_own", [])
    ]


def read_rows(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The system's report documents of the year and what reading them gave."""
    return [
        {
            "单位代码": r["unit_id"],
            "标题": r["title"],
            "发布日期": r["published_date"],
            "读取": r["read_status"],
            "原因": r["reason"],
            "地址": r["url"],
        }
        for r in tables.get("annual_reports", [])
    ]
