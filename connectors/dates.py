"""Dates as portals print them, and the year a list leaves out (docs/fields.md, "Dates").

Full dates come in many spellings (`2012-03-05`, `2012/3/5`, `2012.3.5`, `2012年3月5日`,
`[2012-03-05]`, `发布时间：2012-03-05 10:21`, `12-03-05`, ISO with a zone, `YYYYMMDD`, epoch
seconds or milliseconds). Lists of county columns often print only the month and day
(`03-05`, `3月5日`): the year is then taken from the row's link, which TRS, Hanweb and most
CMSs build from the document's date (`./201203/t20120305_1.html`, `/art/2012/3/5/art_…`), or
from the detail page; never from the day the page was read.

The text given to `read_date` is already cleaned (NFKC, white space collapsed) and not empty:
`connectors.normalize.parse_date` does that first.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import NamedTuple
from urllib.parse import urlsplit

try:
    from zoneinfo import ZoneInfo

    SHANGHAI: timezone | ZoneInfo = ZoneInfo("Asia/Shanghai")
except Exception:  # no tz database: China has kept UTC+8 without DST since 1991
    SHANGHAI = timezone(timedelta(hours=8))

#: The flag of a date printed without a year whose row gives none either.
NO_YEAR = "date without year"

_DATE_PREFIX = re.compile(r"^[^\d]{0,12}?[:：]")
_BRACKETS = "[]【】()（）〔〕 "
_TIME = r"(?P<time>\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)"
_YMD = re.compile(
    r"(?P<y>\d{4}|\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    rf"(?:(?:\s+|T|\s*日?\s*){_TIME})?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_MD = re.compile(rf"(?P<m>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})\s*日?(?:\s+{_TIME})?")
_COMPACT = re.compile(r"\d{8}")
_EPOCH = re.compile(r"-?\d{9,13}")
#: Two-digit years as POSIX reads them: 69-99 are 1969-1999, 00-68 are 2000-2068.
_PIVOT = 69


def read_date(text: str, link: str | None = None) -> tuple[date | None, str | None]:
    """(date, None), or (None, why): `unparsed`, or `NO_YEAR` for a month and day whose year
    neither the text nor `link` (the row's link) gives. Never repairs an impossible date."""
    text = _DATE_PREFIX.sub("", text).strip(_BRACKETS)
    try:
        if _EPOCH.fullmatch(text) and not _COMPACT.fullmatch(text):
            return _from_epoch(int(text)), None
        if _COMPACT.fullmatch(text):
            return _checked(int(text[:4]), int(text[4:6]), int(text[6:])), None
        match = _YMD.fullmatch(text)
        if match is not None:
            return _full(match), None
        match = _MD.fullmatch(text)
        if match is not None:
            return _yearless(int(match["m"]), int(match["d"]), link)
    except (ValueError, OverflowError, OSError):  # OSError: platform limits of fromtimestamp
        pass
    return None, "unparsed"


def _full(match: re.Match[str]) -> date:
    """The date of a full printed date; a zoned time is read in Shanghai."""
    year = int(match["y"])
    if len(match["y"]) == 2:
        year += 1900 if year >= _PIVOT else 2000
    day = _checked(year, int(match["m"]), int(match["d"]))
    if match["time"]:
        clock = _clock(match["time"])
        if match["tz"]:
            return _zoned(day, clock, match["tz"])
    return day


def _yearless(month: int, day: int, link: str | None) -> tuple[date | None, str | None]:
    date(2000, month, day)  # ValueError for a month and day no year has
    when = link_date(link) if link else None
    if when is None:
        return None, NO_YEAR
    found = complete_year(month, day, when)
    return (found, None) if found is not None else (None, "unparsed")


class LinkDate(NamedTuple):
    """The date a document's link holds: a year, and its month and day when the link has them."""

    year: int
    month: int | None = None
    day: int | None = None


#: Links that hold a document's date, most precise first: TRS `tYYYYMMDD_ID`, Hanweb
#: `/art/YYYY/M/D/`, `YYYY/MM/DD` and `YYYY/MMDD` folders, a `YYYYMM` folder, jpaas `/art/YYYY/`.
_LINK_DATES = (
    re.compile(r"/t(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})_\d+\.\w+$"),
    re.compile(r"/art/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),
    re.compile(r"/(?P<y>\d{4})[-/](?P<m>\d{2})[-/](?P<d>\d{2})/"),
    re.compile(r"/(?P<y>\d{4})/(?P<m>\d{2})(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>\d{4})(?P<m>\d{2})/"),
    re.compile(r"/art/(?P<y>\d{4})/"),
)


def link_date(url: str) -> LinkDate | None:
    """The date a link's path holds, or None: only a plausible year (1990-2100) and a real
    month (and day) count, so an id of digits is not taken for a date."""
    path = urlsplit(url).path
    for pattern in _LINK_DATES:
        for match in pattern.finditer(path):
            found = _plausible(match)
            if found is not None:
                return found
    return None


def _plausible(match: re.Match[str]) -> LinkDate | None:
    parts = match.groupdict()
    year, month, day = int(parts["y"]), parts.get("m"), parts.get("d")
    if not 1990 <= year <= 2100:
        return None
    try:
        date(year, int(month or 1), int(day or 1))
    except ValueError:
        return None
    return LinkDate(year, int(month) if month else None, int(day) if day else None)


def complete_year(month: int, day: int, link: LinkDate) -> date | None:
    """A printed month and day in the year of the link's date.

    The list's month and day win over the link's (a document is often listed days or months
    after its CMS record was made), in the link's year; a link that holds a month as well
    moves that to the neighbouring year when the month and day would then lie more than half
    a year from the link's date (listed in January, made in late December). None when no
    such year has that day (29 February).
    """
    if link.month is None:
        try:
            return date(link.year, month, day)
        except ValueError:
            return None
    made = date(link.year, link.month, link.day or 15)
    candidates = []
    for year in (link.year, link.year - 1, link.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    near = [c for c in candidates if abs((c - made).days) <= 183]
    return (near or candidates or [None])[0]


def _checked(year: int, month: int, day: int) -> date:
    """A real calendar date in a plausible range, else ValueError."""
    if not 1900 <= year <= 2100:
        raise ValueError(f"year {year} out of range")
    return date(year, month, day)


#: Epoch seconds beyond 2100-01-01 are milliseconds (the two overlap only in early 1970).
_MAX_EPOCH_SECONDS = 4_102_444_800


def _from_epoch(number: int) -> date:
    """Epoch seconds or milliseconds as a Shanghai calendar date."""
    seconds = number / 1000 if abs(number) > _MAX_EPOCH_SECONDS else number
    moment = datetime.fromtimestamp(seconds, tz=UTC).astimezone(SHANGHAI)
    return _checked(moment.year, moment.month, moment.day)


def _clock(printed: str) -> tuple[int, int, int]:
    """(hour, minute, second) of a printed time, or ValueError for one that cannot be."""
    parts = [int(p) for p in printed.replace("：", ":").split(".")[0].split(":")]
    hh, mm, ss = (parts + [0, 0])[:3]
    if hh > 23 or mm > 59 or ss > 60:  # 60: a leap second
        raise ValueError(f"impossible time {printed!r}")
    return hh, mm, min(ss, 59)


def _zoned(day: date, clock: tuple[int, int, int], zone: str) -> date:
    """The Shanghai date of a moment printed with an explicit zone."""
    zone = "+00:00" if zone == "Z" else zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    hh, mm, ss = clock
    moment = datetime.fromisoformat(f"{day.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}{zone}")
    return moment.astimezone(SHANGHAI).date()
