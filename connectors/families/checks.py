"""Page checks shared by the families: is a page a broken stub, a WAF's challenge, or a
page on which too many rows could not be read?

A portal that fails to serve its listing answers with a tiny stub, or a web application
firewall answers instead of it with a verification page or a JavaScript-only body. Telling
those apart from a changed layout is what makes a failed run say what happened. Kept apart
from `base` (the row types and HTML helpers) because it reads raw text, not a parsed tree;
`base` re-exports every name here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import urlsplit

from connectors.errors import ChallengePage, LayoutChanged, PageError, StubPage
from connectors.normalize import clean_text

#: A listing page shorter than this (in UTF-8 bytes) is a broken stub, not a page of rows.
STUB_BYTES = 600


def check_stub(text: str, what: str) -> None:
    """Raise `StubPage` when a page is too small to hold a listing (broken deep pages), or
    `ChallengePage` when the small page is a WAF's."""
    if len(text) < STUB_BYTES and len(text.encode("utf-8", "surrogatepass")) < STUB_BYTES:
        reason = challenge_reason(text)
        if reason:
            raise ChallengePage(reason)
        raise StubPage(f"{what}: {len(text.encode('utf-8', 'surrogatepass'))} bytes, under {STUB_BYTES}")


#: A listing page on which more than this share of the rows cannot be read has changed its
#: layout: the run fails rather than land a listing with holes (`[harvest]
#: max_unreadable_share`; docs/reliability.md, "Rows that cannot be read").
MAX_UNREADABLE_SHARE = 0.2


class _Unreadable(Protocol):
    reason: str
    text: str


def unreadable_summary(bad: Sequence[_Unreadable]) -> str:
    """`no date ×2, no link ×1; first: '…'`: the reasons of a page's unreadable rows."""
    counts = Counter(row.reason for row in bad)
    reasons = ", ".join(f"{reason} ×{n}" for reason, n in sorted(counts.items(), key=lambda c: (-c[1], c[0])))
    return f"{reasons}; first: {bad[0].text!r}" if bad else ""


def check_unreadable_share(url: str, rows: int, bad: Sequence[_Unreadable], limit: float) -> None:
    """Raise `LayoutChanged` naming the page and the counts when more than `limit` of a
    listing page's rows (read and unreadable together) could not be read."""
    seen = rows + len(bad)
    if bad and len(bad) > limit * seen:
        raise LayoutChanged(
            f"{url}: {len(bad)} of {seen} rows unreadable ({len(bad) / seen:.0%}, more than "
            f"{limit:.0%} allowed): {unreadable_summary(bad)}"
        )


#: A path's last segment that names a file (`t20260921_1.html`, `content.jsp`, `a.pdf`).
_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{2,6}$")


def overview_reason(urls: Sequence[str]) -> str | None:
    """Why rows linking to `urls` are not documents, or None: no row links to a file, and
    most link to folders (`…/wwsjk/`, another site's home) or to a URL another row links to.

    A column's landing page lists its sub-columns and units in the shape of a dated list
    (tabs of `li` rows with dates of their own); read as documents, each folder would be
    counted as one. Document pages are files (`t20260921_1.html`, `art_1_2.html`,
    `content.jsp?id=`), so one row linking to a file is enough to say it is a list of them.
    """
    if len(urls) < 3:
        return None
    paths = [urlsplit(url).path for url in urls]
    if any(_FILE_NAME.search(path.rsplit("/", 1)[-1]) for path in paths):
        return None
    folders = sum(path.endswith("/") or not path for path in paths)
    repeated = len(urls) - len(set(urls))
    if folders + repeated <= len(urls) / 2:
        return None
    columns = list(dict.fromkeys(url for url, path in zip(urls, paths, strict=True) if path.endswith("/")))[:5]
    return (
        f"an overview of sub-columns or units, not a list of documents: of {len(urls)} rows "
        f"{folders} link to folders and {repeated} repeat another row's link, none to a "
        f"document page; configure one of its columns instead ({', '.join(columns)})"
    )


def unreadable(text: str, message: str, error: type[LayoutChanged] = LayoutChanged) -> PageError:
    """The error for a page on which nothing expected was found: `ChallengePage` when it is a
    WAF's page, else `error` (`LayoutChanged` or a kind of it) with `message` (what was
    looked for).

    Challenges are only looked for on pages that failed to read, so a notice titled
    "…安全验证…" with its metadata intact is never taken for one.
    """
    reason = challenge_reason(text)
    return ChallengePage(reason) if reason else error(message)


def cut_regions(text: str, regions: tuple[tuple[str, str], ...]) -> str:
    """`text` without every region from an opener to its closer (case ignored); an unclosed
    region runs to the end. Linear in the text, so a page of ten thousand unclosed `<script`s
    costs no more than any other (a lazy regex would rescan the rest for each)."""
    opener = re.compile("|".join(re.escape(o) for o, _ in regions), re.I)
    closers = {o.lower(): re.compile(re.escape(c), re.I) for o, c in regions}
    kept: list[str] = []
    position = 0
    for match in opener.finditer(text):
        if match.start() < position:
            continue  # inside a region already cut
        kept.append(text[position : match.start()])
        end = closers[match.group(0).lower()].search(text, match.end())
        if end is None:
            return "".join(kept)
        position = end.end()
    kept.append(text[position:])
    return "".join(kept)


_HIDDEN = (("<script", "</script>"), ("<style", "</style>"), ("<noscript", "</noscript>"), ("<!--", "-->"))
_TAG = re.compile(r"<[^<>]*>")  # stops at the next "<": linear on text full of unclosed tags
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.S | re.I)
_CHALLENGE_WORDS = ("安全验证", "人机验证", "访问验证", "滑动验证", "验证码", "安全检测", "访问受限")
_JS_NAVIGATION = re.compile(
    r"document\.cookie|location(?:\.href)?\s*=|location\.(?:replace|assign|reload)\s*\(|"
    r"\.submit\s*\(|eval\s*\(",
    re.I,
)
#: A page with less visible text than this is "JavaScript only" when its scripts navigate.
_BARE_TEXT = 120
#: Challenge words count only on pages this short (portals' own forms mention 验证码 too).
_SHORT_TEXT = 600


def challenge_reason(text: str) -> str | None:
    """Why a page is a WAF / anti-bot page, or None: a short page whose title or text speaks
    of verification (安全验证, 验证码 …), or a body with no visible text whose scripts set a
    cookie or navigate."""
    head = _TITLE.search(text[:4000])
    title = clean_text(_TAG.sub("", head.group(1))) if head else ""
    worded = any(w in title for w in _CHALLENGE_WORDS) or any(w in text for w in _CHALLENGE_WORDS)
    navigates = _JS_NAVIGATION.search(text) is not None
    if not worded and not navigates:
        return None
    visible = "".join(_TAG.sub(" ", cut_regions(text, _HIDDEN)).split())
    if worded and len(visible) < _SHORT_TEXT:
        shown = [w for w in _CHALLENGE_WORDS if w in title or w in visible]
        if shown:
            return f"challenge page: {shown[0]!r} on a page of {len(visible)} visible characters"
    if navigates and len(visible) < _BARE_TEXT and "<script" in text.lower():
        return (
            f"challenge page: JavaScript-only body ({len(visible)} visible characters) that sets a cookie or navigates"
        )
    return None
