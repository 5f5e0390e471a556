"""Charset detection and decoding of response bodies.

Portals mislabel their pages (a GBK page declared gb2312, or utf-8, or nothing at all), so
a declaration is a candidate to try, not a fact; see `decode_body` for the order.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

# Every name the GB family goes by: gb18030 is their superset, so decoding with it never
# loses a character (镕 is not in GB2312 but portals that declare gb2312 send it anyway).
_GB_NAMES = frozenset(
    {
        "gb2312",
        "gbk",
        "gb_2312",
        "gb_2312-80",
        "gb18030",
        "cp936",
        "ms936",
        "x-gbk",
        "csgb2312",
        "euc-cn",
        "windows-936",
    }
)
# Codecs no web page is written in; a page naming one would have its bytes reinterpreted
# (utf-7 and the escape codecs turn harmless text into markup).
_REFUSED_CODECS = frozenset({"utf-7", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml\b[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:\-]+)", re.I)
# Browsers look for the meta charset in the first 1024 bytes; portals with long heads
# (inline scripts, comment banners) push it further, so look a little deeper.
_SNIFF_BYTES = 16 * 1024


def _codec_name(label: str) -> str | None:
    """The Python codec for a declared charset label, GB names folded into gb18030."""
    label = label.strip().strip("\"'").lower()
    if label in _GB_NAMES:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _REFUSED_CODECS:
        return None
    return "gb18030" if name in _GB_NAMES else name


def _declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """Charsets the response declares, most authoritative first: header, then meta / XML."""
    labels: list[str] = []
    if content_type and (found := _HEADER_CHARSET.search(content_type)):
        labels.append(found.group(1))
    head = body[:_SNIFF_BYTES]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        if found := pattern.search(head):
            labels.append(found.group(1).decode("ascii", "replace"))
    names = []
    for label in labels:
        name = _codec_name(label)
        if name and name not in names:
            names.append(name)
    if names and _single_byte(names[0]) and any(not _single_byte(name) for name in names[1:]):
        # A server's default ISO-8859-1 decodes any bytes at all, so it would always win and
        # turn a GBK or UTF-8 page into mojibake: the page's own multibyte declaration goes first.
        names.append(names.pop(0))
    return names


@lru_cache(maxsize=64)
def _single_byte(name: str) -> bool:
    """Whether a codec reads one character per byte (latin-1, cp1252, koi8-r …): such a
    codec decodes the bytes of a GBK or UTF-8 character as several characters."""
    sample = b"\xe4\xb8\xad\xd6\xd0"  # 中 in UTF-8, then 中 in GBK
    try:
        text = sample.decode(name, "replace")
    except LookupError:  # a non-text codec (rot13) named by a hostile header: never tried
        return False
    return "\ufffd" not in text and len(text) == len(sample)


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a body; returns (text, codec name).

    Order: a byte-order mark, then the charsets the response declares (HTTP header, then
    `<meta>` / XML declaration; a single-byte header after a multibyte charset the page
    declares), the first that decodes the bytes cleanly winning; with no
    declaration, strict UTF-8, then gb18030. A declared charset the bytes do not decode
    under is passed over (portals mislabel pages); when no candidate decodes cleanly, the
    one with the fewest broken characters wins, so a UTF-8 page with one bad byte stays
    UTF-8 and a GBK page labelled UTF-8 is read as GBK.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8"
    declared = _declared_charsets(body, content_type)
    candidates = [*declared, *(name for name in ("utf-8", "gb18030") if name not in declared)]
    for name in declared or candidates:
        try:
            return body.decode(name), name
        except (UnicodeDecodeError, LookupError):
            # LookupError: a non-text codec (rot13, zlib) named by a hostile header.
            continue
    best: tuple[int, int, str, str] | None = None
    for rank, name in enumerate(candidates):
        try:
            text = body.decode(name, "replace")
        except LookupError:
            continue
        score = (text.count("\ufffd"), rank, name, text)
        best = score if best is None or score < best else best
    assert best is not None  # utf-8 and gb18030 always decode with "replace"
    return best[3], best[2]
