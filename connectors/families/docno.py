"""A 文号 printed without its label: the line of an official document under its heading
(`粤发改能源〔2026〕290号` alone in a centred paragraph), and the 文号 a catalogue list
prints in brackets at the end of a title (`关于…的通知(发改经贸〔2026〕1241号)`).

A 文号 is an issuer's abbreviation, the year in brackets, a number and 号; the year brackets
vary as `norm_doc_no` knows them (〔〕 [] 【】 （） ﹝﹞). Only a whole line or a title's closing
bracket counts: a 文号 cited in running text (`按照《…》（发改环资〔2026〕698号）要求`) is
another document's.
"""

from __future__ import annotations

import re

_DOC_NO = r"[\u4e00-\u9fff]{1,15}\s*[〔［\[【(（﹝{]\s*(?:19|20)\d{2}\s*[〕］\]】)）﹞}]\s*第?\s*\d{1,6}\s*号"
_LINE = re.compile(rf"\s*({_DOC_NO})\s*")
_TITLE_END = re.compile(rf"[(（]\s*({_DOC_NO})\s*[)）]\s*$")


def doc_no_line(text: str) -> str | None:
    """The 文号 a line of text is, whole (`粤发改能源〔2026〕290号`), else None."""
    found = _LINE.fullmatch(text)
    return found.group(1) if found else None


def doc_no_in_title(title: str) -> str | None:
    """The 文号 a title ends with in brackets (`…的通知(发改经贸〔2026〕1241号)`), else None.
    The title itself keeps it: that is how the portal prints the document's name."""
    found = _TITLE_END.search(title)
    return found.group(1) if found else None


def with_doc_no(fields: dict[str, str]) -> dict[str, str]:
    """A list row's fields, with the 文号 its title ends with when no column gives one."""
    if not fields.get("doc_no"):
        found = doc_no_in_title(fields.get("title") or "")
        if found:
            return {**fields, "doc_no": found}
    return fields
