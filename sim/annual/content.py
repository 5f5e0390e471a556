"""What a unit's report says: its title, its prose and the cells of its tables, worked out
from the world's ground truth (sim.figures) for the unit's system in the report's year.

The figures are those a correct pipeline counts for the year (held at its end, new in it,
公文类, full text, the new items by category), as of the day the report is published. The
city bureau's categories are the groups the real 2012 report names (sim.seed: `…_REPORTED`),
a county bureau names every category its new items have; each group states its share of the
new items with two decimals, as the real report does (a whole share is written 100%).
"""

from __future__ import annotations

from datetime import date

from sim.annual.reports import INCONSISTENT_UNIT, ReportDoc, title_of
from sim.catalog import UNIT_BY_ID
from sim.figures import UNCLASSIFIED, counted, figures_as_of
from sim.seed import CITY_NEW_AUDIENCES_REPORTED, CITY_NEW_FUNCTIONS_REPORTED, CITY_NEW_TOPICS_REPORTED
from sim.world import World

#: The kinds of documents the 2021 template's table 二 counts as 行政规范性文件: the world's
#: normative documents carry the topic 规范性文件 (or one of these genres).
NORMATIVE_GENRES = ("规范性文件", "行政规范性文件")
_SCHEME_WORDS = {"topic": "从主题分类情况看", "function": "从业务职能分类情况看", "audience": "从服务对象分类情况看"}
#: The city report's groups, as the real report gives them: (scheme, categories) per share.
CITY_GROUPS = (
    ("topic", tuple(CITY_NEW_TOPICS_REPORTED)),
    ("function", tuple(CITY_NEW_FUNCTIONS_REPORTED)),
    ("audience", ("服务企业", "服务消费者")),
    ("audience", ("服务其他群体",)),
)
assert set(CITY_NEW_AUDIENCES_REPORTED) == {"服务企业", "服务消费者", "服务其他群体"}


def share(n: int, total: int) -> str:
    """n / total as the report prints it: two decimals, a whole as 100%."""
    value = f"{100 * n / total:.2f}" if total else "0.00"
    return f"{value.removesuffix('.00')}%"


def _category_text(scheme: str, name: str, n: int) -> str:
    if name.endswith("信息"):
        return f"{name}{n}条"
    return f"{name}信息{n}条" if scheme == "audience" else f"{name}类信息{n}条"


def _groups_sentence(groups: list[tuple[str, tuple[str, ...]]], categories: dict, base: int) -> str:
    """The sentence of the new items by category: per scheme its groups, each with a share."""
    parts: list[str] = []
    for scheme in ("topic", "function", "audience"):
        clauses = []
        for group_scheme, names in groups:
            if group_scheme != scheme:
                continue
            counts = [(name, categories[scheme].get(name, 0)) for name in names]
            listed = "，".join(_category_text(scheme, name, n) for name, n in counts)
            clauses.append(f"{listed}，占主动公开信息的{share(sum(n for _, n in counts), base)}")
        if clauses:
            parts.append(_SCHEME_WORDS[scheme] + "，" + "，".join(clauses))
    return "；".join(parts) + "。"


def _county_groups(categories: dict) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (scheme, tuple(name for name in categories[scheme] if name != UNCLASSIFIED))
        for scheme in ("topic", "function", "audience")
        if any(name != UNCLASSIFIED for name in categories[scheme])
    ]


def _prose(report: ReportDoc, figures: dict) -> list[str]:
    levels, categories = figures["levels"], figures["categories"]
    y = report.year
    whole = levels["all"]
    rate = share(whole["fulltext_held"], whole["held"])
    if report.unit_id == "ly-aic":
        city, county = levels["city"], levels["county"]
        first = (
            f"{y}年，全市工商系统已主动在福建省工商系统政府信息公开大平台“龙岩市工商系统信息公开平台”、"
            f"龙岩红盾网或龙岩市政府网站梳理、整合主动公开的政府信息{whole['held']}条。"
            f"其中市局各科室、直属单位梳理、整合主动公开{city['held']}条（公文类{city['official_held']}条），"
            f"县（市、区）工商局梳理、整合主动公开{county['held']}条（公文类{county['official_held']}条），"
            f"全文电子化达{rate}。{y}年，全市工商系统新增发布主动公开信息{whole['new']}条。"
        )
        second = (
            f"{y}年，本局在全省工商系统政府信息公开大平台新增发布主动公开信息{city['new']}条信息中，"
            + _groups_sentence(list(CITY_GROUPS), categories["city"], city["new"])
        )
        return [first, second]
    first = (
        f"{y}年，本局主动公开政府信息{whole['held']}条（公文类{whole['official_held']}条），"
        f"全文电子化达{rate}。{y}年，本局新增发布主动公开信息{whole['new']}条。"
    )
    # the planted report works its shares out over its held items, not its new ones
    base = whole["held"] if report.unit_id == INCONSISTENT_UNIT else whole["new"]
    groups = _county_groups(categories["all"])
    second = f"{y}年，本局新增发布主动公开信息{whole['new']}条信息中，" + _groups_sentence(
        groups, categories["all"], base
    )
    return [first, second]


def _normative(world: World, report: ReportDoc, as_of: date) -> tuple[int, int]:
    """(made in the year, held at its end) of the system's 行政规范性文件."""
    end = date(report.year, 12, 31)
    made = held = 0
    for c in counted(world, as_of, report.unit_id):
        doc = c.doc
        if not (doc.topic == "规范性文件" or doc.genre in NORMATIVE_GENRES):
            continue
        if doc.published <= end and not (c.withdrawn_on is not None and c.withdrawn_on <= end):
            held += 1
            made += doc.published.year == report.year
    return made, held


def _cells(world: World, report: ReportDoc, as_of: date) -> dict:
    """The template's cells the report fills (a key left out is a blank cell)."""
    made, held = _normative(world, report, as_of)
    cells: dict = {f"table2.regulations.{c}": "/" for c in ("made", "repealed", "valid")}
    cells |= {"table2.normative_docs.made": made, "table2.normative_docs.valid": held, "table2.fees_wan_yuan": 0}
    for row in ("new_received", "carried_over", "granted", "total_processed", "carried_forward"):
        cells[f"table3.{row}.total"] = 0
    for group in ("review", "litigation_direct", "litigation_after_review"):
        cells[f"table4.{group}.total"] = 0
    return cells


def report_content(world: World, report: ReportDoc, published: date) -> tuple[str, list[str], dict]:
    """(title, prose paragraphs, table cells) of the unit's report published on `published`."""
    figures = figures_as_of(world, published, report.unit_id, [report.year])[report.year]
    unit = UNIT_BY_ID[report.unit_id]
    opening = (
        f"本报告是根据《中华人民共和国政府信息公开条例》要求，由{unit.name}编制的{report.year}年度"
        f"政府信息公开年度报告。统计数据时限从{report.year}年1月1日至{report.year}年12月31日。"
    )
    return title_of(report.unit_id, report.year), [opening, *_prose(report, figures)], _cells(world, report, published)
