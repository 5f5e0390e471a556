"""The simulated Fujian AIC disclosure catalog as it stood around 2012 (deterministic).

`build_world(seed, scale)` generates every document of the unit tree (the province bureau,
the Longyan city bureau with its departments and seven county bureaus, the Xiamen bureau,
and a few Longyan departments outside any configured system) and decides on which portals
each one is listed. The generator allocates documents so that the 2012 figures of the
Longyan report hold by construction (see `SEED_FIGURES` and docs/sim.md).

Only the scale-1 world is materialised. At scale N every document has N copies
(k = 0 .. N-1) derived on demand (`World.doc(g)` with g = k * B + n), so scale 100 costs
no more memory than scale 1. Listings repeat each base row N times (one per copy); the
pinned 置顶 row of the 红盾网 is copy 0 only, so that site does not list the guide's copies.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

WORLD_START = date(2008, 5, 1)
WORLD_END = date(2013, 3, 31)
#: The date the server shows when no `as_of` is given: after the 2013 report deadline rush,
#: before the first planted withdrawal, so one full harvest sees every document held in 2012.
DEFAULT_AS_OF = date(2013, 1, 31)
REPORT_YEAR = 2012

#: Figures of the Longyan 2012 report (system ly-aic, year 2012) the truth must give.
SEED_FIGURES = {
    "held": {"all": 2887, "city": 885, "county": 2002},
    "official_held": {"all": 2733, "city": 756, "county": 1977},
    "new": {"all": 725, "city": 235, "county": 490},
}

OFFICIAL_GENRES = ("决议", "决定", "命令", "令", "公报", "公告", "通告", "意见", "通知", "通报",
                   "报告", "请示", "批复", "议案", "函", "纪要")
OTHER_GENRES = ("其他", "规定", "办法", "总结", "计划", "简报")
TOPICS = ("组织机构", "规范性文件", "规划计划", "统计信息", "工商动态及其他", "行政许可",
          "行政执法", "人事信息", "财务信息")
FUNCTIONS = ("内资企业注册", "外资企业注册", "消费维权", "商标广告监管", "市场规范管理",
             "经济检查", "个体私营经济监管", "政务公开及其他综合")
AUDIENCES = ("服务企业", "服务消费者", "服务其他群体")

# The city level's new documents of 2012, per scheme (None = no value on any portal).
CITY_NEW_TOPICS = {"组织机构": 24, "规范性文件": 26, "规划计划": 23, "统计信息": 26,
                   "工商动态及其他": 88, "行政许可": 17, "行政执法": 14, "人事信息": 6,
                   "财务信息": 5, None: 6}
CITY_NEW_FUNCTIONS = {"内资企业注册": 31, "消费维权": 30, "商标广告监管": 27,
                      "政务公开及其他综合": 69, "外资企业注册": 11, "市场规范管理": 21,
                      "经济检查": 19, "个体私营经济监管": 17, None: 10}
CITY_NEW_AUDIENCES = {"服务企业": 46, "服务消费者": 39, "服务其他群体": 141, None: 9}

# Which department of the city bureau publishes a document of a given business function.
FUNCTION_DEPARTMENT = {
    "内资企业注册": "ly-aic-qyzc", "外资企业注册": "ly-aic-qyzc", "消费维权": "ly-aic-xfwq",
    "商标广告监管": "ly-aic-sbgg", "市场规范管理": "ly-aic-scgf",
    "个体私营经济监管": "ly-aic-scgf", "经济检查": "ly-aic-jjjc",
}

SUBJECTS = {
    "内资企业注册": ["企业年度检验", "内资企业登记注册", "企业名称预先核准", "农民专业合作社登记",
                 "企业登记管理", "股权出质登记", "企业信用分类监管", "注册资本登记"],
    "外资企业注册": ["外商投资企业年度检验", "外资企业登记管理", "外商投资合伙企业登记",
                 "台资企业登记服务"],
    "消费维权": ["“3·15”国际消费者权益日活动", "12315消费者申诉举报受理", "消费维权网络建设",
             "流通环节商品质量监测", "消费者权益保护", "农村消费维权站点建设"],
    "商标广告监管": ["驰名商标认定推荐", "户外广告登记", "商标专用权保护", "虚假违法广告整治",
               "地理标志商标培育", "广告经营单位年检"],
    "市场规范管理": ["合同格式条款监管", "商品交易市场规范", "经纪人管理", "合同帮农",
               "拍卖活动监管", "市场名称规范"],
    "经济检查": ["打击传销规范直销", "无照经营查处", "“红盾护农”行动", "打击侵犯知识产权和制售假冒伪劣商品",
             "商业贿赂专项治理", "网络商品交易监管"],
    "个体私营经济监管": ["个体工商户登记", "私营企业发展服务", "个私协会建设", "小微企业扶持"],
    "政务公开及其他综合": ["政府信息公开", "机关效能建设", "党风廉政建设", "文明单位创建",
                   "安全生产", "干部教育培训", "档案管理", "财务预算管理", "信访工作"],
}

_GBK_ONLY_NAMES = ("长汀县镕达商贸有限公司", "长汀县金镕建材有限公司")


@dataclass(frozen=True)
class Unit:
    """An issuing unit (发布机构). `configured` units are written into the xxgk config."""

    id: str
    name: str
    level: str
    region: str
    parent: str | None
    aliases: tuple[str, ...]
    org_code: str  # the 组织机构代码 that starts its index numbers
    doc_prefix: str  # the 文号 prefix, e.g. 龙工商
    configured: bool = True


@dataclass(frozen=True)
class Portal:
    """One served site. `style` picks its page templates (sim.render)."""

    id: str
    name: str
    level: str
    region: str
    platform: str
    unit: str | None
    style: str
    base: str  # directory (trs), column id (hanweb) or API path (ssp)
    ext: str = "html"
    encoding: str = "utf-8"
    per_page: int = 20
    id_base: int = 100000  # offset of the portal's own document ids


@dataclass(frozen=True, slots=True)
class Doc:
    """One document as its origin publishes it (the ground truth)."""

    g: int  # global number: k * B + n
    n: int  # number of the scale-1 document it derives from
    unit_id: str | None
    publisher: str  # canonical publisher name
    level: str | None
    published: date
    written: date
    index_no: str
    title: str
    doc_no: str | None
    topic: str | None
    function: str | None
    audience: str | None
    genre: str | None
    disclosure: str
    content: str  # "text" | "attachment" | "both"
    withdrawn_on: date | None
    portals: tuple[str, ...]
    ssp_shift: int = 0  # days the province platform's date is later than the origin's

    @property
    def has_full_text(self) -> bool:
        """True: every generated document has a body, an attachment or both."""
        return self.content in ("text", "attachment", "both")


def _unit(id_, name, level, region, parent, aliases, org, prefix, configured=True) -> Unit:
    return Unit(id_, name, level, region, parent, tuple(aliases), org, prefix, configured)


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
LONGYAN_SYSTEM = tuple(u.id for u in UNITS if u.id == "ly-aic" or u.parent == "ly-aic")
CITY_UNITS = tuple(u for u in LONGYAN_SYSTEM if UNIT_BY_ID[u].level == "city")
COUNTY_UNITS = tuple(u for u in LONGYAN_SYSTEM if UNIT_BY_ID[u].level == "county")

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

#: How many listing rows a portal's item may take: the duplicate row lives at this id offset.
DUPLICATE_ID_OFFSET = 50_000_000


@dataclass(frozen=True, slots=True)
class Row:
    """One base listing row of a portal: the document, its shown date, and whether it is the
    second (duplicate) listing of that document on the portal."""

    shown: date
    n: int
    duplicate: bool = False


class World:
    """The generated documents and their listings, with scale-N copies derived on demand."""

    def __init__(self, docs: list[Doc], rows: dict[str, list[Row]], pinned: dict[str, int],
                 seed: int, scale: int):
        self.base_docs = docs
        self.base_rows = rows  # per portal, newest first, pinned row excluded
        self.pinned = pinned  # portal id -> n of the document pinned at the top of page 0
        self.seed = seed
        self.scale = scale
        self.units = UNITS
        self.portals = PORTALS

    @property
    def base_count(self) -> int:
        """B, the number of scale-1 documents."""
        return len(self.base_docs)

    def doc(self, g: int) -> Doc:
        """Document g (copy k = g // B of base document n = g % B)."""
        k, n = divmod(g, self.base_count)
        base = self.base_docs[n]
        if k == 0:
            return base
        if k >= self.scale:
            raise KeyError(g)
        return _copy(base, g, k)

    def docs(self) -> Iterator[Doc]:
        """Every document of the world at its scale."""
        for k in range(self.scale):
            for base in self.base_docs:
                yield base if k == 0 else _copy(base, k * self.base_count + base.n, k)

    def lists(self, portal_id: str, doc: Doc) -> bool:
        """Whether the portal lists the document at all (on some day)."""
        if portal_id not in doc.portals:
            return False
        return doc.g == doc.n or self.pinned.get(portal_id) != doc.n

    def visible(self, doc: Doc, shown: date, as_of: date) -> bool:
        """Whether a listing of `doc` dated `shown` is on its portal on day `as_of`."""
        return shown <= as_of and (doc.withdrawn_on is None or doc.withdrawn_on > as_of)

    def listing(self, portal_id: str, as_of: date) -> Listing:
        """The rows portal `portal_id` lists on day `as_of` (newest first)."""
        docs = self.base_docs
        rows = [r for r in self.base_rows[portal_id] if self.visible(docs[r.n], r.shown, as_of)]
        pinned = None
        pn = self.pinned.get(portal_id)
        if pn is not None and self.visible(docs[pn], docs[pn].published, as_of):
            pinned = Row(docs[pn].published, pn)
        return Listing(self, rows, pinned)


class Listing:
    """The expanded listing of one portal on one day: row i of the scale-N list is copy
    i % N of base row i // N, after the pinned row (if any)."""

    def __init__(self, world: World, rows: list[Row], pinned: Row | None):
        self.world = world
        self.rows = rows
        self.pinned = pinned

    def __len__(self) -> int:
        return len(self.rows) * self.world.scale + (1 if self.pinned else 0)

    def natural_count(self) -> int:
        """Rows without the pinned one."""
        return len(self.rows) * self.world.scale

    def natural(self, start: int, stop: int) -> list[tuple[Row, int]]:
        """(row, g) for natural rows start..stop-1."""
        scale, b = self.world.scale, self.world.base_count
        stop = min(stop, self.natural_count())
        out = []
        for i in range(max(start, 0), stop):
            row = self.rows[i // scale]
            out.append((row, (i % scale) * b + row.n))
        return out


def _copy(base: Doc, g: int, k: int) -> Doc:
    """Copy k of a base document: same dates and classes, its own numbers and title."""
    head, serial = base.index_no.rsplit("-", 1)
    doc_no = base.doc_no
    if doc_no:
        number = doc_no[doc_no.rindex("〕") + 1:-1]
        doc_no = f"{doc_no[:doc_no.rindex('〕') + 1]}{int(number) + 1000 * k}号"
    return Doc(g, base.n, base.unit_id, base.publisher, base.level, base.published, base.written,
               f"{head}-{int(serial) + 1000 * k:05d}", f"{base.title}（{k + 1}）", doc_no,
               base.topic, base.function, base.audience, base.genre, base.disclosure,
               base.content, base.withdrawn_on, base.portals, base.ssp_shift)


def mix(n: int, salt: str) -> int:
    """A cheap deterministic pseudo-random number of (n, salt) for per-portal spellings."""
    return zlib.crc32(f"{salt}:{n}".encode())


# ---------------------------------------------------------------------------------------
# Generation


@dataclass
class _Spec:
    """A document before its numbers are assigned."""

    unit_id: str
    published: date
    official: bool
    genre_missing: bool = False
    doc_no_anyway: bool = False  # a non-official genre that still carries a 文号
    topic: str | None = None
    function: str | None = None
    audience: str | None = None
    disclosure: str = "主动公开"
    withdrawn_on: date | None = None
    title: str | None = None
    extra_portals: tuple[str, ...] = ()
    ssp_shift: int = 0
    written: date | None = None


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _spread(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to weights (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _pick_flags(rng: random.Random, count: int, official: int, genre_missing_official: int,
                genre_missing_other: int, other_with_doc_no: int) -> list[tuple[bool, bool, bool]]:
    """(official, genre_missing, doc_no_anyway) for `count` documents, shuffled.

    Official by genre, official by 文号 alone (genre missing), non-official with a genre,
    non-official without genre nor 文号, and non-official genres that still carry a 文号:
    every branch of the counting rule occurs."""
    flags = [(True, True, False)] * genre_missing_official
    flags += [(True, False, False)] * (official - genre_missing_official)
    flags += [(False, True, False)] * genre_missing_other
    flags += [(False, False, True)] * other_with_doc_no
    flags += [(False, False, False)] * (count - len(flags))
    rng.shuffle(flags)
    return flags


def _random_classes(rng: random.Random) -> tuple[str | None, str | None, str | None]:
    """Topic, function and audience of a document outside the report's breakdown."""
    topic = None if rng.random() < 0.04 else rng.choice(TOPICS)
    function = None if rng.random() < 0.03 else rng.choice(FUNCTIONS)
    audience = None if rng.random() < 0.04 else rng.choice(AUDIENCES)
    return topic, function, audience


def _city_unit_for(rng: random.Random, function: str | None) -> str:
    """The city department that publishes a document of this function."""
    if function in FUNCTION_DEPARTMENT:
        return FUNCTION_DEPARTMENT[function]
    return rng.choice(("ly-aic", "ly-aic", "ly-aic-bgs"))


def _city_specs(rng: random.Random) -> list[_Spec]:
    """City level (the bureau and its departments): 885 held at the end of 2012 (756
    official), 235 of them new in 2012 with the report's category counts."""
    specs: list[_Spec] = []

    def column(counts: dict) -> list:
        values = [v for v, c in counts.items() for _ in range(c)]
        rng.shuffle(values)
        return values

    topics, functions, audiences = (column(CITY_NEW_TOPICS), column(CITY_NEW_FUNCTIONS),
                                    column(CITY_NEW_AUDIENCES))
    flags = _pick_flags(rng, 235, 200, 12, 7, 5)
    for t, f, a, (off, gm, dn) in zip(topics, functions, audiences, flags, strict=True):
        specs.append(_Spec(_city_unit_for(rng, f), _random_date(rng, date(2012, 1, 1),
                           date(2012, 12, 30)), off, gm, dn, t, f, a))
    # Published on 2012-12-31 at its origin, a day later on the province platform.
    last = next(s for s in specs if s.unit_id == "ly-aic")
    last.published, last.ssp_shift = date(2012, 12, 31), 1

    flags = _pick_flags(rng, 650, 556, 30, 10, 8)
    for off, gm, dn in flags:
        t, f, a = _random_classes(rng)
        specs.append(_Spec(_city_unit_for(rng, f), _random_date(rng, WORLD_START,
                           date(2011, 12, 31)), off, gm, dn, t, f, a))
    return specs


def _county_specs(rng: random.Random) -> list[_Spec]:
    """County level: 2002 held at the end of 2012 (1977 official), 490 new in 2012."""
    weights = [0.22, 0.14, 0.14, 0.15, 0.12, 0.11, 0.12]
    specs: list[_Spec] = []
    for total, official, gm_off, gm_other, start, end in (
        (490, 484, 20, 2, date(2012, 1, 1), date(2012, 12, 31)),
        (1512, 1493, 40, 4, WORLD_START, date(2011, 12, 31)),
    ):
        flags = _pick_flags(rng, total, official, gm_off, gm_other, 3)
        units = [u for u, c in zip(COUNTY_UNITS, _spread(total, weights), strict=True)
                 for _ in range(c)]
        for unit_id, (off, gm, dn) in zip(units, flags, strict=True):
            t, f, a = _random_classes(rng)
            specs.append(_Spec(unit_id, _random_date(rng, start, end), off, gm, dn, t, f, a))
    return specs


def _unheld_specs(rng: random.Random) -> list[_Spec]:
    """Longyan documents that must not count for 2012: published in 2013, 依申请公开, and
    withdrawn during 2012."""
    specs: list[_Spec] = []
    for units, count in ((CITY_UNITS, 45), (COUNTY_UNITS, 95)):
        for _ in range(count):
            t, f, a = _random_classes(rng)
            specs.append(_Spec(rng.choice(units), _random_date(rng, date(2013, 1, 1), WORLD_END),
                               rng.random() < 0.9, topic=t, function=f, audience=a))
    # Written in 2012, published in 2013: it is new in 2013, not 2012.
    late = specs[0]
    late.unit_id, late.published, late.written = "ly-aic", date(2013, 1, 5), date(2012, 12, 28)
    for units, count in ((("ly-aic",), 4), (COUNTY_UNITS, 7)):
        for _ in range(count):
            t, f, a = _random_classes(rng)
            specs.append(_Spec(rng.choice(units), _random_date(rng, date(2009, 1, 1),
                               date(2012, 11, 30)), False, topic=t, function=f, audience=a,
                               disclosure="依申请公开"))
    for units, count in ((CITY_UNITS, 2), (COUNTY_UNITS, 3)):
        for _ in range(count):
            t, f, a = _random_classes(rng)
            specs.append(_Spec(rng.choice(units), _random_date(rng, date(2010, 1, 1),
                               date(2011, 12, 31)), True, topic=t, function=f, audience=a,
                               withdrawn_on=_random_date(rng, date(2012, 4, 1),
                                                         date(2012, 11, 30))))
    return specs


def _other_specs(rng: random.Random) -> list[_Spec]:
    """The province and Xiamen bureaus (province platform only) and Longyan bodies outside
    every configured system (city government site only)."""
    specs: list[_Spec] = []
    for unit_id, count in (("fj-aic", 320), ("xm-aic", 410), ("ly-czj", 60), ("ly-jyj", 60),
                           ("ly-gsl", 25)):
        for _ in range(count):
            t, f, a = _random_classes(rng)
            specs.append(_Spec(unit_id, _random_date(rng, WORLD_START, WORLD_END),
                               rng.random() < 0.85, topic=t, function=f, audience=a))
    return specs


def _plant_titles(rng: random.Random, specs: list[_Spec]) -> None:
    """Same titles that must not merge: several county bureaus publishing one title within
    three days of each other, and one unit publishing one title twice months apart."""
    by_unit: dict[str, list[_Spec]] = {}
    for s in specs:
        if s.disclosure == "主动公开" and s.withdrawn_on is None and s.published.year == 2012:
            by_unit.setdefault(s.unit_id, []).append(s)
    shared = (("关于开展2012年“红盾护农”专项执法行动的通知", date(2012, 3, 12)),
              ("关于做好2012年春节期间市场监管工作的通知", date(2012, 1, 9)))
    for title, day in shared:
        for i, unit_id in enumerate(COUNTY_UNITS[:4]):
            s = next(x for x in by_unit[unit_id] if x.title is None and x.official
                     and not x.genre_missing)
            s.title, s.published = title, day + timedelta(days=i % 3)
    for unit_id, title, days in (
        ("ly-xl-aic", "关于开展打击传销专项整治工作的通知", (date(2012, 4, 10), date(2012, 10, 22))),
        ("ly-aic-jjjc", "龙岩市工商局经济检查支队关于开展打击无照经营专项行动的通知",
         (date(2012, 3, 6), date(2012, 9, 18))),
    ):
        pool = [x for x in by_unit[unit_id] if x.title is None and x.official
                and not x.genre_missing]
        for s, day in zip(pool[:2], days, strict=True):
            s.title, s.published = title, day


def _genre_for(rng: random.Random, spec: _Spec) -> str | None:
    if spec.genre_missing:
        return None
    if spec.official:
        return rng.choices(("通知", "意见", "通报", "公告", "决定", "报告", "批复", "函", "纪要"),
                           (60, 8, 10, 6, 4, 4, 3, 3, 2))[0]
    return rng.choice(OTHER_GENRES)


def _make_title(rng: random.Random, unit: Unit, spec: _Spec, genre: str | None) -> str:
    """A plausible catalog title for the document's function and genre."""
    area = spec.function or rng.choice(FUNCTIONS)
    subject = rng.choice(SUBJECTS[area])
    year = spec.published.year
    if unit.level == "county":
        prefix = rng.choice(("", "", unit.aliases[0]))
    else:
        prefix = unit.aliases[0] if unit.aliases else unit.name
    if unit.id == "ly-ct-aic" and rng.random() < 0.15:
        subject = f"{rng.choice(_GBK_ONLY_NAMES)}{rng.choice(('登记', '年检', '商标注册'))}"
    word = genre if genre in OFFICIAL_GENRES else ("通知" if spec.official else None)
    if word == "批复":
        return f"{prefix}关于同意{subject}有关事项的批复"
    if word == "纪要":
        return f"{prefix}{year}年{subject}工作会议纪要"
    if word == "报告":
        return f"{prefix}关于{year}年{subject}工作情况的报告"
    if word:
        verb = rng.choice(("开展", "做好", "加强", "进一步规范", "印发", "转发省局"))
        tail = rng.choice(("工作", "实施方案", "工作要点", "专项行动")) if verb in (
            "印发", "转发省局") else rng.choice(("工作", "", "管理"))
        when = rng.choice((f"{year}年", f"{year}年度", ""))
        return f"{prefix}关于{verb}{when}{subject}{tail}的{word}"
    month = spec.published.month
    return rng.choice((
        f"{prefix}{year}年{month}月{subject}工作动态",
        f"{prefix}{year}年{subject}工作总结",
        f"{prefix}{subject}工作简报（第{rng.randint(1, 30)}期）",
        f"{year}年{month}月全市市场主体发展情况统计" if unit.level == "city"
        else f"{prefix}{year}年{month}月市场主体登记情况",
    ))


def _assign(rng: random.Random, specs: list[_Spec]) -> list[Doc]:
    """Numbers, titles and portals for every spec, in a stable order."""
    specs.sort(key=lambda s: (s.published, s.unit_id))
    for s in specs:
        if s.written is None:
            s.written = s.published - timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 8, 12)))
    serials: dict[tuple[str, int], int] = {}
    doc_numbers: dict[tuple[str, int], int] = {}
    titles = {(s.unit_id, s.title) for s in specs if s.title}
    docs: list[Doc] = []
    for n, s in enumerate(sorted(specs, key=lambda s: (s.written, s.published, s.unit_id))):
        unit = UNIT_BY_ID[s.unit_id]
        genre = _genre_for(rng, s)
        key = (unit.org_code, s.written.year)
        serials[key] = serials.get(key, 0) + 1
        index_no = f"{unit.org_code}/{s.written.year}-{serials[key]:05d}"
        doc_no = None
        if (s.official and (s.genre_missing or rng.random() < 0.85)) or s.doc_no_anyway:
            dkey = (unit.doc_prefix, s.written.year)
            doc_numbers[dkey] = doc_numbers.get(dkey, 0) + rng.randint(1, 3)
            doc_no = f"{unit.doc_prefix}〔{s.written.year}〕{doc_numbers[dkey]}号"
        title = s.title or _unique_title(rng, unit, s, genre, titles)
        titles.add((unit.id, title))
        docs.append(Doc(
            g=n, n=n, unit_id=unit.id if unit.configured else None, publisher=unit.name,
            level=unit.level if unit.configured else None, published=s.published,
            written=s.written, index_no=index_no, title=title, doc_no=doc_no, topic=s.topic,
            function=s.function, audience=s.audience, genre=genre, disclosure=s.disclosure,
            content=rng.choices(("text", "attachment", "both"), (70, 10, 20))[0],
            withdrawn_on=s.withdrawn_on, portals=_portals_for(rng, unit, s),
            ssp_shift=s.ssp_shift,
        ))
    return docs


def _unique_title(rng: random.Random, unit: Unit, spec: _Spec, genre: str | None,
                  taken: set[tuple[str, str]]) -> str:
    """A title no other document of the unit has (planted twins are set beforehand)."""
    title = _make_title(rng, unit, spec, genre)
    for _attempt in range(1, 50):
        if (unit.id, title) not in taken:
            break
        title = _make_title(rng, unit, spec, genre)
    else:
        title = f"{title}（{spec.published:%m%d}）"
    return title


def _portals_for(rng: random.Random, unit: Unit, spec: _Spec) -> tuple[str, ...]:
    """Where a document is listed: every Longyan document on the province platform, the
    city platform and its own unit's site (依申请公开 entries only on the two platforms);
    a third of the city level also on the city government site."""
    if not unit.configured:
        return ("ly-gov",)
    if unit.id in ("fj-aic", "xm-aic"):
        return ("fj-aic-ssp",)
    portals = ["fj-aic-ssp", "ly-aic-xxgk"]
    if spec.disclosure == "主动公开":
        portals.append("ly-hongdun" if unit.level == "city" else f"{unit.id}-site")
        if unit.level == "city" and rng.random() < 0.33:
            portals.append("ly-gov")
    return tuple(portals)


def _withdraw_after_year(rng: random.Random, docs: list[Doc]) -> list[Doc]:
    """A few held documents withdrawn in February and March 2013 (after DEFAULT_AS_OF)."""
    held = [d for d in docs if d.unit_id in LONGYAN_SYSTEM and d.disclosure == "主动公开"
            and d.withdrawn_on is None and d.published.year < 2012 and d.ssp_shift == 0]
    chosen = rng.sample(held, 7)
    days = sorted(_random_date(rng, date(2013, 2, 5), date(2013, 3, 25)) for _ in chosen)
    changed = {d.n: replace(d, withdrawn_on=day) for d, day in zip(chosen, days, strict=True)}
    return [changed.get(d.n, d) for d in docs]


def _rows(docs: list[Doc]) -> tuple[dict[str, list[Row]], dict[str, int]]:
    """Per-portal listings (newest first), the pinned guide and one doubly listed item."""
    rows: dict[str, list[Row]] = {p.id: [] for p in PORTALS}
    for d in docs:
        for pid in d.portals:
            shown = d.published + timedelta(days=d.ssp_shift if pid == "fj-aic-ssp" else 0)
            rows[pid].append(Row(shown, d.n))
    # The city bureau's disclosure guide is pinned (置顶) at the top of the 红盾网 list.
    guide = _guide(docs)
    rows["ly-hongdun"] = [r for r in rows["ly-hongdun"] if r.n != guide.n]
    # One 2012 county document is listed twice on the city platform (two columns).
    twice = next(d for d in docs if d.unit_id == "ly-sh-aic" and d.published.year == 2012
                 and d.withdrawn_on is None)
    rows["ly-aic-xxgk"].append(Row(twice.published, twice.n, duplicate=True))
    for pid in rows:
        rows[pid].sort(key=lambda r: (r.shown, r.n, r.duplicate), reverse=True)
    return rows, {"ly-hongdun": guide.n}


def build_world(seed: int = 2012, scale: int = 1) -> World:
    """The deterministic world for `seed`, with every document copied `scale` times."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    rng = random.Random(seed)
    specs = _city_specs(rng) + _county_specs(rng) + _unheld_specs(rng) + _other_specs(rng)
    _plant_titles(rng, specs)
    docs = _withdraw_after_year(rng, _assign(rng, specs))
    docs = _with_guide_title(docs)
    rows, pinned = _rows(docs)
    return World(docs, rows, pinned, seed, scale)


def _guide(docs: list[Doc]) -> Doc:
    """The oldest non-official, never withdrawn city-bureau document listed on the 红盾网."""
    return min((d for d in docs if d.unit_id == "ly-aic" and "ly-hongdun" in d.portals
                and d.withdrawn_on is None and d.genre in OTHER_GENRES and d.doc_no is None),
               key=lambda d: (d.published, d.n))


def _with_guide_title(docs: list[Doc]) -> list[Doc]:
    """The guide's title: changing it leaves every count as it was."""
    guide = _guide(docs)
    docs[guide.n] = replace(guide, title="龙岩市工商行政管理局政府信息公开指南")
    return docs
