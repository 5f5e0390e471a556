"""The national templates' tables as the readers match them: row labels, columns, headings.

国办公开办函〔2019〕60号 and 〔2021〕30号 share tables 三 (application outcomes × seven
applicant columns; 2021 splits （六）其他处理 into three rows) and 四 (复议 and 诉讼, fifteen
columns). Their table 二 differs: 2019 counts 本年新制作 / 本年新公开 / 对外公开总数量 and has
（九）政府集中采购; 2021 counts 本年制发 / 本年废止 / 现行有效 and one figure for each of
许可, 处罚, 强制 and 收费. A report's template is recognised from those header words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.annual_report.cells import clean
from connectors.annual_report.hanzi import simplified

MARKERS = {
    "template2019": ("本年新制作", "本年新公开", "对外公开总数量", "上一年项目数量", "本年增/减", "政府集中采购"),
    "template2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额"),
}


@dataclass(frozen=True)
class Table2Row:
    key: str
    labels: tuple[str, ...]  # the whole label, one of these
    columns: tuple[str, ...]  # () = one figure, written table2[key] = value
    text_columns: tuple[str, ...] = ()  # kept as printed (an amount whose unit the template leaves open)


TABLE2 = {
    "template2019": (
        Table2Row("regulations", ("规章",), ("new_made", "new_published", "total_published")),
        Table2Row("normative_docs", ("规范性文件", "行政规范性文件"), ("new_made", "new_published", "total_published")),
        Table2Row("licensing", ("行政许可",), ("prev_year_items", "change", "decisions")),
        Table2Row("other_mgmt_services", ("其他对外管理服务事项",), ("prev_year_items", "change", "decisions")),
        Table2Row("penalty", ("行政处罚",), ("prev_year_items", "change", "decisions")),
        Table2Row("coercion", ("行政强制",), ("prev_year_items", "change", "decisions")),
        Table2Row("fees", ("行政事业性收费",), ("prev_year_items", "change")),
        Table2Row("central_procurement", ("政府集中采购",), ("projects", "amount"), ("amount",)),
    ),
    "template2021": (
        Table2Row("regulations", ("规章",), ("made", "repealed", "valid")),
        Table2Row("normative_docs", ("行政规范性文件", "规范性文件"), ("made", "repealed", "valid")),
        Table2Row("licensing_decisions", ("行政许可",), ()),
        Table2Row("penalty_decisions", ("行政处罚",), ()),
        Table2Row("coercion_decisions", ("行政强制",), ()),
        Table2Row("fees_wan_yuan", ("行政事业性收费",), ()),
    ),
}

APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other", "total")
APPLICANT_NAMES = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")

# Table 三: (key, words the label holds, the group it must be under or None)
GROUPS = {
    "不予公开": "not_open",
    "无法提供": "cannot_provide",
    "不予处理": "not_processed",
    "其他处理": "other_handling",
}
TABLE3_ROWS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("new_received", ("本年新收",), None),
    ("carried_over", ("上年结转",), None),
    ("granted", ("予以公开",), None),
    ("partial", ("部分公开",), None),
    ("not_open_secret", ("国家秘密",), None),
    ("not_open_law", ("禁止公开",), None),
    ("not_open_security", ("三安全一稳定",), None),
    ("not_open_third_party", ("第三方合法权益",), None),
    ("not_open_internal", ("内部事务",), None),
    ("not_open_process", ("过程性信息",), None),
    ("not_open_case_file", ("执法案卷",), None),
    ("not_open_query", ("查询事项",), None),
    ("cannot_provide_not_held", ("不掌握",), None),
    ("cannot_provide_to_make", ("另行制作",), None),
    ("cannot_provide_unclear", ("仍不明确",), None),
    ("not_processed_petition", ("信访举报投诉",), None),
    ("not_processed_repeat", ("重复申请",), None),
    ("not_processed_publication", ("公开出版物",), None),
    ("not_processed_mass", ("大量反复",), None),
    ("not_processed_confirm", ("确认或重新出具",), None),
    ("other_no_correction", ("逾期不补正",), None),
    ("other_no_fee", ("逾期未按收费",), None),
    ("other_other", ("其他",), "other_handling"),
    ("carried_forward", ("结转下年度",), None),
)
TABLE3_KEYS = tuple(key for key, _, _ in TABLE3_ROWS[:20]) + (
    "other_handling",
    "other_no_correction",
    "other_no_fee",
    "other_other",
    "total_processed",
    "carried_forward",
)
# The rows (七)总计 adds up, per template.
RESULT_ROWS = {
    "template2019": TABLE3_KEYS[2:20] + ("other_handling",),
    "template2021": TABLE3_KEYS[2:20] + ("other_no_correction", "other_no_fee", "other_other"),
}

TABLE4_GROUPS = ("review", "litigation_direct", "litigation_after_review")
TABLE4_COLUMNS = ("maintain", "correct", "other", "pending", "total")

_ENUMERATOR = re.compile(r"^[(]?(?:[一二三四五六七八九十]+|\d+)[)、.]\s*")
_DROP = str.maketrans("", "", " \"'“”‘’「」")


def label_key(text: str) -> str:
    """A label as matched: NFKC, simplified, no spaces or quotes."""
    return simplified(clean(text)).translate(_DROP)


def strip_enumerator(label: str) -> str:
    """'（三）不予公开' -> '不予公开'; '1.属于国家秘密' -> '属于国家秘密'."""
    return _ENUMERATOR.sub("", label)


def has_enumerator(label: str) -> bool:
    return bool(_ENUMERATOR.match(label))


def section_of(label: str) -> str | None:
    """The template section a heading opens (二, 三, 四, 五), or None."""
    text = strip_enumerator(label)
    if len(text) > 40:
        return None
    if text.startswith(("主动公开政府信息情况", "政府信息主动公开情况")):
        return "二"
    if text.startswith("收到和处理政府信息公开申请"):
        return "三"
    if "行政复议" in text and "行政诉讼" in text and "情况" in text and label != text:
        return "四"
    if text.startswith(("存在的主要问题", "存在主要问题", "政府信息公开工作存在的主要问题")):
        return "五"
    return None
