"""The applications registers kept and loaded: one checked file per unit under
`{data_dir}/applications/`, loaded whole into the state database's `raw_applications`.

Like the quarantine decisions, the files are the record: `raw_applications` is replaced
from them at every load, so a rebuilt state database keeps every imported register.
`xxgk applications import` writes one file per unit (`UNIT_ID.csv`, atomically), so
importing a unit's register again replaces that unit's rows.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from warehouse.applications import (
    APPLICANT_TYPES,
    COLUMNS,
    Application,
    RegisterError,
    applications_dir,
    read_register,
)
from warehouse.landing import replace_into


def _csv_text(applications: list[Application]) -> str:
    """Applications as a register file (the template's applicant labels, ISO dates)."""
    labels = dict(APPLICANT_TYPES)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for a in applications:
        writer.writerow(
            [
                a.unit_id,
                a.application_id,
                a.received_date.isoformat(),
                labels[a.applicant_type],
                a.channel or "",
                a.outcome or "",
                a.closed_date.isoformat() if a.closed_date else "",
                "" if a.fee_amount is None else str(a.fee_amount),
                a.review_outcome or "",
                a.litigation_outcome or "",
            ]
        )
    return out.getvalue()


def write_registers(data_dir: str | os.PathLike, applications: list[Application]) -> list[Path]:
    """Write the applications as one file per unit (`UNIT_ID.csv`), each whole or not at all
    (warehouse.landing.replace_into); return the files written."""
    folder = applications_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for unit_id in sorted({a.unit_id for a in applications}):
        path = folder / f"{unit_id}.csv"
        text = _csv_text([a for a in applications if a.unit_id == unit_id])
        replace_into(path, lambda temp, text=text: temp.write_text(text, encoding="utf-8", newline=""))
        written.append(path)
    return written


_TABLE = """
    unit_id VARCHAR NOT NULL, application_id VARCHAR NOT NULL, received_date DATE NOT NULL,
    applicant_type VARCHAR NOT NULL, channel VARCHAR, outcome VARCHAR, closed_date DATE,
    fee_amount DECIMAL(18, 2), review_outcome VARCHAR, litigation_outcome VARCHAR,
    PRIMARY KEY (unit_id, application_id)
"""


def ensure_applications_schema(con) -> None:
    """Create `raw_applications` if this state database is new."""
    con.execute(f"CREATE TABLE IF NOT EXISTS raw_applications ({_TABLE})")


def load_applications(con, data_dir: str | os.PathLike) -> list[tuple[str, str]]:
    """Replace `raw_applications` with every register file's good rows, in one transaction.

    A row of `UNIT.csv` of another unit, or a key seen in an earlier file, is refused.
    Returns the refused rows as (file:line, reason), for the load's report.
    """
    rows, refused, seen = [], [], set()
    for path in sorted(applications_dir(data_dir).glob("*.csv")):
        try:
            good, bad = read_register(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, RegisterError) as exc:
            refused.append((str(path), str(exc)))
            continue
        refused += [(f"{path}:{line}", why) for line, why in bad]
        for a in good:
            if a.unit_id != path.stem or (a.unit_id, a.application_id) in seen:
                refused.append((str(path), f"application {a.application_id} of {a.unit_id} does not belong here"))
                continue
            seen.add((a.unit_id, a.application_id))
            rows.append(list(a.__dict__.values()))
    ensure_applications_schema(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM raw_applications")
        if rows:
            con.executemany(f"INSERT INTO raw_applications VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return refused
