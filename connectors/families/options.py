"""What the config's validation checks of a portal's `[portal.options]`: every CSS selector
parses (the listing's row selectors with soupsieve, as they are read; the detail page's
`body` with lxml's cssselect, as it is read), and a generic portal's options make a walk
(`rows` given, `next` or `pager`, a pager template and first page that can be used).

Each problem names its option, so the config's error line names file, entry and option.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml.cssselect import CSSSelector, SelectorError

from connectors.families.generic.pager import first_page_problem, template_problem
from connectors.families.selected import selector_options, selector_problem


def option_problems(platform: str, options: Mapping[str, str]) -> list[str]:
    """`option 'x': why` for each unusable option of a portal of `platform`."""
    problems = [
        f"option {name!r}: {p}" for name, css in selector_options(options).items() if (p := selector_problem(css))
    ]
    if options.get("body"):
        try:
            CSSSelector(options["body"])
        except SelectorError as exc:
            problems.append(f"option 'body': not a CSS selector lxml reads: {exc}")
    if platform == "generic":
        problems += _walk_problems(options)
    return problems


def _walk_problems(options: Mapping[str, str]) -> list[str]:
    """A generic portal needs `rows`; it pages by `next` or by `pager` (not both)."""
    problems = []
    if not options.get("rows"):
        problems.append("option 'rows': required for platform generic (the CSS selector of the listing's rows)")
    if options.get("next") and options.get("pager"):
        problems.append("option 'pager': give either 'next' (a next-page link) or 'pager' (a URL template), not both")
    if options.get("pager") and (problem := template_problem(options["pager"])):
        problems.append(f"option 'pager': {problem}")
    if "first_page" in options:
        if not options.get("pager"):
            problems.append("option 'first_page': only with 'pager'")
        elif problem := first_page_problem(options["first_page"]):
            problems.append(f"option 'first_page': {problem}")
    return problems
