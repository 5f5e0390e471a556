"""Which catalog documents are annual reports on disclosure, and of which year
(warehouse/models/int_annual_reports.sql; docs/reports.md, Nightly reconciliation): the model's
own SQL run on generated titles, spelt as portals print them (年度/年, 工作 or not, 政务公开,
年报, Arabic, full-width or Chinese numerals, traditional characters, spaces), and on notices
about reports, which are not reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import warehouse
from warehouse.db import connect
from warehouse.seed_loader import SEEDS_DIR, load_seeds

MODEL = (Path(warehouse.__file__).parent / "models" / "int_annual_reports.sql").read_text(encoding="utf-8")
DIGITS = "〇一二三四五六七八九"


def recognised(titles: list[tuple[str, date]]) -> dict[int, int | None]:
    """position -> year of the titles the model keeps (a title it drops is absent)."""
    con = connect(":memory:")
    load_seeds(con, SEEDS_DIR)
    con.execute("CREATE TABLE fct_documents (doc_id VARCHAR, unit_id VARCHAR, title VARCHAR, published_date DATE)")
    con.executemany(
        "INSERT INTO fct_documents VALUES (?, 'u', ?, ?)", [(str(i), t, d) for i, (t, d) in enumerate(titles)]
    )
    con.execute(
        "CREATE TABLE fct_sightings (doc_id VARCHAR, portal_id VARCHAR, item_key VARCHAR, url VARCHAR, "
        "is_origin BOOLEAN, is_detail_fetched BOOLEAN, is_withdrawn BOOLEAN)"
    )
    con.execute("CREATE TABLE dim_portals (portal_id VARCHAR, is_configured BOOLEAN, details VARCHAR)")
    con.execute("CREATE TABLE stg_sighting_details (portal_id VARCHAR, item_key VARCHAR, detail_sha256 VARCHAR)")
    rows = con.execute(f"SELECT doc_id, year FROM ({MODEL})").fetchall()
    con.close()
    return {int(doc_id): year for doc_id, year in rows}


def chinese(year: int) -> str:
    return "".join(DIGITS[int(c)] for c in str(year))


unit = st.sampled_from(["龙岩市工商行政管理局", "新罗区人民政府", "某县卫生健康局", ""])
core = st.sampled_from(
    [
        "政府信息公开工作年度报告",
        "政府信息公开年度报告",
        "政府信息公开工作年报",
        "政府信息公开年报",
        "政务公开工作年度报告",
        "政府信息公开年度工作报告",
        "政府資訊公開工作年度報告",  # traditional 報 and the mirror's 資訊 are not the words: not a report
        "政府信息公開工作年度報告",
    ]
)
year = st.integers(2008, 2024)
spelling = st.sampled_from(["arabic", "fullwidth", "chinese", "chinese-zero", "none"])
suffix = st.sampled_from(["", "（全文）", "(摘要)", " "])


def year_text(y: int, how: str) -> str:
    if how == "arabic":
        return f"{y}年度"
    if how == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(y)) + "年"
    if how == "chinese":
        return chinese(y) + "年"
    if how == "chinese-zero":
        return chinese(y).replace("〇", "零") + "年度"
    return ""


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(unit, year, spelling, core, suffix, st.integers(1, 12)), min_size=1, max_size=12))
def test_report_titles_and_their_years(cases):
    titles = [(f"{u}{year_text(y, how)}{c}{s}", date(y + 1, month, 10)) for u, y, how, c, s, month in cases]
    got = recognised(titles)
    for i, (_unit, y, how, c, _suffix, month) in enumerate(cases):
        if "資訊" in c:
            assert i not in got, titles[i]
            continue
        assert i in got, titles[i]
        expected = y if how != "none" else (y if month <= 3 else None)
        assert got[i] == expected, titles[i]


notice = st.sampled_from(
    [
        "关于报送{y}年政府信息公开工作年度报告的通知",
        "关于做好{y}年度政府信息公开工作年度报告编制工作的通知",
        "{y}年政府信息公开工作年度报告解读",
        "图解：{y}年政府信息公开工作年度报告",
        "{y}年政府信息公开工作年度报告图解",
        "关于{y}年度政府信息公开工作年度报告的说明",
        "{y}年政务公开工作要点",
        "{y}年政府信息公开指南",
        "关于印发{y}年政务公开工作年度报告的函",
    ]
)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(notice, year), min_size=1, max_size=8))
def test_notices_about_reports_are_not_reports(cases):
    titles = [(n.format(y=y), date(y + 1, 2, 1)) for n, y in cases]
    assert recognised(titles) == {}, titles
