"""The report's tables, in one list every output (HTML, xlsx, CSV, markdown) writes.

Each table is (key, Chinese title, rows as dicts with Chinese column names). The warehouse's
column names are translated here once (`HEADERS`); values stay as the warehouse holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.applications import TITLE_FOUR, TITLE_THREE, application_rows, proceeding_rows
from reports.data import ReportData
from reports.reported import own_rows, read_rows, unit_tables
from reports.template import template_rows
from reports.text import category_rows, group_rows, summary_rows

HEADERS = {
    "month": "月份",
    "level": "层级",
    "n": "条数",
    "unit_id": "单位代码",
    "unit_name": "单位名称",
    "held": "年末累计主动公开",
    "official_held": "其中公文类",
    "new": "本年新增",
    "portal_id": "平台代码",
    "portal_name": "平台名称",
    "n_rows": "列表条目数",
    "n_documents": "不重复文件数",
    "n_origin": "作为源平台的条目",
    "n_only_here": "仅此平台发布",
    "run_id": "运行批次",
    "mode": "方式",
    "status": "状态",
    "reason": "原因",
    "n_new_sightings": "新发现条目",
    "is_quarantined": "隔离中",
    "doc_id": "文件编号",
    "title": "标题",
    "index_no": "索引号",
    "doc_no": "文号",
    "publisher_name": "发布机构",
    "published_date": "发布日期",
    "written_date": "成文日期",
    "topic": "主题分类",
    "function": "业务职能分类",
    "audience": "服务对象分类",
    "genre": "体裁分类",
    "validity": "有效性",
    "disclosure": "公开方式",
    "is_official": "公文类",
    "has_fulltext": "全文电子化",
    "origin_portal_id": "源平台",
    "n_sightings": "发布渠道数",
    "disagreeing_fields": "平台间不一致的字段",
    "withdrawn_date": "撤下日期",
    "counted_date": "计数日期",
    "is_date_inferred": "日期按首次发现推定",
    "year": "年度",
    "n_dated": "成文与发布日期齐全",
    "n_published_before_written": "发布早于成文",
    "median_days_to_publish": "成文至发布天数中位数",
    "n_within_20_workdays": "20个工作日内发布",
    "share_within_20_workdays": "20个工作日内发布率",
    "share_index_no": "索引号完整率",
    "share_official_doc_no": "公文文号完整率",
    "share_publisher": "发布机构完整率",
    "share_published_date": "发布日期完整率",
    "share_written_date": "成文日期完整率",
    "share_topic": "主题分类完整率",
    "share_function": "业务职能分类完整率",
    "share_audience": "服务对象分类完整率",
    "share_genre": "体裁分类完整率",
    "completeness": "要素完整度",
    "share_on_own_portal": "本单位平台发布率",
    "share_on_line_portal": "本系统平台发布率",
    "share_only_elsewhere": "仅见于其他平台",
    "share_disagreeing": "平台间不一致率",
    "n_withdrawn": "已撤下",
    "share_withdrawn": "撤下率",
}


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[dict[str, Any]]

    @property
    def columns(self) -> list[str]:
        return list(self.rows[0]) if self.rows else []


def chinese(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with their column names in Chinese (unknown names kept)."""
    return [{HEADERS.get(name, name): value for name, value in row.items()} for row in rows]


def report_tables(data: ReportData, documents: bool = True) -> list[Table]:
    """Every table of the report, in the report's order; fct_documents of the system and year last."""
    t = data.tables
    tables = [
        Table("summary", "主动公开情况", summary_rows(data)),
        Table("groups", "新增信息分类（按报告分组）", group_rows(data)),
        Table("categories", "新增信息分类明细", category_rows(data)),
        Table("template", "2021年格式 二、主动公开政府信息情况", template_rows(data)),
        Table("applications", f"2021年格式 {TITLE_THREE}", application_rows(t)),
        Table("proceedings", f"2021年格式 {TITLE_FOUR}", proceeding_rows(t)),
        Table("monthly", "各月新增（按层级）", chinese(t.get("monthly", []))),
        Table("units", "各单位", chinese(t.get("units", []))),
        Table("portals", "各平台覆盖（计1条）", chinese(t.get("portals", []))),
        Table("overlap", "单位×平台", chinese(t.get("overlap", []))),
        Table("runs", "近期运行状况", chinese(t.get("runs", []))),
        Table(
            "scorecards",
            "单位评分",
            chinese([{k: v for k, v in row.items() if k != "year"} for row in t.get("scorecards", [])]),
        ),
    ]
    tables += reported_tables(data)
    if documents:
        tables.append(Table("documents", "本年文件（fct_documents）", chinese(t.get("documents", []))))
    return tables


def reported_tables(data: ReportData) -> list[Table]:
    """The units' own annual reports for the year against the catalog: one table per unit
    with a report read, then the reports' own inconsistencies and what reading each gave."""
    t = data.tables
    tables = [Table(f"reported-{unit_id}", f"年报与目录核对：{name}", rows) for unit_id, name, rows in unit_tables(t)]
    tables.append(Table("reported-own", "年报自身不一致", own_rows(t)))
    tables.append(Table("reported-reads", "年度报告读取情况", read_rows(t)))
    return tables
