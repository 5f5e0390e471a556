"""The catalog fields of a listing, declared once for the landing schema and the SQL models.

Every metadata field a portal may show for a document (docs/fields.md): 标题 title, 索引号
index_no, 文号 doc_no, 发布机构 publisher_name, 发布日期 published_date, 成文日期
written_date, the three classifications topic / function / audience, 体裁 genre, 有效性
validity and 公开方式 disclosure. The order is the one of the published columns and of the
field mask's bits (bit i is FIELDS[i]). The connectors declare the same list for the
listings they read (a test keeps the two equal); the warehouse never imports them.

The SQL models spell the list through placeholders that `expand` replaces before a model
runs, so adding a field is this one change plus the models that really use it:

- ``{{ fields: TEMPLATE }}`` repeats TEMPLATE once per field, joined by ``,`` (a column
  list); ``{{ fields OR: TEMPLATE }}`` or ``{{ fields +: TEMPLATE }}`` join by that word.
  In TEMPLATE, ``{field}`` is the column (quoted where it is an SQL keyword), ``{name}`` the
  bare name (for text and suffixes) and ``{bit}`` the field's bit in the field mask.
- ``{{ field_names }}`` is the list of names as an SQL list literal, ``{{ n_fields }}``
  how many there are.
"""

from __future__ import annotations

import re

FIELDS: tuple[str, ...] = (
    "title",
    "index_no",
    "doc_no",
    "publisher_name",
    "published_date",
    "written_date",
    "topic",
    "function",
    "audience",
    "genre",
    "validity",
    "disclosure",
)

#: The fields that are dates; every other field is text.
DATE_FIELDS: tuple[str, ...] = ("published_date", "written_date")

#: Field names that are SQL keywords and must be quoted as column names.
_KEYWORDS = frozenset({"function"})

_REPEAT = re.compile(r"\{\{\s*fields(?:\s+(OR|AND|\+))?\s*:\s*(.*?)\s*\}\}", re.DOTALL)
_SCALAR = re.compile(r"\{\{\s*(field_names|n_fields)\s*\}\}")
_LEFTOVER = re.compile(r"\{\{.*?\}\}", re.DOTALL)


class TemplateError(ValueError):
    """A model's placeholder is not one of those `expand` knows."""


def column(name: str) -> str:
    """The field as an SQL column reference: quoted when it is a keyword."""
    return f'"{name}"' if name in _KEYWORDS else name


def _repeat(match: re.Match[str]) -> str:
    """One `{{ fields ...: TEMPLATE }}` placeholder, expanded over every field."""
    joiner, template = match.group(1), match.group(2)
    parts = [
        template.replace("{field}", column(name)).replace("{name}", name).replace("{bit}", str(1 << position))
        for position, name in enumerate(FIELDS)
    ]
    return (",\n    " if joiner is None else f"\n    {joiner} ").join(parts)


def _scalar(match: re.Match[str]) -> str:
    """`{{ field_names }}` or `{{ n_fields }}`."""
    if match.group(1) == "n_fields":
        return str(len(FIELDS))
    return "[" + ", ".join(f"'{name}'" for name in FIELDS) + "]"


def expand(sql: str, where: str = "model") -> str:
    """The SQL with every field placeholder replaced; an unknown placeholder is refused."""
    expanded = _SCALAR.sub(_scalar, _REPEAT.sub(_repeat, sql))
    leftover = _LEFTOVER.search(expanded)
    if leftover:
        raise TemplateError(f"{where}: unknown placeholder {leftover.group(0)!r}")
    return expanded
