"""Annual reports on disclosure (政府信息公开工作年度报告) written as DOCX (python-docx) from a dict
of the figures they state, and the tables every writer lays out (the PDF's: sim.annual.pdf):
the world's reports (sim.annual.reports) and the reader's tests use the same writers.

The tables are laid out as Word lays out the 2021 national template: merged header cells, the
三、本年度办理结果 label merged over its 22 rows, blank cells for what is not stated, `/` where
printed. A figure's key names its cell as the reader names it (`table3.granted.total`). The
bytes are the same every time (fixed dates inside the files), so the world stays the same
byte for byte.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

#: The date written inside every file (a file's own clock would change its bytes).
FIXED_DATE = datetime(2013, 1, 1, tzinfo=UTC)

APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other", "total")
RESULTS = (
    (
        "（三）不予公开",
        ("not_open_secret", "1.属于国家秘密"),
        ("not_open_law", "2.其他法律行政法规禁止公开"),
        ("not_open_security", "3.危及“三安全一稳定”"),
        ("not_open_third_party", "4.保护第三方合法权益"),
        ("not_open_internal", "5.属于三类内部事务信息"),
        ("not_open_process", "6.属于四类过程性信息"),
        ("not_open_case_file", "7.属于行政执法案卷"),
        ("not_open_query", "8.属于行政查询事项"),
    ),
    (
        "（四）无法提供",
        ("cannot_provide_not_held", "1.本机关不掌握相关政府信息"),
        ("cannot_provide_to_make", "2.没有现成信息需要另行制作"),
        ("cannot_provide_unclear", "3.补正后申请内容仍不明确"),
    ),
    (
        "（五）不予处理",
        ("not_processed_petition", "1.信访举报投诉类申请"),
        ("not_processed_repeat", "2.重复申请"),
        ("not_processed_publication", "3.要求提供公开出版物"),
        ("not_processed_mass", "4.无正当理由大量反复申请"),
        ("not_processed_confirm", "5.要求行政机关确认或重新出具已获取信息"),
    ),
    (
        "（六）其他处理",
        ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other_other", "3.其他"),
    ),
)
Cell = tuple[str, int, int]  # text, rowspan, colspan


def text(value) -> str:
    return "" if value is None else str(value)


def table2(fig: dict) -> list[list[Cell]]:
    g = lambda path: (text(fig.get(path)), 1, 1)  # noqa: E731
    wide = lambda path: (text(fig.get(path)), 1, 3)  # noqa: E731
    return [
        [("第二十条第（一）项", 1, 4)],
        [("信息内容", 1, 1), ("本年制发件数", 1, 1), ("本年废止件数", 1, 1), ("现行有效件数", 1, 1)],
        [("规章", 1, 1)] + [g(f"table2.regulations.{c}") for c in ("made", "repealed", "valid")],
        [("行政规范性文件", 1, 1)] + [g(f"table2.normative_docs.{c}") for c in ("made", "repealed", "valid")],
        [("第二十条第（五）项", 1, 4)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
        [("行政许可", 1, 1), wide("table2.licensing_decisions")],
        [("第二十条第（六）项", 1, 4)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
        [("行政处罚", 1, 1), wide("table2.penalty_decisions")],
        [("行政强制", 1, 1), wide("table2.coercion_decisions")],
        [("第二十条第（八）项", 1, 4)],
        [("信息内容", 1, 1), ("本年收费金额（单位：万元）", 1, 3)],
        [("行政事业性收费", 1, 1), wide("table2.fees_wan_yuan")],
    ]


def table3(fig: dict) -> list[list[Cell]]:
    values = lambda row: [(text(fig.get(f"table3.{row}.{c}")), 1, 1) for c in APPLICANTS]  # noqa: E731
    rows: list[list[Cell]] = [
        [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        [("商业企业", 1, 1), ("科研机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1)],
        [("一、本年新收政府信息公开申请数量", 1, 3)] + values("new_received"),
        [("二、上年结转政府信息公开申请数量", 1, 3)] + values("carried_over"),
        [("三、本年度办理结果", 22, 1), ("（一）予以公开", 1, 2)] + values("granted"),
        [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)] + values("partial"),
    ]
    for group, *items in RESULTS:
        for k, (key, label) in enumerate(items):
            rows.append(([(group, len(items), 1)] if k == 0 else []) + [(label, 1, 1)] + values(key))
    rows.append([("（七）总计", 1, 2)] + values("total_processed"))
    rows.append([("四、结转下年度继续办理", 1, 3)] + values("carried_forward"))
    return rows


def table4(fig: dict) -> list[list[Cell]]:
    heads = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    groups = ("review", "litigation_direct", "litigation_after_review")
    cols = ("maintain", "correct", "other", "pending", "total")
    return [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [(h, 2, 1) for h in heads] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [(h, 1, 1) for h in heads * 2],
        [(text(fig.get(f"table4.{g}.{c}")), 1, 1) for g in groups for c in cols],
    ]


SECTIONS = (
    ("二、主动公开政府信息情况", table2),
    ("三、收到和处理政府信息公开申请情况", table3),
    ("四、政府信息公开行政复议、行政诉讼情况", table4),
)


def docx_bytes(title: str, prose: list[str], fig: dict) -> bytes:
    """A DOCX report: title, prose paragraphs, the three sections with their tables."""
    import docx

    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = FIXED_DATE.replace(tzinfo=None)
    document.add_paragraph(title)
    for line in prose:
        document.add_paragraph(line)
    for heading, build in SECTIONS:
        document.add_paragraph(heading)
        _docx_table(document, build(fig))
    document.add_paragraph("五、存在的主要问题及改进情况")
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip_dates(out.getvalue())


def _fixed_zip_dates(body: bytes) -> bytes:
    """The same zip with every member dated FIXED_DATE (python-docx dates them now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, FIXED_DATE.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info))
    return out.getvalue()


def write_docx(path: Path, title: str, prose: list[str], fig: dict) -> Path:
    """`docx_bytes` written to `path`."""
    Path(path).write_bytes(docx_bytes(title, prose, fig))
    return path


def layout(rows: list[list[Cell]]) -> tuple[list[tuple[int, int, int, int, str]], int, int]:
    """(row, col, rowspan, colspan, text) of every cell, the number of rows and columns."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for value, rs, cs in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, rs, cs, value))
            taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            c += cs
    return placed, len(rows), max(c for _, c in taken) + 1


def _docx_table(document, rows: list[list[Cell]]) -> None:
    placed, n_rows, n_cols = layout(rows)
    table = document.add_table(rows=n_rows, cols=n_cols)
    table.style = "Table Grid"
    # The grid's cells taken once: `table.cell` walks the whole table on every call (a report
    # took 0.6 s, now 0.09 s). Merging absorbs only the cells inside its own span, so the
    # corners of every later span are still the grid's.
    grid = table._cells
    for r, c, rs, cs, value in placed:
        cell = grid[r * n_cols + c]
        if rs > 1 or cs > 1:
            cell = cell.merge(grid[(r + rs - 1) * n_cols + c + cs - 1])
        cell.text = value
