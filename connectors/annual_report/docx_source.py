"""DOCX into blocks: paragraphs and tables, merged cells (gridSpan, vMerge) expanded.

A DOCX is a zip: its members' declared sizes are checked against the caps before any is
inflated (a zip bomb is refused unread), then python-docx opens it (its XML parser does
not resolve entities). Tables are read from the XML itself, since merges live there: a
`gridSpan` widens a cell, a `vMerge` without `restart` continues the cell above.
"""

from __future__ import annotations

import io
import zipfile

from connectors.annual_report.caps import MAX_DOCX_MEMBERS, MAX_DOCX_RATIO, MAX_DOCX_UNCOMPRESSED, MAX_TEXT_CHARS
from connectors.annual_report.cells import clean
from connectors.annual_report.errors import ReportError
from connectors.annual_report.grid import expand
from connectors.annual_report.model import Block, Cells, Para

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_zip(body: bytes, kind: str = "DOCX", required: str = "word/document.xml") -> None:
    """Refuse a broken, encrypted or bomb-like Office archive (`kind` names it in the reason)
    before anything is inflated, and one without its `required` member."""
    a = "an" if kind == "XLSX" else "a"
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ReportError(f"a broken {kind} (zip): {error}") from None
    if len(members) > MAX_DOCX_MEMBERS:
        raise ReportError(f"{a} {kind} of more than {MAX_DOCX_MEMBERS} files")
    total = sum(m.file_size for m in members)
    if total > MAX_DOCX_UNCOMPRESSED:
        raise ReportError(f"{a} {kind} that inflates past {MAX_DOCX_UNCOMPRESSED // (1024 * 1024)} MiB (a zip bomb?)")
    for m in members:
        if m.flag_bits & 0x1:
            raise ReportError(f"an encrypted {kind}")
        if m.file_size > 1024 * 1024 and m.file_size > MAX_DOCX_RATIO * max(m.compress_size, 1):
            raise ReportError(
                f"{a} {kind} member compressed more than {MAX_DOCX_RATIO} to 1 (a zip bomb?): {m.filename}"
            )
    if required not in {m.filename for m in members}:
        raise ReportError(f"a zip without {required}: not {a} {kind}")


def docx_blocks(body: bytes) -> list[Block]:
    """The document's blocks in reading order."""
    check_zip(body)
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(body))
    except Exception as error:  # python-docx raises many kinds on a malformed package
        raise ReportError(f"a broken DOCX: {type(error).__name__}: {error}") from None
    blocks: list[Block] = []
    chars = n_tables = n_paras = 0
    for child in document.element.body.iterchildren():
        if child.tag == f"{W}p":
            text = clean(_text(child))
            n_paras += 1
            if text:
                blocks.append(Para(text, f"paragraph {n_paras}"))
                chars += len(text)
        elif child.tag == f"{W}tbl":
            n_tables += 1
            table = _table(child, f"table {n_tables}")
            blocks.append(table)
            chars += sum(len(c.text) for c in table.cells)
        if chars > MAX_TEXT_CHARS:
            raise ReportError(f"more than {MAX_TEXT_CHARS} characters of text")
    return blocks


def _text(element) -> str:
    """The text of a paragraph or a cell: runs joined, tabs and breaks as spaces."""
    parts = []
    for node in element.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}p"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}p" and parts:
            parts.append("\n")
        else:
            parts.append(" ")
    return "".join(parts)


def _table(tbl, where: str) -> Cells:
    rows: list[list[tuple[str, int, int, str]]] = []
    for tr in tbl.iterchildren(f"{W}tr"):
        row = []
        before = tr.find(f"{W}trPr/{W}gridBefore")
        if before is not None:
            row.append(("", 1, int(before.get(f"{W}val", "1")), "none"))
        for tc in tr.iterchildren(f"{W}tc"):
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            merge = tc.find(f"{W}tcPr/{W}vMerge")
            state = "none" if merge is None else ("restart" if merge.get(f"{W}val") == "restart" else "continue")
            colspan = int(span.get(f"{W}val", "1")) if span is not None else 1
            row.append((clean(_text(tc)), 1, colspan, state))
        rows.append(row)
    return _merged(rows, where)


def _merged(rows: list[list[tuple[str, int, int, str]]], where: str) -> Cells:
    """vMerge continuations folded into the rowspan of the cell they continue."""
    raw: list[list[list]] = []
    origin_at: dict[int, list] = {}  # grid column -> the open vMerge cell starting there
    for row in rows:
        out, col = [], 0
        for text, _, colspan, state in row:
            if state == "continue" and col in origin_at:
                origin_at[col][1] += 1
            else:
                cell = [text, 1, colspan]
                out.append(cell)
                if state == "restart":
                    origin_at[col] = cell
                else:
                    origin_at.pop(col, None)
            col += colspan
        raw.append(out)
    return expand([[(t, r, c) for t, r, c in row] for row in raw], where)
