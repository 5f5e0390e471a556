"""Cells into rows: the labels a row starts with, then its value cells.

A table's known row boundaries end a row; in a flattened text without them, a label that
follows values starts the next row. Labels are kept in order so that a header or a parent
label printed before a row's own label (a merged 三、本年度办理结果 above （一）予以公开) is there
for the reader to use.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.annual_report.cells import parse_cell
from connectors.annual_report.model import Cell, Cells


@dataclass(frozen=True)
class Row:
    labels: list[Cell]
    values: list[Cell]  # value cells in order; a covered cell holds a position, stating nothing
    positional: bool


def assemble(block: Cells) -> list[Row]:
    """The block's rows."""
    rows: list[Row] = []
    labels: list[Cell] = []
    values: list[Cell] = []

    def flush() -> None:
        if labels or values:
            rows.append(Row(list(labels), list(values), block.positional))
        labels.clear()
        values.clear()

    for cell in block.cells:
        if cell.row_start:
            flush()
        if cell.covered:
            if values:
                values.append(cell)
            continue
        if parse_cell(cell.text).kind == "text":
            if values:
                flush()
            labels.append(cell)
        else:
            values.append(cell)
    flush()
    return rows
