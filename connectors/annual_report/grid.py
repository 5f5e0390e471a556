"""Merged cells expanded: a table's rows of (text, rowspan, colspan) become cells in reading
order, each at its grid row and column, spans capped (caps.MAX_TABLE_SPAN)."""

from __future__ import annotations

from connectors.annual_report.caps import MAX_TABLE_CELLS, MAX_TABLE_SPAN
from connectors.annual_report.errors import ReportError
from connectors.annual_report.model import Cell, Cells

RawCell = tuple[str, int, int]  # text, rowspan, colspan


def _span(value: int) -> int:
    return max(1, min(int(value), MAX_TABLE_SPAN))


def expand(rows: list[list[RawCell]], where: str) -> Cells:
    """The table's cells row by row. A cell a colspan repeats is read once; a rowspan's
    continuation below is `covered` (it keeps the position, so the values to its right keep
    their columns)."""
    grid: dict[tuple[int, int], tuple[int, int]] = {}  # (row, col) -> origin (row, col)
    texts: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in grid:
                c += 1
            for dr in range(_span(rowspan)):
                for dc in range(_span(colspan)):
                    grid.setdefault((r + dr, c + dc), (r, c))
            texts[(r, c)] = text
            c += _span(colspan)
            if len(grid) > MAX_TABLE_CELLS:
                raise ReportError(f"a table of more than {MAX_TABLE_CELLS} cells ({where})")
    cells: list[Cell] = []
    n_rows = max((r for r, _ in grid), default=-1) + 1
    for r in range(n_rows):
        first = True
        for c in sorted(col for row, col in grid if row == r):
            origin = grid[(r, c)]
            if origin[1] != c and grid.get((r, c - 1)) == origin:
                continue  # a colspan's repeat, on the cell's first row or below it
            covered = origin[0] != r
            text = "" if covered else texts[origin]
            cells.append(Cell(text, f"{where}, row {r + 1}, column {c + 1}", row_start=first, covered=covered))
            first = False
    return Cells(cells, positional=True, where=where)
