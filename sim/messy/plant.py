"""The documents the messy profile adds to the Longyan world, each a trap for the matching:
generic titles one unit publishes several times within days, generic titles of different
documents on different portals (neither printing an index number), a document re-indexed where
it is republished, two documents whose index numbers share a prefix, and a document of the
city bureau beside one of 龙岩市工商业联合会 with the same title on the same day.

They are appended after the generated documents (numbers B, B+1, …), with index serials
from 09001 up so they never collide with the generated ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sim.catalog import UNIT_BY_ID
from sim.model import Doc

_CITY = ("fj-aic-ssp", "ly-aic-xxgk", "ly-hongdun")


@dataclass(frozen=True)
class Plant:
    """One planted document: its unit, title, published day, 文号, genre and portals."""

    unit_id: str
    title: str
    published: date
    doc_no: str | None
    genre: str | None
    portals: tuple[str, ...]
    trap: str  # which trap it belongs to (docs/sim.md, the messy profile)


def _county(unit_id: str) -> tuple[str, ...]:
    return ("fj-aic-ssp", "ly-aic-xxgk", f"{unit_id}-site")


PENALTY = "行政处罚决定书"
BULLETIN = "工作动态"
ANNUAL = "政府信息公开工作年度报告"
SURVEY = "关于开展2012年全市非公有制经济发展情况调查的通知"
CHECK = "关于开展2012年度企业年度检验工作的通知"

PLANTS: tuple[Plant, ...] = (
    # generic titles: one unit, one title, the same or nearby days, different 文号 or none
    Plant("ly-aic-jjjc", PENALTY, date(2012, 6, 12), "龙工商检处字〔2012〕41号", None, _CITY, "generic"),
    Plant("ly-aic-jjjc", PENALTY, date(2012, 6, 12), "龙工商检处字〔2012〕42号", None, _CITY, "generic"),
    Plant("ly-aic-jjjc", PENALTY, date(2012, 6, 13), "龙工商检处字〔2012〕47号", None, _CITY, "generic"),
    Plant("ly-aic-jjjc", PENALTY, date(2012, 6, 15), None, None, _CITY, "generic"),
    Plant("ly-xl-aic", BULLETIN, date(2012, 5, 8), None, "其他", _county("ly-xl-aic"), "generic"),
    Plant("ly-xl-aic", BULLETIN, date(2012, 5, 8), None, "其他", _county("ly-xl-aic"), "generic"),
    Plant("ly-xl-aic", BULLETIN, date(2012, 5, 10), None, "其他", _county("ly-xl-aic"), "generic"),
    Plant("ly-aic", ANNUAL, date(2012, 3, 28), None, "报告", (*_CITY, "ly-gov"), "generic"),
    Plant("ly-aic", ANNUAL, date(2012, 3, 30), None, "报告", _CITY, "generic"),
    Plant("ly-ct-aic", ANNUAL, date(2012, 3, 30), None, "报告", _county("ly-ct-aic"), "generic"),
    Plant("ly-sh-aic", ANNUAL, date(2012, 3, 30), None, "报告", _county("ly-sh-aic"), "generic"),
    # generic titles shared by different documents of one unit a day apart, each on one portal
    # that prints no index number: 漳平's listing-only site and the city government site
    Plant("ly-zp-aic", BULLETIN, date(2012, 9, 3), None, "其他", ("ly-zp-aic-site",), "generic-shared"),
    Plant("ly-zp-aic", BULLETIN, date(2012, 9, 4), None, "其他", ("ly-gov",), "generic-shared"),
    Plant("ly-zp-aic", PENALTY, date(2012, 10, 15), None, None, ("ly-zp-aic-site",), "generic-shared"),
    Plant("ly-zp-aic", PENALTY, date(2012, 10, 16), None, None, ("ly-gov",), "generic-shared"),
    # re-indexed: the city government site republishes it under an index number of its own
    Plant(
        "ly-aic",
        "龙岩市工商行政管理局关于进一步规范企业名称登记管理的通知",
        date(2012, 8, 20),
        "龙工商〔2012〕88号",
        "通知",
        (*_CITY, "ly-gov"),
        "reindexed",
    ),
    # two documents, one index number the prefix of the other's
    Plant("ly-aic-qyzc", CHECK, date(2012, 2, 20), "龙工商注〔2012〕5号", "通知", _CITY, "index-prefix"),
    Plant("ly-aic-qyzc", f"{CHECK}附件：年检材料清单", date(2012, 2, 20), None, "其他", _CITY, "index-prefix"),
    # the prefix trap: same title, same day, two units whose names start alike
    Plant("ly-aic", SURVEY, date(2012, 7, 16), "龙工商〔2012〕61号", "通知", (*_CITY, "ly-gov"), "prefix-unit"),
    Plant("ly-gsl", SURVEY, date(2012, 7, 16), "龙工商联〔2012〕9号", "通知", ("ly-gov",), "prefix-unit"),
)
#: The index number the city government site prints for the re-indexed document.
REINDEXED_ON_GOV = "00315400-1/2012-03112"


def index_numbers(plants: tuple[Plant, ...] = PLANTS) -> list[str]:
    """Each planted document's index number: serials from 09001 per organisation and year;
    the second document of the index-prefix pair takes the first's number plus `-1`."""
    serials: dict[str, int] = {}
    out: list[str] = []
    for i, p in enumerate(plants):
        if p.trap == "index-prefix" and i and plants[i - 1].trap == "index-prefix":
            out.append(out[-1] + "-1")
            continue
        org = UNIT_BY_ID[p.unit_id].org_code
        serials[org] = serials.get(org, 9000) + 1
        out.append(f"{org}/{p.published.year}-{serials[org]:05d}")
    return out


def planted_docs(first: int) -> list[Doc]:
    """The planted documents numbered from `first` (all 主动公开, never withdrawn)."""
    docs = []
    for i, (p, index_no) in enumerate(zip(PLANTS, index_numbers(), strict=True)):
        unit = UNIT_BY_ID[p.unit_id]
        n = first + i
        docs.append(
            Doc(
                g=n,
                n=n,
                unit_id=unit.id if unit.configured else None,
                publisher=unit.name,
                level=unit.level if unit.configured else None,
                published=p.published,
                written=p.published,
                index_no=index_no,
                title=p.title,
                doc_no=p.doc_no,
                topic="工商动态及其他",
                function="政务公开及其他综合",
                audience="服务其他群体",
                genre=p.genre,
                disclosure="主动公开",
                content="text",
                withdrawn_on=None,
                portals=p.portals,
            )
        )
    return docs


def trap_of(doc: Doc, first: int) -> str | None:
    """The trap a document belongs to (None for a generated one)."""
    return PLANTS[doc.n - first].trap if first <= doc.n < first + len(PLANTS) else None
