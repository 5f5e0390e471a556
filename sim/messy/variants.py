"""How the messy profile spells what a portal prints: publisher names outside the configured
aliases, padded and re-rooted classification values, and listing dates in other markups.

Every choice is a pure function of (document number, portal id) through `mix`, so pages and
the ground truth agree without storing anything."""

from __future__ import annotations

from datetime import date

from sim.catalog import UNIT_BY_ID
from sim.model import Doc, Portal, mix

#: Simplified -> traditional characters of the unit names (as Big5-era templates print them).
_TRADITIONAL = str.maketrans(
    {
        "龙": "龍",
        "岩": "巖",
        "罗": "羅",
        "区": "區",
        "县": "縣",
        "长": "長",
        "连": "連",
        "业": "業",
        "册": "冊",
        "费": "費",
        "权": "權",
        "护": "護",
        "标": "標",
        "广": "廣",
        "场": "場",
        "规": "規",
        "范": "範",
        "经": "經",
        "济": "濟",
        "检": "檢",
        "队": "隊",
        "办": "辦",
        "门": "門",
    }
)

#: Portals that print the publisher as their CMS holds it (the canonical name).
_CANONICAL_PUBLISHER = ("ly-aic-xxgk",)
#: One (document, portal) pair in this many prints a spelling outside the configured aliases.
PUBLISHER_RATE = 5


def traditional(name: str) -> str:
    """`name` in traditional characters (龙岩市工商行政管理局 -> 龍巖市工商行政管理局)."""
    return name.translate(_TRADITIONAL)


def publisher_variants(unit_id: str) -> tuple[str, ...]:
    """Spellings of a unit's name that no configured alias covers: an abbreviation without
    市/县/区, a 局机关 suffix, brackets full- and half-width, traditional characters, and for
    a department the name of its parent bureau."""
    unit = UNIT_BY_ID[unit_id]
    name = unit.name
    if unit_id == "ly-aic":
        return ("龙岩工商局", "龙岩市工商局局机关", traditional(name), "龙岩市工商行政管理局（局机关）")
    if unit.parent == "ly-aic" and unit.level == "city":
        dept = name.removeprefix("龙岩市工商行政管理局")
        return (f"龙岩市工商局({dept})", f"龙岩市工商行政管理局（{dept}）", traditional(name), "龙岩市工商行政管理局")
    if unit.level == "county":
        place = name.removesuffix("工商行政管理局")
        return (f"{place[:-1]}工商局", f"{place}工商局局机关", traditional(name), f"{place}工商行政管理局 ")
    return (name,)


def qualified_variants(unit_id: str) -> tuple[str, ...]:
    """A unit's full name as real pages print it, no configured alias covering it: with its
    province (and city) in front, and for a department its short name in brackets or after
    a space behind its bureau's name."""
    unit = UNIT_BY_ID[unit_id]
    name = unit.name
    if unit_id == "ly-aic":
        return (f"福建省{name}",)
    if unit.parent == "ly-aic" and unit.level == "city":
        short = unit.aliases[-1].removeprefix("龙岩市工商局")  # 消保科 where an alias has it
        return (f"龙岩市工商局 {short}", f"福建省龙岩市工商行政管理局（{short}）")
    if unit.level == "county":
        return (f"福建省龙岩市{name}", f"福建省{name}")
    return ()


def messy_publisher(doc: Doc, portal: Portal, default: str) -> str:
    """The publisher portal prints for `doc`: `default` (its name or a configured alias) on
    most pairs, a variant of `publisher_variants` on one pair in PUBLISHER_RATE and one of
    `qualified_variants` on another."""
    unit = UNIT_BY_ID.get(doc.unit_id or "")
    pick = mix(doc.n, portal.id + ":mpub") % PUBLISHER_RATE
    if unit is None or portal.id in _CANONICAL_PUBLISHER or pick > 1:
        return default
    variants = publisher_variants(unit.id) if pick == 0 else qualified_variants(unit.id)
    return variants[mix(doc.n, portal.id + ":mvar") % len(variants)] if variants else default


#: Portals that print a placeholder in the 文号 field of a document without one, and how often
#: (one document in N); and the placeholders, as real portals print them.
PLACEHOLDER_ONE_IN = {"ly-gov": 1, "ly-hongdun": 2}
PLACEHOLDERS = ("无文号", "暂无文号", "见附件", "0", "未编号", "（无）")
#: Portals that respell a 文号 on one detail page in N: other brackets around the year, 第
#: before the serial, leading zeros, full-width digits.
RESPELL_ONE_IN = {"fj-aic-ssp": 3, "ly-gov": 2}
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def messy_doc_no(doc: Doc, portal: Portal) -> str:
    """The 文号 field of `doc`'s detail page on `portal`: a placeholder where it has none, a
    respelling of it, or as the default prints it ('' for none)."""
    if not doc.doc_no:
        every = PLACEHOLDER_ONE_IN.get(portal.id)
        if every and mix(doc.n, portal.id + ":docno") % every == 0:
            return PLACEHOLDERS[(mix(doc.n, portal.id + ":placeholder") >> 8) % len(PLACEHOLDERS)]
        return ""
    every = RESPELL_ONE_IN.get(portal.id)
    if not every or mix(doc.n, portal.id + ":docno") % every:
        return doc.doc_no
    issuer, rest = doc.doc_no.split("〔", 1)
    year, serial = rest.removesuffix("号").split("〕", 1)
    pick = mix(doc.n, portal.id + ":respell") >> 8  # the low bits of crc32 follow the selection's
    opening, closing = ("[", "]", "（", "）", "【", "】")[pick % 3 * 2 : pick % 3 * 2 + 2]
    text = f"{issuer}{opening}{year}{closing}{'第' if pick // 3 % 2 else '0'}{serial}号"
    return text.translate(_FULL_WIDTH) if pick // 6 % 5 == 0 else text


#: The topic tree of the 红盾网: its own names for the catalog's topics.
HONGDUN_TOPICS = {
    "组织机构": "机构职能",
    "规范性文件": "政策法规",
    "规划计划": "计划规划",
    "统计信息": "统计数据",
    "工商动态及其他": "工作动态",
    "行政许可": "行政审批",
    "行政执法": "执法监督",
    "人事信息": "人事任免",
    "财务信息": "财政资金",
}
#: The province platform prints topics two levels deep under these roots (as www.gov.cn does).
SSP_TOPIC_ROOT = {"组织机构": "综合政务", "规范性文件": "综合政务", "统计信息": "国民经济管理、国有资产监管"}
_PADS = (" {} ", "{}\u3000", "\u00a0{}", "\u3000{}\u3000", "{}")


def messy_class(doc: Doc, portal: Portal, scheme: str, value: str) -> str:
    """A classification value as the portal prints it: padded with spaces, full-width spaces
    or no-break spaces (&nbsp;), 其它 for 其他, and on the province platform and the 红盾网 a
    topic of another tree."""
    if not value:
        return value
    if scheme == "topic" and portal.id == "ly-hongdun":
        value = HONGDUN_TOPICS.get(value, value)
    elif scheme == "topic" and portal.id == "fj-aic-ssp":
        value = f"{SSP_TOPIC_ROOT.get(value, '工商管理')}\\{value.replace('及其他', '')}"
    pick = mix(doc.n, f"{portal.id}:{scheme}:pad")
    if pick % 2 == 0:
        value = value.replace("其他", "其它")
    return _PADS[pick // 2 % len(_PADS)].format(value)


def list_date(portal: Portal, doc: Doc, shown: date, default: str) -> str:
    """The date text of a listing row where the messy profile changes it: `发布时间：… hh:mm`
    on the 永定 site, the written date on the city government site."""
    if portal.id == "ly-yd-aic-site":
        minute = mix(doc.n, "mtime") % 540
        return f"发布时间：{shown.isoformat()} {8 + minute // 60:02d}:{minute % 60:02d}"
    if portal.id == WRITTEN_DATE_PORTAL:
        return doc.written.isoformat()
    return default


#: The portal that prints the written date (成文日期) where others print the published one.
WRITTEN_DATE_PORTAL = "ly-gov"
