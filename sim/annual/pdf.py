"""Annual reports written as PDF (fpdf2, with a text layer) with the tables of
sim.annual.writer: table 三 runs over two pages, with a page footer between its parts, its
三、本年度办理结果 label printed one character per line. The font is a CJK font of the machine
(Debian: fonts-wqy-zenhei); the bytes are the same every time (a fixed creation date).
"""

from __future__ import annotations

import atexit
import functools
import logging
import shutil
import string
import tempfile
from pathlib import Path

from sim.annual.writer import FIXED_DATE, SECTIONS, layout, table3

#: CJK fonts the PDF can embed, the first found is used (Debian: fonts-wqy-zenhei).
FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
FONT = FONTS[0]


class NoFontError(RuntimeError):
    """No CJK font to write a PDF with: the message says which to install."""


def find_font() -> Path:
    """The first CJK font of FONTS present on this machine."""
    for path in FONTS:
        if path.is_file():
            return path
    raise NoFontError("no CJK font for the PDF (apt-get install fonts-wqy-zenhei)")


@functools.lru_cache(maxsize=1)
def _sim_characters() -> frozenset[str]:
    """Every printable character of the simulator's own sources and of ASCII: all a report of
    the sim's worlds prints (its words, unit names, categories and digits)."""
    chars = set(string.printable)
    for source in Path(__file__).resolve().parents[1].rglob("*.py"):
        chars |= set(source.read_text(encoding="utf-8"))
    return frozenset(c for c in chars if c.isprintable())


@functools.lru_cache(maxsize=1)
def _cut_font() -> Path:
    """The CJK font cut to `_sim_characters()`, written once per process: reading the whole
    font (40,000 glyphs) took most of a PDF's 0.35 s, the cut one takes a tenth of it."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # its notes on the font's bitmap tables
    options = subset.Options(notdef_outline=True, name_IDs=["*"], layout_features=[], hinting=False)
    cutter = subset.Subsetter(options)
    cutter.populate(text="".join(sorted(_sim_characters())))
    folder = Path(tempfile.mkdtemp(prefix="xxgk-sim-font-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    # A lazy font reads its file until it is saved; closed here, not whenever the collector
    # comes by (an unclosed file's warning then lands in whatever runs at that moment).
    with TTFont(find_font(), fontNumber=0, lazy=True) as font:
        cutter.subset(font)
        font.save(folder / "cut.ttf")
    return folder / "cut.ttf"


def _printed(title: str, prose: list[str], fig: dict) -> set[str]:
    """The characters a PDF of these contents prints."""
    texts = [title, *prose, "五、存在的主要问题及改进情况", "— 0123456789"]
    for heading, build in SECTIONS:
        texts += [heading, *(value for row in build(fig) for value, _, _ in row)]
    return {c for text in texts for c in text if c.isprintable()}


def pdf_bytes(title: str, prose: list[str], fig: dict, split_table3_after: int = 14) -> bytes:
    """A PDF report with a text layer; table 三 breaks after `split_table3_after` of its rows.
    NoFontError when the machine has no CJK font. The font is the one cut to the sim's
    characters when they hold every character printed, else the whole font."""
    from fpdf import FPDF

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # its notes on the font's bitmap tables
    font = _cut_font() if _printed(title, prose, fig) <= _sim_characters() else find_font()
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_auto_page_break(False)
    pdf.add_font("wqy", fname=str(font))
    pdf.set_font("wqy", size=8)
    pdf.add_page()
    y = _lines(pdf, [title, *prose], 12)
    widths = {4: [70, 40, 40, 40], 10: [10, 16, 58, 15, 15, 15, 15, 15, 15, 16], 15: [12.66] * 15}
    for heading, build in SECTIONS:
        rows = build(fig)
        if build is table3 and split_table3_after:
            y = _lines(pdf, [heading], y)
            y = _pdf_table(pdf, rows, widths, y, stop=split_table3_after)
            _footer(pdf)
            pdf.add_page()
            y = _pdf_table(pdf, rows, widths, 12, start=split_table3_after)
            continue
        if y > 200:
            _footer(pdf)
            pdf.add_page()
            y = 12
        y = _lines(pdf, [heading], y)
        y = _pdf_table(pdf, rows, widths, y)
    _lines(pdf, ["五、存在的主要问题及改进情况"], y)
    _footer(pdf)
    return bytes(pdf.output())


def write_pdf(path: Path, title: str, prose: list[str], fig: dict, split_table3_after: int = 14) -> Path:
    """`pdf_bytes` written to `path`."""
    Path(path).write_bytes(pdf_bytes(title, prose, fig, split_table3_after))
    return path


def _lines(pdf, lines: list[str], y: float) -> float:
    for line in lines:
        pdf.set_xy(10, y)
        pdf.multi_cell(190, 5, line)
        y = pdf.get_y() + 2
    return y


def _footer(pdf) -> None:
    pdf.set_xy(10, 285)
    pdf.cell(190, 5, f"— {pdf.page_no()} —", align="C")


def _pdf_table(pdf, rows, widths, y0: float, start: int = 0, stop: int | None = None) -> float:
    """Draw rows [start, stop) of the table from y0; a merged cell cut by the range is drawn
    in the part it starts in with its text, and as an empty cell in the other."""
    placed, n_rows, n_cols = layout(rows)
    stop = n_rows if stop is None else stop
    col_w = widths[n_cols]
    height = 9.0
    xs = [10 + sum(col_w[:c]) for c in range(n_cols + 1)]
    for r, c, rs, cs, value in placed:
        top, bottom = max(r, start), min(r + rs, stop)
        if top >= bottom:
            continue
        x, y = xs[c], y0 + (top - start) * height
        w, h = xs[c + cs] - xs[c], (bottom - top) * height
        pdf.rect(x, y, w, h)
        if top == r and value:
            shown = "\n".join(value) if w < 11 and len(value) > 2 else value
            pdf.set_xy(x + 0.5, y + 0.5)
            pdf.multi_cell(w - 1, 3.3, shown)
    return y0 + (stop - start) * height + 4
