"""What one printed value is: a number, an approximate number, `/`, a blank, or text.

Reports print cells and prose figures every way Word and portals do: full-width digits,
non-breaking spaces, thousands separators, a unit in the cell (`251000元`), `约` before or
`余`/`多` after a number. A blank is "not stated", never 0; `/` (and the dashes some units use
for it) means "not applicable" and is kept as printed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff（）()、，：:])\s+(?=[\u3400-\u9fff（）()、，：:])")
NOT_APPLICABLE = frozenset({"/", "\\", "—", "——", "-", "--", "－", "–"})
_UNITS = "件|条|个|项|次|人次|元|万元|份|篇|家|人"
_NUMBER = re.compile(
    rf"^(?P<pre>约|大约|近|逾)?\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<post>余|多|左右)?\s*(?P<unit>{_UNITS})?\s*(?P<post2>余|多)?$"
)


@dataclass(frozen=True)
class CellValue:
    """A cell read: `value` is an int or float, "/" (or the dash printed), None for a blank
    or an unreadable cell; `approx` for 约/余/多; `unit` as printed inside the cell."""

    text: str
    value: int | float | str | None
    kind: str  # number | na | blank | text
    approx: bool = False
    unit: str = ""


def clean(text: str) -> str:
    """NFKC (full-width digits and letters, NBSP), whitespace collapsed, spaces between
    Chinese characters dropped (Word and PDF wrap a label anywhere)."""
    text = unicodedata.normalize("NFKC", text or "").replace("\u200b", "").replace("\ufeff", "")
    return _CJK_GAP.sub("", _SPACES.sub(" ", text).strip())


def to_number(text: str) -> int | float:
    """'1,234' -> 1234, '5.40' -> 5.4."""
    number = float(text.replace(",", ""))
    return int(number) if number.is_integer() and "." not in text else number


def parse_cell(raw: str) -> CellValue:
    """Read one table cell."""
    text = clean(raw)
    if not text:
        return CellValue(text, None, "blank")
    if text in NOT_APPLICABLE:
        return CellValue(text, text if text != "\\" else "/", "na")
    match = _NUMBER.match(text)
    if not match:
        return CellValue(text, None, "text")
    approx = bool(match["pre"] or match["post"] or match["post2"])
    return CellValue(text, to_number(match["num"]), "number", approx, match["unit"] or "")


def is_value(raw: str) -> bool:
    """A cell that holds a figure (or its absence), not a label."""
    return parse_cell(raw).kind != "text"
