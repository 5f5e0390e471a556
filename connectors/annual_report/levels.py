"""Whose figure a clause states: the whole system, a level of it, or the unit itself.

Reports of a system (a city bureau and its county bureaus) give the whole first
(全市…系统), then each level (市局各科室、直属单位; 县(市、区)局); a unit's own words (本局,
我局, 全局, 我乡) mean the unit, whose level is the last level word of its name (龙岩市工商
行政管理局: 市, city).
"""

from __future__ import annotations

import re

from connectors.annual_report.hanzi import simplified

_SCOPES = (
    ("all", r"(?:全(?:市|省|县|区|州)[^,。、;]{0,8}?系统|全系统)(?!政府信息公开|信息公开|平台|网)"),
    ("province", r"省局|省级|省本级"),
    ("city", r"市局|市级|市本级|市直"),
    ("county", r"县[((]市、区[))]|县[((]区[))]|县级|各县|县局|区县"),
    ("own", r"本局|我局|全局|本机关|本单位|我办|本办|我乡|本乡|我镇|本镇|我委|本委|我中心|本部门"),
)
_SCOPE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _SCOPES))
_CLAUSE_END = re.compile(r"[,,;;::]")
_NOT_ADMIN = re.compile(r"市场|城市|区域|社区|地区")
_ADMIN = re.compile(r"自治区|省|市|州|盟|县|区|旗|乡|镇|街道")
_LEVEL = {"省": "province", "自治区": "province", "市": "city", "州": "city", "盟": "city"}
_LEVEL |= {"县": "county", "区": "county", "旗": "county", "乡": "township", "镇": "township", "街道": "township"}


def scope_of(text: str) -> str | None:
    """The scope the last scope word of the text names, or None."""
    last = None
    for match in _SCOPE.finditer(text):
        last = match.lastgroup
    return last


def clause_before(plain: str, position: int) -> str:
    """The clause (between commas, semicolons or colons) that ends at `position`."""
    starts = [m.end() for m in _CLAUSE_END.finditer(plain, 0, position)]
    return plain[starts[-1] if starts else 0 : position]


def own_level(unit: str | None) -> str | None:
    """province | city | county | township from the unit's name, or None."""
    if not unit:
        return None
    found = _ADMIN.findall(_NOT_ADMIN.sub("", simplified(unit)))
    return _LEVEL.get(found[-1]) if found else None
