"""Generated annual reports in the 2021 template, as DOCX and as PDF, read back exactly.

The reports are written from a dict of figures (tests/helpers/report_files.py) with merged
cells, a vertical label, blank cells for what is not stated, `/` and a decimal fee; the
PDF's table 三 runs over two pages. Every cell of tables 二, 三, 四 must come back as written,
a blank as not stated. A second report's own sums disagree, and the reader says where.
"""

from __future__ import annotations

import gc
import warnings

import pytest
from helpers.report_files import FIGURES, FONT, PROSE, TITLE, write_docx, write_pdf
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connectors.annual_report import as_dict, extract
from connectors.annual_report import templates as tpl
from connectors.annual_report.model import Para
from connectors.annual_report.pdf_source import pdf_blocks
from sim.annual.pdf import _cut_font, pdf_bytes


def _all_paths(ours: dict) -> dict:
    out = {}
    for table in ("table2", "table3", "table4"):
        for row, cells in ours[table].items():
            if isinstance(cells, dict):
                out |= {f"{table}.{row}.{col}": value for col, value in cells.items()}
            else:
                out[f"{table}.{row}"] = cells
    return out


def _writers():
    writers = [("docx", write_docx)]
    if FONT.is_file():
        writers.append(("pdf", write_pdf))
    return writers


@pytest.mark.parametrize(("fmt", "write"), _writers(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_cell_comes_back_as_written_and_blanks_are_not_stated(tmp_path, fmt, write):
    path = write(tmp_path / f"report.{fmt}", TITLE, PROSE, FIGURES)
    ours = as_dict(extract(path.read_bytes(), path.name))
    assert (ours["kind"], ours["unit"], ours["year"]) == ("template2021", "测试市某局", 2022)
    cells = _all_paths(ours)
    assert len(cells) == 2 * 3 + 4 + 26 * 7 + 15  # table 二 2021, 三 (26 rows × 7), 四
    assert {p: v for p, v in cells.items() if v is not None} == FIGURES
    assert ours["core"] == {"proactive_new": 321, "proactive_by_category": {"机构职能类": 21, "工作动态类": 300}}
    assert ours["inconsistencies"] == []
    where = {x["figure"]: x["where"] for x in ours["located"]}
    if fmt == "pdf":
        assert where["table3.carried_forward.total"].startswith("page 2")  # after the page break
        assert where["table3.new_received.total"].startswith("page 1")


@pytest.mark.parametrize(("fmt", "write"), _writers(), ids=lambda x: x if isinstance(x, str) else "")
def test_a_report_whose_own_sums_disagree_is_reported_not_corrected(tmp_path, fmt, write):
    wrong = FIGURES | {"table3.total_processed.natural_person": 11, "table4.review.total": 3}
    path = write(tmp_path / f"report.{fmt}", TITLE, PROSE, wrong)
    ours = as_dict(extract(path.read_bytes(), path.name))
    assert ours["table3"]["total_processed"]["natural_person"] == 11  # as printed
    checks = {i["check"]: (i["left"], i["right"]) for i in ours["inconsistencies"]}
    # 10 + 1 against 11 + 1; (七) 11 against 5 + 1 + 3 + 1 = 10; 总计 12 against 11 + 2; 3 against 1 + 1
    assert checks == {
        "table 三 自然人: 一 + 二 = 三(七) + 四": (11, 12),
        "table 三 自然人: (七)总计 = the outcome rows": (11, 10),
        "table 三 total_processed: 总计 = the applicant columns": (12, 13),
        "table 四 review: 总计 = the four results": (3, 2),
    }


def test_template_is_recognised_from_the_table_not_the_year(tmp_path):
    # a 2021-template report dated 2019 is still read with the 2021 rows
    path = write_docx(tmp_path / "r.docx", "测试市某局2019年政府信息公开工作年度报告", [], FIGURES)
    ours = as_dict(extract(path.read_bytes()))
    assert ours["kind"] == "template2021" and ours["year"] == 2019
    assert set(ours["table2"]) == {spec.key for spec in tpl.TABLE2["template2021"]}


def _gb2312_hanzi() -> list[str]:
    """The common hanzi of GB 2312 (level 1, rows 16-54: 3,666 of its 3,755), in every CJK font."""
    return [bytes([high, low]).decode("gb2312") for high in range(0xB0, 0xD7) for low in range(0xA1, 0xFF)]


HANZI = _gb2312_hanzi()


@settings(max_examples=4, deadline=None)
@example(["政府信息公开工作年度报告"])  # every character the simulator's: the cut font
@given(st.lists(st.text(st.sampled_from(HANZI), min_size=4, max_size=12), min_size=1, max_size=3))
def test_every_character_printed_comes_back_from_the_pdf(lines):
    # The writer embeds the font cut to the simulator's characters when they are enough, else
    # the whole font: either way, every line printed reads back from the text layer as written.
    body = pdf_bytes(TITLE, lines, FIGURES)
    paragraphs = [block.text for block in pdf_blocks(body) if isinstance(block, Para)]
    for line in lines:
        assert line in paragraphs


def test_cutting_the_font_leaves_no_file_open():
    if not FONT.is_file():
        pytest.fail(f"{FONT} is absent: apt-get install fonts-wqy-zenhei (the world's PDF reports need it)")
    # An unclosed font file warns when the collector frees it, in whatever test runs then.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _cut_font.__wrapped__()
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
