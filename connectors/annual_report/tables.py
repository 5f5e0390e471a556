"""The template's tables 二, 三 and 四 read from a report's blocks, anchored on row labels.

Each row is found by its label (after merged cells were expanded), never by where its
numbers fall in the page; the columns of a row are the template's, in its order. A row
whose value cells cannot be placed (a flattened text dropped its blank cells, so two values
for three columns) states nothing, with a note: a figure is never moved to a column it may
not belong to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.annual_report import templates as tpl
from connectors.annual_report.cells import parse_cell
from connectors.annual_report.model import Block, Cell, Cells, Figure, Para
from connectors.annual_report.rows import Row, assemble


@dataclass
class _State:
    kind: str
    section: str | None = None
    group: str | None = None
    found: set[str] = field(default_factory=set)  # the tables seen: table2, table3, table4
    figures: dict[str, Figure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def detect_template(blocks: list[Block]) -> str | None:
    """template2019 or template2021 from the header words of the tables, or None."""
    text = "".join(tpl.label_key(c.text) for b in blocks if isinstance(b, Cells) for c in b.cells)
    text += "".join(tpl.label_key(b.text) for b in blocks if isinstance(b, Para) and len(b.text) < 40)
    scores = {kind: sum(marker in text for marker in words) for kind, words in tpl.MARKERS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else None


def read_tables(blocks: list[Block], kind: str) -> tuple[list[Figure], set[str], list[str]]:
    """The figures of tables 二, 三, 四 (every cell of the tables found: None when not
    stated), the tables found, and notes on what could not be read."""
    state = _State(kind)
    for block in blocks:
        if isinstance(block, Para):
            state.section = tpl.section_of(tpl.label_key(block.text)) or state.section
            continue
        for row in assemble(block):
            _read_row(state, row)
    return _complete(state), state.found, state.notes


def _read_row(state: _State, row: Row) -> None:
    key = None
    for cell in row.labels:
        label = tpl.label_key(cell.text)
        section = tpl.section_of(label)
        if section:
            state.section, state.group = section, None
            continue
        bare = tpl.strip_enumerator(label)
        if bare in tpl.GROUPS:
            state.group = tpl.GROUPS[bare]
            key = ("table3", state.group)
            continue
        key = _match(state, label, bare) or key
    if state.section == "四" and key is None:
        heads = "".join(tpl.label_key(c.text) for c in row.labels)
        if "复议" in heads or "诉讼" in heads or "结果维持" in heads:
            state.found.add("table4")
        if row.values and "table4" in state.found:
            _place(state, row, "table4", [f"{g}.{c}" for g in tpl.TABLE4_GROUPS for c in tpl.TABLE4_COLUMNS], ())
        return
    if key is None:
        return
    table, name = key
    if table == "table3":
        state.found.add("table3")
        _place(state, row, "table3", [f"{name}.{c}" for c in tpl.APPLICANTS], ())
        return
    spec = next(s for s in tpl.TABLE2[state.kind] if s.key == name)
    state.found.add("table2")
    columns = [f"{name}.{c}" for c in spec.columns] if spec.columns else [name]
    _place(state, row, "table2", columns, tuple(f"{name}.{c}" for c in spec.text_columns))


def _match(state: _State, label: str, bare: str) -> tuple[str, str] | None:
    """The row a label names in the current section, or None (a header, a title)."""
    if state.section in (None, "二") and state.kind in tpl.TABLE2:
        for spec in tpl.TABLE2[state.kind]:
            if bare in spec.labels:
                return ("table2", spec.key)
    if state.section not in (None, "三"):
        return None
    if bare == "总计" and tpl.has_enumerator(label):
        return ("table3", "total_processed")
    for key, words, group in tpl.TABLE3_ROWS:
        if group:
            if state.group == group and bare == words[0]:
                return ("table3", key)
        elif all(w in bare for w in words) and not (key == "granted" and "不予" in bare):
            return ("table3", key)
    return None


def _place(state: _State, row: Row, table: str, columns: list[str], text_columns: tuple[str, ...]) -> None:
    values = row.values
    where_row = " / ".join(c.text for c in row.labels[-2:]) or "(no label)"
    if not row.positional:
        printed = [v for v in values if parse_cell(v.text).kind != "blank"]
        if len(printed) != len(columns):
            if printed:
                state.notes.append(
                    f"{table} row {where_row!r}: {len(printed)} values for {len(columns)} columns and no blank "
                    f"cells to place them by; read as not stated"
                )
            return
        values = printed
    extra = [v for v in values[len(columns) :] if not v.covered and parse_cell(v.text).kind != "blank"]
    if extra:
        state.notes.append(f"{table} row {where_row!r}: {len(extra)} values beyond the template's columns ignored")
    for path, cell in zip(columns, values, strict=False):
        state.figures[f"{table}.{path}"] = _figure(f"{table}.{path}", cell, path in text_columns, where_row)


def _figure(path: str, cell: Cell, as_text: bool, where_row: str) -> Figure:
    where = f"{cell.where} (row {where_row})"
    if cell.covered:
        return Figure(path, None, "", where + ", merged with the cell above")
    value = parse_cell(cell.text)
    if as_text and value.kind == "number":
        return Figure(path, value.text, value.text, where, value.approx)
    return Figure(path, value.value, value.text, where, value.approx)


def _complete(state: _State) -> list[Figure]:
    """Every cell of every table found, not stated where nothing was read."""
    paths: list[str] = []
    if "table2" in state.found:
        for spec in tpl.TABLE2.get(state.kind, ()):
            paths += [f"table2.{spec.key}.{c}" for c in spec.columns] if spec.columns else [f"table2.{spec.key}"]
    if "table3" in state.found:
        paths += [f"table3.{r}.{c}" for r in tpl.TABLE3_KEYS for c in tpl.APPLICANTS]
    if "table4" in state.found:
        paths += [f"table4.{g}.{c}" for g in tpl.TABLE4_GROUPS for c in tpl.TABLE4_COLUMNS]
    extra = [f for p, f in state.figures.items() if p not in paths and f.value is not None]
    return [state.figures.get(p) or Figure(p, None, "", "not in the report") for p in paths] + extra
