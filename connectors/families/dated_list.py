"""Whether a page holds a dated list: a group of sibling elements, each holding one link and
one date, as every catalogue prints its documents whatever its CMS.

Used to recognise a page of no known family that can still be read as a list (the generic
family, docs/platforms.md). A menu is siblings with links but no dates; a block of news with
dates in a side column is a list too, so the size of the largest group is returned and the
caller decides what is enough.
"""

from __future__ import annotations

from collections import Counter

from bs4.element import Tag

from connectors.families.base import date_in_text, resolve_link, soup, tags, text_of
from connectors.normalize import reads_as_date

#: Elements that hold a date in list rows (`<span>2012-03-05</span>`, `<td>03-05</td>`).
_HOLDERS = frozenset({"span", "b", "em", "i", "font", "small", "td", "p", "div", "time", "dd", "label"})
_A = frozenset({"a"})


def largest_dated_group(text: str, base: str) -> int:
    """The number of siblings in the page's largest group of same-named elements that each
    hold exactly one followable link and a date outside it."""
    best = 0
    for parent in tags(soup(text)):
        counts = Counter(child.name for child in parent.children if isinstance(child, Tag) and _dated_row(child, base))
        if counts:
            best = max(best, max(counts.values()))
    return best


def _dated_row(node: Tag, base: str) -> bool:
    links = [a for a in tags(node, _A) if resolve_link(str(a.get("href") or ""), base)]
    if len(links) != 1:
        return False
    link = links[0]
    for holder in tags(node, _HOLDERS):
        if any(p is link for p in holder.parents) or any(p is holder for p in link.parents):
            continue
        value = text_of(holder)
        if value and len(value) <= 40 and reads_as_date(value):
            return True
    outside = text_of(node).replace(text_of(link), " ")
    return date_in_text(outside) is not None
