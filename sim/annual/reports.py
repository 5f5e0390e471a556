"""The Longyan units' annual reports on disclosure for 2012 (政府信息公开工作年度报告), published
as catalog documents in January 2013 with a DOCX and a PDF attachment.

The city bureau reports for its whole system (the city level and the seven county bureaus)
in the words of the real 2012 report (section 二: held, 公文类, full text, new, and the city
level's new items by category with their shares); each county bureau reports for itself.
Every figure is the world's ground truth for that unit's system in 2012 (sim.figures), as
the report states it. The reports also carry the 2021 national template's tables 二, 三 and
四, so a reader meets their cells: blank where the unit states nothing, `/` for rules (a
bureau makes none), 0 for applications (none in 2012), reviews and litigation, and table 三
split over two pages in the PDF.

One report is planted with an inconsistency of its own (`INCONSISTENT_UNIT`): its shares are
worked out over its held items instead of its new ones, so the shares it states are not what
its own counts give.

The documents are appended after every other document of the world (numbers B, B+1, …),
without a random draw, with index serials from 08001 per organisation, so the rest of the
world is unchanged; their `content` is "report".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sim.catalog import COUNTY_UNITS, UNIT_BY_ID
from sim.model import Doc

#: The year the reports are about, and the days they are published (one a day from the 15th).
YEAR = 2012
FIRST_DAY = date(2013, 1, 15)
#: The units that publish a report, the city bureau first.
REPORTING_UNITS = ("ly-aic", *COUNTY_UNITS)
#: The report whose own share does not follow from its own counts (planted).
INCONSISTENT_UNIT = "ly-sh-aic"
_SERIAL = 8000
_CITY_PORTALS = ("fj-aic-ssp", "ly-aic-xxgk", "ly-hongdun")


@dataclass(frozen=True)
class ReportDoc:
    """What a report document is about: its unit, and the year it reports."""

    unit_id: str
    year: int


def title_of(unit_id: str, year: int = YEAR) -> str:
    return f"{UNIT_BY_ID[unit_id].name}{year}年度政府信息公开工作年度报告"


def _portals(unit_id: str) -> tuple[str, ...]:
    return _CITY_PORTALS if unit_id == "ly-aic" else ("fj-aic-ssp", "ly-aic-xxgk", f"{unit_id}-site")


def report_docs(first: int) -> list[Doc]:
    """The report documents, numbered from `first`."""
    docs = []
    for i, unit_id in enumerate(REPORTING_UNITS):
        unit = UNIT_BY_ID[unit_id]
        day = date(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day + i)
        docs.append(
            Doc(
                g=first + i,
                n=first + i,
                unit_id=unit.id,
                publisher=unit.name,
                level=unit.level,
                published=day,
                written=day,
                index_no=f"{unit.org_code}/{day.year}-{_SERIAL + 1 + i:05d}",
                title=title_of(unit_id),
                doc_no=None,
                topic="工商动态及其他",
                function="政务公开及其他综合",
                audience="服务其他群体",
                genre="报告",
                disclosure="主动公开",
                content="report",
                withdrawn_on=None,
                portals=_portals(unit_id),
            )
        )
    return docs


def report_of(doc: Doc) -> ReportDoc | None:
    """The report a document is (its copies at scale N are reports too), else None."""
    if doc.content != "report" or doc.unit_id is None:
        return None
    return ReportDoc(doc.unit_id, doc.published.year - 1)
