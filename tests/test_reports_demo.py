"""The report and the reconciliation on the simulated Longyan 2012 world (harvested once per
run, each test reading its own copy: tests/helpers/demo_world.py).

The expected figures are the 2012 report's own (section 二 of the Longyan City AIC report),
written here by hand: 2887 held (city 885, of which 756 official; county 2002, of which 1977),
725 new, 235 of them at the city level; the groups' shares 187/235 = 79.57%,
157/235 = 66.81%, 85/235 = 36.17%, 141/235 = 60.00%; full text 100%.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import reports
from flows.cli.app import app
from reports.data import load
from reports.text import section_two

#: The demo world is harvested once per worker: its tests go to one worker.
pytestmark = pytest.mark.xdist_group("demo-world")
SEED_FIGURES = ("2887", "885", "756", "2002", "1977", "725", "235", "79.57%", "66.81%", "36.17%", "60.00%", "100%")
EXAMPLE = Path(reports.__file__).parent / "examples" / "longyan_2012_reported.toml"
runner = CliRunner()


def xxgk(*args: str):
    return runner.invoke(app, list(args), terminal_width=200, catch_exceptions=False)


@pytest.fixture
def world(demo_copy) -> tuple[Path, Path]:
    return demo_copy


def test_report_text_holds_the_seed_figures(world) -> None:
    _, published = world
    text = "\n".join(section_two(load(published, "ly-aic", 2012)))
    for figure in SEED_FIGURES:
        assert figure in text, figure
    assert "累计主动公开政府信息2887条" in text
    assert "市级单位主动公开885条（公文类756条）" in text
    assert "县（市、区）级单位主动公开2002条（公文类1977条）" in text
    assert "全文电子化达100%" in text and "新增发布主动公开信息725条" in text
    assert "组织机构类信息24条" in text and "占主动公开信息的79.57%" in text
    assert "服务其他群体类信息141条，占主动公开信息的60.00%" in text


def test_report_command_writes_every_format(world, tmp_path) -> None:
    config, _ = world
    result = xxgk("report", "--config", str(config), "--system", "ly-aic", "--year", "2012", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "xxgk-report-ly-aic-2012.html",
        "xxgk-report-ly-aic-2012.xlsx",
        "xxgk-report-ly-aic-2012.md",
        "xxgk-report-ly-aic-2012-documents.csv",
    } <= names
    html = (tmp_path / "xxgk-report-ly-aic-2012.html").read_text(encoding="utf-8")
    totals = json.loads(
        xxgk("totals", "--config", str(config), "--system", "ly-aic", "--year", "2012", "--json").output
    )
    figures = dict(re.findall(r'data-figure="(levels\.[a-z]+\.[a-z_]+)">(\d+)<', html))
    assert figures and all(int(v) == totals["levels"][k.split(".")[1]][k.split(".")[2]] for k, v in figures.items())
    assert len(figures) == 5 * len(totals["levels"])


def test_report_command_refuses_an_unknown_format_or_system(world, tmp_path) -> None:
    config, _ = world
    bad = xxgk(
        "report",
        "--config",
        str(config),
        "--system",
        "ly-aic",
        "--year",
        "2012",
        "--out",
        str(tmp_path),
        "--format",
        "pdf",
    )
    assert bad.exit_code == 2 and "unknown format pdf" in bad.output
    bad = xxgk("report", "--config", str(config), "--system", "nobody", "--year", "2012", "--out", str(tmp_path))
    assert bad.exit_code == 2 and "'nobody' is not a configured unit" in bad.output


def test_reconcile_the_seed_report(world) -> None:
    config, _ = world
    result = xxgk("reconcile", "--config", str(config), "--reported", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.search(r"^all held +2887 +2887 +\+0 +ok$", result.output, re.M)
    assert re.search(r"^city audience 服务其他群体 +141 +141 +\+0 +ok$", result.output, re.M)
    assert any("79.57% (= 187 of 235)" in line and "187 of 235 = 79.57%" in line for line in lines)
    # the report's own audience figures leave 9 of its 235 new items out; the warehouse names them
    assert "! city audience: 46 + 39 + 141 = 226, against 235 new (difference -9)" in result.output
    assert "documents behind it in the warehouse: 9" in result.output
    assert "Result: 0 of 24 figures differ by more than 0; 1 inconsistencies in the report." in result.output


def test_reconcile_fails_on_a_difference_beyond_the_tolerance(world, tmp_path) -> None:
    config, _ = world
    text = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("held = 885", "held = 890")
        .replace('"组织机构" = 24', '"组织机构" = 20')
    )
    reported = tmp_path / "reported.toml"
    reported.write_text(text, encoding="utf-8")
    assert tomllib.loads(text)["figures"]["city"]["held"] == 890
    result = xxgk("reconcile", "--config", str(config), "--reported", str(reported))
    assert result.exit_code == 1
    assert re.search(r"^city held +890 +885 +\+5 +DIFFERS$", result.output, re.M)
    assert re.search(r"^city topic 组织机构 +20 +24 +-4 +DIFFERS$", result.output, re.M)
    assert "documents behind it in the warehouse: 24" in result.output  # the category's documents
    assert "! held: city + county = 2892, against 2887 (difference +5)" in result.output
    assert "stated share 79.57%" in result.output  # 183 of 235 is 77.87%
    loose = xxgk("reconcile", "--config", str(config), "--reported", str(reported), "--tolerance", "5")
    assert loose.exit_code == 0


def test_reconcile_refuses_a_bad_file(world, tmp_path) -> None:
    config, _ = world
    bad = tmp_path / "bad.toml"
    bad.write_text('system = "ly-aic"\nyear = 2012\n[figures.city]\nheld = 1\nheld_total = 2\n', encoding="utf-8")
    result = xxgk("reconcile", "--config", str(config), "--reported", str(bad))
    assert result.exit_code == 2 and "unknown key held_total" in result.output


def test_demo_writes_its_report_into_its_folder(world, tmp_path) -> None:
    from flows.demo import write_demo_report

    _, published = world
    path = write_demo_report(published, tmp_path)
    assert path == tmp_path / "report" / "xxgk-report-ly-aic-2012.html"
    assert "累计主动公开政府信息2887条" in path.read_text(encoding="utf-8")
