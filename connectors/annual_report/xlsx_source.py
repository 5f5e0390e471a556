"""XLSX into blocks: each worksheet's name as a paragraph, then its used range as a table,
merged cells expanded (the same table model the DOCX and HTML readers give).

An XLSX is a zip like a DOCX: the same caps are checked on the members' declared sizes
before any is inflated (a zip bomb is refused unread), then openpyxl opens it with the values
last computed (formulas are not evaluated; a formula cell without a stored value is blank),
its XML parsed by defusedxml (no entity expansion). A sheet whose used range exceeds the
table cap is refused before its cells are read.
"""

from __future__ import annotations

import io

from connectors.annual_report.caps import MAX_TABLE_CELLS, MAX_TEXT_CHARS
from connectors.annual_report.cells import clean
from connectors.annual_report.docx_source import check_zip
from connectors.annual_report.errors import ReportError
from connectors.annual_report.grid import RawCell, expand
from connectors.annual_report.model import Block, Para

WORKBOOK = "xl/workbook.xml"


def cell_text(value: object) -> str:
    """A cell's value as a report prints it: a whole number without `.0`, text cleaned."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value))


def _rows(sheet) -> list[list[RawCell]]:
    """The sheet's rows as (text, rowspan, colspan), a merged range read at its top left."""
    spans = {
        (m.min_row, m.min_col): (m.max_row - m.min_row + 1, m.max_col - m.min_col + 1)
        for m in sheet.merged_cells.ranges
    }
    covered = {
        (r, c)
        for m in sheet.merged_cells.ranges
        for r in range(m.min_row, m.max_row + 1)
        for c in range(m.min_col, m.max_col + 1)
        if (r, c) != (m.min_row, m.min_col)
    }
    rows = []
    for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        out = []
        for c, value in enumerate(row, start=1):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            out.append((cell_text(value), rowspan, colspan))
        rows.append(out)
    return rows


def xlsx_blocks(body: bytes) -> list[Block]:
    """Per worksheet, in the workbook's order: its name, then its table."""
    check_zip(body, "XLSX", WORKBOOK)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(body), data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a malformed package
        raise ReportError(f"a broken XLSX: {type(error).__name__}: {error}") from None
    blocks: list[Block] = []
    chars = 0
    for n, sheet in enumerate(book.worksheets, start=1):
        where = f"sheet {n} ({sheet.title})"
        if sheet.max_row * sheet.max_column > MAX_TABLE_CELLS:
            raise ReportError(f"a table of more than {MAX_TABLE_CELLS} cells ({where})")
        blocks.append(Para(clean(sheet.title), where))
        table = expand(_rows(sheet), where)
        blocks.append(table)
        chars += sum(len(c.text) for c in table.cells)
        if chars > MAX_TEXT_CHARS:
            raise ReportError(f"more than {MAX_TEXT_CHARS} characters of text")
    return blocks
