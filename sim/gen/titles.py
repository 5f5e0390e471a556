"""Titles: planted same-title pairs that must not merge, and plausible catalog titles."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sim.catalog import COUNTY_UNITS
from sim.gen.spec import Spec
from sim.model import Unit
from sim.vocab import FUNCTIONS, GBK_ONLY_NAMES, OFFICIAL_GENRES, OTHER_GENRES, SUBJECTS

#: Titles four county bureaus each publish within three days (a title dedup merges them).
SHARED_TITLES = (
    ("关于开展2012年“红盾护农”专项执法行动的通知", date(2012, 3, 12)),
    ("关于做好2012年春节期间市场监管工作的通知", date(2012, 1, 9)),
)
#: Titles one unit publishes twice, months apart (two documents, not one).
TWICE_TITLES = (
    ("ly-xl-aic", "关于开展打击传销专项整治工作的通知", (date(2012, 4, 10), date(2012, 10, 22))),
    (
        "ly-aic-jjjc",
        "龙岩市工商局经济检查支队关于开展打击无照经营专项行动的通知",
        (date(2012, 3, 6), date(2012, 9, 18)),
    ),
)


def _plain_official(specs: list[Spec]) -> list[Spec]:
    """Untitled official specs with a genre (where a planted title goes)."""
    return [x for x in specs if x.title is None and x.official and not x.genre_missing]


def plant_titles(rng: random.Random, specs: list[Spec]) -> None:
    """Same titles that must not merge: several county bureaus publishing one title within
    three days of each other, and one unit publishing one title twice months apart."""
    by_unit: dict[str, list[Spec]] = {}
    for s in specs:
        if s.disclosure == "主动公开" and s.withdrawn_on is None and s.published.year == 2012:
            by_unit.setdefault(s.unit_id, []).append(s)
    for title, day in SHARED_TITLES:
        for i, unit_id in enumerate(COUNTY_UNITS[:4]):
            s = _plain_official(by_unit[unit_id])[0]
            s.title, s.published = title, day + timedelta(days=i % 3)
    for unit_id, title, days in TWICE_TITLES:
        pool = _plain_official(by_unit[unit_id])
        for s, day in zip(pool[:2], days, strict=True):
            s.title, s.published = title, day


def genre_for(rng: random.Random, spec: Spec) -> str | None:
    """The genre: none when planted missing, else an official or other genre by weight."""
    if spec.genre_missing:
        return None
    if spec.official:
        return rng.choices(
            ("通知", "意见", "通报", "公告", "决定", "报告", "批复", "函", "纪要"), (60, 8, 10, 6, 4, 4, 3, 3, 2)
        )[0]
    return rng.choice(OTHER_GENRES)


def make_title(rng: random.Random, unit: Unit, spec: Spec, genre: str | None) -> str:
    """A plausible catalog title for the document's function and genre."""
    area = spec.function or rng.choice(FUNCTIONS)
    subject = rng.choice(SUBJECTS[area])
    year = spec.published.year
    if unit.level == "county":
        prefix = rng.choice(("", "", unit.aliases[0]))
    else:
        prefix = unit.aliases[0] if unit.aliases else unit.name
    if unit.id == "ly-ct-aic" and rng.random() < 0.15:
        subject = f"{rng.choice(GBK_ONLY_NAMES)}{rng.choice(('登记', '年检', '商标注册'))}"
    word = genre if genre in OFFICIAL_GENRES else ("通知" if spec.official else None)
    if word == "批复":
        return f"{prefix}关于同意{subject}有关事项的批复"
    if word == "纪要":
        return f"{prefix}{year}年{subject}工作会议纪要"
    if word == "报告":
        return f"{prefix}关于{year}年{subject}工作情况的报告"
    if word:
        verb = rng.choice(("开展", "做好", "加强", "进一步规范", "印发", "转发省局"))
        tail = (
            rng.choice(("工作", "实施方案", "工作要点", "专项行动"))
            if verb in ("印发", "转发省局")
            else rng.choice(("工作", "", "管理"))
        )
        when = rng.choice((f"{year}年", f"{year}年度", ""))
        return f"{prefix}关于{verb}{when}{subject}{tail}的{word}"
    month = spec.published.month
    return rng.choice(
        (
            f"{prefix}{year}年{month}月{subject}工作动态",
            f"{prefix}{year}年{subject}工作总结",
            f"{prefix}{subject}工作简报（第{rng.randint(1, 30)}期）",
            f"{year}年{month}月全市市场主体发展情况统计"
            if unit.level == "city"
            else f"{prefix}{year}年{month}月市场主体登记情况",
        )
    )


def unique_title(rng: random.Random, unit: Unit, spec: Spec, genre: str | None, taken: set[tuple[str, str]]) -> str:
    """A title no other document of the unit has (planted twins are set beforehand)."""
    title = make_title(rng, unit, spec, genre)
    for _attempt in range(1, 50):
        if (unit.id, title) not in taken:
            break
        title = make_title(rng, unit, spec, genre)
    else:
        title = f"{title}（{spec.published:%m%d}）"
    return title
