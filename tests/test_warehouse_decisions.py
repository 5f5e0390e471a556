"""The operators' quarantine decisions file (warehouse/decisions.py): appended line by line,
a cut-short line refused and never glued to the next, loaded whole into the state database
at every load, so a rebuilt state database keeps every decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest

from warehouse.decisions import Decision, append_decision, decisions_path, read_decisions
from warehouse.landing import LandingError
from warehouse.load import load

AT = datetime(2013, 1, 12, 3, tzinfo=UTC)


def decision(run_id="20130107T020000Z", kind="approved", reason="confirmed by the bureau"):
    return Decision("ly-aic-xxgk", run_id, kind, reason, "ops", AT)


def table(data_dir) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "state.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT run_id, decision, reason, decided_by, decided_at, seq FROM raw_quarantine_decisions ORDER BY seq"
        ).fetchall()
    finally:
        con.close()


def test_decisions_are_appended_one_line_each(tmp_path):
    append_decision(tmp_path, decision())
    append_decision(tmp_path, decision(kind="rejected", reason="changed my mind"))
    lines = decisions_path(tmp_path).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["decision"] for line in lines] == ["approved", "rejected"]
    assert json.loads(lines[0]) == {
        "portal_id": "ly-aic-xxgk",
        "run_id": "20130107T020000Z",
        "decision": "approved",
        "reason": "confirmed by the bureau",
        "decided_by": "ops",
        "decided_at": "2013-01-12T03:00:00+00:00",
    }
    assert read_decisions(tmp_path) == ([decision(), decision(kind="rejected", reason="changed my mind")], [])


@pytest.mark.parametrize(
    "bad",
    [
        decision(kind="maybe"),
        decision(reason="  "),
        decision(run_id="../x"),
    ],
)
def test_a_bad_decision_is_refused_before_writing(tmp_path, bad):
    with pytest.raises(LandingError):
        append_decision(tmp_path, bad)
    assert not decisions_path(tmp_path).exists()


def test_a_cut_short_line_is_refused_and_the_next_stands_alone(tmp_path):
    path = decisions_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"portal_id": "ly-aic-xxgk", "run_id": "2013', encoding="utf-8")
    assert read_decisions(tmp_path) == ([], [(1, "an unfinished line (no newline)")])
    append_decision(tmp_path, decision())
    decisions, refused = read_decisions(tmp_path)
    assert decisions == [decision()] and [number for number, _ in refused] == [1]


def test_the_load_replaces_the_table_from_the_file_and_reports_bad_lines(tmp_path):
    append_decision(tmp_path, decision())
    with decisions_path(tmp_path).open("a", encoding="utf-8") as handle:
        handle.write('{"decision": "approved"}\n')
    append_decision(tmp_path, decision(kind="rejected", reason="changed my mind"))
    result = load(tmp_path / "state.duckdb", tmp_path)
    assert [why for _, why in result.rejected] == ["portal_id None is not a safe name (letters, digits, . _ -)"]
    assert result.rejected[0][0].endswith("quarantine.jsonl:2")
    expected = [
        ("20130107T020000Z", "approved", "confirmed by the bureau", "ops", datetime(2013, 1, 12, 3), 1),
        ("20130107T020000Z", "rejected", "changed my mind", "ops", datetime(2013, 1, 12, 3), 2),
    ]
    assert table(tmp_path) == expected
    load(tmp_path / "state.duckdb", tmp_path)  # idempotent
    assert table(tmp_path) == expected
    (tmp_path / "state.duckdb").unlink()  # a state database rebuilt from the files keeps them
    load(tmp_path / "state.duckdb", tmp_path)
    assert table(tmp_path) == expected
