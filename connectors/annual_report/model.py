"""What a report's reader passes between its steps, and what it returns.

A source (HTML, DOCX, PDF, text) becomes a list of blocks in reading order: paragraphs of
prose and runs of table cells. The template reader and the prose reader turn blocks into
figures; each figure carries where it was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Para:
    """A paragraph (or a line) of prose."""

    text: str
    where: str


@dataclass(frozen=True)
class Cell:
    """One table cell in reading order. `row_start`: a known row boundary comes before it;
    `covered`: the continuation of a merged cell (neither a label nor a blank)."""

    text: str
    where: str
    row_start: bool = False
    covered: bool = False


@dataclass(frozen=True)
class Cells:
    """A table, or the cells a flattened table left in a text. `positional`: blank cells are
    present as cells, so a value's column is its position; otherwise only the values that
    were printed are there and a row short of values cannot say which is which."""

    cells: list[Cell]
    positional: bool
    where: str


Block = Para | Cells


@dataclass(frozen=True)
class Figure:
    """One figure: `path` names it as the output does (table3.new_received.total,
    core.proactive_new, detail.levels.city.new); `value` None = not stated."""

    path: str
    value: int | float | str | None
    text: str
    where: str
    approx: bool = False


@dataclass(frozen=True)
class Inconsistency:
    """A sum the report states that its own figures do not give."""

    check: str
    figures: dict[str, Any]
    left: float
    right: float


@dataclass
class Report:
    kind: str  # prose | template2019 | template2021
    unit: str | None
    year: int | None
    source: str
    figures: list[Figure] = field(default_factory=list)
    inconsistencies: list[Inconsistency] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks_passed: int = 0

    def stated(self) -> list[Figure]:
        return [f for f in self.figures if f.value is not None]
