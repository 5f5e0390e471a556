"""A report's unit and year, from its title or first lines.

Titles put the unit before the year (湖里区人民政府2018年政府信息公开工作年度报告) or after it
(2019年上海市人民政府办公厅政府信息公开工作年度报告); a report without its title names its
period (统计期限自2023年1月1日) or speaks of its year throughout. A name the text does not give
stays None.
"""

from __future__ import annotations

import re
from collections import Counter

from connectors.annual_report.cells import clean
from connectors.annual_report.hanzi import simplified

_TITLE_AFTER = re.compile(r"(\d{4})\s*年度?([^,。,\d《》()()]{2,30}?)政府信息公开(?:工作)?(?:年度)?(?:报告|年报)")
_TITLE_BEFORE = re.compile(
    r"([^,。,\d《》()()\s::]{2,30}?)(\d{4})\s*年度?(?:政府信息公开(?:工作)?)?(?:年度)?(?:报告|年报)"
)
_YEAR_ONLY = re.compile(r"(\d{4})\s*年度?(?:政府信息公开(?:工作)?)?(?:年度)?(?:报告|年报)|统计期限[^。]{0,4}?(\d{4})年")
_LEADING = re.compile(r"^(?:现公布|特编制|特向社会公开|现将|公布|发布|编制|根据|关于|本报告是)+")
_YEARS = re.compile(r"((?:19|20)\d\d)\s*年")


def unit_and_year(lines: list[str]) -> tuple[str | None, int | None]:
    """(unit, year) from the text's lines in reading order."""
    head = [clean(line) for line in lines[:60] if line.strip()]
    for line in sorted(head, key=lambda line: len(line) > 50):
        plain = simplified(line)
        found = _TITLE_AFTER.search(plain)
        if found and "报告" in plain[found.end() - 4 :]:
            return _unit(line[found.start(2) : found.end(2)]), int(found[1])
        found = _TITLE_BEFORE.search(plain)
        if found:
            return _unit(line[found.start(1) : found.end(1)]), int(found[2])
    for line in head:
        found = _YEAR_ONLY.search(simplified(line))
        if found:
            return None, int(found[1] or found[2])
    years = Counter(int(y) for line in head for y in _YEARS.findall(line))
    return None, (years.most_common(1)[0][0] if years else None)


def _unit(text: str) -> str | None:
    name = _LEADING.sub("", re.sub(r"^[\s:]+|[\s:]+$", "", text)).strip()
    if (
        len(name) < 2
        or name.endswith(("的", "年"))
        or "信息公开" in simplified(name)
        or name.startswith(("关于", "做好"))
    ):
        return None
    return name
