"""The Guangdong world's catalog: its units (粤海市, a county, a district, the State Council's
office), the portals that publish them (gkmlpt, gov.cn, TRS, the Hanweb 信息公开 search), the
gkmlpt category trees, the shape of a document and where each portal puts its detail page.
The documents themselves are made in sim.guangdong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sim.model import Portal, Unit

AS_OF = date(2013, 1, 31)
#: gkmlpt category tree of the city: (id, name, children, jump_url); documents sit in the
#: leaf named by their column, and category 20 lists its children's documents as well.
CITY_TREE = (
    (10, "机构职能", (), None),
    (20, "政策文件", ((21, "市政府文件"), (22, "部门文件")), None),
    (30, "规划计划", (), None),
    (40, "统计信息", (), None),  # empty
    (50, "人事信息", (), None),  # its post_count says more than it serves
    (60, "政务服务", (), "http://www.gdzwfw.gov.cn/"),  # a link elsewhere, no posts
    (70, "规范性文件", (), None),
    (80, "政府信息公开年报", (), None),
)
COUNTY_TREE = (
    (110, "通知公告", (), None),
    (120, "政策文件", (), None),
    (130, "规范性文件", (), None),
    (140, "政府信息公开年报", (), None),
)
#: How many more articles category 50 claims than it serves.
STALE_POSTS = 2
THEMES = ("综合政务", "城乡建设、环境保护", "国民经济管理、国有资产监管", "财政、金融、审计")
GOVCN_SUB = {
    "综合政务": "政务公开",
    "城乡建设、环境保护": "城市规划",
    "国民经济管理、国有资产监管": "经济运行",
    "财政、金融、审计": "财政",
}
GENRES = ("通知", "意见", "办法", "其他", "", "通知", "公告", "报告")


def _u(id_, name, level, parent, org, prefix, aliases=(), configured=True) -> Unit:
    return Unit(
        id_, name, level, "445100" if level != "county" else "445121", parent, tuple(aliases), org, prefix, configured
    )


UNITS: tuple[Unit, ...] = (
    _u("gd-yh", "粤海市人民政府", "city", None, "00700001-X", "粤海府", ["粤海市政府"]),
    _u("gd-yh-bgs", "粤海市人民政府办公室", "city", "gd-yh", "00700002-8", "粤海府办", ["粤海市政府办公室"]),
    _u("gd-yh-fgj", "粤海市发展和改革局", "city", "gd-yh", "00700015-1", "粤海发改"),
    _u("gd-dj", "东江县人民政府", "county", "gd-yh", "00700201-5", "东府"),
    _u("gd-xl", "粤海市西岭区人民政府", "county", "gd-yh", "00700301-1", "西府", ["西岭区人民政府"]),
    _u("gwy-bgt", "国务院办公厅", "province", None, "000014349", "国办发", configured=False),
)
UNIT_BY_ID = {u.id: u for u in UNITS}

PORTALS: tuple[Portal, ...] = (
    Portal(
        "gd-yh-gkmlpt",
        "粤海市人民政府门户网站",
        "city",
        "445100",
        "gkmlpt",
        "gd-yh",
        "gkmlpt",
        "city",
        per_page=10,
        id_base=3100000,
    ),
    Portal(
        "gd-dj-gkmlpt",
        "东江县人民政府网站",
        "county",
        "445121",
        "gkmlpt",
        "gd-dj",
        "gkmlpt",
        "county",
        per_page=15,
        id_base=3200000,
    ),
    Portal(
        "gd-xl-xxgk",
        "西岭区政府信息公开",
        "county",
        "445121",
        "hanweb-xxgk",
        "gd-xl",
        "hanweb_xxgk",
        "A0202",
        per_page=10,
        id_base=4100000,
    ),
    Portal(
        "govcn-central",
        "中国政府网政策文件库",
        "province",
        "100000",
        "govcn",
        None,
        "govcn",
        "/search-gov/data",
        per_page=20,
        id_base=5000000,
    ),
    Portal(
        "gd-yh-fgj-site",
        "粤海市发展和改革局网站",
        "city",
        "445100",
        "trs",
        "gd-yh-fgj",
        "county_table",
        "/zwgk/gkml/",
        per_page=10,
        id_base=3300000,
    ),
)
PORTAL_BY_ID = {p.id: p for p in PORTALS}


@dataclass(frozen=True)
class GdDoc:
    """One document as its origin publishes it."""

    n: int
    unit_id: str
    published: date
    written: date
    index_no: str
    title: str
    doc_no: str | None
    topic: str
    genre: str | None
    column: int  # gkmlpt category (leaf) or 0 off gkmlpt
    abolished: bool
    portals: tuple[str, ...]
    report: bool = False  # an annual report on disclosure (sim.gd_annual)

    @property
    def level(self) -> str:
        return UNIT_BY_ID[self.unit_id].level


def doc_number(portal_id: str, doc: GdDoc) -> int:
    """The portal's own id of a document."""
    return PORTAL_BY_ID[portal_id].id_base + doc.n


def detail_path(portal_id: str, doc: GdDoc) -> str:
    """The path of a document's detail page on a portal (the pages link it, the truth's
    sightings name it)."""
    portal, d, ident = PORTAL_BY_ID[portal_id], doc.published, doc_number(portal_id, doc)
    if portal.platform == "gkmlpt":
        return f"/gkmlpt/content/{ident // 1000000}/{ident // 1000}/post_{ident}.html"
    if portal.platform == "trs":
        return f"{portal.base}{d.year}{d.month:02d}/t{d.year}{d.month:02d}{d.day:02d}_{ident}.html"
    if portal.platform == "hanweb-xxgk":
        return f"/art/{d.year}/{d.month}/{d.day}/art_2741_{ident}.html"
    if doc.unit_id == "gwy-bgt":
        return f"/zhengce/content/{d.year}-{d.month:02d}/{d.day:02d}/content_{ident}.htm"
    return f"/zhengce/zhengceku/{d.year}{d.month:02d}/content_{ident}.htm"
