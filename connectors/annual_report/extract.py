"""A report's bytes in, its figures out: the format sniffed, the blocks read, the template
recognised from its tables, the tables and the prose read, the report's own sums checked."""

from __future__ import annotations

import io
import zipfile

from connectors.annual_report.caps import MAX_INPUT_BYTES, MAX_TEXT_CHARS
from connectors.annual_report.checks import check
from connectors.annual_report.errors import ReportError
from connectors.annual_report.meta import unit_and_year
from connectors.annual_report.model import Block, Para, Report
from connectors.annual_report.prose import read_prose
from connectors.annual_report.tables import detect_template, read_tables
from connectors.annual_report.text_source import text_blocks
from connectors.http.charset import decode_body

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream an old .xls keeps its workbook in (Excel 97 on: "Workbook", Excel 5: "Book"),
#: as the compound file's directory spells names: UTF-16LE, ended by a NUL.
_XLS_STREAMS = tuple(f"{name}\0".encode("utf-16-le") for name in ("Workbook", "Book"))


def _zip_holds(body: bytes, name: str) -> bool:
    """Whether the zip's directory names `name` (only the directory is read)."""
    try:
        return name in zipfile.ZipFile(io.BytesIO(body)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def sniff(body: bytes, name: str = "", content_type: str | None = None) -> str:
    """pdf | docx | xlsx | xls | html | text, from the bytes first (a name or a type can lie):
    a zip is an XLSX when it holds the workbook part, else read as a DOCX; a compound file is
    an XLS when its directory names a workbook stream (an encrypted DOCX or an old .doc
    names none)."""
    head = body[:1024].lstrip()
    if body.startswith(b"%PDF-") or b"%PDF-" in body[:1024]:
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        return "xlsx" if _zip_holds(body, "xl/workbook.xml") else "docx"
    if body.startswith(_OLE):
        if any(stream in body for stream in _XLS_STREAMS):
            return "xls"
        raise ReportError("an OLE compound file: an encrypted Office file or an old .doc, not read")
    lowered = head.lower()
    if lowered.startswith((b"<!doctype", b"<html", b"<?xml", b"<!--", b"<p", b"<div", b"<table", b"<meta", b"<head")):
        return "html"
    if "html" in (content_type or "").lower() or name.lower().endswith((".html", ".htm", ".shtml")):
        return "html"
    return "text"


def blocks_of(body: bytes, name: str = "", content_type: str | None = None) -> tuple[list[Block], str]:
    """The blocks of any supported format."""
    if len(body) > MAX_INPUT_BYTES:
        raise ReportError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    fmt = sniff(body, name, content_type)
    if fmt == "pdf":
        from connectors.annual_report.pdf_source import pdf_blocks

        return pdf_blocks(body), fmt
    if fmt == "docx":
        from connectors.annual_report.docx_source import docx_blocks

        return docx_blocks(body), fmt
    if fmt == "xlsx":
        from connectors.annual_report.xlsx_source import xlsx_blocks

        return xlsx_blocks(body), fmt
    if fmt == "xls":
        from connectors.annual_report.xlsx_source import xls_blocks

        return xls_blocks(body), fmt
    if fmt == "html":
        from connectors.annual_report.html_source import html_blocks

        return html_blocks(body, content_type)[0], fmt
    if b"\x00" in body[:4096]:
        raise ReportError("binary data, not a report")
    text, _ = decode_body(body, content_type)
    if len(text) > MAX_TEXT_CHARS:
        raise ReportError(f"more than {MAX_TEXT_CHARS} characters of text")
    return text_blocks(text), fmt


def extract(body: bytes, name: str = "", content_type: str | None = None) -> Report:
    """The report's figures; ReportError with the reason when there is no report to read."""
    blocks, fmt = blocks_of(body, name, content_type)
    lines = [t for b in blocks for t in ([b.text] if isinstance(b, Para) else [c.text for c in b.cells])][:60]
    unit, year = unit_and_year(lines)
    kind = detect_template(blocks)
    figures, notes = [], []
    if kind:
        figures, _, notes = read_tables(blocks, kind)
    prose, prose_notes = read_prose([b for b in blocks if isinstance(b, Para)], unit)
    figures += prose
    notes += prose_notes
    if not kind and not prose:
        raise ReportError("not an annual report: no report tables or figures found")
    if not kind:
        text = "".join(lines) + "".join(b.text for b in blocks if isinstance(b, Para))
        if not any(word in text for word in ("年度报告", "年度報告", "年报", "年報", "本报告", "本報告")):
            raise ReportError("not an annual report: no report tables or figures found")
        kind = "prose"
    report = Report(kind, unit, year, f"{fmt}{': ' + name if name else ''}", figures, notes=notes)
    report.inconsistencies, report.checks_passed = check(report)
    return report
