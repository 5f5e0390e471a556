"""End to end on the simulated Guangdong world: gkmlpt (city and county), the Hanweb 信息公开
search and a gov.cn-style central portal, harvested by `xxgk sync` and counted by `xxgk
totals`, against the world's ground truth, exactly.

Real gkmlpt, gov.cn and Hanweb search responses cannot be fetched from where this is built:
the sim serves what public crawlers document of them (docs/platforms.md, docs/sim.md).
Cross-family dedup: a city document on gkmlpt, on the central portal (govcn) and on its
department's TRS site counts once, with one sighting per portal. What is expected comes from
the world's truth (`truth.rows`, `GdDoc.portals`), never from a harvest's output.

The same night reads the units' 2012 annual reports (the 2021 template, a DOCX and a PDF
attached to a catalog document of January 2013) and reconciles every figure each states with
the catalog. Expected: what the catalog can give (held, 公文类, new, full text, table 二's 规章
and 行政规范性文件, made in 2012 and not marked 废止 at its end) from `truth.rows`; what it
cannot (decisions, fees, applications, appeals, 本年废止件数) from the world's own tables of
those (sim.gd_annual), which the reports print, a blank or `/` left not stated. 东江县 (gd-dj)
prints its 行政复议 总计 one above its four results: the report's own inconsistency, listed and
named on those five figures.
"""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import urlsplit

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.config.load import load_config
from sim import gd_annual, truth
from sim.annual.pdf import FONT
from sim.guangdong import REPORTING_UNITS
from sim.registry import build_world
from sim.server import start
from sim.vocab import OFFICIAL_GENRES

SYSTEM, YEAR = "gd-yh", 2012
SYSTEM_UNITS = {"gd-yh", "gd-yh-bgs", "gd-yh-fgj", "gd-dj", "gd-xl"}
runner = CliRunner()
APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other")
OUTCOMES = ("granted", "partial", "cannot_provide_not_held", "not_processed_repeat")
T4 = ("maintain", "correct", "other", "pending")


def truth_figures(world) -> dict:
    """held / official_held / new / fulltext_held per level, and the city's new topics."""
    year_end = date(YEAR, 12, 31)
    figures: dict = {"held": {}, "official_held": {}, "new": {}, "fulltext_held": {}, "topic": {}}
    for doc in truth.rows(world):
        published = date.fromisoformat(doc["published_date"])
        if doc["unit_id"] not in SYSTEM_UNITS or published > year_end:
            continue
        official = doc["genre"] in OFFICIAL_GENRES if doc["genre"] else bool(doc["doc_no"])
        for level in ("all", doc["level"]):
            for measure, add in (
                ("held", 1),
                ("official_held", official),
                ("fulltext_held", doc["has_full_text"]),
                ("new", published.year == YEAR),
            ):
                figures[measure][level] = figures[measure].get(level, 0) + add
        if published.year == YEAR and doc["level"] == "city":
            figures["topic"][doc["topic"]] = figures["topic"].get(doc["topic"], 0) + 1
    return figures


@pytest.fixture(scope="module")
def night(prefect_harness, tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-gd")
    world = build_world("guangdong")
    with start(world, port=0) as sim:
        # the one sim night that parses in processes: the pool's path through a whole night
        config = sim.write_config(folder / "xxgk.toml", parse_processes=2)
        text = re.sub(r"(?m)^retry_delay = .*$", "retry_delay = 0", config.read_text(encoding="utf-8"))
        config.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["sync", "--config", str(config)], terminal_width=200, catch_exceptions=False)
        totals = runner.invoke(
            app,
            ["totals", "--config", str(config), "--system", SYSTEM, "--year", str(YEAR), "--json"],
            catch_exceptions=False,
        )
        yield world, config, result, totals


def test_every_portal_harvests_ok(night) -> None:
    world, _, result, _ = night
    assert result.exit_code == 0, result.output
    for portal in world.portals:
        line = next(line for line in result.output.splitlines() if f" {portal.id} " in line)
        assert " ok " in line, line


def test_figures_equal_the_ground_truth(night) -> None:
    world, _, _, totals = night
    assert totals.exit_code == 0, totals.output
    got = json.loads(totals.output)
    want = truth_figures(world)
    for measure in ("held", "official_held", "new", "fulltext_held"):
        for level, expected in want[measure].items():
            assert got["levels"][level][measure] == expected, (measure, level)
    city_topics = {k: v for k, v in got["categories"]["city"]["topic"].items() if v}
    assert city_topics == want["topic"]


def test_a_document_on_gkmlpt_and_on_the_central_portal_is_one_document(night) -> None:
    world, config, _, _ = night
    from flows.config.load import load_config

    both = [d for d in world.docs if {"gd-yh-gkmlpt", "govcn-central"} <= set(d.portals)]
    assert both
    with duckdb.connect(str(load_config(config).warehouse.path), read_only=True) as con:
        for doc in both:
            portals = con.execute(
                "SELECT count(DISTINCT doc_id), list(DISTINCT portal_id ORDER BY portal_id) "
                "FROM fct_sightings WHERE index_no = ?",
                [doc.index_no],
            ).fetchone()
            assert portals == (1, sorted(doc.portals)), doc.title


def test_a_document_on_gkmlpt_and_on_the_trs_site_is_one_document_with_both_sightings(night) -> None:
    world, config, _, _ = night
    from flows.config.load import load_config

    want = {
        row["index_no"]: {(s["portal_id"], s["url"]) for s in row["sightings"]}
        for row in truth.rows(world)
        if {"gd-yh-gkmlpt", "gd-yh-fgj-site"} <= {s["portal_id"] for s in row["sightings"]}
    }
    assert len(want) == 22  # every document of 粤海市发展和改革局: 21 generated (every third city one), its report
    assert sum(len(s) == 3 for s in want.values()) == 3  # n = 14, 35, 56: on govcn as well
    with duckdb.connect(str(load_config(config).warehouse.path), read_only=True) as con:
        for index_no, sightings in want.items():
            docs = con.execute("SELECT doc_id FROM fct_documents WHERE index_no = ?", [index_no]).fetchall()
            assert len(docs) == 1, index_no
            got = con.execute("SELECT portal_id, url FROM fct_sightings WHERE doc_id = ?", [docs[0][0]]).fetchall()
            assert {(p, urlsplit(u).path) for p, u in got} == sightings, index_no


@pytest.fixture(scope="module")
def reported(night):
    """The night's published warehouse after its annual reports were read, and the truth."""
    world, config, result, _ = night
    if not FONT.is_file():
        pytest.fail(f"{FONT} is absent: apt-get install fonts-wqy-zenhei (the world's PDF reports need it)")
    assert result.exit_code == 0, result.output
    return world, config, load_config(config).warehouse.path, list(truth.rows(world))


def _query(path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _system(world, unit_id: str) -> set[str]:
    members = {unit_id}
    while more := {u.id for u in world.units if u.configured and u.parent in members} - members:
        members |= more
    return members


def catalog_truth(world, rows: list[dict], unit_id: str) -> dict:
    """The unit's system's 2012 figures by the counting rules, from the truth's documents."""
    members, end = _system(world, unit_id), date(YEAR, 12, 31)
    held = [r for r in rows if r["unit_id"] in members and date.fromisoformat(r["published_date"]) <= end]
    new = [r for r in held if r["published_date"].startswith(str(YEAR))]

    def official(r: dict) -> bool:
        return r["genre"] in OFFICIAL_GENRES if r["genre"] else bool(r["doc_no"])

    normative = [r for r in held if r["genre"] in ("规范性文件", "行政规范性文件") or r["topic"] == "规范性文件"]
    rules = [r for r in held if r["genre"] in ("规章", "政府规章", "部门规章", "地方政府规章")]
    return {
        "held": len(held),
        "new": len(new),
        "official": sum(map(official, held)),
        "normative": normative,
        "rules": rules,
    }


def _made_valid_repealed(docs: list[dict]) -> tuple[int, int, int]:
    made = sum(r["published_date"].startswith(str(YEAR)) for r in docs)
    valid = sum(r["validity"] != "废止" for r in docs)
    repealed = sum(r["published_date"].startswith(str(YEAR)) and r["validity"] == "废止" for r in docs)
    return made, valid, repealed


def expected(world, rows: list[dict], unit_id: str) -> dict[str, tuple]:
    """figure -> (reported, catalog, verdict) for every figure the unit's report states; a
    figure not named here is a cell left blank or printed `/` (not stated)."""
    c = catalog_truth(world, rows, unit_id)
    agree = lambda n: (n, n, "agrees")  # noqa: E731
    out = {
        "core.proactive_cumulative": agree(c["held"]),
        "core.proactive_new": agree(c["new"]),
        "core.fulltext_rate": agree(100),  # every document of the world has its full text
        "detail.official_cumulative": agree(c["official"]),
    }
    made, valid, repealed = _made_valid_repealed(c["normative"])
    out |= {"table2.normative_docs.made": agree(made), "table2.normative_docs.valid": agree(valid)}
    if unit_id != "gd-xl":  # 西岭区 leaves 本年废止件数 blank
        out["table2.normative_docs.repealed"] = (repealed, None, "not derivable")
    if unit_id == "gd-yh":  # the city government fills 规章's row; the others print /
        made, valid, repealed = _made_valid_repealed(c["rules"])
        out |= {
            "table2.regulations.made": agree(made),
            "table2.regulations.valid": agree(valid),
            "table2.regulations.repealed": (repealed, None, "not derivable"),
        }
    for key, value in gd_annual.DECISIONS[unit_id].items():
        if isinstance(value, int | float):
            out[f"table2.{key}"] = (value, None, "not derivable")
    out |= _applications(unit_id) | _appeals(unit_id)
    return out


def _applications(unit_id: str) -> dict[str, tuple]:
    given = gd_annual.APPLICATIONS[unit_id]
    zero = (0,) * len(APPLICANTS)
    rows = {r: given.get(r, zero) for r in ("new_received", "carried_over", *OUTCOMES, "carried_forward")}
    rows["total_processed"] = tuple(map(sum, zip(*(rows[r] for r in OUTCOMES), strict=True)))
    blank = gd_annual.BLANK_COLUMNS.get(unit_id, ())
    out = {}
    for row, values in rows.items():
        for col, v in zip(APPLICANTS, values, strict=True):
            if col not in blank:
                out[f"table3.{row}.{col}"] = (v, None, "not derivable")
        out[f"table3.{row}.total"] = (sum(values), None, "not derivable")
    return out


def _appeals(unit_id: str) -> dict[str, tuple]:
    out = {}
    for group in ("review", "litigation_direct", "litigation_after_review"):
        if unit_id == "gd-xl" and group == "litigation_after_review":
            continue  # left blank
        values = gd_annual.APPEALS.get(unit_id, {}).get(group, (0, 0, 0, 0))
        total = sum(values) + (1 if (unit_id, group) == ("gd-dj", "review") else 0)  # the planted 总计
        for col, v in zip((*T4, "total"), (*values, total), strict=True):
            out[f"table4.{group}.{col}"] = (v, None, "not derivable")
    return out


def test_every_unit_report_is_recognised_and_read_from_its_docx_and_pdf(reported) -> None:
    _, _, published, _ = reported
    got = _query(
        published,
        "SELECT unit_id, year, year_source, read_status, n_sources_read, needs_read FROM fct_annual_reports",
    )
    # the detail page holds no report; its DOCX and its PDF (table 三 over two pages) both read
    assert sorted(got) == sorted((u, YEAR, "title", "read", 2, False) for u in REPORTING_UNITS)


def test_each_figure_of_each_report_against_the_catalog(reported) -> None:
    world, _, published, rows = reported
    for unit_id in REPORTING_UNITS:
        got = {
            figure: (reported, catalog, verdict)
            for figure, reported, catalog, verdict in _query(
                published,
                "SELECT figure, reported_value, catalog_value, verdict FROM rpt_reported_vs_catalog "
                "WHERE unit_id = ? AND year = ?",
                unit_id,
                YEAR,
            )
        }
        want = expected(world, rows, unit_id)
        assert {f: got.get(f) for f in want} == want, unit_id
        left = {f: v for f, (_, _, v) in got.items() if f not in want}
        assert set(left.values()) == {"not stated"}, (unit_id, left)
        agreeing = {f for f, (_, _, v) in got.items() if v == "agrees"}
        figures = {
            "core.proactive_cumulative",
            "core.proactive_new",
            "core.fulltext_rate",
            "detail.official_cumulative",
        }
        figures |= {"table2.normative_docs.made", "table2.normative_docs.valid"}
        if unit_id == "gd-yh":
            figures |= {"table2.regulations.made", "table2.regulations.valid"}
        assert agreeing == figures, unit_id


def test_the_normative_documents_are_counted_as_the_truth_says(reported) -> None:
    world, _, published, rows = reported
    city = expected(world, rows, "gd-yh")
    # the city's system: 2 made in 2012 by the city, 1 by 东江县; one of the city's marked 废止
    assert city["table2.normative_docs.made"] == (3, 3, "agrees")
    assert city["table2.normative_docs.valid"] == (3, 3, "agrees")  # 4 held, one marked 废止
    assert expected(world, rows, "gd-dj")["table2.normative_docs.made"] == (1, 1, "agrees")


def test_the_planted_sum_is_the_reports_own_inconsistency(reported) -> None:
    _, _, published, _ = reported
    own = _query(published, "SELECT unit_id, year, check_name FROM rpt_reported_inconsistencies")
    assert len(own) == 1 and own[0][:2] == ("gd-dj", YEAR)
    assert "table 四" in own[0][2] and "review" in own[0][2]
    flagged = _query(
        published,
        "SELECT unit_id, figure FROM rpt_reported_vs_catalog WHERE own_inconsistency IS NOT NULL ORDER BY figure",
    )
    assert sorted(flagged) == sorted(("gd-dj", f"table4.review.{c}") for c in (*T4, "total"))


def test_xxgk_report_prints_the_reconciliation_of_a_unit(reported, tmp_path) -> None:
    world, config, _, rows = reported
    args = ["report", "--config", str(config), "--system", "gd-yh", "--year", str(YEAR)]
    result = runner.invoke(app, [*args, "--out", str(tmp_path), "--format", "md"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    section = text.split("## 年报与目录核对：粤海市人民政府\n", 1)[1].split("\n## ", 1)[0]
    print("## 年报与目录核对：粤海市人民政府\n" + section)
    made, valid, _ = _made_valid_repealed(catalog_truth(world, rows, "gd-yh")["normative"])
    assert f"| 全系统 行政规范性文件 本年制发 | {made} | {made} | 0 | 0 | 一致 |" in section
    assert f"| 全系统 行政规范性文件 现行有效 | {valid} | {valid} | 0 | 0 | 一致 |" in section
    assert "不可由目录推算" in section
