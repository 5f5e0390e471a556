"""End to end: the `xxgk` command and the nightly Prefect flow on the simulated Longyan world.

The first night is the demo world's (`xxgk sync` on the simulated world, run once for the
test run: tests/helpers/demo_world.py); this file goes on from a copy of it, on the run's one
Prefect test server. The nights in order:
1. a full harvest gives every figure of the 2012 report, in `totals --json` and in the table;
2. a second night on the same world changes no figure and no doc_id;
3. a night with a county site down names it with its reason, exits non-zero, and leaves every
   portal's data and the totals as they were.
The expected figures are the report's (written out here by hand) and are cross-checked
against the simulator's ground truth, so neither side can drift alone.
"""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers.demo_world import copy_whole_demo_world
from helpers.demo_world import first_night as demo_first_night
from rich.console import Console
from typer.testing import CliRunner

from flows.cli.app import app
from flows.demo import print_demo_totals
from sim import truth
from sim.catalog import LONGYAN_SYSTEM
from sim.model import DEFAULT_AS_OF
from sim.vocab import OFFICIAL_GENRES

# In the long group of the demo world (its first night, then four more through Prefect):
# dealt to a worker first (tests/conftest.py).
pytestmark = pytest.mark.first

SYSTEM, YEAR = "ly-aic", 2012
DOWN = "ly-ct-aic-site"  # the GBK county site: the one to take down

# The 2012 annual report of the Longyan City AIC (counting rules: held at the year end, new in the year, official by genre or doc_no).
REPORT = {
    "held": {"all": 2887, "city": 885, "county": 2002},
    "official_held": {"city": 756, "county": 1977},
    "new": {"all": 725, "city": 235, "county": 490},
    "fulltext_held": {"all": 2887},
}
CITY_CATEGORIES = {
    "topic": {"组织机构": 24, "规范性文件": 26, "规划计划": 23, "统计信息": 26, "工商动态及其他": 88},
    "function": {"内资企业注册": 31, "消费维权": 30, "商标广告监管": 27, "政务公开及其他综合": 69},
    "audience": {"服务企业": 46, "服务消费者": 39, "服务其他群体": 141, "未分类": 9},
}

runner = CliRunner()


def xxgk(*args: str):
    """Run the xxgk command in this process (it shares the session's Prefect test server)."""
    return runner.invoke(app, list(args), terminal_width=200, catch_exceptions=False)


def truth_figures(world) -> dict:
    """The report's figures computed from the generator's ground truth by the counting rules."""
    year_end = date(YEAR, 12, 31)
    figures: dict = {"held": {}, "official_held": {}, "new": {}, "fulltext_held": {}, "city": {}}
    for scheme in ("topic", "function", "audience"):
        figures["city"][scheme] = {}
    for doc in truth.rows(world):
        if doc["unit_id"] not in LONGYAN_SYSTEM or doc["disclosure"] != "主动公开":
            continue
        published = date.fromisoformat(doc["published_date"])
        withdrawn = doc["withdrawn_on"] and date.fromisoformat(doc["withdrawn_on"])
        if published > year_end or (withdrawn and withdrawn <= year_end):
            continue
        official = doc["genre"] in OFFICIAL_GENRES if doc["genre"] else bool(doc["doc_no"])
        for level in ("all", doc["level"]):
            figures["held"][level] = figures["held"].get(level, 0) + 1
            figures["official_held"][level] = figures["official_held"].get(level, 0) + official
            figures["fulltext_held"][level] = figures["fulltext_held"].get(level, 0) + bool(doc["has_full_text"])
            if published.year == YEAR:
                figures["new"][level] = figures["new"].get(level, 0) + 1
        if published.year == YEAR and doc["level"] == "city":
            for scheme in ("topic", "function", "audience"):
                category = doc[scheme] or "未分类"
                figures["city"][scheme][category] = figures["city"][scheme].get(category, 0) + 1
    return figures


@pytest.fixture(scope="module")
def world(demo_sim, demo_world, prefect_harness, tmp_path_factory):
    """The simulated world on loopback and this file's copy of the demo world's first night
    (its xxgk.toml points at the world)."""
    config = copy_whole_demo_world(demo_world, tmp_path_factory.mktemp("e2e") / "world")
    # One immediate retry: a down portal must cost seconds here.
    text = re.sub(r"(?m)^retry_delay = .*$", "retry_delay = 0", config.read_text(encoding="utf-8"))
    text = text.replace("[harvest]\n", "[harvest]\nretries = 1\n", 1)
    config.write_text(text, encoding="utf-8")
    return demo_sim, config


def published(config: Path) -> Path:
    from flows.config.load import load_config

    return load_config(config).warehouse.path


def snapshot(config: Path) -> dict:
    """What a night must not change: the totals, the documents' ids, each portal's sightings."""
    totals = xxgk("totals", "--config", str(config), "--system", SYSTEM, "--year", str(YEAR), "--json")
    assert totals.exit_code == 0, totals.output
    with duckdb.connect(str(published(config)), read_only=True) as con:
        doc_ids = {row[0] for row in con.execute("SELECT doc_id FROM fct_documents").fetchall()}
        sightings = dict(con.execute("SELECT portal_id, count(*) FROM fct_sightings GROUP BY ALL").fetchall())
    return {"totals": json.loads(totals.output), "doc_ids": doc_ids, "sightings": sightings}


@pytest.fixture(scope="module")
def first_night(world, demo_world):
    _, config = world
    return demo_first_night(demo_world), snapshot(config)


@pytest.fixture(scope="module")
def second_night(first_night, world):
    sim, config = world
    result = xxgk("sync", "--config", str(config))
    return result, snapshot(config)


@pytest.fixture(scope="module")
def failed_night(second_night, world):
    sim, config = world
    sim.set_faults([f"{DOWN}:down"])
    try:
        result = xxgk("sync", "--config", str(config))
    finally:
        sim.set_faults([])
    return result, snapshot(config)


@pytest.fixture(scope="module")
def later_night(failed_night, world):
    """Two months on: new documents of 2013 are listed, some old ones are gone from the portals."""
    sim, config = world
    sim.set_as_of("2013-03-31")
    try:
        result = xxgk("sync", "--config", str(config))
    finally:
        sim.set_as_of(DEFAULT_AS_OF)
    return result, snapshot(config)


def test_ground_truth_gives_the_report(world) -> None:
    sim, _ = world
    figures = truth_figures(sim.world)
    for measure, levels in REPORT.items():
        for level, expected in levels.items():
            assert figures[measure][level] == expected, (measure, level)
    for scheme, counts in CITY_CATEGORIES.items():
        for category, expected in counts.items():
            assert figures["city"][scheme][category] == expected, (scheme, category)


def test_first_night_gives_every_figure_of_the_report(first_night) -> None:
    result, snap = first_night
    assert result.exit_code == 0, result.output
    levels, categories = snap["totals"]["levels"], snap["totals"]["categories"]
    assert snap["totals"]["system"] == SYSTEM and snap["totals"]["year"] == YEAR
    for measure, by_level in REPORT.items():
        for level, expected in by_level.items():
            assert levels[level][measure] == expected, (measure, level)
    for scheme, counts in CITY_CATEGORIES.items():
        for category, expected in counts.items():
            assert categories["city"][scheme][category] == expected, (scheme, category)
        assert sum(categories["city"][scheme].values()) == REPORT["new"]["city"]  # 未分类 completes it


def test_first_night_summary_names_every_portal(first_night, world) -> None:
    result, _ = first_night
    sim, _ = world
    for portal_id in sim.portals:
        line = next(line for line in result.output.splitlines() if f" {portal_id} " in line and "full" in line)
        assert " ok " in line


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"[│┃|]", line) if cell.strip()]


def row_reason(lines: list[str], at: int) -> str:
    """The last cell of the table row printed at line `at`, with the lines it wraps onto (a
    continuation line is a row whose first cell is empty)."""
    parts = [cells(lines[at])[-1]]
    for line in lines[at + 1 :]:
        raw = re.split(r"[│┃|]", line)
        if len(raw) < 3 or raw[1].strip():
            break
        parts.append(raw[-2].strip())
    return " ".join(p for p in parts if p)


def test_printed_tables_show_the_figures(first_night, world) -> None:
    _, config = world
    result = xxgk("totals", "--config", str(config), "--system", SYSTEM, "--year", str(YEAR))
    assert result.exit_code == 0, result.output
    rows = {cells(line)[0]: cells(line)[1:] for line in result.output.splitlines() if len(cells(line)) > 3}
    assert rows["all"][:3] == ["2887", "2733", "725"]
    assert rows["city"][:3] == ["885", "756", "235"]
    assert rows["county"][:3] == ["2002", "1977", "490"]
    assert rows["all"][5] == "100.00%"  # full-text rate
    category_rows = {tuple(cells(line)) for line in result.output.splitlines() if len(cells(line)) == 3}
    new_city = REPORT["new"]["city"]
    for counts in CITY_CATEGORIES.values():
        for category, n in counts.items():
            assert (category, str(n), f"{n / new_city:.2%}") in category_rows, category


def test_second_night_changes_no_figure_and_no_doc_id(first_night, second_night, world) -> None:
    sim, _ = world
    result, snap = second_night
    assert result.exit_code == 0, result.output
    assert snap["totals"] == first_night[1]["totals"]
    assert snap["doc_ids"] == first_night[1]["doc_ids"]
    assert snap["sightings"] == first_night[1]["sightings"]
    incremental = [line for line in result.output.splitlines() if " incremental " in line]
    assert len(incremental) == len(sim.portals)  # last night's full listing is fresh


def test_failed_portal_is_named_and_loses_nothing(first_night, failed_night, world) -> None:
    sim, config = world
    result, snap = failed_night
    assert result.exit_code == 1
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if f" {DOWN} " in line)
    line = lines[at]
    assert cells(line)[2] == "failed"
    assert "listing page 0 failed" in row_reason(lines, at)
    assert cells(line)[12] == "2"  # attempts: the transient failure was retried once
    others = [line for line in result.output.splitlines() if " incremental " in line and f" {DOWN} " not in line]
    assert len(others) == len(sim.portals) - 1 and all(" ok " in line for line in others)
    assert snap == first_night[1]  # totals, doc_ids and every portal's sightings, the failed one's too
    with duckdb.connect(str(published(config)), read_only=True) as con:
        status, reason = con.execute(
            "SELECT status, reason FROM fct_portal_runs WHERE portal_id = ? ORDER BY run_id DESC LIMIT 1", [DOWN]
        ).fetchone()
    assert status == "failed" and "listing page 0 failed" in reason


def test_demo_prints_the_report_figures(first_night) -> None:
    out = io.StringIO()
    print_demo_totals(first_night[1]["totals"], Console(file=out, width=200))
    lines = out.getvalue().splitlines()
    rows = {cells(line)[0]: cells(line)[1:] for line in lines if len(cells(line)) > 3}
    assert rows["city"][:3] == ["885", "756", "235"] and rows["county"][:2] == ["2002", "1977"]
    category_rows = {tuple(cells(line)) for line in lines if len(cells(line)) == 3}
    new_city = REPORT["new"]["city"]
    for counts in CITY_CATEGORIES.values():
        for category, n in counts.items():
            assert (category, str(n), f"{n / new_city:.2%}") in category_rows, category
    text = out.getvalue()
    # the report's own shares (section 二.3): 79.57%, 66.81%, 36.17% and 60%
    for share in ("= 187 of 235 = 79.57%", "= 157 of 235 = 66.81%", "= 85 of 235 = 36.17%", "= 141 of 235 = 60.00%"):
        assert share in text, share


def test_failed_night_is_a_failed_flow_run_with_its_artifacts(failed_night) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    result, _ = failed_night
    run_id = re.search(r"xxgk run (\d{8}T\d{6}Z)", result.output).group(1)
    with get_client(sync_client=True) as client:
        # the server serves the whole test run: the night's flow run is the one whose summary
        # names its run id and the portal that was down
        summaries = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["xxgk-run-summary"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=100,
        )
        (summary,) = [a for a in summaries if f"xxgk run {run_id}:" in a.data and DOWN in a.data]
        run = client.read_flow_run(summary.flow_run_id)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
    assert run.state.is_failed() and DOWN in run.state.message
    by_key = {artifact.key: artifact for artifact in artifacts}
    table = by_key["xxgk-portal-runs"].data
    rows = json.loads(table) if isinstance(table, str) else table
    failed = [row for row in rows if row["status"] == "failed"]
    assert [row["portal_id"] for row in failed] == [DOWN] and "listing page 0 failed" in failed[0]["reason"]
    markdown = by_key["xxgk-run-summary"].data
    assert "FAILED" in markdown and DOWN in markdown


def test_later_incremental_night_adds_documents_and_withdraws_none(first_night, later_night, world) -> None:
    sim, config = world
    result, snap = later_night
    assert result.exit_code == 0, result.output
    summary = [cells(line) for line in result.output.splitlines() if " incremental " in line]
    assert len(summary) == len(sim.portals)
    assert sum(int(row[6]) for row in summary) > 0  # the `new` column: 2013's documents were found
    before = first_night[1]
    assert snap["totals"] == before["totals"]  # 2012 is closed: nothing published later changes it
    assert snap["doc_ids"] > before["doc_ids"]
    with duckdb.connect(str(published(config)), read_only=True) as con:
        withdrawn = con.execute("SELECT count(*) FROM fct_documents WHERE is_withdrawn").fetchone()[0]
    assert withdrawn == 0  # an incremental listing never withdraws what it did not walk


def test_full_listing_of_one_portal_on_request(later_night, world) -> None:
    sim, config = world
    smallest = "ly-lc-aic-site"
    result = xxgk("sync", "--config", str(config), "--full", "--portal", smallest)
    assert result.exit_code == 0, result.output
    summary = [cells(line) for line in result.output.splitlines() if re.match(r"^│ \S+ +│ (full|incremental) ", line)]
    assert [(row[0], row[1], row[2]) for row in summary] == [(smallest, "full", "ok")]
    assert snapshot(config)["totals"] == later_night[1]["totals"]


class RecordedLog(logging.Filter):
    """Keeps every record its logger handles, as the logger's handlers get it. A filter, not
    a handler: Prefect reconfigures its loggers when a flow starts and drops foreign
    handlers, but keeps filters."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.records.append(record)
        return True


def test_a_failed_portal_is_logged_in_one_line_without_a_traceback(world) -> None:
    # Last in the file: it lands one more failed night. The run summary names the failure;
    # Prefect's log says it once, without the traceback of the exception that only carried
    # the outcome to Prefect's retries.
    sim, config = world
    task_log, recorded = logging.getLogger("prefect.task_runs"), RecordedLog()
    task_log.addFilter(recorded)
    sim.set_faults([f"{DOWN}:down"])
    try:
        result = xxgk("sync", "--config", str(config), "--portal", DOWN)
    finally:
        sim.set_faults([])
        task_log.removeFilter(recorded)
    assert result.exit_code == 1
    failures = [
        record for record in recorded.records if record.levelno >= logging.ERROR and DOWN in record.getMessage()
    ]
    assert failures and any("connection refused" in record.getMessage() for record in failures)
    assert all(record.exc_info is None and not record.exc_text for record in failures)
