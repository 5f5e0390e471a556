"""The numbers a listing page's pager script holds, in the spellings real templates print.

Two kinds of statement carry them:

- an assignment or an object key, `var countPage = 34`, `countnum:'6348'`, the number
  quoted or not, or wrapped in a numeric cast newer templates use: `Number("34")`,
  `parseInt('34', 10)`;
- a call of TRS's `createPageHTML`, in either of its two shapes:

  | shape | arguments | current page | pages of `name`/`ext` |
  |---|---|---|---|
  | count first | `(20, 0, "index", "html")` | 0-based | `index.html`, `index_1.html`, `index_2.html` … |
  | container first | `('page_div', 5, 1, 'fg', 'shtml', 89)` | 1-based | `fg.shtml`, `fg_2.shtml`, `fg_3.shtml` … |

  the container-first shape also gives the items (its sixth argument).

Callers pass live code only (`totals.live_parts`): a call commented out is not the pager.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from connectors.families.base import small_int

#: A count as a script writes it: digits, quoted or not, or inside a numeric cast.
NUMBER = r"""\s*(?:(?:Number|parseInt|parseFloat)\s*\(\s*)?["']?\s*([0-9]{1,15})\s*["']?"""
_ASSIGNED = r"""(?:var\s+|let\s+|const\s+)?["']?\b{name}\b["']?\s*[:=](?!=)"""
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_QUOTED_NAME = re.compile(r"""\s*["']([\w-]+)["']\s*""")
_EXTENSION = re.compile(r"\w{2,5}")


def named(*names: str) -> re.Pattern[str]:
    """A pattern of an assignment to (or object key of) any of `names`, its number in group 1."""
    alternatives = "|".join(names)
    return re.compile(_ASSIGNED.format(name=f"(?:{alternatives})") + NUMBER)


def assigned(code: str, name: str) -> int | None:
    """The number first assigned to `name` in `code` (zero included: a current page may be 0)."""
    match = named(name).search(code)
    return small_int(match.group(1)) if match else None


class CreatePage(NamedTuple):
    """What a `createPageHTML` call says: page count, current page (0-based), the pages' file
    name and extension, the suffix number of the second page (1 or 2), and the items when
    the call gives them."""

    pages: int | None
    current: int | None
    name: str
    ext: str
    second_suffix: int
    items: int | None


def create_page(code: str) -> CreatePage | None:
    """The first `createPageHTML` call of either shape in `code`, or None."""
    for match in _CREATE_PAGE.finditer(code):
        found = _read_call(match.group(1).split(","))
        if found is not None:
            return found
    return None


def _read_call(arguments: list[str]) -> CreatePage | None:
    container = _QUOTED_NAME.fullmatch(arguments[0]) if arguments else None
    if container is not None and container.group(1).isdigit():  # a quoted count, `'20'`
        container = None
    if container is not None:
        arguments = arguments[1:]
    if len(arguments) < 4:
        return None
    pages, current = _number(arguments[0]), _number(arguments[1])
    name, ext = _QUOTED_NAME.fullmatch(arguments[2]), _QUOTED_NAME.fullmatch(arguments[3])
    if pages is None or name is None or ext is None or not _EXTENSION.fullmatch(ext.group(1)):
        return None
    if container is None:
        return CreatePage(pages, current, name.group(1), ext.group(1), 1, None)
    items = _number(arguments[4]) if len(arguments) > 4 else None
    # the container-first shape counts its pages from 1 and names the second page `_2`
    first_based = None if current is None else max(current - 1, 0)
    return CreatePage(pages, first_based, name.group(1), ext.group(1), 2, items)


def _number(argument: str) -> int | None:
    match = re.fullmatch(NUMBER + r"\s*\)?\s*", argument)
    return small_int(match.group(1)) if match else None
