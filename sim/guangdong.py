"""The Guangdong world: a made-up city (粤海市) publishing through gkmlpt, a county on gkmlpt
too, a district on the Hanweb 信息公开 search, a gov.cn-style central portal that
re-publishes some of the city's documents beside the State Council's own, and the city's
发展和改革局 re-publishing its own documents on a TRS site.

Small (about 150 documents) and built without randomness: every document, its categories and
the portals that list it follow from its number, so the ground truth and the figures are
written down by construction. After the generated documents come a few 行政规范性文件 and the
units' annual reports on disclosure for 2012 (`appended`; what a report says: sim.gd_annual).
`build()` is what `sim.registry.build_world("guangdong")` returns; the server, the config
writer and the truth export use the same attributes as the Longyan world (`portals`,
`units`, `truth_rows`, `config_title`).
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from sim.gd_catalog import AS_OF, GENRES, PORTALS, THEMES, UNIT_BY_ID, UNITS, GdDoc, detail_path

_SUBJECTS = (
    "加强安全生产工作",
    "推进政务公开",
    "城市更新单元规划",
    "促进民营经济发展",
    "财政预算执行情况",
    "优化营商环境",
    "乡村振兴示范带建设",
    "河长制工作",
    "重点项目建设计划",
    "公共资源交易管理",
)


def _doc(n: int, unit_id: str, published: date, column: int, serial: int) -> GdDoc:
    unit = UNIT_BY_ID[unit_id]
    genre = GENRES[n % len(GENRES)] or None
    doc_no = f"{unit.doc_prefix}〔{published.year}〕{serial}号" if n % 3 else None
    written = published - timedelta(days=n % 6)
    title = f"{unit.name}关于{_SUBJECTS[n % len(_SUBJECTS)]}的{genre or '文件'}（{n}）"
    portals = {"city": ("gd-yh-gkmlpt",), "county": ("gd-dj-gkmlpt",)}.get(unit.level, ())
    if unit_id == "gd-xl":
        portals = ("gd-xl-xxgk",)
    if unit_id == "gd-yh-fgj":
        portals = (*portals, "gd-yh-fgj-site")  # the department's own TRS site too
    if unit.level == "city" and n % 7 == 0:
        portals = (*portals, "govcn-central")  # re-published by the central portal
    if unit_id == "gwy-bgt":
        portals = ("govcn-central",)
    return GdDoc(
        n,
        unit_id,
        published,
        written,
        f"{unit.org_code}/{written.year}-{serial:05d}",
        title,
        doc_no,
        THEMES[n % len(THEMES)],
        genre,
        column,
        n % 11 == 5,
        portals,
    )


def _city_column(n: int) -> int:
    return (10, 21, 22, 21, 22, 30, 50, 22)[n % 8] if n % 23 else 30


def generate() -> list[GdDoc]:
    """Every document, in a fixed order (n = position)."""
    docs: list[GdDoc] = []
    start = date(2011, 3, 1)
    city = ("gd-yh", "gd-yh-bgs", "gd-yh-fgj")
    for i in range(64):  # city: 2011-03 .. 2013-01, every 11 days
        day = start + timedelta(days=11 * i)
        docs.append(_doc(len(docs), city[i % 3], day, _city_column(len(docs)), i + 1))
    for i in range(34):  # 东江县 on the county gkmlpt
        day = date(2011, 6, 2) + timedelta(days=17 * i)
        docs.append(_doc(len(docs), "gd-dj", day, 110 if i % 3 else 120, i + 1))
    for i in range(27):  # 西岭区 on the Hanweb search
        docs.append(_doc(len(docs), "gd-xl", date(2011, 5, 9) + timedelta(days=23 * i), 0, i + 1))
    for i in range(12):  # the State Council's own, only on the central portal
        docs.append(_doc(len(docs), "gwy-bgt", date(2012, 1, 16) + timedelta(days=31 * i), 0, i + 70))
    return docs + appended(len(docs))


#: The 行政规范性文件 appended: (unit, published, subject, abolished). The city's of 2012-09-26
#: is marked 废止, so it is made in 2012 but not valid at the year's end.
NORMATIVE = (
    ("gd-yh", date(2011, 8, 10), "公共资源交易", False),
    ("gd-yh", date(2012, 4, 18), "城市更新单元规划", False),
    ("gd-yh", date(2012, 9, 26), "河长制工作考核", True),
    ("gd-dj", date(2012, 6, 6), "乡村振兴示范带建设", False),
)
#: The units that publish their 2012 annual report, one a day from 2013-01-15.
REPORTING_UNITS = ("gd-yh", "gd-yh-bgs", "gd-yh-fgj", "gd-dj", "gd-xl")
REPORT_YEAR = 2012
_OWN_PORTALS = {
    "gd-yh": ("gd-yh-gkmlpt",),
    "gd-yh-bgs": ("gd-yh-gkmlpt",),
    "gd-yh-fgj": ("gd-yh-gkmlpt", "gd-yh-fgj-site"),
    "gd-dj": ("gd-dj-gkmlpt",),
    "gd-xl": ("gd-xl-xxgk",),
}


def appended(first: int) -> list[GdDoc]:
    """The normative documents (genre 行政规范性文件, in the 规范性文件 category) and the annual
    reports (genre 报告, in the 政府信息公开年报 category), numbered from `first`; index serials
    from 901 per unit and year, so no generated document's changes."""
    docs: list[GdDoc] = []
    for k, (unit_id, day, subject, abolished) in enumerate(NORMATIVE):
        unit = UNIT_BY_ID[unit_id]
        column = 70 if unit.level == "city" else 130
        title = f"{unit.name}关于印发{subject}管理办法的通知"
        doc_no = f"{unit.doc_prefix}规〔{day.year}〕{k + 1}号"
        index_no = f"{unit.org_code}/{day.year}-{901 + k:05d}"
        docs.append(
            GdDoc(
                first + k,
                unit_id,
                day,
                day,
                index_no,
                title,
                doc_no,
                THEMES[0],
                "行政规范性文件",
                column,
                abolished,
                _OWN_PORTALS[unit_id][:1],
            )
        )
    for k, unit_id in enumerate(REPORTING_UNITS):
        unit, day = UNIT_BY_ID[unit_id], date(REPORT_YEAR + 1, 1, 15 + k)
        column = {"city": 80, "county": 140}[unit.level] if unit_id != "gd-xl" else 0
        title = f"{unit.name}{REPORT_YEAR}年政府信息公开工作年度报告"
        index_no = f"{unit.org_code}/{day.year}-{921 + k:05d}"
        n = first + len(docs)
        docs.append(
            GdDoc(
                n,
                unit_id,
                day,
                day,
                index_no,
                title,
                None,
                THEMES[0],
                "报告",
                column,
                False,
                _OWN_PORTALS[unit_id],
                report=True,
            )
        )
    return docs


class GuangdongWorld:
    """The documents, who lists them, and the ground truth."""

    name = "guangdong"
    config_title = "The simulated Guangdong world on loopback, written by `sim --world guangdong`."
    default_as_of = AS_OF

    def __init__(self) -> None:
        self.docs = generate()
        self.units = UNITS
        self.portals = PORTALS
        self.scale = 1
        self.base_count = len(self.docs)

    def portal_hosts(self, portal_urls: dict[str, str]) -> dict[str, list[str]]:
        """The hosts besides its entry URL's a portal sends the harvester to (config `hosts`)."""
        url = portal_urls.get("gd-yh-gkmlpt")
        return {"gd-yh-gkmlpt": [urlsplit(url).netloc.replace("127.0.0.1", "localhost")]} if url else {}

    def listed(self, portal_id: str, as_of: date) -> list[GdDoc]:
        """The documents a portal lists on `as_of`, newest first."""
        docs = [d for d in self.docs if portal_id in d.portals and d.published <= as_of]
        return sorted(docs, key=lambda d: (d.published, d.n), reverse=True)

    def truth_rows(self, origins: dict[str, str] | None = None):
        """One dict per document, in the columns of `sim.truth` (sightings: portal and path)."""
        for d in self.docs:
            unit = UNIT_BY_ID[d.unit_id]
            yield {
                "doc_id": f"gd-{d.n:07d}",
                "unit_id": d.unit_id if unit.configured else None,
                "level": d.level if unit.configured else None,
                "index_no": d.index_no,
                "title": d.title,
                "doc_no": d.doc_no,
                "publisher": unit.name,
                "published_date": d.published.isoformat(),
                "written_date": d.written.isoformat(),
                "topic": d.topic,
                "function": None,
                "audience": None,
                "genre": d.genre,
                "disclosure": "主动公开",
                "has_full_text": True,
                "withdrawn_on": None,
                "validity": "废止" if d.abolished else "有效",
                "sightings": [
                    {
                        "portal_id": p,
                        "url": (origins or {}).get(p, "") + detail_path(p, d),
                        "title": d.title,
                        "index_no": d.index_no,
                        "publisher": unit.name,
                        "published": d.published.isoformat(),
                        "listed_date": d.published.isoformat(),
                    }
                    for p in d.portals
                ],
            }


def build(seed: int = 2012, scale: int = 1, until: date | None = None, small: bool = False) -> GuangdongWorld:
    """The Guangdong world: one size, made without randomness (the options of the Longyan
    world are refused rather than ignored)."""
    if (seed, scale, until, small) != (2012, 1, None, False):
        raise ValueError("the guangdong world has no seed, scale, until, profile or small version")
    return GuangdongWorld()
