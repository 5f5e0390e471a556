"""Spreadsheet attachments of annual reports: a workbook written here from known figures (the
2021 template's tables 二, 三 and 四, one sheet each, merged cells as Word lays them out,
blanks and `/`), as an XLSX with openpyxl and as an old .xls with xlwt, is read back cell
for cell; hostile workbooks get a reason."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
import xlwt
from helpers.report_files import FIGURES, TITLE

from connectors.annual_report import ReportError, as_dict, extract
from connectors.annual_report.caps import MAX_DOCX_UNCOMPRESSED, MAX_INPUT_BYTES
from sim.annual.writer import SECTIONS


def _laid_out(rows) -> list[tuple[int, int, int, int, object]]:
    """The writer's rows of (text, rowspan, colspan) as (row, column, rowspan, colspan,
    value), 0-based, each cell placed past the spans above it; a number as a number, a
    blank as None."""
    taken: set[tuple[int, int]] = set()
    cells = []
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            value: object = text or None
            if text.replace(".", "", 1).isdigit():
                value = float(text) if "." in text else int(text)
            cells.append((r, c, rs, cs, value))
            taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            c += cs
    return cells


def workbook(figures: dict) -> bytes:
    """The template's tables, one sheet each, as an XLSX (openpyxl: 1-based, merges apart)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for k, (heading, build) in enumerate(SECTIONS):
        sheet = book.create_sheet(heading[:31])
        if k == 0:
            sheet.cell(1, 1, TITLE)
        for r, c, rs, cs, value in _laid_out(build(figures)):
            sheet.cell(3 + r, 1 + c, value)
            if rs > 1 or cs > 1:
                sheet.merge_cells(start_row=3 + r, start_column=1 + c, end_row=2 + r + rs, end_column=c + cs)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def old_workbook(figures: dict) -> bytes:
    """The same workbook as an Excel 97 .xls (xlwt: 0-based, a merge written with its value)."""
    book = xlwt.Workbook(encoding="utf-8")
    for k, (heading, build) in enumerate(SECTIONS):
        sheet = book.add_sheet(heading[:31])
        if k == 0:
            sheet.write(0, 0, TITLE)
        for r, c, rs, cs, value in _laid_out(build(figures)):
            if rs > 1 or cs > 1:
                sheet.write_merge(2 + r, 1 + r + rs, c, c + cs - 1, value)
            elif value is not None:
                sheet.write(2 + r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells(ours: dict) -> dict:
    out = {}
    for table in ("table2", "table3", "table4"):
        for row, cells in ours[table].items():
            if isinstance(cells, dict):
                out |= {f"{table}.{row}.{col}": value for col, value in cells.items() if value is not None}
            elif cells is not None:
                out[f"{table}.{row}"] = cells
    return out


def test_every_cell_of_a_generated_xlsx_comes_back_as_written() -> None:
    ours = as_dict(extract(workbook(FIGURES), "report.xlsx"))
    assert (ours["kind"], ours["year"]) == ("template2021", 2022)
    assert _cells(ours) == FIGURES
    assert ours["inconsistencies"] == []
    where = {x["figure"]: x["where"] for x in ours["located"]}
    assert where["table3.granted.total"].startswith("sheet 2")


def test_every_cell_of_a_generated_xls_comes_back_as_written() -> None:
    body = old_workbook(FIGURES)
    assert body.startswith(b"\xd0\xcf\x11\xe0")  # a compound file, whatever its name says
    ours = as_dict(extract(body, "report.bin"))
    assert (ours["kind"], ours["year"]) == ("template2021", 2022)
    assert _cells(ours) == FIGURES
    assert ours["inconsistencies"] == []


def test_an_xls_whose_own_sums_disagree_says_so() -> None:
    wrong = FIGURES | {"table4.review.total": FIGURES.get("table4.review.total", 0) + 1}
    ours = as_dict(extract(old_workbook(wrong), "report.xls"))
    assert ours["table4"]["review"]["total"] == wrong["table4.review.total"]
    assert any("table 四" in i["check"] for i in ours["inconsistencies"])


def test_an_xls_whose_records_are_overwritten_gets_a_reason() -> None:
    body = old_workbook(FIGURES)
    quarter = len(body) // 4
    spoiled = body[:quarter] + b"\xff" * (2 * quarter) + body[3 * quarter :]  # the directory (at the end) kept
    assert _reason(spoiled, "report.xls").startswith("a broken XLS")


def test_a_compound_file_without_a_workbook_stream_is_not_read_as_xls() -> None:
    body = old_workbook(FIGURES)
    for stream in ("Workbook", "Book"):
        body = body.replace(f"{stream}\0".encode("utf-16-le"), f"{stream[::-1]}\0".encode("utf-16-le"))
    assert _reason(body, "report.xls").startswith("an OLE compound file")


def test_an_xlsx_whose_own_sums_disagree_says_so() -> None:
    wrong = FIGURES | {"table4.review.total": FIGURES.get("table4.review.total", 0) + 1}
    ours = as_dict(extract(workbook(wrong), "report.xlsx"))
    assert ours["table4"]["review"]["total"] == wrong["table4.review.total"]
    assert any("table 四" in i["check"] for i in ours["inconsistencies"])


def _reason(body: bytes, name: str = "report.xlsx") -> str:
    with pytest.raises(ReportError) as caught:
        extract(body, name)
    return caught.value.reason


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_DOCX_UNCOMPRESSED + 1))
    body = buffer.getvalue()
    assert len(body) < MAX_INPUT_BYTES // 50  # small on the wire
    assert _reason(body) == "an XLSX that inflates past 60 MiB (a zip bomb?)"


def test_a_zip_with_a_workbook_part_that_is_no_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", b"<not-a-workbook/>")
    assert _reason(buffer.getvalue()).startswith("a broken XLSX")


def test_an_xlsx_declaring_an_entity_is_refused_unexpanded() -> None:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    laughs = '<!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            part = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                part = laughs.encode() + part
            archive.writestr(name, part)
    assert _reason(buffer.getvalue()) == "an XLSX whose XML declares entities (refused): EntitiesForbidden"


def test_a_workbook_without_report_tables_is_not_a_report() -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "采购清单"
    book.active["B2"] = 12
    out = io.BytesIO()
    book.save(out)
    assert _reason(out.getvalue()).startswith("not an annual report")
