"""The categories a report lists after a 主动公开 count, in the groups it gives shares of.

A list follows its count in the same sentence (…12条,其中概况类信息3条,…; …235条信息中,从主题
分类情况看,…) or opens the next sentence (其中:…; 在主动公开的信息中,…). A scheme phrase
(从主题分类情况看) starts a scheme; a share (占主动公开信息的79.57%) closes the group of the
categories listed since the last one. Names are kept as printed, less a trailing (的)信息.
"""

from __future__ import annotations

import re

from connectors.annual_report.cells import to_number
from connectors.annual_report.model import Figure
from connectors.annual_report.sentences import Sentence

_SCHEMES = {"主题": "topic", "业务职能": "function", "服务对象": "audience", "体裁": "genre", "机构": "organ"}
_SCHEME = re.compile(r"从(主题|业务职能|服务对象|体裁|机构)分类")
_SHARE = re.compile(r"占[^,。;\d]{0,14}?(\d+(?:\.\d+)?)%")
_ITEM = re.compile(r"(.+?)(\d[\d,]*)条")
_INTRO_SAME = re.compile(r"^(?:[,,]?其中[::,,]?|信息中[,,]|中[,,])")
_INTRO_NEXT = re.compile(r"^(?:其中[::,,]?|.{0,6}主动公开的(?:政府)?信息中[,,]?)")
_PIECES = re.compile(r"[,,;;]")
_EDGES = re.compile(r"^[\s、,:]+|[\s、,:]+$")
_TRAILING = re.compile(r"(?:的信息|信息|的)$")


def category_lists(items: list[Sentence], i: int, end: int, path: str) -> list[Figure]:
    """The figures of the list that follows the count ending at `end` of sentence `i`."""
    s = items[i]
    intro = _INTRO_SAME.match(s.plain[end:])
    if intro:
        return _parse(s, end + intro.end(), path)
    for s2 in items[i + 1 : i + 3]:
        intro = _INTRO_NEXT.match(s2.plain)
        if intro:
            return _parse(s2, intro.end(), path)
        if s2.plain.startswith(("一", "二", "三", "四", "五", "(", "(")) or _PIECES.search(s2.plain) is None:
            continue
        break
    return []


def _base(path: str) -> tuple[str, str]:
    """(where the lists of a count go, the count's measure)."""
    head, _, measure = path.rpartition(".")
    if head == "core":
        measure = measure.removeprefix("proactive_")
        return "detail", measure
    return head, measure


def _parse(s: Sentence, start: int, path: str) -> list[Figure]:
    if re.search(r"主动[^。]{0,25}?公开(?:的)?(?:政府)?(?:信息)?\d[\d,]*条", s.plain[start:]):
        return []  # the parts are counts of their own (levels), not categories
    base, measure = _base(path)
    figures: list[Figure] = []
    scheme, group, members = None, 0, 0
    where = f"{s.where}: “{s.text}”"
    offset = start
    for piece in _PIECES.split(s.plain[start:].rstrip("。")):
        at = offset
        offset += len(piece) + 1
        found = _SCHEME.search(piece)
        if found:
            scheme, group, members = _SCHEMES[found[1]], 0, 0
            continue
        share = _SHARE.search(piece)
        if share and members:
            if scheme:
                figures.append(
                    Figure(
                        f"{base}.{measure}_groups.{scheme}.{group}.share",
                        f"{share[1]}%",
                        s.text[at + share.start(1) : at + share.end(1) + 1],
                        where,
                    )
                )
            group, members = group + 1, 0
            continue
        for item in _ITEM.finditer(piece):
            name = _name(s.text[at + item.start(1) : at + item.end(1)])
            if not name:
                continue
            value = to_number(item[2])
            text = s.text[at + item.start(1) : at + item.end()].lstrip("、 ")
            if scheme:
                figures.append(
                    Figure(f"{base}.{measure}_groups.{scheme}.{group}.categories.{name}", value, text, where)
                )
            elif path.startswith("core.") and measure == "new":
                figures.append(Figure(f"core.proactive_by_category.{name}", value, text, where))
            else:
                figures.append(Figure(f"{base}.{measure}_by_category.{name}", value, text, where))
            members += 1
    return figures


def _name(raw: str) -> str | None:
    name = _EDGES.sub("", raw).removeprefix("其中").removeprefix("以上")
    name = _EDGES.sub("", name)
    name = _TRAILING.sub("", name).replace(".", "．")
    if not name or len(name) > 24 or re.search(r"[\d%]", name):
        return None
    return name
