"""Annual reports on government information disclosure (政府信息公开工作年度报告), read.

Bytes in (HTML, DOCX, PDF with a text layer, or text flattened from any of them), figures
out, each with where it was read; what a report does not state is not stated, never a
guess or a 0. Three kinds: pre-2019 prose, the 2019 template (国办公开办函〔2019〕60号) and the
2021 template (〔2021〕30号), the template recognised from its tables. The report's own sums
are checked and its inconsistencies reported. Modules, one concern each: `cells` (a printed
value), `hanzi` (traditional characters), `grid` (merged cells), the sources (`html_source`,
`docx_source`, `pdf_source`, `text_source`), `rows` and `tables` with `templates` (the
template's tables), `sentences`, `levels`, `categories` and `prose` (the prose), `meta`
(unit and year), `checks` (the report's arithmetic), `extract` (the whole), `output` (JSON).
"""

from connectors.annual_report.errors import ReportError
from connectors.annual_report.extract import extract
from connectors.annual_report.model import Figure, Report
from connectors.annual_report.output import as_dict

__all__ = ["Figure", "Report", "ReportError", "as_dict", "extract"]
