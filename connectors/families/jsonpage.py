"""What every JSON family (ssp, gkmlpt, govcn) does with a page and with the values of its items.

The bytes are a portal's, so everything is hostile: an HTML error page where JSON was
expected, raw newlines inside strings (real search APIs send them), nesting deep enough to
exhaust Python's stack, arrays and objects by the million (a 20 MB body of `[],[],…` would
take gigabytes as Python objects), numbers of thousands of digits, and escapes that make lone
surrogates no file format can store. Each becomes a changed layout or a cleaned value,
never a crash.

An item's field is the first of its keys whose value says something (`json_fields`): APIs
print `0` for a date they do not have (www.gov.cn's `ptime` of news items), which read as
text would be the non-empty "0" and hide the next key of the choice, so an epoch at or
before 1970 (`0`, `"0"`, a negative number) is no date, decided here for every family.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence

from connectors.errors import LayoutChanged
from connectors.families.base import check_stub, small_int, unreadable, without_surrogates

#: Caps on what a listing page's JSON may build, counted before any object is made. A real
#: page of a hundred rows of thirty fields holds a few hundred containers and a few thousand
#: values; the caps leave a thousand times that.
MAX_JSON_CONTAINERS = 100_000
MAX_JSON_VALUES = 1_000_000
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def load_object(text: str, url: str) -> dict:
    """The JSON object of a page; raw newlines and tabs inside strings are tolerated."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        check_stub(text, f"{url}: a small HTML page instead of JSON")
        raise unreadable(text, f"{url}: expected JSON, got HTML ({len(text)} characters)")
    _check_json_size(stripped, url)
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


#: A date field's value that is no date: an epoch of 0 or below, as a number or as digits.
_NO_EPOCH = re.compile(r"-\d+(?:\.\d+)?|0+(?:\.0+)?")


def json_field(name: str, value: object) -> str | None:
    """What `value` says for field `name`: its text (`json_text`), but None for a date field
    (`*_date`) given an epoch at or before 1970, which APIs print for "no date"."""
    text = json_text(value)
    if text is not None and name.endswith("_date") and _NO_EPOCH.fullmatch(text):
        return None
    return text


def json_fields(
    item: Mapping[str, object],
    keys: Mapping[str, Sequence[str]],
    clean: Callable[[str], str | None] | None = None,
) -> dict[str, str]:
    """Each field of `keys` (field -> the item's keys, in order of preference) from the first
    key whose value says something for it (`json_field`, then `clean` when given: a family's
    own markup removal); a field no key fills is left out."""
    fields: dict[str, str] = {}
    for name, candidates in keys.items():
        for key in candidates:
            text = json_field(name, item.get(key))
            if text is not None and clean is not None:
                text = clean(text)
            if text:
                fields[name] = text
                break
    return fields


def _check_json_size(text: str, url: str) -> None:
    """Refuse JSON that would build more containers or values than the caps allow.

    Counted over the text with its strings blanked out (brackets and commas inside strings
    are data); the first count, strings included, can only be larger, so most pages pass it
    without the blanking."""
    containers, values = _counts(text)
    if containers <= MAX_JSON_CONTAINERS and values <= MAX_JSON_VALUES:
        return
    containers, values = _counts(_JSON_STRING.sub('""', text))
    if containers > MAX_JSON_CONTAINERS:
        raise LayoutChanged(f"{url}: JSON with {containers:,} arrays and objects (cap {MAX_JSON_CONTAINERS:,})")
    if values > MAX_JSON_VALUES:
        raise LayoutChanged(f"{url}: JSON with {values:,} values (cap {MAX_JSON_VALUES:,})")


def _counts(text: str) -> tuple[int, int]:
    """(arrays and objects, values at most) a JSON text would build."""
    containers = text.count("[") + text.count("{")
    return containers, containers + text.count(",") + 1
