"""The figures of a report's prose: 主动公开, 依申请公开, fees, 复议 and 诉讼.

Pre-2019 reports state their figures in sentences, and template reports repeat some in
their 总体情况. Each rule reads one kind of statement as units word it; a figure is taken
only from a statement that names what it counts (信息…条 for items, 申请…件 for
applications) and whose time it can tell:

- a figure in a sentence that speaks of all the years (历年, 以来, 至今, 累计 with 历年) is
  not the year's: it goes under `detail.all_years`;
- 主动公开 counts marked new (新增, 新发布) are the year's; when a report gives such a count,
  its other 主动公开 counts are the stock held (累计), else a year's sentence's count is new;
- the whole (全市…系统, or the unit itself) goes in `core`; a level (市局…, 县(市、区)…)
  under `detail.levels`, the unit's own level named after the level word of its name;
- a statement that nothing happened (未发生, 无一例, 没有, 未出现) is a 0 for what it names;
  one that only says nothing was received (未收到) is a 0 for applications alone.
"""

from __future__ import annotations

import re

from connectors.annual_report.categories import category_lists
from connectors.annual_report.levels import clause_before, own_level, scope_of
from connectors.annual_report.model import Figure, Para
from connectors.annual_report.sentences import NUM, Sentence, number, sentences

_SINCE = re.compile(r"历年|以来|至今|截至|截止")
_NEW = re.compile(r"新增|新发布|新公开|本年新|本年度新")
_PROACTIVE = re.compile(
    r"主动(?:[^,。;,;::]{0,25}?)公开(?:的)?(?:政府)?(?:信息)?(?:共计|共|合计)?" + NUM + r"(?:条|件)?"
)
_OFFICIAL = re.compile(r"^[((]公文类" + NUM + r"条[))]")
_NO = r"(?:未|没有|无)"
_RULES: tuple[tuple[str, re.Pattern, str], ...] = (
    (
        "applications_received",
        re.compile(r"(?:受理|收到|接到|接收)(?:[^,。;]{0,12}?公开[^,。;]{0,4}?)申请(?:共)?" + NUM + "件"),
        "count",
    ),
    ("applications_handled", re.compile(r"处理依申请公开(?:政府)?信息" + NUM + "条"), "count"),
    ("applications_answered", re.compile(r"答复(?:[^,。;\d]{0,12}?)申请(?:共)?" + NUM + "件"), "count"),
    ("applications_granted", re.compile(r"(?:同意公开|予以公开)[”\"']?(?:范畴|的)?" + NUM + "件"), "count"),
    ("applications_partial", re.compile(r"(?<!及)部分公开" + NUM + "件"), "count"),
    ("applications_refused", re.compile(r"不予公开" + NUM + "件"), "count"),
    ("fulltext_rate", re.compile(r"全文电子化(?:率)?(?:达到|达|为|是)?" + NUM + "%"), "rate"),
    ("answer_rate", re.compile(r"答复率(?:为|达)?" + NUM + "%"), "rate"),
    ("consultations", re.compile(r"(?:接受|受理|接待)[^,。;]{0,6}?咨询" + NUM + r"(?:件|人次|次|个)"), "count"),
    ("page_views", re.compile(r"(?:点击|浏览|访问)[^,。;\d]{0,10}?(?:达到|达|为)?" + NUM + r"(?:人次|次)"), "count"),
    ("fees_yuan", re.compile(r"收取[^,。;\d]{0,15}?费用" + NUM + r"元"), "count"),
    ("special_funds_yuan", re.compile(r"专项经费" + NUM + r"元"), "count"),
    ("reviews", re.compile(r"行政复议" + NUM + r"(?:件|起|宗|例)"), "count"),
    ("litigations", re.compile(r"诉讼" + NUM + r"(?:件|起|宗|例)"), "count"),
)
_ZERO: tuple[tuple[str, re.Pattern], ...] = (
    (
        "applications_received",
        re.compile(_NO + r"(?:收到|接到|受理)[^,。;]{0,15}?(?:信息公开|公开政府信息|依申请公开)[^,。;]{0,4}?申请"),
    ),
    ("applications_received", re.compile(_NO + r"(?:收到|接到|受理)[^,。;]{0,6}?申请公开")),
    ("applications_received", re.compile(r"依申请公开[^,。;]{0,4}?" + _NO + r"收(?:到)?件")),
    ("applications_received", re.compile(r"没有依申请公开的(?:政府)?信息")),
    ("fees_yuan", re.compile(r"(?:无|未|没有|未出现)[^,。;]{0,8}?收取[^,。;]{0,20}?费用")),
)
_NOTHING = re.compile(r"未发生|未出现|没有发生|无一例|未有")
# Core figures (the names the output's core uses); the rest go under detail.
CORE = frozenset(
    [
        "applications_received",
        "applications_answered",
        "applications_granted",
        "applications_partial",
        "applications_refused",
        "reviews",
        "litigations",
        "fees_yuan",
        "fulltext_rate",
    ]
)


def read_prose(paras: list[Para], unit: str | None) -> tuple[list[Figure], list[str]]:
    """The prose's figures and notes."""
    found: dict[str, Figure] = {}
    notes: list[str] = []
    items = sentences(paras)

    def put(fig: Figure) -> None:
        old = found.get(fig.path)
        if old is None:
            found[fig.path] = fig
        elif old.value != fig.value:
            notes.append(f"{fig.path}: {old.text} ({old.where}) and {fig.text} ({fig.where}); the first kept")

    _proactive(items, unit, put)
    for s in items:
        _statements(s, put)
    return list(found.values()), notes


def _fig(path: str, s: Sentence, value, approx: bool, span: tuple[int, int], suffix: str = "") -> Figure:
    text = s.text[span[0] : span[1]] + suffix
    return Figure(path, value, text, f"{s.where}: “{s.text}”", approx)


_TIME = re.compile(_SINCE.pattern + r"|\d{4}\s*年")


def _base(s: Sentence, start: int) -> str:
    """detail.all_years when the last time word before `start` speaks of all the years."""
    last = None
    for m in _TIME.finditer(s.plain, 0, start):
        last = m
    return "detail.all_years" if last and _SINCE.fullmatch(last[0]) else "core"


def _statements(s: Sentence, put) -> None:
    for name, pattern, kind in _RULES:
        for m in pattern.finditer(s.plain):
            value, approx, span = number(m)
            if value is None:
                continue
            base = _base(s, m.start())
            path = (
                f"{base}.{name}"
                if name in CORE and base == "core"
                else f"detail.{'all_years.' if base != 'core' else ''}{name}"
            )
            put(_fig(path, s, f"{value}%" if kind == "rate" else value, approx, span, "%" if kind == "rate" else ""))
    for name, pattern in _ZERO:
        m = pattern.search(s.plain)
        if m:
            base = _base(s, m.start())
            path = f"core.{name}" if base == "core" else f"detail.all_years.{name}"
            put(Figure(path, 0, s.text[m.start() : m.end()], f"{s.where}: “{s.text}”"))
    nothing = _NOTHING.search(s.plain)
    if nothing and not re.search(r"\d", s.plain[nothing.end() :]):
        rest = s.plain[nothing.start() :]
        for name, word in (("reviews", "复议"), ("litigations", "诉讼")):
            if word in rest:
                base = _base(s, nothing.start())
                path = f"core.{name}" if base == "core" else f"detail.all_years.{name}"
                put(Figure(path, 0, s.text[nothing.start() :], f"{s.where}: “{s.text}”"))


def _proactive(items: list[Sentence], unit: str | None, put) -> None:
    """主动公开 counts, their levels and the categories listed after them."""
    mentions = []
    for i, s in enumerate(items):
        for m in _PROACTIVE.finditer(s.plain):
            value, approx, span = number(m)
            if value is None:
                continue
            clause = clause_before(s.plain, m.start())
            parent = mentions[-1] if mentions and (s.plain.startswith("其中") or clause.startswith("其中")) else None
            mentions.append(
                {
                    "s": s,
                    "i": i,
                    "m": m,
                    "value": value,
                    "approx": approx,
                    "span": span,
                    "scope": scope_of(clause) or scope_of(s.plain[: m.start()]) or (parent or {}).get("scope") or "own",
                    "new": bool(_NEW.search(s.plain[: m.end()][-40:])),
                    "since": bool(_SINCE.search(clause)),
                }
            )
    any_new = any(x["new"] for x in mentions)
    for x in mentions:
        x["measure"] = "new" if x["new"] or not (any_new or x["since"]) else "cumulative"
    whole = {x["measure"] for x in mentions if x["scope"] == "all"}
    level = own_level(unit)
    for x in mentions:
        measure, scope, s, m = x["measure"], x["scope"], x["s"], x["m"]
        if scope == "own" and measure in whole:
            scope = level or "unit"
        core = scope in ("all", "own")
        path = f"core.proactive_{measure}" if core else f"detail.levels.{scope}.{measure}"
        put(_fig(path, s, x["value"], x["approx"], x["span"]))
        official = _OFFICIAL.match(s.plain[m.end() :])
        if official:
            value, approx, span = number(official)
            where = "detail" if core else f"detail.levels.{scope}"
            put(_fig(f"{where}.official_{measure}", s, value, approx, (m.end() + span[0], m.end() + span[1])))
        for fig in category_lists(items, x["i"], m.end(), path):
            put(fig)
