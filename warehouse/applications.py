"""The applications register (依申请公开): a CSV a unit keeps, one row per application
(docs/applications.md), its columns, codes and the check of each row.

Keeping the checked rows under `{data_dir}/applications/` and loading them into the state
database is `warehouse/application_store.py`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

#: The columns of the register, in order; the required ones must be present as columns.
COLUMNS = (
    "unit_id",
    "application_id",
    "received_date",
    "applicant_type",
    "channel",
    "outcome",
    "closed_date",
    "fee_amount",
    "review_outcome",
    "litigation_outcome",
)
REQUIRED = ("unit_id", "application_id", "received_date", "applicant_type", "outcome", "closed_date")

#: The template's applicant columns: (key, label). 自然人, then 法人或其他组织's five.
APPLICANT_TYPES = (
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institute", "科研机构"),
    ("social_org", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other", "其他"),
)

#: The outcome codes of the template's 三、本年度办理结果: code → (row key, row label).
OUTCOMES = {
    "1": ("result_open", "（一）予以公开"),
    "2": ("result_partial", "（二）部分公开"),
    "3.1": ("not_open_secret", "（三）不予公开 1.属于国家秘密"),
    "3.2": ("not_open_other_law", "（三）不予公开 2.其他法律行政法规禁止公开"),
    "3.3": ("not_open_3s1w", "（三）不予公开 3.危及“三安全一稳定”"),
    "3.4": ("not_open_third_party", "（三）不予公开 4.保护第三方合法权益"),
    "3.5": ("not_open_internal", "（三）不予公开 5.属于三类内部事务信息"),
    "3.6": ("not_open_process", "（三）不予公开 6.属于四类过程性信息"),
    "3.7": ("not_open_casefile", "（三）不予公开 7.属于行政执法案卷"),
    "3.8": ("not_open_query", "（三）不予公开 8.属于行政查询事项"),
    "4.1": ("cannot_provide_not_held", "（四）无法提供 1.本机关不掌握相关政府信息"),
    "4.2": ("cannot_provide_need_make", "（四）无法提供 2.没有现成信息需要另行制作"),
    "4.3": ("cannot_provide_unclear", "（四）无法提供 3.补正后申请内容仍不明确"),
    "5.1": ("no_process_petition", "（五）不予处理 1.信访举报投诉类申请"),
    "5.2": ("no_process_repeat", "（五）不予处理 2.重复申请"),
    "5.3": ("no_process_publications", "（五）不予处理 3.要求提供公开出版物"),
    "5.4": ("no_process_massive", "（五）不予处理 4.无正当理由大量反复申请"),
    "5.5": ("no_process_confirm", "（五）不予处理 5.要求行政机关确认或重新出具已获取信息"),
    "6.1": ("other_fix_timeout", "（六）其他处理 1.申请人无正当理由逾期不补正"),
    "6.2": ("other_fee_unpaid", "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用"),
    "6.3": ("other_other", "（六）其他处理 3.其他"),
}
#: The template's 25 rows of the 三 table: (row key, label), in order.
TEMPLATE_ROWS = (
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carry_over", "二、上年结转政府信息公开申请数量"),
    *((key, f"三、本年度办理结果 {label}") for key, label in OUTCOMES.values()),
    ("result_total", "三、本年度办理结果 （七）总计"),
    ("carry_to_next", "四、结转下年度继续办理"),
)
#: 复议 and 诉讼 results (the 四 table's columns), as written in the register.
PROCEEDING_RESULTS = ("维持", "纠正", "其他", "尚未审结")
#: The earliest sane date: the disclosure regulations (政府信息公开条例) took effect then.
EARLIEST = date(2008, 5, 1)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_APPLICANTS = {label: key for key, label in APPLICANT_TYPES}


class RegisterError(ValueError):
    """The register cannot be read at all (no header, a required column missing)."""


@dataclass(frozen=True)
class Application:
    """One checked row of the register."""

    unit_id: str
    application_id: str
    received_date: date
    applicant_type: str  # the template's column key (natural_person …)
    channel: str | None
    outcome: str | None  # an OUTCOMES code; None while open
    closed_date: date | None
    fee_amount: Decimal | None
    review_outcome: str | None
    litigation_outcome: str | None


def applications_dir(data_dir: str | os.PathLike) -> Path:
    """Where a data dir keeps the imported registers (one file per unit)."""
    return Path(data_dir) / "applications"


def _date(row: dict, name: str, today: date) -> date | None:
    text = row[name]
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST <= value <= today:
        raise ValueError(f"{name} {text} is outside {EARLIEST} … {today}")
    return value


def _fee(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"fee_amount {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"fee_amount {text!r} is not an amount of yuan")
    return value


def _choice(row: dict, name: str, allowed) -> str | None:
    text = row[name]
    if text and text not in allowed:
        raise ValueError(f"{name} {text!r} is not one of {', '.join(allowed)}")
    return text or None


def check_row(row: dict, today: date, units: frozenset[str] | None = None) -> Application:
    """One register row (column → stripped text) as an Application; ValueError says why not."""
    for name in ("unit_id", "application_id", "received_date", "applicant_type"):
        if not row[name]:
            raise ValueError(f"{name} is empty")
    for name in ("unit_id", "application_id"):
        if not _NAME.match(row[name]):
            raise ValueError(f"{name} {row[name]!r} is not a plain id (letters, digits, . _ -)")
    if units is not None and row["unit_id"] not in units:
        raise ValueError(f"unit_id {row['unit_id']!r} is not a unit of the config")
    if row["applicant_type"] not in _APPLICANTS:
        raise ValueError(f"applicant_type {row['applicant_type']!r} is not one of {', '.join(_APPLICANTS)}")
    outcome = _choice(row, "outcome", OUTCOMES)
    received, closed = _date(row, "received_date", today), _date(row, "closed_date", today)
    if (outcome is None) != (closed is None):
        raise ValueError("outcome and closed_date go together (both empty while the application is open)")
    if closed is not None and closed < received:
        raise ValueError(f"closed_date {closed} is before received_date {received}")
    return Application(
        row["unit_id"],
        row["application_id"],
        received,
        _APPLICANTS[row["applicant_type"]],
        row["channel"] or None,
        outcome,
        closed,
        _fee(row["fee_amount"]),
        _choice(row, "review_outcome", PROCEEDING_RESULTS),
        _choice(row, "litigation_outcome", PROCEEDING_RESULTS),
    )


def read_register(
    text: str, today: date | None = None, units: frozenset[str] | None = None
) -> tuple[list[Application], list[tuple[int, str]]]:
    """The good rows of a register and the refused ones as (line number, reason).

    Line numbers are the file's (the header is line 1). A duplicate (unit_id,
    application_id) is refused at its second and later lines. Raises RegisterError when
    the header lacks a required column or names an unknown one.
    """
    today = today or date.today()
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise RegisterError(f"the header lacks the column(s) {', '.join(missing)}")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise RegisterError(f"the header names unknown column(s) {', '.join(unknown)}")
    good: list[Application] = []
    refused: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            refused.append((line, f"{len(cells)} cells, the header has {len(header)}"))
            continue
        row = {name: "" for name in COLUMNS} | {n: c.strip() for n, c in zip(header, cells, strict=True)}
        try:
            application = check_row(row, today, units)
        except ValueError as exc:
            refused.append((line, str(exc)))
            continue
        key = (application.unit_id, application.application_id)
        if key in seen:
            refused.append((line, f"application_id {key[1]!r} of {key[0]} repeats line {seen[key]}"))
            continue
        seen[key] = line
        good.append(application)
    return good, refused
