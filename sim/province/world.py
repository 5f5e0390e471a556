"""A province of many portals (海西省, made up): the province government and its departments,
its cities with their departments, and their counties with theirs, each unit publishing its
own catalog on its own site, and the platforms that re-publish what their level holds.

`build_province(n, seed)` makes exactly `n` portals (n ≥ 3): the province platform (the
Fujian SSP search API, listing every province-level document), one city platform
per city (a TRS Handan table listing the city's and its counties' documents), and one site
per unit for the rest, spread over the three families (TRS in its seven styles, Hanweb in
its two, and a few SSP sites). Unit catalogs follow the sizes met in the wild: most hold a
handful of items, some a few dozen, a few hundreds. Every document is listed on its own
unit's site and on the platform above it, so a naive count of listing rows is about twice
the documents held.

The world has the attributes the Longyan world's server, config writer and page classes
read (`units`, `portals`, `listing`, `doc`, `lists`, `visible`, `base_count`, `scale`), so
the family `Site`s of sim.pages serve it unchanged. It is deterministic for (n, seed).
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from sim.model import Doc, Portal, Row, Unit
from sim.vocab import AUDIENCES, FUNCTIONS, OFFICIAL_GENRES, OTHER_GENRES, SUBJECTS, TOPICS
from sim.world import Listing

AS_OF = date(2013, 1, 31)
FIRST_DAY = date(2010, 1, 1)
REPORT_YEAR = 2012
#: Portals per city (its platform, its departments' sites, its counties' sites …).
PORTALS_PER_CITY = 250
#: Unit-site styles in the proportions they are drawn (family, style, base, ext, encoding, per page).
SITE_STYLES = (
    ("trs", "county_zdgkc", "/xxgk/gkml/", "html", "utf-8", 20, 6),
    ("trs", "county_li", "/zwgk/xxgkml/", "html", "utf-8", 20, 4),
    ("trs", "county_gl_gbk", "/xxgk/", "htm", "gbk", 20, 3),
    ("trs", "county_table", "/zwgk/gkml/", "html", "utf-8", 20, 4),
    ("trs", "gov_gl_list", "/gk/zcwjk/", "htm", "utf-8", 15, 3),
    ("trs", "hongdun_li", "/zwgk/xxgk/", "html", "utf-8", 20, 2),
    ("hanweb", "hanweb_span", "", "html", "utf-8", 15, 5),
    ("hanweb", "hanweb_b", "", "html", "utf-8", 15, 3),
    ("ssp", "ssp", "/ssp/search/api/apiSearch", "htm", "utf-8", 50, 1),
)
#: Catalog sizes of unit sites: (weight, fewest, most documents).
SIZES = ((80, 1, 3), (17, 4, 15), (3, 16, 100))
DEPARTMENTS = ("发展和改革委员会", "财政局", "教育局", "民政局", "人力资源和社会保障局", "自然资源局",
               "生态环境局", "住房和城乡建设局", "交通运输局", "农业农村局", "水利局", "商务局",
               "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局")  # fmt: skip
ID_BASE = 100000


@dataclass(frozen=True)
class Figures:
    """What a correct pipeline counts for one level and year: documents held at the year's
    end and documents new in the year."""

    held: int
    new: int


class ProvinceWorld:
    """The generated units, portals and documents of one province (see the module text)."""

    name = "province"
    scale = 1
    default_as_of = AS_OF
    config_title = "A simulated province of many portals on loopback, written by `sim --portals`."

    def __init__(self, units: list[Unit], portals: list[Portal], docs: list[Doc], seed: int):
        self.units = tuple(units)
        self.portals = tuple(portals)
        self.base_docs = docs
        self.seed = seed
        self.pinned: dict[str, int] = {}
        rows: dict[str, list[Row]] = {p.id: [] for p in portals}
        for doc in docs:  # newest first: docs are generated in date order, reversed here
            for portal_id in doc.portals:
                rows[portal_id].append(Row(doc.published, doc.n))
        self.base_rows = {pid: sorted(r, key=lambda row: (row.shown, row.n), reverse=True) for pid, r in rows.items()}

    @property
    def base_count(self) -> int:
        return len(self.base_docs)

    def doc(self, g: int) -> Doc:
        if not 0 <= g < len(self.base_docs):
            raise KeyError(g)
        return self.base_docs[g]

    def lists(self, portal_id: str, doc: Doc) -> bool:
        return portal_id in doc.portals

    def visible(self, doc: Doc, shown: date, as_of: date) -> bool:
        return shown <= as_of and (doc.withdrawn_on is None or doc.withdrawn_on > as_of)

    def listing(self, portal_id: str, as_of: date) -> Listing:
        docs = self.base_docs
        return Listing(self, [r for r in self.base_rows[portal_id] if self.visible(docs[r.n], r.shown, as_of)], None)

    def figures(self, year: int = REPORT_YEAR, as_of: date = AS_OF) -> dict[str, Figures]:
        """The ground truth per level (`province`, `city`, `county`, and `all`): documents
        held at the end of `year` (published by then, not withdrawn by then, and visible by
        `as_of`) and new in `year`."""
        end = date(year, 12, 31)
        held: dict[str, int] = {"province": 0, "city": 0, "county": 0}
        new = dict.fromkeys(held, 0)
        for doc in self.base_docs:
            if doc.published > min(end, as_of) or (doc.withdrawn_on is not None and doc.withdrawn_on <= end):
                continue
            held[doc.level] += 1
            new[doc.level] += doc.published.year == year
        out = {level: Figures(held[level], new[level]) for level in held}
        out["all"] = Figures(sum(held.values()), sum(new.values()))
        return out

    def documents_on(self, as_of: date = AS_OF) -> int:
        """Documents some portal lists on `as_of`: what one full harvest that day finds."""
        return sum(self.visible(doc, doc.published, as_of) for doc in self.base_docs)

    def listing_rows(self, as_of: date = AS_OF) -> int:
        """Listing rows every portal serves on `as_of` (a naive count of the province)."""
        return sum(len(self.listing(p.id, as_of)) for p in self.portals)


def export_truth(world: ProvinceWorld, path: str | Path, as_of: date) -> Path:
    """Write the province's ground truth as JSON: the figures per level of the report year
    and the documents one full harvest finds on `as_of`."""
    figures = {level: asdict(f) for level, f in world.figures().items()}
    truth = {"year": REPORT_YEAR, "levels": figures, "documents_listed": world.documents_on(as_of)}
    path = Path(path)
    path.write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return path


def _units(n: int, rng: random.Random) -> tuple[list[Unit], list[tuple[Unit, str]]]:
    """The unit tree for `n` portals, and (unit, kind) for each unit site to make."""
    cities = max(1, round(n / PORTALS_PER_CITY))
    sites = n - 1 - cities  # minus the province platform and the city platforms
    prov = Unit("hx", "海西省人民政府", "province", "990000", None, ("海西省政府",), "99000001-0", "海政")
    units, out = [prov], []
    counter = iter(range(2, 10**7))

    def unit(name: str, level: str, region: str, parent: str, uid: str, short: str) -> Unit:
        u = Unit(uid, name, level, region, parent, (short,), f"{99000000 + next(counter):08d}-{rng.randrange(10)}", "")
        units.append(u)
        return u

    province_depts = max(1, sites // 20)
    for i in range(province_depts):
        d = DEPARTMENTS[i % len(DEPARTMENTS)] + ("" if i < len(DEPARTMENTS) else f"第{i // len(DEPARTMENTS) + 1}分局")
        out.append((unit(f"海西省{d}", "province", "990000", "hx", f"hx-d{i}", f"省{d}"), "site"))
    city_units = []
    for c in range(cities):
        region = f"99{c + 1:02d}00"
        city_units.append(unit(f"海西省第{c + 1}市人民政府", "city", region, "hx", f"hx-c{c}", f"第{c + 1}市政府"))
    remaining = sites - province_depts
    for i in range(remaining):  # 40% city departments, 60% county units, round-robin over cities
        c = i % cities
        city = city_units[c]
        if i % 5 < 2:
            d = DEPARTMENTS[(i // cities) % len(DEPARTMENTS)]
            u = unit(f"第{c + 1}市{d}（{i}）", "city", city.region, city.id, f"hx-c{c}-d{i}", f"第{c + 1}市{d}{i}")
        else:
            u = unit(f"第{c + 1}市第{i}县人民政府", "county", f"{city.region[:4]}{i % 100:02d}", city.id,
                     f"hx-c{c}-x{i}", f"第{i}县政府")  # fmt: skip
        out.append((u, "site"))
    return units, out


def _portal(uid: str, unit: Unit, number: int, rng: random.Random) -> Portal:
    """A unit's own site in a style drawn by weight."""
    platform, style, base, ext, encoding, per_page, _ = rng.choices(SITE_STYLES, [s[-1] for s in SITE_STYLES])[0]
    if platform == "hanweb":
        base = str(4000 + number % 5000)
    name = unit.name.split("（")[0] + "网站"
    return Portal(uid, name, unit.level, unit.region, platform, unit.id, style, base, ext, encoding, per_page, ID_BASE)


def _docs(unit: Unit, count: int, lists_on: tuple[str, ...], rng: random.Random) -> list[dict]:
    """`count` documents of `unit` (numbered later), each listed on `lists_on`."""
    out, span = [], (AS_OF - FIRST_DAY).days
    for k in range(count):
        published = FIRST_DAY + timedelta(days=rng.randrange(span))
        function = rng.choice(FUNCTIONS)
        genre = rng.choice((*OFFICIAL_GENRES[:12], *OTHER_GENRES, None))
        withdrawn = published + timedelta(days=rng.randint(1, 200)) if rng.random() < 0.02 else None
        out.append(
            {
                "unit": unit,
                "k": k,
                "published": published,
                "written": published - timedelta(days=rng.choice((0, 0, 1, 3, 7))),
                "title": f"{unit.aliases[0]}关于{rng.choice(SUBJECTS[function])}的{genre or '公告'}（{k + 1}）",
                "doc_no": rng.random() < 0.6,
                "topic": rng.choice(TOPICS),
                "function": function,
                "audience": rng.choice(AUDIENCES),
                "genre": genre,
                "withdrawn_on": withdrawn if withdrawn and withdrawn < AS_OF and k else None,  # never an empty site
                "portals": lists_on,
            }
        )
    return out


def _number(specs: list[dict]) -> list[Doc]:
    """The documents in date order, with their index numbers and 文号."""
    specs.sort(key=lambda s: (s["written"], s["published"], s["unit"].id, s["k"]))
    serials: dict[tuple[str, int], int] = {}
    docs = []
    for n, s in enumerate(specs):
        unit, year = s["unit"], s["written"].year
        serials[(unit.id, year)] = serial = serials.get((unit.id, year), 0) + 1
        doc_no = f"{unit.aliases[0]}〔{year}〕{serial}号" if s["doc_no"] else None
        docs.append(
            Doc(
                n,
                n,
                unit.id,
                unit.name,
                unit.level,
                s["published"],
                s["written"],
                f"{unit.org_code}/{year}-{serial:05d}",
                s["title"],
                doc_no,
                s["topic"],
                s["function"],
                s["audience"],
                s["genre"],
                "主动公开",
                "text",
                s["withdrawn_on"],
                s["portals"],
            )  # fmt: skip
        )
    return docs


def build_province(n: int, seed: int = 2012) -> ProvinceWorld:
    """The province with exactly `n` portals (3 ≤ n ≤ 20,000), deterministic for (n, seed)."""
    if not 3 <= n <= 20_000:
        raise ValueError(f"a province has 3 to 20,000 portals, got {n}")
    rng = random.Random(seed * 100_003 + n)
    units, sites = _units(n, rng)
    ssp = Portal("hx-ssp", "海西省政府信息公开平台", "province", "990000", "ssp", "hx", "ssp",
                 "/ssp/search/api/apiSearch", "htm", per_page=50, id_base=ID_BASE)  # fmt: skip
    cities = [u for u in units if u.level == "city" and u.parent == "hx"]
    platforms = {c.id: Portal(f"{c.id}-xxgk", f"{c.name}信息公开平台", "city", c.region, "trs", c.id, "xxgk_table",
                              "/xxgk/xxgkml/", id_base=ID_BASE) for c in cities}  # fmt: skip
    portals = [ssp, *platforms.values()]
    specs: list[dict] = []
    for unit in (u for u in units if u.id == "hx" or u in cities):  # published on platforms only
        specs += _docs(unit, rng.randint(5, 40), _above(unit, None, platforms), rng)
    for number, (unit, _) in enumerate(sites):
        site = _portal(f"{unit.id}-site", unit, number, rng)
        portals.append(site)
        weight, low, high = rng.choices(SIZES, [s[0] for s in SIZES])[0]
        specs += _docs(unit, rng.randint(low, high), _above(unit, site.id, platforms), rng)
    return ProvinceWorld(units, portals, _number(specs), seed)


def _above(unit: Unit, site: str | None, platforms: dict[str, Portal]) -> tuple[str, ...]:
    """Where a unit's documents are listed: its own site, its city's platform (city and
    county level) or the province platform (province level)."""
    out = [site] if site else []
    city = unit.id if unit.parent == "hx" and unit.level == "city" else unit.parent
    if unit.level in ("city", "county") and city in platforms:
        out.append(platforms[city].id)
    if unit.level == "province":
        out.append("hx-ssp")
    return tuple(out)
