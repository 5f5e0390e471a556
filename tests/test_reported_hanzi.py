"""The reader's table of traditional characters agrees with the warehouse's seed wherever
both know a character, and turns the traditional spellings of its words into theirs."""

from __future__ import annotations

import csv
from pathlib import Path

from connectors.annual_report.hanzi import CHARS, simplified

SEED = Path(__file__).resolve().parents[1] / "warehouse" / "seeds" / "traditional_chars.csv"


def test_the_table_agrees_with_the_warehouse_seed():
    with SEED.open(encoding="utf-8") as handle:
        seed = {row["traditional"]: row["simplified"] for row in csv.DictReader(handle)}
    shared = {ch: (CHARS[ch], seed[ch]) for ch in CHARS if ch in seed and ch != "覆"}
    assert len(shared) > 100
    assert {ch: pair for ch, pair in shared.items() if pair[0] != pair[1]} == {}


def test_the_words_the_reader_matches_read_in_traditional():
    pairs = {
        "主動公開政府信息": "主动公开政府信息",
        "依申請公開": "依申请公开",
        "行政複議": "行政复议",
        "行政訴訟": "行政诉讼",
        "全文電子化達": "全文电子化达",
        "規範性檔案": "规范性文件",
        "規劃計畫": "规划计划",
        "答覆率": "答复率",
        "點擊瀏覽次數": "点击浏览次数",
        "縣(市、區)": "县(市、区)",
    }
    assert {t: simplified(t) for t in pairs} == pairs
