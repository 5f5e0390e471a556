"""What the Guangdong units' annual reports on disclosure for 2012 say, in the 2021 national
template (国办公开办函〔2021〕30号), and the DOCX and PDF files that carry them
(sim.annual.writer, sim.annual.pdf), written from the world's truth.

Each unit reports for its system (itself and the configured units under it; 粤海市人民政府
for the whole city). What the catalog holds is the world's documents: held at the year end,
公文类, full text and new (the prose), and table 二's 规章 and 行政规范性文件 (made in the year,
valid at its end: not marked 废止). What it does not hold is the world's truth written down
here: the decisions (许可, 处罚, 强制), fees, the applications of table 三 and the appeals of
table 四. Cells are left blank or printed `/` as real reports do (`/` for 规章 where a unit
makes none, blanks in 西岭区's table 三 columns nobody applied in). One report is planted with
a sum of its own that fails (`INCONSISTENT_UNIT`: its 行政复议 总计 is one more than its four
results). The PDF's table 三 runs over two pages.
"""

from __future__ import annotations

from datetime import date
from html import escape

from sim.annual.pdf import NoFontError, pdf_bytes
from sim.annual.writer import docx_bytes
from sim.gd_catalog import UNIT_BY_ID, UNITS, GdDoc
from sim.guangdong import GuangdongWorld
from sim.vocab import OFFICIAL_GENRES

TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
#: The report whose 行政复议 总计 is not the sum of its four results (planted).
INCONSISTENT_UNIT = "gd-dj"
NORMATIVE_GENRES = ("规范性文件", "行政规范性文件")
RULE_GENRES = ("规章", "政府规章", "部门规章", "地方政府规章")
#: Units that may make 规章 (a city government); the others print `/` in its row.
RULE_MAKERS = ("gd-yh",)
#: Table 二's decisions and fees (万元) per unit: None a blank cell, "/" printed.
DECISIONS = {
    "gd-yh": {"licensing_decisions": 1286, "penalty_decisions": 342, "coercion_decisions": 17, "fees_wan_yuan": 0},
    "gd-yh-bgs": {"licensing_decisions": "/", "penalty_decisions": "/", "coercion_decisions": "/", "fees_wan_yuan": 0},
    "gd-yh-fgj": {"licensing_decisions": 215, "penalty_decisions": 3, "coercion_decisions": None, "fees_wan_yuan": "/"},
    "gd-dj": {"licensing_decisions": 604, "penalty_decisions": 88, "coercion_decisions": 5, "fees_wan_yuan": 1.2},
    "gd-xl": {"licensing_decisions": 731, "penalty_decisions": 126, "coercion_decisions": None, "fees_wan_yuan": 0},
}
APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other")
OUTCOMES = ("granted", "partial", "cannot_provide_not_held", "not_processed_repeat")
#: Table 三 per unit: row -> one count per applicant column (APPLICANTS); of the rows below a
#: row not named is 0, the template's other rows are left blank. Per column, 新收 + 上年结转 =
#: the outcomes + 结转下年度.
APPLICATIONS = {
    "gd-yh": {
        "new_received": (14, 3, 0, 0, 1, 0),
        "carried_over": (1, 0, 0, 0, 0, 0),
        "granted": (8, 2, 0, 0, 1, 0),
        "partial": (2, 0, 0, 0, 0, 0),
        "cannot_provide_not_held": (3, 1, 0, 0, 0, 0),
        "not_processed_repeat": (1, 0, 0, 0, 0, 0),
        "carried_forward": (1, 0, 0, 0, 0, 0),
    },
    "gd-yh-bgs": {
        "new_received": (5, 1, 0, 0, 0, 0),
        "granted": (4, 1, 0, 0, 0, 0),
        "cannot_provide_not_held": (1,) + (0,) * 5,
    },
    "gd-yh-fgj": {
        "new_received": (2, 4, 0, 0, 0, 0),
        "granted": (1, 3, 0, 0, 0, 0),
        "partial": (1, 0, 0, 0, 0, 0),
        "carried_forward": (0, 1, 0, 0, 0, 0),
    },
    "gd-dj": {
        "new_received": (6, 0, 0, 0, 0, 1),
        "granted": (4, 0, 0, 0, 0, 1),
        "cannot_provide_not_held": (2,) + (0,) * 5,
    },
    "gd-xl": {
        "new_received": (3, 0, 0, 0, 0, 0),
        "granted": (2, 0, 0, 0, 0, 0),
        "not_processed_repeat": (1,) + (0,) * 5,
    },
}
#: 西岭区 leaves these applicant columns of table 三 blank, and table 四's 复议后起诉.
BLANK_COLUMNS = {"gd-xl": ("research", "social_org", "legal_service")}
#: Table 四 per unit: group -> (维持, 纠正, 其他, 尚未审结); a group not named is all 0.
APPEALS = {
    "gd-yh": {"review": (1, 0, 0, 1), "litigation_direct": (1, 0, 0, 0)},
    "gd-yh-fgj": {"review": (0, 1, 0, 0)},
    "gd-dj": {"review": (1, 0, 0, 0)},
}


def system(unit_id: str) -> set[str]:
    """The unit and every configured unit under it."""
    members = {unit_id}
    while more := {u.id for u in UNITS if u.configured and u.parent in members} - members:
        members |= more
    return members


def _held(world: GuangdongWorld, unit_id: str, year: int) -> list[GdDoc]:
    members, end = system(unit_id), date(year, 12, 31)
    return [d for d in world.docs if d.unit_id in members and d.published <= end]


def catalog_figures(world: GuangdongWorld, unit_id: str, year: int) -> dict:
    """held, official_held, new (all at the year end), and per kind (rules, normative) the
    documents made in the year and valid at its end."""
    held = _held(world, unit_id, year)
    out = {
        "held": len(held),
        "official_held": sum(d.genre in OFFICIAL_GENRES if d.genre else bool(d.doc_no) for d in held),
        "new": sum(d.published.year == year for d in held),
    }
    for kind, genres in (("rules", RULE_GENRES), ("normative", NORMATIVE_GENRES)):
        docs = [d for d in held if d.genre in genres]
        out[kind] = (sum(d.published.year == year for d in docs), sum(not d.abolished for d in docs))
        out[f"{kind}_abolished"] = sum(d.abolished and d.published.year == year for d in docs)
    return out


def _table2(unit_id: str, figures: dict) -> dict:
    cells: dict = {}
    if unit_id in RULE_MAKERS:
        made, valid = figures["rules"]
        cells |= {
            "regulations.made": made,
            "regulations.repealed": figures["rules_abolished"],
            "regulations.valid": valid,
        }
    else:
        cells |= {f"regulations.{c}": "/" for c in ("made", "repealed", "valid")}
    made, valid = figures["normative"]
    cells |= {"normative_docs.made": made, "normative_docs.valid": valid}
    if unit_id != "gd-xl":  # 西岭区 leaves 本年废止件数 blank
        cells["normative_docs.repealed"] = figures["normative_abolished"]
    cells |= {k: v for k, v in DECISIONS[unit_id].items() if v is not None}
    return {f"table2.{k}": v for k, v in cells.items()}


def _table3(unit_id: str) -> dict:
    given = APPLICATIONS[unit_id]
    rows = {row: given.get(row, (0,) * len(APPLICANTS)) for row in ("new_received", "carried_over", *OUTCOMES)}
    rows["carried_forward"] = given.get("carried_forward", (0,) * len(APPLICANTS))
    rows["total_processed"] = tuple(sum(rows[r][i] for r in OUTCOMES) for i in range(len(APPLICANTS)))
    for i in range(len(APPLICANTS)):  # the world's own applications add up
        assert (
            rows["new_received"][i] + rows["carried_over"][i] == rows["total_processed"][i] + rows["carried_forward"][i]
        )
    blank = BLANK_COLUMNS.get(unit_id, ())
    cells: dict = {}
    for row, values in rows.items():
        cells |= {f"table3.{row}.{c}": v for c, v in zip(APPLICANTS, values, strict=True) if c not in blank}
        cells[f"table3.{row}.total"] = sum(values)
    return cells


def _table4(unit_id: str) -> dict:
    cells: dict = {}
    for group in ("review", "litigation_direct", "litigation_after_review"):
        if unit_id == "gd-xl" and group == "litigation_after_review":
            continue  # left blank
        values = APPEALS.get(unit_id, {}).get(group, (0, 0, 0, 0))
        total = sum(values) + (group == "review" and unit_id == INCONSISTENT_UNIT)  # the planted sum
        cols = zip(("maintain", "correct", "other", "pending", "total"), (*values, total), strict=True)
        cells |= {f"table4.{group}.{c}": v for c, v in cols}
    return cells


def _rate(n: int, total: int) -> str:
    value = f"{100 * n / total:.2f}" if total else "0.00"
    return f"{value.removesuffix('.00')}%"


def report_content(world: GuangdongWorld, doc: GdDoc) -> tuple[str, list[str], dict]:
    """(title, prose paragraphs, table cells) of a report document."""
    year, unit = doc.published.year - 1, UNIT_BY_ID[doc.unit_id]
    f = catalog_figures(world, doc.unit_id, year)
    prose = [
        f"本报告是根据《中华人民共和国政府信息公开条例》要求，由{unit.name}编制的{year}年度政府信息公开"
        f"工作年度报告。统计数据时限从{year}年1月1日至{year}年12月31日。",
        f"一、总体情况。{year}年，本机关主动公开政府信息{f['held']}条（公文类{f['official_held']}条），"
        f"全文电子化达{_rate(f['held'], f['held'])}。{year}年，本机关新增发布主动公开信息{f['new']}条。",
    ]
    cells = _table2(doc.unit_id, f) | _table3(doc.unit_id) | _table4(doc.unit_id)
    return doc.title, prose, cells


def report_body(doc: GdDoc, hrefs: dict[str, str]) -> str:
    """A report's detail page body: one sentence and its attachments (kind -> href)."""
    title = escape(doc.title)
    links = "".join(f'<p><a href="{escape(href)}">{title}.{kind}</a></p>' for kind, href in hrefs.items())
    return f'<p>现将《{title}》予以公布，全文见附件。</p><div class="fj"><p>附件：</p>{links}</div>'


def report_file(world: GuangdongWorld, doc: GdDoc, kind: str) -> bytes | None:
    """The report's DOCX or PDF, written once per world and kept (None: no CJK font for a PDF)."""
    kept = world.__dict__.setdefault("_report_files", {})
    if (doc.n, kind) not in kept:
        title, prose, cells = report_content(world, doc)
        try:
            kept[doc.n, kind] = docx_bytes(title, prose, cells) if kind == "docx" else pdf_bytes(title, prose, cells)
        except NoFontError:
            kept[doc.n, kind] = None
    return kept[doc.n, kind]
