"""Section 二 of the 2021 national annual-report template (国办公开办函〔2021〕30号), as far
as the catalog can fill it.

第二十条第（一）项 (规章, 行政规范性文件 × 本年制发件数, 本年废止件数, 现行有效件数) comes from
fct_regulation_counts (the documents' genre, topic and validity). The catalog keeps no repeal
date, so 本年废止件数 is marked not derivable, with the count of documents the catalog marks
repealed as a note. 第（五）（六）（八）项 (行政许可, 行政处罚, 行政强制 decisions; 行政事业性收费)
are decisions and money, not catalog entries: present, and marked not derivable, never invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.data import ReportData

NOT_DERIVABLE = "不可由目录推算"


@dataclass(frozen=True)
class TemplateTable:
    """One sub-table: its title, the label column's name, the value columns, the rows
    (label, cells), each cell an int or NOT_DERIVABLE, and its notes."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int | str, ...]], ...]
    notes: tuple[str, ...] = ()


def article_20_1(data: ReportData) -> TemplateTable:
    """第二十条第（一）项 from fct_regulation_counts; missing rows count zero."""
    by_kind = {row["kind"]: row for row in data.tables.get("regulations", [])}
    rows, notes = [], []
    for kind, label in (("rules", "规章"), ("normative_files", "行政规范性文件")):
        row = by_kind.get(kind, {"issued": 0, "marked_repealed": 0, "valid": 0})
        rows.append((label, (row["issued"], NOT_DERIVABLE, row["valid"])))
        notes.append(
            f"{label}：目录中有效性标注为废止或失效的 {row['marked_repealed']} 件（目录不记废止日期，"
            "不能算出本年废止件数）"
        )
    return TemplateTable(
        "art20_1", "第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), tuple(rows), tuple(notes)
    )


def section_two_tables(data: ReportData) -> list[TemplateTable]:
    """The four sub-tables of the template's section 二."""
    decisions = ("本年处理决定数量",)
    why = "行政决定与收费不是政府信息公开目录的条目，目录无从推算"
    return [
        article_20_1(data),
        TemplateTable("art20_5", "第二十条第（五）项", decisions, (("行政许可", (NOT_DERIVABLE,)),), (why,)),
        TemplateTable(
            "art20_6",
            "第二十条第（六）项",
            decisions,
            (("行政处罚", (NOT_DERIVABLE,)), ("行政强制", (NOT_DERIVABLE,))),
            (why,),
        ),
        TemplateTable(
            "art20_8",
            "第二十条第（八）项",
            ("本年收费金额（单位：万元）",),
            (("行政事业性收费", (NOT_DERIVABLE,)),),
            (why,),
        ),
    ]


def template_rows(data: ReportData) -> list[dict[str, int | str]]:
    """The section as one flat table (for CSV/xlsx): 项目, 信息内容, 指标, 数值."""
    rows: list[dict[str, int | str]] = []
    for table in section_two_tables(data):
        for label, cells in table.rows:
            for column, cell in zip(table.columns, cells, strict=True):
                rows.append({"项目": table.title, "信息内容": label, "指标": column, "数值": cell})
    return rows
