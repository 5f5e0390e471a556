"""Plain text into blocks: a report flattened from HTML, DOCX or PDF by someone else.

Flatteners leave a table in one of four shapes, recognised from the lines themselves:

- **rows**: one line per row, cells between `|` (`规章 | 0 | 0 | 6 |`); blanks are empty
  cells, so positions hold;
- **cell lines**: one cell per line ending in ` |`, a line of two or more pipes ending the
  row (the merged cells it covered); `|` alone is a blank cell;
- **separator lines**: cells on their own lines with a line `|` between two cells (a cell
  wrapped over lines is joined); `|` after `|` is a blank cell;
- **paragraphs**: one cell per line or paragraph with nothing for a blank cell: a value's
  column is then known only when its row has a value for every column.

A line that reads as prose (a sentence ending, or long) is a paragraph in every shape.
"""

from __future__ import annotations

import re

from connectors.annual_report.cells import clean
from connectors.annual_report.model import Block, Cell, Cells, Para

_PIPES_ONLY = re.compile(r"^\|+$")


def is_prose(line: str) -> bool:
    return "。" in line or len(line) > 60


def text_blocks(text: str) -> list[Block]:
    """The blocks of a flattened report, in reading order."""
    lines = [clean(line) for line in text.splitlines()]
    shape = _shape(lines)
    if shape == "rows":
        return _rows(lines)
    if shape == "cell lines":
        return _cell_lines(text.splitlines())
    if shape == "separators":
        return _separated(lines)
    return _paragraphs(lines)


def _shape(lines: list[str]) -> str:
    content = [line for line in lines if line]
    if not content:
        return "paragraphs"
    bars = sum(line == "|" for line in content)
    inner = sum(bool(re.search(r"\S\s*\|\s*\S", line)) for line in content)
    trailing = sum(bool(re.search(r"[^|]\s*\|$", line)) and line.count("|") == 1 for line in content)
    if inner >= 3 and inner >= trailing:
        return "rows"
    if trailing >= 5 and trailing > bars:
        return "cell lines"
    if bars >= 5:
        return "separators"
    return "paragraphs"


def _where(i: int) -> str:
    return f"line {i + 1}"


def _flush(blocks: list[Block], cells: list[Cell], positional: bool) -> None:
    if cells:
        blocks.append(Cells(list(cells), positional, cells[0].where))
        cells.clear()


def _rows(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    cells: list[Cell] = []
    for i, line in enumerate(lines):
        if not line:
            continue
        if "|" not in line or is_prose(line.split("|")[0]):
            _flush(blocks, cells, True)
            blocks.append(Para(line, _where(i)))
            continue
        parts = [p.strip() for p in line.split("|")]
        if parts and parts[-1] == "":
            parts.pop()
        for j, part in enumerate(parts):
            cells.append(Cell(part, f"{_where(i)}, cell {j + 1}", row_start=j == 0))
    _flush(blocks, cells, True)
    return blocks


def _cell_lines(raw_lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    cells: list[Cell] = []
    row_start = True
    for i, raw in enumerate(raw_lines):
        line = raw.strip()
        if not line:
            continue
        if _PIPES_ONLY.match(line) and len(line) > 1:
            row_start = True
            continue
        if not line.endswith("|") or is_prose(line):
            _flush(blocks, cells, True)
            blocks.append(Para(clean(line.rstrip("|")), _where(i)))
            row_start = True
            continue
        cells.append(Cell(clean(line[:-1]), _where(i), row_start=row_start))
        row_start = False
    _flush(blocks, cells, True)
    return blocks


def _separated(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    cells: list[Cell] = []
    run: list[tuple[int, str]] = []

    def end_run() -> None:
        if any(is_prose(text) for _, text in run):
            _flush(blocks, cells, True)
            blocks.extend(Para(text, _where(i)) if is_prose(text) else Cell(text, _where(i)) for i, text in run)
            _regroup(blocks)
        elif run:
            cells.append(Cell("".join(text for _, text in run), _where(run[0][0])))
        run.clear()

    previous_bar = False
    for i, line in enumerate(lines):
        if line == "|":
            if previous_bar:
                cells.append(Cell("", _where(i)))
            end_run()
            previous_bar = True
        elif line:
            run.append((i, line))
            previous_bar = False
    end_run()
    _flush(blocks, cells, True)
    return blocks


def _regroup(blocks: list[Block]) -> None:
    """Loose cells appended among paragraphs become one-cell blocks."""
    for k, block in enumerate(blocks):
        if isinstance(block, Cell):
            blocks[k] = Cells([block], True, block.where)


def _paragraphs(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    cells: list[Cell] = []
    for i, line in enumerate(lines):
        if not line:
            continue
        if is_prose(line):
            _flush(blocks, cells, False)
            blocks.append(Para(line, _where(i)))
        else:
            cells.append(Cell(line, _where(i)))
    _flush(blocks, cells, False)
    return blocks
