"""A report document on the portals: its detail page's body links the report as a DOCX and a
PDF attachment beside the page's usual attachment link (`./P0….docx` and `.pdf` on TRS and
the province platform, `/attach/0/ID.docx` and `.pdf` on Hanweb), and those paths answer
with the files, written from the world's truth on first request and kept.

An attachment answers like its detail page: only on a portal that lists the document, from
the day it is shown, never after its withdrawal. Without a CJK font on the machine the PDF
cannot be written and answers 404 (the DOCX still answers).
"""

from __future__ import annotations

import re
from datetime import date
from html import escape

from sim.annual.pdf import NoFontError, pdf_bytes
from sim.annual.reports import report_of
from sim.annual.writer import docx_bytes
from sim.model import DUPLICATE_ID_OFFSET, Doc
from sim.pages.wire import Response

TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
_TRS = re.compile(r".*/P0\d{8}(?P<id>\d{9})\.(?P<kind>docx|pdf)")
_HANWEB = re.compile(r"/attach/0/(?P<id>[0-9a-f]+)\.(?P<kind>docx|pdf)")


def report_body(doc: Doc, attachment_href: str) -> str:
    """The detail page's body of a report: one sentence and the two attachments."""
    stem = attachment_href.rsplit(".", 1)[0]
    title = escape(doc.title)
    links = "".join(f'<p><a href="{stem}.{kind}">{title}.{kind}</a></p>' for kind in TYPES)
    return (
        f'<div class="TRS_Editor"><p>现将《{title}》予以公布，全文见附件。</p>\n</div>'
        f'<div class="fj"><p>附件：</p>{links}</div>'
    )


def _ident(site, path: str) -> tuple[int, str] | None:
    """(the portal's document id, docx | pdf) of an attachment path, else None."""
    if site.portal.platform == "hanweb":
        m = _HANWEB.fullmatch(path)
        return (int(m.group("id"), 16), m.group("kind")) if m else None
    m = _TRS.fullmatch(path)
    return (int(m.group("id")), m.group("kind")) if m else None


def attachment(site, path: str, as_of: date) -> Response | None:
    """The report file at `path` on `site`'s portal (404 when it is not served there that
    day), or None when `path` is not a report attachment's path."""
    found = _ident(site, path)
    if found is None:
        return None
    ident, kind = found
    g = ident - site.portal.id_base
    g = g - DUPLICATE_ID_OFFSET if g >= DUPLICATE_ID_OFFSET else g
    try:
        doc = site.world.doc(g)
    except (KeyError, IndexError):
        return site.not_found()
    if g < 0 or report_of(doc) is None or not site.world.lists(site.portal.id, doc):
        return site.not_found()
    if not site.world.visible(doc, site.date_shown(doc), as_of):
        return site.not_found()
    body = _file(site.world, doc, kind)
    return site.not_found() if body is None else Response(200, body, TYPES[kind])


#: Every report file this process wrote, by what it says: writing one takes 0.4-0.7 s (the
#: DOCX's merged cells, the PDF's font subset), and the worlds of a process (a test run
#: starts many) state the same reports again and again.
_WRITTEN: dict[tuple, bytes | None] = {}


def _file(world, doc: Doc, kind: str) -> bytes | None:
    """The report's file, written once per world and kept on it (None: no font for a PDF)."""
    kept = world.__dict__.setdefault("_report_files", {})
    key = (doc.g, kind)
    if key not in kept:
        from sim.annual.content import report_content  # reads the figures, which import the pages

        title, prose, cells = report_content(world, report_of(doc), doc.published)
        kept[key] = _written(kind, title, prose, cells)
    return kept[key]


def _written(kind: str, title: str, prose: list[str], cells: dict) -> bytes | None:
    """The file of these contents, the same bytes every time (the writer fixes its dates)."""
    said = (kind, title, tuple(prose), repr(sorted(cells.items())))
    if said not in _WRITTEN:
        try:
            _WRITTEN[said] = docx_bytes(title, prose, cells) if kind == "docx" else pdf_bytes(title, prose, cells)
        except NoFontError:
            _WRITTEN[said] = None
    return _WRITTEN[said]
