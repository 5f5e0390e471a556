"""Sections 三 (依申请公开), 四 (fees) and 五 (复议, 诉讼) of a report, from the applications
registers (docs/applications.md): the 2021 template's table 三 (25 rows × 7 applicant
columns, `fct_application_counts`), its table 四 (`fct_review_litigation_counts`) and the
text in the words of the Longyan 2012 report (`fct_application_summary`).
"""

from __future__ import annotations

import html
from typing import Any

from reports.groups import pct
from warehouse.applications import APPLICANT_TYPES

APPLICATION_QUERIES: dict[str, str] = {
    "applications": """SELECT * FROM fct_application_counts
        WHERE system_id = $system AND year = $year ORDER BY row_no""",
    "proceedings": """SELECT * FROM fct_review_litigation_counts
        WHERE system_id = $system AND year = $year ORDER BY proceeding_no""",
    "application_summary": """SELECT * FROM fct_application_summary
        WHERE system_id = $system AND year = $year""",
}
#: The template's applicant columns: (mart column, label); the five middle ones are 法人或其他组织.
APPLICANT_COLUMNS = (*APPLICANT_TYPES, ("total", "总计"))
RESULT_COLUMNS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
TITLE_THREE = "三、收到和处理政府信息公开申请情况"
TITLE_FOUR = "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"
_SUMMARY_KEYS = (
    "n_received",
    "n_closed",
    "n_open_at_end",
    "n_received_to_date",
    "n_online_to_date",
    "n_closed_to_date",
    "n_disclosed_to_date",
    "fee_amount",
)


def application_rows(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The template's table 三: 项目 and the seven applicant columns, 25 rows."""
    return [
        {"项目": row["row_label"], **{label: row[key] for key, label in APPLICANT_COLUMNS}}
        for row in tables.get("applications", [])
    ]


def proceeding_rows(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The template's table 四, one row per proceeding: 项目 and the five result columns."""
    return [
        {"项目": row["proceeding_label"], **{label: row[key] for key, label in RESULT_COLUMNS}}
        for row in tables.get("proceedings", [])
    ]


def _summary(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    rows = tables.get("application_summary", [])
    return rows[0] if rows else dict.fromkeys(_SUMMARY_KEYS, 0)


def _received_sentence(year: int, unit: str, s: dict[str, Any], carried: int) -> str:
    if s["n_received"]:
        text = f"{year}年，{unit}系统新收政府信息公开申请{s['n_received']}件"
    else:
        text = f"{year}年，{unit}系统依申请公开没有收件"
    if carried or s["n_closed"] or s["n_open_at_end"]:
        text += f"，上年结转{carried}件，本年办结{s['n_closed']}件，结转下年度继续办理{s['n_open_at_end']}件"
    return text + "。"


def _history_sentence(s: dict[str, Any]) -> str:
    if not s["n_received_to_date"]:
        return "依申请公开登记中没有本系统历年收到的申请。"
    text = f"历年来共受理依申请公开申请{s['n_received_to_date']}件"
    if s["n_online_to_date"]:
        text += f"，其中网上申请{s['n_online_to_date']}件"
    text += (
        f"；历年来共答复申请{s['n_closed_to_date']}件，属于“予以公开”范畴{s['n_disclosed_to_date']}件，"
        f"答复率{pct(s['n_closed_to_date'], s['n_received_to_date'])}。"
    )
    return text


def section_three(year: int, unit: str, tables: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Sections 三, 四 (fees) and 五 (复议, 诉讼) as paragraphs."""
    s = _summary(tables)
    carried = next((row["total"] for row in tables.get("applications", []) if row["row_key"] == "carry_over"), 0)
    fee = s["fee_amount"] or 0
    fee_text = (
        f"{year}年，本系统收取政府信息公开费用{fee}元。" if fee else f"{year}年，本系统未对外收取政府信息公开费用。"
    )
    reviews = {row["proceeding"]: row["total"] for row in tables.get("proceedings", [])}
    n_review = reviews.get("review", 0)
    n_lawsuit = reviews.get("lawsuit_direct", 0) + reviews.get("lawsuit_after_review", 0)
    proceedings = (
        f"{year}年，因政府信息公开工作被申请行政复议{n_review}件、提起行政诉讼{n_lawsuit}件。"
        if n_review or n_lawsuit
        else f"{year}年，未出现因政府信息公开申请行政复议和提起行政诉讼的情况。"
    )
    return [
        "三、政府信息依申请公开情况",
        "1." + _received_sentence(year, unit, s, carried),
        "2." + _history_sentence(s),
        "四、政府信息公开的收费及减免情况",
        fee_text,
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        proceedings,
    ]


def _td(value: Any) -> str:
    return f'<td class="num">{html.escape(str(value))}</td>'


def applications_html(tables: dict[str, list[dict[str, Any]]]) -> str:
    """Table 三 with the template's two-level header, and table 四, as HTML."""
    head = (
        '<tr><th rowspan="3" colspan="1">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th>'
        '<th colspan="7">申请人情况</th></tr>'
        '<tr><th rowspan="2">自然人</th><th colspan="5">法人或其他组织</th><th rowspan="2">总计</th></tr>'
        "<tr>" + "".join(f"<th>{label}</th>" for _, label in APPLICANT_COLUMNS[1:6]) + "</tr>"
    )
    body = "".join(
        f"<tr><td>{html.escape(row['row_label'])}</td>"
        + "".join(_td(row[key]) for key, _ in APPLICANT_COLUMNS)
        + "</tr>"
        for row in tables.get("applications", [])
    )
    four_head = "<tr><th></th>" + "".join(f"<th>{label}</th>" for _, label in RESULT_COLUMNS) + "</tr>"
    four_body = "".join(
        f"<tr><td>{html.escape(row['proceeding_label'])}</td>"
        + "".join(_td(row[key]) for key, _ in RESULT_COLUMNS)
        + "</tr>"
        for row in tables.get("proceedings", [])
    )
    return (
        f"<h3>{TITLE_THREE}</h3>"
        f'<table id="template-section-three"><thead>{head}</thead><tbody>{body}</tbody></table>'
        f"<h3>{TITLE_FOUR}</h3>"
        f'<table id="template-section-four"><thead>{four_head}</thead><tbody>{four_body}</tbody></table>'
    )
