"""Operators' quarantine decisions: an append-only file under the data dir, loaded into the
state database's `raw_quarantine_decisions` at every load (docs/withdrawal.md).

`{data_dir}/decisions/quarantine.jsonl` holds one JSON object per line: portal_id, run_id,
decision (approved | rejected), reason, decided_by, decided_at (ISO, UTC). Lines are only
ever appended, each in one `write` on a descriptor opened with O_APPEND, then fsynced; the
latest line of a portal run wins. Like the landing files, the file is the record: the state
database's table is replaced from it at every load, so a rebuilt state database keeps every
decision, and the warehouse build reads only the table.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse.landing import LandingError, check_name

DECISIONS = ("approved", "rejected")
_COLUMNS = """
    portal_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL, decision VARCHAR NOT NULL,
    reason VARCHAR NOT NULL, decided_by VARCHAR, decided_at TIMESTAMP NOT NULL,
    seq INTEGER NOT NULL
"""


@dataclass(frozen=True)
class Decision:
    """One operator's decision on one quarantined listing."""

    portal_id: str
    run_id: str
    decision: str  # approved | rejected
    reason: str
    decided_by: str | None
    decided_at: datetime  # aware, UTC (naive UTC in the table, as every warehouse time)


def decisions_path(data_dir: str | os.PathLike) -> Path:
    """Where a data dir keeps its quarantine decisions."""
    return Path(data_dir) / "decisions" / "quarantine.jsonl"


def _checked(document: object) -> Decision:
    """A decision from one parsed line, refused with the reason when it breaks the format."""
    if not isinstance(document, dict):
        raise LandingError("not a JSON object")
    portal_id = check_name("portal_id", document.get("portal_id"))
    run_id = check_name("run_id", document.get("run_id"))
    if document.get("decision") not in DECISIONS:
        raise LandingError(f"decision {document.get('decision')!r} is not approved or rejected")
    reason = document.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise LandingError("the reason is missing")
    decided_by = document.get("decided_by")
    if decided_by is not None and not isinstance(decided_by, str):
        raise LandingError("decided_by is not a string")
    try:
        decided_at = datetime.fromisoformat(document.get("decided_at"))
    except (TypeError, ValueError):
        raise LandingError(f"decided_at {document.get('decided_at')!r} is not an ISO time") from None
    decided_at = decided_at.replace(tzinfo=UTC) if decided_at.tzinfo is None else decided_at.astimezone(UTC)
    return Decision(portal_id, run_id, document["decision"], reason.strip(), decided_by, decided_at)


def read_decisions(data_dir: str | os.PathLike) -> tuple[list[Decision], list[tuple[int, str]]]:
    """Every decision of the file in order, and the lines refused as (line number, reason).

    A last line without its newline is a write that never finished: refused, not read.
    """
    path = decisions_path(data_dir)
    if not path.exists():
        return [], []
    decisions, refused = [], []
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if number == len(lines):
            refused.append((number, "an unfinished line (no newline)"))
            continue
        try:
            decisions.append(_checked(json.loads(line)))
        except (ValueError, LandingError) as exc:
            refused.append((number, str(exc)))
    return decisions, refused


def append_decision(data_dir: str | os.PathLike, decision: Decision) -> Path:
    """Append one decision as one line, atomically; return the file's path.

    One `os.write` on an O_APPEND descriptor: concurrent appends never interleave. A file
    whose last line was cut short gets a newline first, so the new line stands alone.
    """
    _checked({**asdict(decision), "decided_at": decision.decided_at.isoformat()})
    path = decisions_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {**asdict(decision), "decided_at": decision.decided_at.isoformat()}
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and _last_byte(path, size) != b"\n":
            line = "\n" + line
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def _last_byte(path: Path, size: int) -> bytes:
    """The file's last byte."""
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return handle.read(1)


def ensure_decisions_schema(con) -> None:
    """Create `raw_quarantine_decisions` if this state database is new."""
    con.execute(f"CREATE TABLE IF NOT EXISTS raw_quarantine_decisions ({_COLUMNS})")


def load_decisions(con, data_dir: str | os.PathLike) -> list[tuple[str, str]]:
    """Replace `raw_quarantine_decisions` with the file's decisions, in one transaction.

    Returns the refused lines as (file:line, reason), for the load's report.
    """
    decisions, refused = read_decisions(data_dir)
    ensure_decisions_schema(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM raw_quarantine_decisions")
        if decisions:
            con.executemany(
                "INSERT INTO raw_quarantine_decisions VALUES (?, ?, ?, ?, ?, ?, ?)",
                [[*_row(d), seq] for seq, d in enumerate(decisions, start=1)],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    path = decisions_path(data_dir)
    return [(f"{path}:{number}", why) for number, why in refused]


def _row(decision: Decision) -> list:
    """The decision's fields in the table's column order."""
    return [
        decision.portal_id,
        decision.run_id,
        decision.decision,
        decision.reason,
        decision.decided_by,
        decision.decided_at.astimezone(UTC).replace(tzinfo=None),
    ]
