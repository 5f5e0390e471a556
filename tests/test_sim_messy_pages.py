"""The messy profile's traps as served over HTTP: each test reads the pages of the small
messy world and fails if its trap is gone from them."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from sim import truth
from sim.registry import build_world
from sim.server import start


@pytest.fixture(scope="module")
def sim():
    with start(build_world("messy", small=True)) as server:
        yield server


@pytest.fixture(scope="module")
def docs(sim):
    return list(truth.rows(sim.world, sim.origins))


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8", errors="replace")


def page(sim, portal_id: str, n: int = 0) -> str:
    entry = sim.portals[portal_id]
    return get(entry if n == 0 else re.sub(r"index\.(html?)$", rf"index_{n}.\1", entry))


def detail(docs, portal_id: str, pick=lambda d, s: True) -> tuple[dict, dict, str]:
    d, s = next((d, s) for d in docs for s in d["sightings"] if s["portal_id"] == portal_id and pick(d, s))
    return d, s, get(s["url"])


def test_gov_detail_pages_print_no_index_number_but_the_reindexed_one(sim, docs):
    _, _, html = detail(docs, "ly-gov", lambda d, s: d["trap"] is None)
    assert "发布机构" in html and "索 引 号" not in html and "索引号" not in html
    d, s, html = detail(docs, "ly-gov", lambda d, s: d["trap"] == "reindexed")
    assert s["index_no"] in html and d["index_no"] not in html
    _, _, city = detail(docs, "ly-aic-xxgk", lambda x, _: x["doc_id"] == d["doc_id"])
    assert d["index_no"] in city


def test_hongdun_detail_pages_sometimes_without_index_number(sim, docs):
    _, _, html = detail(docs, "ly-hongdun", lambda d, s: s["index_no"] is None)
    assert "索 引 号" not in html and "发布机构" in html
    _, s, html = detail(docs, "ly-hongdun", lambda d, s: s["index_no"] is not None)
    assert "索 引 号" in html


def test_listing_dates_in_other_elements(sim):
    assert re.search(r"<em>\d{4}-\d\d-\d\d</em></li>", page(sim, "ly-hongdun"))
    assert re.search(r"<i>\d{4}-\d\d-\d\d</i></li>", page(sim, "ly-xl-aic-site"))
    assert re.search(r"<span>发布时间：\d{4}-\d\d-\d\d \d\d:\d\d</span></li>", page(sim, "ly-yd-aic-site"))
    assert re.search(r"<td>\d{4}年\d{1,2}月\d{1,2}日</td></tr>", page(sim, "ly-zp-aic-site"))


def test_gov_lists_and_shows_the_written_date(sim, docs):
    d, s, html = detail(docs, "ly-gov", lambda d, s: d["written_date"] != d["published_date"])
    assert f"发布日期：{d['written_date']}" in html and d["published_date"] not in html
    count = int(re.search(r"createPageHTML\((\d+),", page(sim, "ly-gov")).group(1))
    listing = "".join(page(sim, "ly-gov", n) for n in range(count))
    row = re.search(rf'href="\./{s["url"].split("/gk/zcwjk/", 1)[1]}".*?</li>', listing)
    assert d["written_date"] in row.group(0) and d["published_date"] not in row.group(0)


def test_sidebar_of_dated_links_beside_a_short_last_page(sim):
    first = page(sim, "ly-xl-aic-site")
    side = re.search(r'<div class="sidebar">.*?</div>', first, re.S).group(0)
    links = re.findall(r"<li><a href=\"/xwdt/[^\"]+\"[^>]*>[^<]+</a><span>\d{4}-\d\d-\d\d</span></li>", side)
    count = int(re.search(r"createPageHTML\((\d+),", first).group(1))
    last = page(sim, "ly-xl-aic-site", count - 1)
    rows = re.findall(r"<li><a href=\"\./", last.split('<div class="right">', 1)[1])
    assert len(links) == 19 and 0 < len(rows) < len(links)
    assert '<div class="sidebar">' in last


def test_publisher_spellings_served(sim, docs):
    served = {s["publisher"] for d in docs for s in d["sightings"]}
    trad = next(s for d in docs for s in d["sightings"] if s["publisher"] == "龍巖市工商行政管理局")
    assert "龍巖市工商行政管理局" in get(trad["url"]) and "龙岩工商局" in served


def test_prefix_trap_both_units_on_the_gov_site(sim, docs):
    pair = [(d, s) for d in docs if d["trap"] == "prefix-unit" for s in d["sightings"] if s["portal_id"] == "ly-gov"]
    pages = [get(s["url"]) for _, s in pair]
    assert any("龙岩市工商业联合会" in p for p in pages) and len({d["title"] for d, _ in pair}) == 1
    assert all(d["title"] in p for (d, _), p in zip(pair, pages, strict=True))


def test_classification_values_padded_and_of_other_trees(sim, docs):
    pages = [get(s["url"]) for d in docs[:60] for s in d["sightings"] if s["portal_id"] != "ly-zp-aic-site"]
    text = "".join(pages)
    assert re.search(r"<td>&nbsp;[^<]+</td>|：&nbsp;[^<]+</p>|<td>&nbsp;", text)
    assert "\u3000</td>" in text or "\u3000</p>" in text
    assert "其它" in text and "综合政务\\" in text
    assert any(name in text for name in ("机构职能", "政策法规", "计划规划", "统计数据", "执法监督"))


def test_province_platform_links_detail_pages_on_sister_hosts(sim):
    answer = json.loads(get(sim.portals["fj-aic-ssp"] + "&page=1&datas=50"), strict=False)
    urls = [row["docpuburl"] for row in answer["datas"]]
    hosts = {re.match(r"http://([\d.]+):", u).group(1) for u in urls}
    assert len(hosts) >= 4 and all(h.startswith("127.0.3.") for h in hosts)
    assert "索引号" in get(urls[0])


def test_generic_titles_served_on_the_city_platform(sim, docs):
    planted = [s for d in docs if d["title"] == "行政处罚决定书" for s in d["sightings"]]
    assert len({s["url"] for s in planted if s["portal_id"] == "ly-aic-xxgk"}) == 4
    assert all("行政处罚决定书" in get(s["url"]) for s in planted[:3])


def doc_no_cells(html: str) -> list[str]:
    """What the page prints in its 文号 cells (the Fujian box and the 红盾网 table)."""
    return re.findall(r"文　　号：(?:</th><td>)?([^<]*)<", html)


def test_doc_no_placeholders_and_respellings_served(sim, docs):
    # the city government site fills the 文号 of a document without one with a word for
    # none, and prints some documents' 文号 with other brackets, 第 or leading zeros
    # (of the documents published by the day served)
    gov = [(d, s) for d in docs for s in d["sightings"] if s["portal_id"] == "ly-gov" and d["published_date"] < "2013"]
    none = [get(s["url"]) for d, s in gov if not d["doc_no"]]
    printed = {cell for page in none[:30] for cell in doc_no_cells(page)}
    assert {"无文号", "暂无文号", "见附件", "0", "未编号", "（无）"} & printed and "" not in printed
    shown = [(d["doc_no"], doc_no_cells(get(s["url"]))[0]) for d, s in gov[:80] if d["doc_no"]]
    respelled = [cell for doc_no, cell in shown if cell != doc_no]
    assert respelled and all(cell.endswith("号") for cell in respelled)
    assert any("第" in cell for cell in respelled) and any(re.search(r"[\])）】]0", cell) for cell in respelled)


def test_county_sites_print_no_publisher_on_some_pages(sim, docs):
    _, _, html = detail(docs, "ly-xl-aic-site", lambda d, s: s["publisher"] == "")
    assert "<p><strong>发布机构</strong>：</p>" in html
    _, s, html = detail(docs, "ly-xl-aic-site", lambda d, s: s["publisher"] != "")
    assert f"<p><strong>发布机构</strong>：{s['publisher']}</p>" in html


def test_full_names_with_places_in_front_and_departments_behind_their_bureau_served(sim, docs):
    served = {s["publisher"] for d in docs for s in d["sightings"]}
    assert any(name.startswith("福建省龙岩市") and name.endswith("县工商行政管理局") for name in served)
    assert any(re.fullmatch(r"福建省龙岩市工商行政管理局（.+）", name) for name in served)
