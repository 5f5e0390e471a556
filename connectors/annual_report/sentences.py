"""Prose cut into sentences, and the numbers prose writes.

A sentence is matched in its simplified form (hanzi.simplified keeps every character's
position), so a span found there is the same span of the printed text. Numbers come as
digits (`2,887`, `5.4万`), as Chinese numerals (`百余`), with `约` before or `余`/`多` after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.annual_report.cells import clean, to_number
from connectors.annual_report.hanzi import simplified
from connectors.annual_report.model import Para

NUM = r"(?P<pre>约|近|逾|大约)?(?P<num>\d[\d,]*(?:\.\d+)?|[一二两三四五六七八九十百千]+)(?P<wan>万)?(?P<post>余|多)?"
_DIGITS = dict(zip("零一二两三四五六七八九", (0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_POWERS = {"十": 10, "百": 100, "千": 1000}
_SPLIT = re.compile(r"(?<=[。！？!?])")


@dataclass(frozen=True)
class Sentence:
    text: str  # as printed, cleaned
    plain: str  # simplified, same length
    where: str


def sentences(paras: list[Para]) -> list[Sentence]:
    out = []
    for para in paras:
        for piece in _SPLIT.split(clean(para.text)):
            if piece.strip():
                text = piece.strip()
                out.append(Sentence(text, simplified(text), para.where))
    return out


def chinese_number(text: str) -> int | None:
    """'百' -> 100, '一百二十' -> 120, '两千' -> 2000; None when not a numeral."""
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _POWERS:
            total += (1 if digit is None else digit) * _POWERS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def number(match: re.Match) -> tuple[int | float | None, bool, tuple[int, int]]:
    """(value, approximate, the span of the number with its markers) of a match of NUM."""
    raw = match["num"]
    value: int | float | None = to_number(raw) if raw[0].isdigit() else chinese_number(raw)
    if value is not None and match["wan"]:
        value = round(value * 10000, 6)
        value = int(value) if float(value).is_integer() else value
    approx = bool(match["pre"] or match["post"])
    start = match.start("pre") if match["pre"] else match.start("num")
    end = max(match.end(g) for g in ("num", "wan", "post") if match[g])
    return value, approx, (start, end)
