"""PDF into blocks, from its text layer (pdfplumber): ruled tables and the lines around them.

Each page's ruled tables are read as grids (pdfplumber leaves None where a merged cell
covers a position, "" for an empty cell); the page's other lines, in reading order between
the tables, are paragraphs. A cell's text wrapped over lines is joined, which also reads a
vertical label printed one character per line. A table that runs on over the next page is
two grids: the reader's state (section, group) carries over, and the footer between them is
a line like any other. Refused: encrypted or broken files, no text layer (a scan), more
than the page or character caps.
"""

from __future__ import annotations

import io

from connectors.annual_report.caps import MAX_PDF_CHARS, MAX_PDF_PAGES
from connectors.annual_report.cells import clean
from connectors.annual_report.errors import ReportError
from connectors.annual_report.model import Block, Cell, Cells, Para


def pdf_blocks(body: bytes) -> list[Block]:
    """The blocks of every page in order."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(body))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ReportError("an encrypted PDF") from None
    except (PDFSyntaxError, Exception) as error:  # pdfminer raises many kinds on a broken file
        if "password" in str(error).lower() or "encrypt" in str(error).lower():
            raise ReportError("an encrypted PDF") from None
        raise ReportError(f"a broken PDF: {type(error).__name__}") from None
    with pdf:
        try:
            n_pages = len(pdf.pages)
        except Exception as error:
            raise ReportError(f"a broken PDF: {type(error).__name__}") from None
        if n_pages > MAX_PDF_PAGES:
            raise ReportError(f"a PDF of {n_pages} pages, more than {MAX_PDF_PAGES}")
        blocks: list[Block] = []
        chars = 0
        for number, page in enumerate(pdf.pages, start=1):
            try:
                page_blocks, n = _page(page, number)
            except Exception as error:
                raise ReportError(f"a broken PDF page {number}: {type(error).__name__}") from None
            blocks += page_blocks
            chars += n
            if chars > MAX_PDF_CHARS:
                raise ReportError(f"more than {MAX_PDF_CHARS} characters of text")
    if chars == 0:
        raise ReportError("no text layer (a scanned PDF)")
    return blocks


def _page(page, number: int) -> tuple[list[Block], int]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, Block]] = []
    for k, table in enumerate(tables, start=1):
        items.append((table.bbox[1], _cells(table.extract(), f"page {number}, table {k}")))

    def outside(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    rest = page.filter(outside) if boxes else page
    n_chars = len(page.chars)
    for k, line in enumerate(rest.extract_text_lines(), start=1):
        text = clean(line["text"])
        if text:
            items.append((line["top"], Para(text, f"page {number}, line {k}")))
    items.sort(key=lambda item: item[0])
    return [block for _, block in items], n_chars


def _cells(rows: list[list[str | None]], where: str) -> Cells:
    """pdfplumber's None is a merged position: to the right of a cell's text in its row, a
    colspan's repeat (read once); before any text of the row, a rowspan's continuation from
    above (`covered`)."""
    cells: list[Cell] = []
    for r, row in enumerate(rows, start=1):
        seen_text = False
        for c, text in enumerate(row, start=1):
            if text is None and seen_text:
                continue
            start = c == 1
            spot = f"{where}, row {r}, column {c}"
            if text is None:
                cells.append(Cell("", spot, row_start=start, covered=True))
            else:
                cells.append(Cell(_join(text), spot, row_start=start))
                seen_text = True
    return Cells(cells, True, where)


def _join(text: str) -> str:
    """Lines of a wrapped cell joined: without a space between Chinese characters."""
    return clean(" ".join(part.strip() for part in text.splitlines()))
