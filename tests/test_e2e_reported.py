"""End to end: the Longyan world's units publish their 2012 annual reports (a DOCX and a PDF
attached to a catalog document of January 2013); the night's reports step takes on from the
world's harvest (the demo world, harvested once per run: tests/helpers/demo_world.py),
recognises the reports, reads them, and reconciles every figure each states with the catalog.

Every expected figure is worked out here from the world's ground truth (`sim.truth`: the
documents, their units, dates and classes), never from the pipeline's output: each unit's
held, official, new and category counts for its system, its normative documents (topic
规范性文件), and the shares its report states. 上杭 (ly-sh-aic) is the report planted with shares
worked out over its held items: those shares differ from the catalog and are flagged as the
report's own inconsistency. A second night reads nothing again.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers.demo_world import copy_whole_demo_world, first_night
from typer.testing import CliRunner

from flows.cli.app import app
from flows.config.clock import wall
from flows.config.load import load_config
from flows.night.housekeeping import unused_run_id
from flows.night.publish import BuildOutcome, refresh_reported
from flows.reported.night import reports_step
from sim import truth
from sim.annual.pdf import FONT
from sim.annual.reports import INCONSISTENT_UNIT, REPORTING_UNITS
from sim.registry import build_world
from sim.world import DEFAULT_AS_OF, UNITS

YEAR = 2012
SCHEMES = ("topic", "function", "audience")


def _system(unit_id: str) -> set[str]:
    members, grown = {unit_id}, True
    while grown:
        more = {u.id for u in UNITS if u.configured and u.parent in members}
        grown = not more <= members
        members |= more
    return members


def expected(rows: list[dict], unit_id: str) -> dict:
    """The unit's 2012 figures by the counting rules, from the truth's documents."""
    members, end = _system(unit_id), date(YEAR, 12, 31)
    held = [
        r
        for r in rows
        if r["unit_id"] in members
        and r["disclosure"] == "主动公开"
        and r["sightings"]
        and date.fromisoformat(r["published_date"]) <= end
        and not (r["withdrawn_on"] and date.fromisoformat(r["withdrawn_on"]) <= DEFAULT_AS_OF)
    ]
    new = [r for r in held if r["published_date"].startswith(str(YEAR))]
    out = {"held": len(held), "new": len(new), "levels": {}, "categories": {}}
    for level in ("city", "county"):
        out["levels"][level] = {
            "held": sum(r["level"] == level for r in held),
            "new": sum(r["level"] == level for r in new),
        }
    level_new = {"all": new, "city": [r for r in new if r["level"] == "city"]}
    for level, docs in level_new.items():
        out["categories"][level] = {s: Counter(r[s] for r in docs if r[s]) for s in SCHEMES}
    normative = [r for r in held if r["topic"] == "规范性文件"]
    out["normative"] = (sum(r["published_date"].startswith(str(YEAR)) for r in normative), len(normative))
    return out


@pytest.fixture(scope="module")
def night(demo_world, tmp_path_factory):
    """The demo world's first night (its simulator still serving), what it printed, and a
    second reports step on a copy of it."""
    if not FONT.is_file():
        pytest.fail(f"{FONT} is absent: apt-get install fonts-wqy-zenhei (the world's PDF reports need it)")
    config_path = copy_whole_demo_world(demo_world, tmp_path_factory.mktemp("reported") / "world")
    config = load_config(config_path)
    data_dir = config.warehouse.data_dir
    second, again = reports_step(config, unused_run_id(data_dir), wall, BuildOutcome(ok=True), refresh_reported)
    assert again.ok, again.reason
    return config_path, config.warehouse.path, first_night(demo_world), second, list(truth.rows(build_world()))


def _table(path: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_every_unit_report_is_recognised_and_read_once(night):
    _, published, first, second, _ = night
    reports = _table(published, "SELECT unit_id, year, year_source, read_status, needs_read FROM fct_annual_reports")
    assert sorted(reports) == sorted((u, YEAR, "title", "read", False) for u in REPORTING_UNITS)
    assert f"annual reports: {len(REPORTING_UNITS)} read, 0 could not be read" in first.output
    assert second.read == [] and second.failed == [] and not second.landed  # nothing new, nothing read


def test_each_figure_of_each_report_against_the_catalog(night):
    _, published, _, _, rows = night
    for unit_id in REPORTING_UNITS:
        want = expected(rows, unit_id)
        got = {
            f: (reported, catalog, verdict)
            for f, reported, catalog, verdict in _table(
                published,
                "SELECT figure, reported_value, catalog_value, verdict FROM rpt_reported_vs_catalog "
                "WHERE unit_id = ? AND year = ?",
                unit_id,
                YEAR,
            )
        }
        assert got["core.proactive_cumulative"] == (want["held"], want["held"], "agrees"), unit_id
        assert got["core.proactive_new"] == (want["new"], want["new"], "agrees"), unit_id
        assert got["core.fulltext_rate"] == (100, 100, "agrees"), unit_id
        made, valid = want["normative"]
        assert got["table2.normative_docs.made"] == (made, made, "agrees"), unit_id
        assert got["table2.normative_docs.valid"] == (valid, valid, "agrees"), unit_id
        assert got["table2.normative_docs.repealed"][2] == "not stated"  # a blank cell
        assert got["table2.regulations.made"][2] == "not stated"  # printed /
        assert got["table2.licensing_decisions"][2] == "not stated"
        assert got["table3.new_received.total"] == (0, None, "not derivable")  # applications: not the catalog's
        level = "city" if unit_id == "ly-aic" else "all"
        prefix = "detail.levels.city." if unit_id == "ly-aic" else "detail."
        categories = {f: v for f, v in got.items() if f.startswith(prefix + "new_groups.") and ".categories." in f}
        named = Counter()
        for f, (reported, catalog, verdict) in categories.items():
            scheme = f.split(".")[-4]
            named[scheme] += reported
            assert verdict == "agrees" and reported == catalog, (unit_id, f)
        for scheme in SCHEMES:
            truth_counts = want["categories"][level][scheme]
            if unit_id != "ly-aic":  # a county names every category it has
                assert named[scheme] == sum(truth_counts.values()), (unit_id, scheme)
        if unit_id == "ly-aic":
            assert got["detail.levels.city.cumulative"][:2] == (want["levels"]["city"]["held"],) * 2
            assert got["detail.levels.county.cumulative"][:2] == (want["levels"]["county"]["held"],) * 2
            assert got["detail.levels.city.new"][:2] == (235, 235)
            assert got["detail.levels.city.new_groups.topic.0.share"] == (
                79.57,
                pytest.approx(100 * 187 / 235),
                "agrees",
            )


def test_the_planted_report_is_flagged_as_its_own_inconsistency(night):
    _, published, _, _, rows = night
    want = expected(rows, INCONSISTENT_UNIT)
    shares = _table(
        published,
        "SELECT figure, reported_value, catalog_value, verdict, own_inconsistency FROM rpt_reported_vs_catalog "
        "WHERE unit_id = ? AND measure = 'share' ORDER BY figure",
        INCONSISTENT_UNIT,
    )
    assert [f.split(".")[2] for f, *_ in shares] == ["audience", "function", "topic"]
    for figure, reported, catalog, verdict, own in shares:
        named = sum(want["categories"]["all"][figure.split(".")[2]].values())
        assert reported == round(100 * named / want["held"], 2)  # worked out over the held items
        assert catalog == pytest.approx(100 * named / want["new"], abs=1e-5)
        assert verdict == "differs" and own and "stated share" in own
    own = _table(published, "SELECT unit_id, count(*) FROM rpt_reported_inconsistencies GROUP BY ALL")
    assert own == [(INCONSISTENT_UNIT, 3)]
    agree = _table(
        published,
        "SELECT count(*) FROM rpt_reported_vs_catalog WHERE verdict = 'differs' AND unit_id <> ?",
        INCONSISTENT_UNIT,
    )
    assert agree == [(0,)]


def test_xxgk_report_shows_the_reconciliation_per_unit(night, tmp_path):
    config_path, *_ = night
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--config",
            str(config_path),
            "--system",
            "ly-aic",
            "--year",
            str(YEAR),
            "--out",
            str(tmp_path),
            "--format",
            "md",
        ],
    )
    assert result.exit_code == 0, result.output
    text = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "## 年报与目录核对：龙岩市工商行政管理局" in text
    assert "## 年报与目录核对：上杭县工商行政管理局" in text
    assert "| 全系统 年末累计主动公开 | 2887 | 2887 | 0 | 0 | 一致 |" in text
    assert "不一致" in text and "## 年报自身不一致" in text
