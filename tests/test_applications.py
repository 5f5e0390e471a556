"""The applications register (依申请公开) and the 2021 template's tables 三 and 四
(docs/applications.md): row-by-row checking, the import command, the marts on a hand-worked
register, the template's identity, and the demo world's register in the report.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
from helpers.warehouse import UNITS, load_and_build, query
from typer.testing import CliRunner

import warehouse
from flows.cli.app import app
from reports.applications import section_three
from reports.data import load as load_report
from reports.write import write_report
from sim.applications import register_rows
from warehouse.application_store import write_registers
from warehouse.applications import (
    APPLICANT_TYPES,
    COLUMNS,
    OUTCOMES,
    TEMPLATE_ROWS,
    RegisterError,
    read_register,
)

#: The demo world is harvested once per worker: its tests go to one worker.
pytestmark = pytest.mark.xdist_group("demo-world")
HEADER = ",".join(COLUMNS)
TODAY = date(2020, 1, 1)
WAREHOUSE = Path(warehouse.__file__).parent
runner = CliRunner()

# Hand-worked: A0 carried from 2012, A1 and A2 new and closed in 2013, A3 new in 2013 and
# still open, A4 received in 2011 and closed in 2014 (carried through 2012 and 2013).
HAND_WORKED = f"""{HEADER}
ly-aic,A0,2012-12-10,自然人,网上,1,2013-01-15,,,
ly-aic,A1,2013-03-01,自然人,信函,2,2013-03-20,,,
xl-aic,A2,2013-05-01,商业企业,当面,4.1,2013-05-20,25.50,维持,尚未审结
ly-aic,A3,2013-12-20,自然人,网上,,,,,
ct-aic,A4,2011-06-01,科研机构,网上,5.2,2014-02-01,,,
"""
BAD_ROWS = f"""{HEADER}
ly-aic,G1,2013-01-08,自然人,网上,1,2013-01-20,,,
ly-aic,B1,2013-02-01,商业企业,信函,9,2013-02-20,,,
ly-aic,B2,2013-03-01,个体户,当面,1,2013-03-10,,,
ly-aic,B3,2013-04-01,自然人,网上,2,2013-03-10,,,
ly-aic,B4,1999-04-01,自然人,网上,,,,,
ly-aic,G1,2013-05-01,自然人,网上,,,,,
ly-aic,G2,2013-05-02,科研机构,网上,,,,,
ly-aic,B5,2013-05-02,自然人,网上,1,,,,
ly-aic,B6,2013-05-02,自然人,网上
ly-aic,G3,2013-06-01,法律服务机构,,4.1,2013-06-10,,维持,尚未审结
"""
BAD_REASONS = {
    3: "outcome '9'",
    4: "applicant_type '个体户'",
    5: "is before received_date",
    6: "is outside",
    7: "repeats line 2",
    9: "go together",
    10: "cells",
}


def test_bad_rows_are_named_and_no_good_row_is_lost() -> None:
    good, refused = read_register(BAD_ROWS, today=TODAY)
    assert [a.application_id for a in good] == ["G1", "G2", "G3"]
    assert dict(refused).keys() == BAD_REASONS.keys()
    for line, why in refused:
        assert BAD_REASONS[line] in why, (line, why)
    g3 = good[2]
    assert (g3.applicant_type, g3.outcome, g3.review_outcome, g3.litigation_outcome) == (
        "legal_service",
        "4.1",
        "维持",
        "尚未审结",
    )


def test_a_register_without_a_required_column_is_refused_whole() -> None:
    with pytest.raises(RegisterError, match="closed_date"):
        read_register("unit_id,application_id,received_date,applicant_type,outcome\n", today=TODAY)
    with pytest.raises(RegisterError, match="remarks"):
        read_register(HEADER + ",remarks\n", today=TODAY)


def _config(tmp_path: Path) -> Path:
    units = "".join(
        f'[[units]]\nid = "{u["id"]}"\nname = "{u["name"]}"\nlevel = "{u["level"]}"\n'
        f'region = "{u["region"]}"\n' + (f'parent = "{u["parent"]}"\n' if u["parent"] else "") + "\n"
        for u in UNITS
    )
    path = tmp_path / "xxgk.toml"
    path.write_text(f'[warehouse]\npath = "data/xxgk.duckdb"\ndata_dir = "data"\n\n{units}', encoding="utf-8")
    return path


def test_the_import_command_names_every_bad_row_and_keeps_the_rest(tmp_path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(BAD_ROWS.replace("ly-aic,G2", "nowhere,G2"), encoding="utf-8")
    result = runner.invoke(
        app, ["applications", "import", "--config", str(_config(tmp_path)), str(register)], terminal_width=300
    )
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    for line in (*BAD_REASONS, 8):
        assert f"register.csv:{line}: refused:" in output
    assert "not a unit of the config" in output
    assert "kept 2 application(s) of 1 unit(s) (ly-aic); refused 8 row(s)" in output
    kept = (tmp_path / "data" / "applications" / "ly-aic.csv").read_text(encoding="utf-8")
    assert [row["application_id"] for row in csv.DictReader(kept.splitlines())] == ["G1", "G3"]
    con = duckdb.connect(str(tmp_path / "data" / "state.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM raw_applications").fetchone()[0] == 2
    con.close()
    (tmp_path / "empty.csv").write_text("unit_id\n", encoding="utf-8")
    refused = runner.invoke(
        app,
        ["applications", "import", "--config", str(tmp_path / "xxgk.toml"), str(tmp_path / "empty.csv")],
        terminal_width=300,
    )
    assert refused.exit_code == 2 and "lacks the column" in refused.output


def test_the_template_structure() -> None:
    assert len(TEMPLATE_ROWS) == 25
    assert [label for _, label in APPLICANT_TYPES] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert list(OUTCOMES) == [
        "1",
        "2",
        *(f"3.{i}" for i in range(1, 9)),
        "4.1",
        "4.2",
        "4.3",
        *(f"5.{i}" for i in range(1, 6)),
        "6.1",
        "6.2",
        "6.3",
    ]
    sql = (WAREHOUSE / "models" / "fct_application_counts.sql").read_text(encoding="utf-8")
    in_sql = re.findall(r"\((\d+), '(\w+)', '([^']+)', (?:'([\d.]+)'|NULL)\)", sql)
    codes = {key: code for code, (key, _) in OUTCOMES.items()}
    assert [(int(n), key, label, code or None) for n, key, label, code in in_sql] == [
        (n, key, label, codes.get(key)) for n, (key, label) in enumerate(TEMPLATE_ROWS, start=1)
    ]


@pytest.fixture(scope="module")
def hand_worked(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("applications")
    good, refused = read_register(HAND_WORKED, today=TODAY)
    assert not refused
    write_registers(data_dir, good)
    published, _ = load_and_build(data_dir)
    return published


def _table(published: Path, system: str, year: int) -> dict[str, tuple]:
    rows = query(
        published,
        "SELECT row_key, natural_person, commercial_enterprise, research_institute, "
        "social_org, legal_service, other, total FROM fct_application_counts "
        "WHERE system_id = ? AND year = ? ORDER BY row_no",
        [system, year],
    )
    assert len(rows) == 25
    return {row[0]: row[1:] for row in rows if row[-1]}


def test_a_hand_worked_year(hand_worked) -> None:
    #                 自然人 商业企业 科研机构 公益 法律 其他 总计
    assert _table(hand_worked, "ly-aic", 2013) == {
        "new_received": (2, 1, 0, 0, 0, 0, 3),  # A1, A3; A2
        "carry_over": (1, 0, 1, 0, 0, 0, 2),  # A0; A4
        "result_open": (1, 0, 0, 0, 0, 0, 1),  # A0
        "result_partial": (1, 0, 0, 0, 0, 0, 1),  # A1
        "cannot_provide_not_held": (0, 1, 0, 0, 0, 0, 1),  # A2
        "result_total": (2, 1, 0, 0, 0, 0, 3),
        "carry_to_next": (1, 0, 1, 0, 0, 0, 2),  # A3; A4
    }
    assert _table(hand_worked, "xl-aic", 2013) == {
        key: (0, 1, 0, 0, 0, 0, 1) for key in ("new_received", "cannot_provide_not_held", "result_total")
    }
    assert _table(hand_worked, "fj-aic", 2013) == _table(hand_worked, "ly-aic", 2013)
    proceedings = query(
        hand_worked,
        "SELECT proceeding, upheld, corrected, other, pending, total "
        "FROM fct_review_litigation_counts WHERE system_id = 'ly-aic' AND year = 2013 "
        "ORDER BY proceeding_no",
    )
    assert proceedings == [
        ("review", 1, 0, 0, 0, 1),
        ("lawsuit_direct", 0, 0, 0, 0, 0),
        ("lawsuit_after_review", 0, 0, 0, 1, 1),
    ]
    summary = query(
        hand_worked,
        "SELECT n_received, n_closed, n_open_at_end, n_received_to_date, "
        "n_online_to_date, n_closed_to_date, n_disclosed_to_date, fee_amount "
        "FROM fct_application_summary WHERE system_id = 'ly-aic' AND year = 2013",
    )
    assert summary == [(3, 3, 2, 5, 3, 3, 1, 25.5)]


def test_carried_over_across_years(hand_worked) -> None:
    """A4 (科研机构, 2011-06-01 to 2014-02-01): new in 2011, carried into 2012, 2013 and 2014,
    carried to the next year at the end of 2011, 2012 and 2013, closed (5.2) in 2014."""
    science = {
        year: {key: cells[2] for key, cells in _table(hand_worked, "ct-aic", year).items()}
        for year in (2011, 2012, 2013, 2014)
    }
    assert science == {
        2011: {"new_received": 1, "carry_to_next": 1},
        2012: {"carry_over": 1, "carry_to_next": 1},
        2013: {"carry_over": 1, "carry_to_next": 1},
        2014: {"carry_over": 1, "no_process_repeat": 1, "result_total": 1},
    }
    assert _table(hand_worked, "ly-aic", 2014)["carry_to_next"] == (1, 0, 0, 0, 0, 0, 1)  # A3, still open


def test_the_identity_holds_and_its_check_catches_a_broken_table(hand_worked) -> None:
    check = (WAREHOUSE / "checks" / "application_counts_balance.sql").read_text(encoding="utf-8")
    assert query(hand_worked, check) == []
    con = duckdb.connect()
    con.execute(f"ATTACH '{hand_worked}' AS pub (READ_ONLY)")
    con.execute("CREATE TABLE fct_application_counts AS FROM pub.fct_application_counts")
    con.execute(
        "UPDATE fct_application_counts SET natural_person = natural_person + 1, total = total + 1 "
        "WHERE system_id = 'ly-aic' AND year = 2013 AND row_key = 'new_received'"
    )
    broken = con.execute(check).fetchall()
    assert {(row[0], row[1], row[2]) for row in broken} == {
        ("ly-aic", 2013, "natural_person"),
        ("ly-aic", 2013, "total"),
    }


def test_a_rebuilt_state_database_keeps_the_registers(hand_worked) -> None:
    data_dir = hand_worked.parent
    (data_dir / "state.duckdb").unlink()
    published, _ = load_and_build(data_dir)
    assert query(
        published,
        "SELECT sum(total) FROM fct_application_counts WHERE row_key = 'new_received' AND system_id = 'fj-aic'",
    ) == [(5,)]


def test_the_sim_register_is_a_valid_register() -> None:
    text = HEADER + "\n" + "\n".join(",".join(row[c] for c in COLUMNS) for row in register_rows()) + "\n"
    good, refused = read_register(text)
    assert len(good) == 4 and not refused
    assert all(a.received_date.year < 2012 and a.outcome == "1" and a.channel == "网上" for a in good)


@pytest.fixture
def world(demo_copy) -> tuple[Path, Path]:
    return demo_copy


def test_the_demo_register_gives_2012_zeros_and_four_earlier(world) -> None:
    _, published = world
    assert _table(published, "ly-aic", 2012) == {}
    assert query(
        published,
        "SELECT n_received_to_date, n_online_to_date, n_closed_to_date, "
        "n_disclosed_to_date, fee_amount FROM fct_application_summary "
        "WHERE system_id = 'ly-aic' AND year = 2012",
    ) == [(4, 4, 4, 4, 0)]
    assert query(published, "SELECT sum(total) FROM fct_review_litigation_counts WHERE system_id = 'ly-aic'") == [(0,)]
    data = load_report(published, "ly-aic", 2012)
    text = "".join(section_three(2012, data.unit_name, data.tables))
    assert "2012年，龙岩市工商行政管理局系统依申请公开没有收件。" in text
    assert "历年来共受理依申请公开申请4件，其中网上申请4件" in text
    assert "属于“予以公开”范畴4件，答复率100%" in text
    assert "未对外收取政府信息公开费用" in text and "未出现因政府信息公开申请行政复议和提起行政诉讼" in text


def test_every_report_output_holds_the_section_three_table(world, tmp_path) -> None:
    _, published = world
    written = write_report(published, "ly-aic", 2012, tmp_path)
    page = written["html"][0].read_text(encoding="utf-8")
    assert (
        'id="template-section-three"' in page and "法人或其他组织" in page and "历年来共受理依申请公开申请4件" in page
    )
    markdown = written["md"][0].read_text(encoding="utf-8")
    assert "三、收到和处理政府信息公开申请情况" in markdown and "四、结转下年度继续办理" in markdown
    assert "历年来共受理依申请公开申请4件" in markdown
    three = next(p for p in written["csv"] if p.name.endswith("-applications.csv"))
    rows = list(csv.DictReader(three.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 25 and list(rows[0]) == [
        "项目",
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert rows[0]["项目"] == "一、本年新收政府信息公开申请数量" and {r["总计"] for r in rows} == {"0"}
    four = next(p for p in written["csv"] if p.name.endswith("-proceedings.csv"))
    assert "行政诉讼（复议后起诉）" in four.read_text(encoding="utf-8-sig")
    sheets = openpyxl.load_workbook(written["xlsx"][0], read_only=True).sheetnames
    assert any("三、收到和处理政府信息公开申请情况" in name or "2021年格式 三" in name for name in sheets)
