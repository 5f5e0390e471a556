"""The report's tables as xlsx, CSV and markdown.

Every cell that came from a portal is text and stays text. xlsx: XlsxWriter with
`strings_to_formulas`, `strings_to_numbers` and `strings_to_urls` off, so a title
`=HYPERLINK(...)`, `+1` or `@SUM(...)` is written as a string; Chinese headers, a frozen
header row, column widths from the content. CSV (UTF-8 with BOM for Excel): a cell starting
with = + - @, a tab or a carriage return is prefixed with a single quote (OWASP's
CSV-injection guidance), so a spreadsheet never evaluates it; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from reports.tables import Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV value: numbers as they are, text defused by a leading quote when a spreadsheet
    would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(table: Table, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([csv_cell(row[column]) for column in table.columns])
    return path


def _width(value: Any) -> int:
    """Display width of a cell: wide (CJK) characters count two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def write_xlsx(tables: list[Table], path: Path) -> Path:
    """One sheet per table (its title, cut to Excel's 31 characters)."""
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(str(path), options)
    header = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    try:
        for index, table in enumerate(tables):
            sheet = book.add_worksheet(f"{index + 1:02d} {table.title}"[:31].replace("/", "_"))
            _fill(sheet, table, header)
    finally:
        book.close()
    return path


def _fill(sheet: Any, table: Table, header: Any) -> None:
    widths = [_width(column) for column in table.columns]
    for col, column in enumerate(table.columns):
        sheet.write_string(0, col, column, header)
    for r, row in enumerate(table.rows, start=1):
        for col, column in enumerate(table.columns):
            value = _xlsx_value(row[column])
            if value is None:
                sheet.write_blank(r, col, None)
            elif isinstance(value, str):
                sheet.write_string(r, col, value)
            else:
                sheet.write_number(r, col, value)
            widths[col] = max(widths[col], min(_width(value), 60))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width + 2)
    sheet.freeze_panes(1, 0)


def md_cell(value: Any) -> str:
    """Markdown text rendered literally: control characters dropped, syntax characters escaped."""
    text = "" if value is None else str(value)
    text = "".join(" " if c in "\t\r\n" else c for c in text if unicodedata.category(c) != "Cc" or c in "\t\r\n")
    for char in "\\`*_{}[]()<>#+!|~":
        text = text.replace(char, "\\" + char)
    return text


def markdown(paragraphs: list[str], tables: list[Table]) -> str:
    """The section's text, then every table as a markdown table."""
    lines = [f"{md_cell(p)}\n" for p in paragraphs]
    for table in tables:
        lines += [f"## {md_cell(table.title)}", ""]
        if not table.rows:
            lines += ["（无）", ""]
            continue
        lines.append("| " + " | ".join(md_cell(c) for c in table.columns) + " |")
        lines.append("|" + "---|" * len(table.columns))
        lines += ["| " + " | ".join(md_cell(csv_cell(row[c])) for c in table.columns) + " |" for row in table.rows]
        lines.append("")
    return "\n".join(lines)
