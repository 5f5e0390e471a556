"""The caps a report's bytes are read under (docs/reports.md, Reading a report: the caps).

A report is untrusted input: each format is refused past its cap before it is parsed, so a
hostile file costs at most a bounded read.
"""

from __future__ import annotations

MAX_INPUT_BYTES = 20 * 1024 * 1024  # any file or body, before anything else
MAX_PDF_PAGES = 150  # an annual report runs to a few dozen pages at most
MAX_PDF_CHARS = 2_000_000  # characters of the text layer over all pages
MAX_DOCX_MEMBERS = 2_000  # files inside the DOCX (zip) archive
MAX_DOCX_UNCOMPRESSED = 60 * 1024 * 1024  # sum of the members' declared uncompressed sizes
MAX_DOCX_RATIO = 120  # declared uncompressed / compressed size of any one member
MAX_TABLE_SPAN = 64  # a colspan or rowspan above this is read as this
MAX_TABLE_CELLS = 100_000  # grid cells of one table after expanding merged cells
MAX_TEXT_CHARS = 3_000_000  # characters of text (HTML, DOCX or plain) read after decoding
