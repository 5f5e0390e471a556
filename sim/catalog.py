"""The units and portals of the world: who publishes, and which sites list what."""

from __future__ import annotations

from sim.model import Portal, Unit


def _unit(id_, name, level, region, parent, aliases, org, prefix, configured=True) -> Unit:
    return Unit(id_, name, level, region, parent, tuple(aliases), org, prefix, configured)


#: Every issuing unit; the configured ones are written into the xxgk config.
UNITS: tuple[Unit, ...] = (
    _unit("fj-aic", "福建省工商行政管理局", "province", "350000", None, ["福建省工商局"],
          "00315001-6", "闽工商"),
    _unit("ly-aic", "龙岩市工商行政管理局", "city", "350800", "fj-aic",
          ["龙岩市工商局", "龙岩市工商行政管理局局机关"], "00315478-X", "龙工商"),
    _unit("ly-aic-bgs", "龙岩市工商行政管理局办公室", "city", "350800", "ly-aic",
          ["龙岩市工商局办公室"], "00315478-X", "龙工商办"),
    _unit("ly-aic-qyzc", "龙岩市工商行政管理局企业注册科", "city", "350800", "ly-aic",
          ["龙岩市工商局企业注册科"], "00315478-X", "龙工商注"),
    _unit("ly-aic-xfwq", "龙岩市工商行政管理局消费者权益保护科", "city", "350800", "ly-aic",
          ["龙岩市工商局消费者权益保护科", "龙岩市工商局消保科"], "00315478-X", "龙工商消"),
    _unit("ly-aic-sbgg", "龙岩市工商行政管理局商标广告监督管理科", "city", "350800", "ly-aic",
          ["龙岩市工商局商标广告监督管理科", "龙岩市工商局商广科"], "00315478-X", "龙工商标"),
    _unit("ly-aic-scgf", "龙岩市工商行政管理局市场规范管理科", "city", "350800", "ly-aic",
          ["龙岩市工商局市场规范管理科"], "00315478-X", "龙工商市"),
    _unit("ly-aic-jjjc", "龙岩市工商行政管理局经济检查支队", "city", "350800", "ly-aic",
          ["龙岩市工商局经济检查支队", "龙岩市工商局经检支队"], "00315478-X", "龙工商检"),
    _unit("ly-xl-aic", "新罗区工商行政管理局", "county", "350802", "ly-aic",
          ["新罗区工商局", "龙岩市新罗区工商行政管理局"], "15530012-4", "龙新工商"),
    _unit("ly-yd-aic", "永定县工商行政管理局", "county", "350822", "ly-aic",
          ["永定县工商局", "龙岩市永定县工商行政管理局"], "15530207-1", "永工商"),
    _unit("ly-ct-aic", "长汀县工商行政管理局", "county", "350821", "ly-aic",
          ["长汀县工商局"], "15530315-9", "汀工商"),
    _unit("ly-sh-aic", "上杭县工商行政管理局", "county", "350823", "ly-aic",
          ["上杭县工商局"], "15530421-2", "杭工商"),
    _unit("ly-wp-aic", "武平县工商行政管理局", "county", "350824", "ly-aic",
          ["武平县工商局"], "15530536-5", "武工商"),
    _unit("ly-lc-aic", "连城县工商行政管理局", "county", "350825", "ly-aic",
          ["连城县工商局"], "15530648-0", "连工商"),
    _unit("ly-zp-aic", "漳平市工商行政管理局", "county", "350881", "ly-aic",
          ["漳平市工商局"], "15530754-7", "漳工商"),
    _unit("xm-aic", "厦门市工商行政管理局", "city", "350200", "fj-aic", ["厦门市工商局"],
          "00304112-3", "厦工商"),
    # Longyan bodies outside every configured system (listed on the city government site).
    _unit("ly-czj", "龙岩市财政局", "city", "350800", None, [], "00315411-2", "龙财",
          configured=False),
    _unit("ly-jyj", "龙岩市教育局", "city", "350800", None, [], "00315420-1", "龙教",
          configured=False),
    _unit("ly-gsl", "龙岩市工商业联合会", "city", "350800", None, [], "50615477-3", "龙工商联",
          configured=False),
)
UNIT_BY_ID = {u.id: u for u in UNITS}
#: The units of system ly-aic (the report's 全市工商系统): the city bureau, its departments
#: and the seven county bureaus.
LONGYAN_SYSTEM = tuple(u.id for u in UNITS if u.id == "ly-aic" or u.parent == "ly-aic")
CITY_UNITS = tuple(u for u in LONGYAN_SYSTEM if UNIT_BY_ID[u].level == "city")
COUNTY_UNITS = tuple(u for u in LONGYAN_SYSTEM if UNIT_BY_ID[u].level == "county")

#: Every served portal, in the order `--port P` gives them ports P, P+1, ...
PORTALS: tuple[Portal, ...] = (
    Portal("fj-aic-ssp", "福建省工商系统政府信息公开大平台", "province", "350000", "ssp",
           "fj-aic", "ssp", "/ssp/search/api/apiSearch", "htm", per_page=50, id_base=2100000),
    Portal("ly-aic-xxgk", "龙岩市工商系统信息公开平台", "city", "350800", "trs", "ly-aic",
           "xxgk_table", "/xxgk/xxgkml/", id_base=310000),
    Portal("ly-hongdun", "龙岩红盾网", "city", "350800", "trs", "ly-aic", "hongdun_li",
           "/zwgk/xxgk/", id_base=52000),
    Portal("ly-gov", "龙岩市人民政府网站", "city", "350800", "trs", None, "gov_gl_list",
           "/gk/zcwjk/", "htm", per_page=15, id_base=1830000),
    Portal("ly-xl-aic-site", "新罗区工商行政管理局网站", "county", "350802", "trs", "ly-xl-aic",
           "county_zdgkc", "/xxgk/gkml/", id_base=41000),
    Portal("ly-yd-aic-site", "永定县工商行政管理局网站", "county", "350822", "trs", "ly-yd-aic",
           "county_li", "/zwgk/xxgkml/", id_base=27000),
    Portal("ly-ct-aic-site", "长汀县工商行政管理局网站", "county", "350821", "trs", "ly-ct-aic",
           "county_gl_gbk", "/xxgk/", "htm", encoding="gbk", id_base=15000),
    Portal("ly-zp-aic-site", "漳平市工商行政管理局网站", "county", "350881", "trs", "ly-zp-aic",
           "county_table", "/zwgk/gkml/", id_base=33000),
    Portal("ly-sh-aic-site", "上杭县工商行政管理局网站", "county", "350823", "hanweb",
           "ly-sh-aic", "hanweb_span", "4521", per_page=15, id_base=612000),
    Portal("ly-wp-aic-site", "武平县工商行政管理局网站", "county", "350824", "hanweb",
           "ly-wp-aic", "hanweb_b", "3307", per_page=15, id_base=408000),
    Portal("ly-lc-aic-site", "连城县工商行政管理局网站", "county", "350825", "hanweb",
           "ly-lc-aic", "hanweb_span", "5190", per_page=15, id_base=287000),
)
PORTAL_BY_ID = {p.id: p for p in PORTALS}
