"""Spreadsheets into blocks: each worksheet's name as a paragraph, then its used range as a
table, merged cells expanded (the same table model the DOCX and HTML readers give).

An XLSX is a zip like a DOCX: the same caps are checked on the members' declared sizes
before any is inflated (a zip bomb is refused unread), then openpyxl opens it with the values
last computed (formulas are not evaluated; a formula cell without a stored value is blank),
its XML parsed by defusedxml (no entity expansion). An old .xls (an OLE compound file whose
directory names a workbook stream) is read by xlrd, which reads stored values only and
holds no more than the file, itself capped. A sheet whose used range exceeds the table cap
is refused before its cells are read.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from connectors.annual_report.caps import MAX_TABLE_CELLS, MAX_TEXT_CHARS
from connectors.annual_report.cells import clean
from connectors.annual_report.docx_source import check_zip
from connectors.annual_report.errors import ReportError
from connectors.annual_report.grid import RawCell, expand
from connectors.annual_report.model import Block, Para

WORKBOOK = "xl/workbook.xml"
#: A merged range: (first row, last row, first column, last column), 0-based, inclusive.
Merge = tuple[int, int, int, int]


def cell_text(value: object) -> str:
    """A cell's value as a report prints it: a whole number without `.0`, text cleaned."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value))


def _rows(
    n_rows: int, n_cols: int, value_at: Callable[[int, int], object], merges: Iterable[Merge]
) -> list[list[RawCell]]:
    """The sheet's rows as (text, rowspan, colspan), a merged range read at its top left."""
    spans, covered = {}, set()
    for top, bottom, left, right in merges:
        spans[top, left] = (bottom - top + 1, right - left + 1)
        covered |= {(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)} - {(top, left)}
    rows = []
    for r in range(n_rows):
        out = []
        for c in range(n_cols):
            if (r, c) not in covered:
                rowspan, colspan = spans.get((r, c), (1, 1))
                out.append((cell_text(value_at(r, c)), rowspan, colspan))
        rows.append(out)
    return rows


def _blocks(sheets: Iterable[tuple[str, int, int, Callable[[int, int], object], list[Merge]]]) -> list[Block]:
    """Per sheet (title, rows, columns, value at 0-based row and column, merges): its name,
    then its table; the caps checked as the sheets go."""
    blocks: list[Block] = []
    chars = 0
    for n, (title, n_rows, n_cols, value_at, merges) in enumerate(sheets, start=1):
        where = f"sheet {n} ({title})"
        if n_rows * n_cols > MAX_TABLE_CELLS:
            raise ReportError(f"a table of more than {MAX_TABLE_CELLS} cells ({where})")
        blocks.append(Para(clean(title), where))
        table = expand(_rows(n_rows, n_cols, value_at, merges), where)
        blocks.append(table)
        chars += sum(len(c.text) for c in table.cells)
        if chars > MAX_TEXT_CHARS:
            raise ReportError(f"more than {MAX_TEXT_CHARS} characters of text")
    return blocks


def xlsx_blocks(body: bytes) -> list[Block]:
    """Per worksheet, in the workbook's order: its name, then its table."""
    check_zip(body, "XLSX", WORKBOOK)
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False in the environment
        raise ReportError("an XLSX not read: openpyxl is set to parse XML without defusedxml")
    try:
        book = openpyxl.load_workbook(io.BytesIO(body), data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a malformed package
        cause = error
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__  # openpyxl wraps the parser's error
        if cause is not None:
            raise ReportError(f"an XLSX whose XML declares entities (refused): {type(cause).__name__}") from None
        raise ReportError(f"a broken XLSX: {type(error).__name__}: {error}") from None
    return _blocks(
        (
            sheet.title,
            sheet.max_row,
            sheet.max_column,
            lambda r, c, sheet=sheet: sheet.cell(r + 1, c + 1).value,
            [(m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1) for m in sheet.merged_cells.ranges],
        )
        for sheet in book.worksheets
    )


def xls_blocks(body: bytes) -> list[Block]:
    """Per worksheet of an old .xls, in the workbook's order: its name, then its table."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=body, formatting_info=True, on_demand=True)
    except Exception as error:  # xlrd raises its own and struct/index errors on a broken file
        reason = "an encrypted XLS" if "encrypt" in str(error).lower() else f"a broken XLS: {type(error).__name__}"
        raise ReportError(f"{reason}: {error}") from None
    try:
        sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
    except Exception as error:  # a sheet record that does not parse
        raise ReportError(f"a broken XLS: {type(error).__name__}: {error}") from None
    return _blocks(
        (
            sheet.name,
            sheet.nrows,
            sheet.ncols,
            lambda r, c, sheet=sheet: sheet.cell_value(r, c) if c < sheet.row_len(r) else None,
            [(top, bottom - 1, left, right - 1) for top, bottom, left, right in sheet.merged_cells],
        )
        for sheet in sheets
    )
