"""A sample annual report's figures for the reader's tests, written as DOCX and PDF by the
world's writers (sim/annual/writer.py and pdf.py: the 2021 template's tables with merged cells, blanks,
`/`, table 三 split over two pages in the PDF)."""

from __future__ import annotations

from sim.annual.pdf import FONT, write_pdf  # noqa: F401 (the tests' writers)
from sim.annual.writer import write_docx  # noqa: F401

# A sample report's title, prose and figures: consistent (per column 一 + 二 = (七) + 四, (七) =
# the outcome rows, 总计 = the applicant columns), with blanks, a `/` and a decimal fee.
TITLE = "测试市某局2022年政府信息公开工作年度报告"
PROSE = ["2022年，我局主动公开政府信息321条，其中机构职能类信息21条，工作动态类信息300条。"]
FIGURES = {
    "table2.regulations.made": 0,
    "table2.regulations.repealed": "/",
    "table2.regulations.valid": 2,
    "table2.normative_docs.made": 3,
    "table2.normative_docs.repealed": 1,
    "table2.normative_docs.valid": 17,
    "table2.licensing_decisions": 1204,
    "table2.penalty_decisions": 56,
    "table2.fees_wan_yuan": 1.5,
    "table3.new_received.natural_person": 10,
    "table3.new_received.commercial": 2,
    "table3.new_received.total": 12,
    "table3.carried_over.natural_person": 1,
    "table3.carried_over.total": 1,
    "table3.granted.natural_person": 5,
    "table3.granted.total": 5,
    "table3.partial.commercial": 1,
    "table3.partial.total": 1,
    "table3.not_open_law.natural_person": 1,
    "table3.not_open_law.total": 1,
    "table3.cannot_provide_not_held.natural_person": 3,
    "table3.cannot_provide_not_held.commercial": 1,
    "table3.cannot_provide_not_held.total": 4,
    "table3.other_other.natural_person": 1,
    "table3.other_other.total": 1,
    "table3.total_processed.natural_person": 10,
    "table3.total_processed.commercial": 2,
    "table3.total_processed.total": 12,
    "table3.carried_forward.natural_person": 1,
    "table3.carried_forward.total": 1,
    "table4.review.maintain": 1,
    "table4.review.pending": 1,
    "table4.review.total": 2,
    "table4.litigation_direct.correct": 1,
    "table4.litigation_direct.total": 1,
}
