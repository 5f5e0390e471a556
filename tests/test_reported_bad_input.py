"""Input that is not a readable annual report gets a reason and nothing else."""

from __future__ import annotations

import io
import zipfile

import pytest
from helpers.report_files import FONT

from connectors.annual_report import ReportError, extract
from connectors.annual_report.caps import MAX_DOCX_UNCOMPRESSED, MAX_INPUT_BYTES, MAX_PDF_PAGES


def _reason(body: bytes, name: str = "") -> str:
    with pytest.raises(ReportError) as caught:
        extract(body, name)
    return caught.value.reason


def test_a_scanned_pdf_without_a_text_layer():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # ink, no text
    assert _reason(bytes(pdf.output())) == "no text layer (a scanned PDF)"


@pytest.mark.skipif(not FONT.is_file(), reason="the CJK font is installed by .ci/run")
def test_an_encrypted_pdf():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.add_font("wqy", fname=str(FONT))
    pdf.set_font("wqy", size=10)
    pdf.cell(50, 8, "2012年政府信息公开工作年度报告")
    assert _reason(bytes(pdf.output())) == "an encrypted PDF"


def test_a_broken_pdf():
    assert _reason(b"%PDF-1.4\n1 0 obj << /Type /Catalog broken").startswith("a broken PDF")


def test_a_pdf_past_the_page_cap():
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(MAX_PDF_PAGES + 1):
        pdf.add_page()
    assert _reason(bytes(pdf.output())) == f"a PDF of {MAX_PDF_PAGES + 1} pages, more than {MAX_PDF_PAGES}"


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/bomb.bin", b"\0" * (MAX_DOCX_UNCOMPRESSED + 1))
    body = buffer.getvalue()
    assert len(body) < MAX_INPUT_BYTES // 50  # small on the wire
    assert "zip bomb" in _reason(body, "report.docx")


def test_a_broken_docx_and_an_ole_file():
    assert _reason(b"PK\x03\x04 not really a zip").startswith("a broken DOCX")
    assert _reason(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600).startswith("an OLE compound file")


def test_a_zip_that_is_not_a_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # an OpenDocument text: neither DOCX nor XLSX
        archive.writestr("content.xml", "<office:document-content/>")
    assert _reason(buffer.getvalue()) == "a zip without word/document.xml: not a DOCX"


def test_a_page_that_is_not_an_annual_report():
    page = "<html><body><h1>通知公告</h1><p>关于开展2013年安全生产检查的通知。</p></body></html>"
    assert _reason(page.encode("utf-8")) == "not an annual report: no report tables or figures found"


def test_input_past_the_size_cap():
    assert _reason(b" " * (MAX_INPUT_BYTES + 1)).startswith("larger than")
