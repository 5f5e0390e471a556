"""What every JSON family (ssp, gkmlpt, govcn) does with a page before reading its rows.

The bytes are a portal's, so everything is hostile: an HTML error page where JSON was
expected, raw newlines inside strings (real search APIs send them), nesting deep enough to
exhaust Python's stack, numbers of thousands of digits, and escapes that make lone
surrogates no file format can store. Each becomes a changed layout or a cleaned value,
never a crash.
"""

from __future__ import annotations

import json

from connectors.errors import LayoutChanged
from connectors.families.base import check_stub, small_int, unreadable, without_surrogates


def load_object(text: str, url: str) -> dict:
    """The JSON object of a page; raw newlines and tabs inside strings are tolerated."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        check_stub(text, f"{url}: a small HTML page instead of JSON")
        raise unreadable(text, f"{url}: expected JSON, got HTML ({len(text)} characters)")
    try:
        data = json.loads(stripped, strict=False)
    except RecursionError:
        raise LayoutChanged(f"{url}: JSON nested too deep to read") from None
    except ValueError as exc:  # not JSON, or a number of more than 4,300 digits
        raise LayoutChanged(f"{url}: not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise LayoutChanged(f"{url}: expected a JSON object, got {type(data).__name__}")
    return data


def json_int(value: object) -> int | None:
    """A count the page gives as a number or a string of ASCII digits; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    return small_int(value) if isinstance(value, str) else None


def json_text(value: object) -> str | None:
    """A scalar field's text, stripped, lone surrogates replaced; None when empty or not a scalar."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    return without_surrogates(str(value)).strip() or None
