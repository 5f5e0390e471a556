"""Normalization of what portals print: labels, text, 索引号, 文号, dates, URLs (docs/fields.md).

Small pure functions, each idempotent, so a value can be normalized again without change.
Nothing here guesses: a value that cannot be read is None and flagged, and the raw text is
kept next to every normalized value.

Canonical URLs are `connectors/urls.py`'s; `canonical_url` is re-exported here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from connectors.dates import NO_YEAR, read_date
from connectors.records import FIELDS
from connectors.urls import canonical_url as canonical_url

# One synonym table: every spelling of a label a portal prints -> the field it fills.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("名称", "标题", "文件名称", "信息名称", "公开事项名称", "ArticleTitle", "_doctitle", "doctitle", "title"),
    "index_no": ("索引号", "信息索引号", "idxid", "IdxID", "index", "identifier"),
    "doc_no": ("文号", "发文字号", "发文文号", "文件编号", "fileno", "fileNum", "pcode", "document_number"),
    "publisher_name": (
        "发布机构",
        "发文机关",
        "发文机构",
        "发文单位",
        "发布单位",
        "发布部门",
        "制发机关",
        "责任部门",
        "报送单位",
        "puborg",
        "publisher",
        "ContentSource",
    ),
    "published_date": ("发布日期", "发布时间", "公开日期", "发表时间", "pubdate", "PubDate"),
    "written_date": ("成文日期", "生成日期", "发文日期", "成文时间", "印发日期", "制发日期", "docreltime"),
    "topic": ("主题分类", "主题"),
    "function": ("业务职能分类", "机构分类"),
    "audience": ("服务对象分类", "服务对象"),
    "genre": ("体裁分类", "公文种类", "体裁", "文种"),
    "validity": ("有效性", "效力状态", "效力状况", "时效性", "有效状态", "是否有效"),
    "disclosure": ("公开方式", "公开属性"),
}

# Labels too generic to trust over a specific one: used only when nothing better is on the page.
_WEAK_SYNONYMS: dict[str, tuple[str, ...]] = {
    "publisher_name": ("来源", "信息来源"),
    "published_date": ("时间", "日期"),
}

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_LABEL_EDGES = ":：[]【】"


def label_key(label: str) -> str:
    """The comparison form of a label: NFKC, no white space or zero-width marks, no colons."""
    text = unicodedata.normalize("NFKC", label).translate(_INVISIBLE)
    return "".join(text.split()).strip(_LABEL_EDGES).casefold()


def _table(synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {label_key(word): fld for fld, words in synonyms.items() for word in words}


LABELS: dict[str, str] = _table(_SYNONYMS)
WEAK_LABELS: dict[str, str] = _table(_WEAK_SYNONYMS)


def label_field(label: str, *, weak: bool = False) -> str | None:
    """The field a printed label fills (`索 引 号：` -> index_no), or None for any other label.

    With `weak`, generic labels (来源, 时间) are also mapped; callers use them only as fallbacks.
    """
    key = label_key(label)
    found = LABELS.get(key)
    if found is None and weak:
        found = WEAK_LABELS.get(key)
    return found


_EMPTY_WORDS = frozenset({"无", "暂无", "空"})
_EMPTY_CHARS = frozenset("".join(_EMPTY_WORDS))


def is_empty_value(value: str | None) -> bool:
    """True for values that say nothing: empty, white space or punctuation only, 无, 暂无, -, /."""
    if value is None:
        return True
    text = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    kept = ""  # the text without white space, punctuation and symbols, read up to its verdict
    for ch in text:
        if ch.isspace() or unicodedata.category(ch)[0] in "PS":
            continue
        if ch not in _EMPTY_CHARS:
            return False  # a character no empty word has: the first letter of most values
        kept += ch
    return kept == "" or kept in _EMPTY_WORDS


def clean_text(value: str) -> str:
    """NFKC, every run of white space to one space, stripped."""
    text = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    return " ".join(text.split())


_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―－﹣−⁃"), "-")
_DASHES[ord("／")] = "/"


def _fixpoint(step, value: str) -> str:
    """Apply `step` until the text stops changing: NFKC, case and space removal do not commute
    (removing a space can bring a combining mark next to a letter), and a normalizer must be
    idempotent."""
    for _ in range(4):
        nxt = step(value)
        if nxt == value:
            break
        value = nxt
    return value


def _index_no_step(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).upper().translate(_DASHES)
    return "".join(text.split())


def norm_index_no(value: str) -> str:
    """索引号 for matching: NFKC, upper case, no spaces, every dash `-`, `／` to `/`."""
    return _fixpoint(_index_no_step, value)


_YEAR_BRACKETS = re.compile(r"[〔［【﹝（(\[{]\s*(\d{4})\s*[〕］】﹞）)\]}]")


def _doc_no_step(text: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", text).translate(_INVISIBLE).split())
    return _YEAR_BRACKETS.sub(r"〔\1〕", text)


def norm_doc_no(value: str) -> str:
    """文号 for matching: NFKC, no spaces, every bracket pair around a year to 〔YYYY〕."""
    return _fixpoint(_doc_no_step, value)


def parse_date(raw: str | None, link: str | None = None) -> tuple[date | None, str | None]:
    """A printed date -> (date, None); nothing printed -> (None, None); unreadable ->
    (None, "unparsed"); a month and day whose year neither they nor `link` (the row's
    link) give -> (None, "date without year").

    Accepts YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, YY-MM-DD, each with a time, in
    brackets or after a label (时间：…), ISO with T and a zone, YYYYMMDD, epoch seconds or
    milliseconds (9 to 13 digits; 8 digits are always YYYYMMDD), and MM-DD / M月D日 with the
    year of the link's date (`connectors/dates.py`). Epochs and zoned times are read in
    Asia/Shanghai. An impossible date is never repaired.
    """
    if raw is None or is_empty_value(raw):
        return None, None
    return read_date(clean_text(raw), link)


def reads_as_date(raw: str | None) -> bool:
    """True for text that prints a date, with its year or without (`03-05`): what a list row
    holds in its date element."""
    found, flag = parse_date(raw)
    return found is not None or flag == NO_YEAR


_TEXT_FIELDS = frozenset(FIELDS) - {"index_no", "doc_no", "published_date", "written_date"}


def normalize_fields(raw: dict[str, str], link: str | None = None) -> dict:
    """Every field of `FIELDS` normalized, next to its `*_raw`, plus `flags` (';'-joined or None).

    `raw` maps field names to the text a page printed; `link` is the row's link, whose path
    gives the year of a date printed without one. Missing fields are None; empty-looking
    values (无, -, …) keep their raw text and are None. Unknown keys are a caller's bug.
    """
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    out: dict = {}
    flags: list[str] = []
    for name in FIELDS:
        value = raw.get(name)
        out[f"{name}_raw"] = value
        out[name] = None
        if value is None or is_empty_value(value):
            continue
        if name in _TEXT_FIELDS:
            out[name] = clean_text(value)
        elif name == "index_no":
            out[name] = norm_index_no(value)
        elif name == "doc_no":
            out[name] = norm_doc_no(value)
        else:
            out[name], flag = parse_date(value, link)
            if flag:
                flags.append(f"{name}:{flag}")
    out["flags"] = ";".join(flags) or None
    return out
