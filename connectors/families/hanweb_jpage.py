"""What a Hanweb column page's jpage call says about the datastore it is handed: the
listing's total and the size of the group the page embeds.

`$('#423656').jpage({totalRecord:138, groupSize:3, perPage:10, dataStore:$('#423656')
.children('script').html(), …})` pages the records of the page's datastore, `perPage` of
them a page and `groupSize` pages a group: the page embeds one group, 10 × 3 = 30 records on
Jiangsu's template, and the data proxy serves the next. Only a call handed the datastore
(`dataStore`) counts: Jiangsu's template also defines a search function whose jpage call
carries a placeholder `totalRecord:1000`, first in the page. Numbers are read as the call
writes them: bare, quoted, or wrapped in `Number(…)` / `parseInt(…)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from connectors.families.base import small_int
from connectors.families.page_script import NUMBER

#: The options of a jpage call, up to the first nested object (`ajaxParam: {…}` comes last).
_JPAGE_CALL = re.compile(r"\.jpage\(\s*\{([^{}]{0,4000})")
_NAMES = ("totalRecord", "perPage", "groupSize", "startRecord", "endRecord")
#: `name: 20`, `"name": "20"`, `name=20` (in a URL), `name: Number("20")`, `name: parseInt('20', 10)`
_OPTION = {name: re.compile(rf"""\b{name}\b["']?\s*[:=]""" + NUMBER, re.I) for name in _NAMES}


def stated_total(code: str) -> int | None:
    """The `totalRecord` of the first call handed the datastore that states one (`code`:
    the page's live script code, `totals.live_parts`)."""
    for options in _store_calls(code):
        total = _stated(options, "totalRecord")
        if total is not None:
            return total
    return None


def stated_group(code: str) -> int | None:
    """The fewest records the embedded group holds when another group follows it, as the
    first call handed the datastore that states any size says; None when none does.

    `startRecord`/`endRecord` (a proxy URL's `startrecord=1&endrecord=40`) give the group
    exactly, and so do `perPage` × `groupSize`; `perPage` or `groupSize` alone is the least
    a full group holds (a group is at least one page, a page at least one record). A group
    shorter than this is the listing's last; a longer bound would end a listing early.
    """
    for options in _store_calls(code):
        size = _group_of(options)
        if size:
            return size
    return None


def _group_of(options: str) -> int | None:
    first, last = _stated(options, "startRecord") or 1, _stated(options, "endRecord")
    if last:
        return last - first + 1 if last >= first else None
    per_page, pages = _stated(options, "perPage"), _stated(options, "groupSize")
    if per_page and pages:
        return per_page * pages
    return per_page or pages or None


def without_other_calls(code: str) -> str:
    """`code` without the options of the jpage calls not handed the datastore: their
    `totalRecord` (a search box's placeholder `1000`) says nothing of this listing."""
    return _JPAGE_CALL.sub(lambda call: call.group(0) if "dataStore" in call.group(1) else ".jpage({", code)


def _store_calls(code: str) -> Iterator[str]:
    """The options of each jpage call handed the page's datastore, in page order."""
    for call in _JPAGE_CALL.finditer(code):
        if "dataStore" in call.group(1):
            yield call.group(1)


def _stated(options: str, name: str) -> int | None:
    found = _OPTION[name].search(options)
    return small_int(found.group(1)) if found else None
