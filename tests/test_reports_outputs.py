"""The report's tables and files on a small hand-built warehouse (tests/helpers/report_world.py):
the 2021 template's section 二, the scorecard formulas, xlsx and CSV that never hold a
formula, HTML that shows hostile titles as text. Every expected figure is worked by hand from
the five documents of the helper's table."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from helpers.report_world import FORMULA_TITLES, HOSTILE_IMG, HOSTILE_SCRIPT, build_report_world
from helpers.warehouse import query

from reports.data import load
from reports.export import csv_cell
from reports.template import NOT_DERIVABLE, section_two_tables
from reports.write import write_report


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return build_report_world(tmp_path_factory.mktemp("report-world"))


@pytest.fixture(scope="module")
def written(published, tmp_path_factory) -> dict[str, list[Path]]:
    return write_report(published, "ly-aic", 2012, tmp_path_factory.mktemp("out"))


def test_regulation_counts_by_hand(published) -> None:
    rows = query(
        published,
        "SELECT year, kind, issued, marked_repealed, valid FROM fct_regulation_counts "
        "WHERE system_id = 'ly-aic' ORDER BY year, kind",
    )
    # 2011: C (genre 规范性文件) issued and valid. 2012: A (规章) issued, valid; B (topic 规范性文件,
    # 废止) issued and marked repealed, so only C is valid. 2013, the year of the night that
    # saw them (2013-01-05): nothing issued, the same marked and valid.
    assert rows == [
        (2011, "normative_files", 1, 0, 1),
        (2011, "rules", 0, 0, 0),
        (2012, "normative_files", 1, 1, 1),
        (2012, "rules", 1, 0, 1),
        (2013, "normative_files", 0, 1, 1),
        (2013, "rules", 0, 0, 1),
    ]


def test_template_section_two_structure(published) -> None:
    tables = section_two_tables(load(published, "ly-aic", 2012))
    assert [t.title for t in tables] == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    first = tables[0]
    assert first.columns == ("本年制发件数", "本年废止件数", "现行有效件数")
    assert first.rows == (("规章", (1, NOT_DERIVABLE, 1)), ("行政规范性文件", (1, NOT_DERIVABLE, 1)))
    assert "废止或失效的 1 件" in first.notes[1]
    labels = [label for t in tables[1:] for label, _ in t.rows]
    assert labels == ["行政许可", "行政处罚", "行政强制", "行政事业性收费"]
    assert all(cells == (NOT_DERIVABLE,) for t in tables[1:] for _, cells in t.rows)


def test_scorecard_formulas_by_hand(published) -> None:
    columns = (
        "n_documents",
        "n_dated",
        "median_days_to_publish",
        "n_within_20_workdays",
        "share_within_20_workdays",
        "share_official_doc_no",
        "share_function",
        "completeness",
        "share_on_own_portal",
        "share_on_line_portal",
        "share_only_elsewhere",
        "share_disagreeing",
    )
    got = {
        row[0]: dict(zip(columns, row[1:], strict=True))
        for row in query(published, f"SELECT unit_id, {', '.join(columns)} FROM fct_unit_scorecards WHERE year = 2012")
    }
    # ly-aic: A Thu 03-01 -> Mon 03-05 (4 days, 2 weekdays), B Mon 01-02 -> Wed 02-15 (44 days,
    # 32 weekdays); median (4 + 44) / 2; B is official without 文号; elements 8/8 + 6/9 = 14/17.
    assert got["ly-aic"] == {
        "n_documents": 2,
        "n_dated": 2,
        "median_days_to_publish": 24.0,
        "n_within_20_workdays": 1,
        "share_within_20_workdays": 0.5,
        "share_official_doc_no": 0.0,
        "share_function": 0.5,
        "completeness": pytest.approx(14 / 17),
        "share_on_own_portal": 1.0,
        "share_on_line_portal": 1.0,
        "share_only_elsewhere": 0.0,
        "share_disagreeing": 0.0,
    }
    # xl-aic: D Fri 06-01 -> Mon 07-02 (31 days, 21 weekdays: late); 7/9 + E 3/8 = 10/17;
    # D on its own portal, E only on fj-gov; D's portals disagree on the date.
    assert got["xl-aic"] == {
        "n_documents": 2,
        "n_dated": 1,
        "median_days_to_publish": 31.0,
        "n_within_20_workdays": 0,
        "share_within_20_workdays": 0.0,
        "share_official_doc_no": 1.0,
        "share_function": 0.0,
        "completeness": pytest.approx(10 / 17),
        "share_on_own_portal": 0.5,
        "share_on_line_portal": 0.5,
        "share_only_elsewhere": 0.5,
        "share_disagreeing": 0.5,
    }


def test_xlsx_keeps_hostile_titles_as_text(written) -> None:
    book = openpyxl.load_workbook(written["xlsx"][0])
    sheet = next(book[name] for name in book.sheetnames if "fct_documents" in name)
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert "标题" in header and "索引号" in header
    titles = {cell.value: cell.data_type for cell in sheet[get_column(header, "标题")][1:]}
    for title in (*FORMULA_TITLES[1:], HOSTILE_SCRIPT, HOSTILE_IMG):
        assert titles[title] == "s", title
    assert sheet.column_dimensions["D"].width > 10


def get_column(header: list, name: str) -> str:
    return openpyxl.utils.get_column_letter(header.index(name) + 1)


def test_csv_cells_are_defused(written) -> None:
    path = next(p for p in written["csv"] if p.name.endswith("-documents.csv"))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    titles = {row["标题"] for row in rows}
    assert "'+1 丁" in titles and "'@SUM(A1) 戊" in titles and HOSTILE_SCRIPT in titles
    assert csv_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert csv_cell("-2") == "'-2" and csv_cell("\tx") == "'\tx" and csv_cell("\rx") == "'\rx"
    assert csv_cell(-2) == -2 and csv_cell("龙岩") == "龙岩"


def test_html_escapes_every_warehouse_text(written) -> None:
    page = written["html"][0].read_text(encoding="utf-8")
    assert HOSTILE_SCRIPT not in page and HOSTILE_IMG not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;甲规章" in page
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;乙通知" in page
    assert NOT_DERIVABLE in page


def test_markdown_escapes_and_holds_the_section(written) -> None:
    text = written["md"][0].read_text(encoding="utf-8")
    assert "二、政府信息主动公开情况" in text and "累计主动公开政府信息5条" in text
    assert "<script>" not in text
