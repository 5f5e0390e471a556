"""The simulated portals serve the real families' shapes over loopback, and agree with the truth.

Pages are parsed here with plain lxml (independently of connectors/): TRS listings and
pagers, Hanweb column pages and data-proxy groups, the SSP JSON, detail pages, the GBK site,
and the clock (`as_of`, withdrawals).
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, timedelta

import pytest
import requests
from lxml import etree, html

from sim import truth
from sim.catalog import PORTAL_BY_ID
from sim.model import DEFAULT_AS_OF
from sim.registry import build_world
from sim.server import start

DETAIL_LINK = re.compile(r"(/t\d{8}_\d+\.html?|/art_\d+_\d+\.html)$")
INDEX_NO = re.compile(r"[0-9A-Z]{8}-[0-9X]/\d{4}-\d{5}")
TRS = ("ly-aic-xxgk", "ly-hongdun", "ly-gov", "ly-xl-aic-site", "ly-yd-aic-site", "ly-ct-aic-site", "ly-zp-aic-site")
HANWEB = ("ly-sh-aic-site", "ly-wp-aic-site", "ly-lc-aic-site")


@pytest.fixture(scope="module")
def world():
    return build_world()


@pytest.fixture(scope="module")
def sim(world):
    with start(world) as server:
        yield server


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def docs(world):
    return list(truth.rows(world))


def decode(response: requests.Response, portal_id: str) -> str:
    return response.content.decode(PORTAL_BY_ID[portal_id].encoding)


def trs_pages(http, sim, portal_id: str) -> list[tuple[str, html.HtmlElement]]:
    """Every listing page of a TRS portal, following the page count its pager declares."""
    entry = sim.portals[portal_id]
    first = http.get(entry, timeout=10)
    assert first.status_code == 200
    text = decode(first, portal_id)
    m = re.search(r"countPage\s*=\s*(\d+)", text) or re.search(r"createPageHTML\((\d+),", text)
    count = int(m.group(1))
    ext = entry.rsplit(".", 1)[1]
    pages = [(text, html.fromstring(text))]
    for i in range(1, count):
        r = http.get(entry.replace(f"index.{ext}", f"index_{i}.{ext}"), timeout=10)
        assert r.status_code == 200, (portal_id, i)
        page_text = decode(r, portal_id)
        pages.append((page_text, html.fromstring(page_text)))
    over = http.get(entry.replace(f"index.{ext}", f"index_{count}.{ext}"), timeout=10)
    assert over.status_code == 404
    return pages


def detail_links(tree: html.HtmlElement) -> list[html.HtmlElement]:
    return [a for a in tree.iter("a") if DETAIL_LINK.search(a.get("href", ""))]


def hanweb_records(http, sim, portal_id: str) -> tuple[list[html.HtmlElement], list[int]]:
    """All records of a Hanweb column (embedded group, then data-proxy POSTs) and the
    totalrecord values the groups advertised."""
    entry, origin = sim.portals[portal_id], sim.origins[portal_id]
    page = html.fromstring(decode(http.get(entry, timeout=10), portal_id))
    (script,) = page.xpath('//script[@type="text/xml"]')
    store = etree.fromstring(script.text.encode())
    records = [html.fragment_fromstring(r.text.strip()) for r in store.iter("record")]
    assert len(records) == 45
    column = re.search(r"columnid=(\d+)", script.text).group(1)
    form = {
        "col": "1",
        "appid": "1",
        "webid": "1",
        "path": "/",
        "columnid": column,
        "sourceContentType": "1",
        "unitid": "1",
        "webname": "x",
        "permissiontype": "0",
    }
    totals, start = [], 46
    while True:
        r = http.post(
            f"{origin}/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={start + 44}&perpage=15",
            data=form,
            headers={"Referer": entry},
            timeout=10,
        )
        store = etree.fromstring(r.content)
        totals.append(int(store.findtext("totalrecord")))
        group = [html.fragment_fromstring(x.text.strip()) for x in store.iter("record")]
        if not group:
            break
        assert len(group) == 45 or start + len(group) - 1 == totals[-1]
        records += group
        start += 45
    return records, totals


def ssp_items(http, sim, datas: int = 50) -> tuple[list[dict], int]:
    items, page, total = [], 1, None
    while True:
        r = http.get(f"{sim.portals['fj-aic-ssp']}&page={page}&datas={datas}", timeout=10)
        data = json.loads(r.text, strict=False)
        if data["error"] or not data["datas"]:
            break
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.text)  # raw newlines inside strings: strict JSON refuses them
        total = data["total"]
        items += data["datas"]
        page += 1
    return items, total


def norm_index(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    return re.sub("[‐‑‒–—―－﹣]", "-", text)


def test_served_listing_rows_agree_with_truth_and_exceed_twice_held(http, sim, world):
    served = {}
    for pid in TRS:
        served[pid] = sum(len(detail_links(tree)) for _, tree in trs_pages(http, sim, pid))
    for pid in HANWEB:
        records, totals = hanweb_records(http, sim, pid)
        assert set(totals) == {len(records)}
        served[pid] = len(records)
    items, total = ssp_items(http, sim)
    assert total == len(items)
    served["fj-aic-ssp"] = len(items)
    for pid, count in served.items():
        assert count == len(world.listing(pid, DEFAULT_AS_OF)), pid
    assert sum(served.values()) == truth.naive_listing_count(world) > 2 * 2887


def test_city_platform_has_the_real_xxgk_table_and_countnum_pager(http, sim, world):
    pages = trs_pages(http, sim, "ly-aic-xxgk")
    text, tree = pages[0]
    header = [th.text_content().strip() for th in tree.xpath("//table//tr[th]/th")]
    assert header == ["名称", "索引号", "发布机构", "发布日期"]
    countnum = int(re.search(r"var countnum=\s*(\d+);", text).group(1))
    rows = [tr for _, t in pages for tr in t.xpath("//table//tr[td]")]
    assert countnum == len(rows) == len(world.listing("ly-aic-xxgk", DEFAULT_AS_OF))
    tr = rows[0]
    a = tr.xpath("td[1]/a")[0]
    assert a.get("href").startswith("./") and a.get("title") == a.text_content().strip()
    assert INDEX_NO.fullmatch(tr.xpath("td[2]")[0].text_content().strip())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", tr.xpath("td[4]")[0].text_content().strip())
    dates = [tr.xpath("td[4]")[0].text_content().strip() for tr in rows]
    assert dates == sorted(dates, reverse=True)


def test_hongdun_cuts_titles_pins_one_and_uses_create_page_html(http, sim, world):
    pages = trs_pages(http, sim, "ly-hongdun")
    text, tree = pages[0]
    assert re.search(r'createPageHTML\(\d+, 0, "index", "html"\)', text)
    items = tree.xpath('//div[@class="list_con"]/ul/li')
    assert len(items) == PORTAL_BY_ID["ly-hongdun"].per_page + 1
    pinned = items[0]
    assert "[置顶]" in pinned.text_content() and pinned.findtext("span") < "2009"
    assert items[1].findtext("span") >= "2013"
    cut = [a for _, t in pages for a in detail_links(t) if a.text_content().endswith("...")]
    assert cut and all(a.get("title").startswith(a.text_content()[:-3]) for a in cut)
    # Site navigation is a list of links too, but without dates or titles.
    assert tree.xpath('//ul[@class="nav"]/li/a') and not tree.xpath('//ul[@class="nav"]//span')


@pytest.mark.parametrize(
    ("pid", "container", "date_pattern"),
    [
        ("ly-gov", '//div[@class="gl_list"]/ul/li', r"\d{4}-\d{2}-\d{2}"),
        ("ly-xl-aic-site", '//div[@class="zfxxgk_zdgkc"]/ul/li', r"\d{4}-\d{2}-\d{2}"),
        ("ly-yd-aic-site", '//ul[@class="list_ul"]/li', r"\[\d{4}-\d{2}-\d{2}\]"),
        ("ly-ct-aic-site", '//div[@class="gl_list"]/ul/li', r"\d{4}\.\d{2}\.\d{2}"),
        ("ly-zp-aic-site", '//table[@class="gkml_table"]//tr[td]', r"\d{4}年\d{1,2}月\d{1,2}日"),
    ],
)
def test_county_and_government_lists_have_their_shapes(http, sim, pid, container, date_pattern):
    text, tree = trs_pages(http, sim, pid)[0]
    rows = tree.xpath(container)
    assert len(rows) == PORTAL_BY_ID[pid].per_page
    for row in rows:
        (a,) = row.xpath(".//a")
        assert a.get("title") and DETAIL_LINK.search(a.get("href"))
        assert a.get("href").startswith("./")
        when = row.xpath("./span|./b|./td[last()]")[-1].text_content().strip()
        assert re.fullmatch(date_pattern, when), when
    assert not INDEX_NO.search(text)  # these lists carry no index numbers


def test_trs_detail_pages_have_the_real_shapes(http, sim, docs):
    xxgk = next(
        d for d in docs if d["doc_no"] is None and d["unit_id"] == "ly-aic" and d["published_date"].startswith("2012")
    )
    url = next(s["url"] for s in xxgk["sightings"] if s["portal_id"] == "ly-aic-xxgk")
    r = http.get(sim.origins["ly-aic-xxgk"] + url, timeout=10)
    tree = html.fromstring(r.text)
    labels = {
        p.findtext("strong"): p.text_content().split("：", 1)[1]
        for p in tree.xpath('//div[@class="top cf"]//p[strong]')
    }
    assert labels["索引号"] == xxgk["index_no"] and labels["文号"] == "无"
    assert labels["名称"] == xxgk["title"] and labels["发布机构"] == xxgk["publisher"]
    assert "<!--<p><strong>成文日期</strong>" in r.text  # a label inside a comment
    metas = {m.get("name"): m.get("content") for m in tree.xpath("//meta[@name]")}
    assert metas["ArticleTitle"] == xxgk["title"] and re.fullmatch(r"\d{4}年\d{2}月\d{2}日", metas["PubDate"])
    assert metas["ContentSource"] == xxgk["publisher"]
    assert tree.xpath('//div[@class="TRS_Editor"]')
    gov = next(d for d in docs if any(s["portal_id"] == "ly-gov" for s in d["sightings"]) and d["unit_id"] == "ly-aic")
    url = next(s["url"] for s in gov["sightings"] if s["portal_id"] == "ly-gov")
    tree = html.fromstring(http.get(sim.origins["ly-gov"] + url, timeout=10).text)
    spans = tree.xpath('//div[@class="syh"]/div[@class="syh_box"]/div/span')
    assert spans[0].text.startswith("索 引 号：") and spans[1].text.startswith("文　　号：")
    assert norm_index(spans[0].text.split("：", 1)[1]) == gov["index_no"]
    assert spans[2].text.split("：", 1)[1] in ("龙岩市工商行政管理局", "龙岩市工商局", "龙岩市工商行政管理局局机关")
    # A document without 文号 prints the label with nothing after it.
    bare = next(
        d
        for d in docs
        if any(s["portal_id"] == "ly-gov" for s in d["sightings"])
        and d["unit_id"]
        and d["doc_no"] is None
        and d["withdrawn_on"] is None
    )
    url = next(s["url"] for s in bare["sightings"] if s["portal_id"] == "ly-gov")
    tree = html.fromstring(http.get(sim.origins["ly-gov"] + url, timeout=10).text)
    spans = tree.xpath('//div[@class="syh"]/div[@class="syh_box"]/div/span')
    assert spans[1].text == "文　　号：" and spans[2].text.startswith("发布机构：")


def test_detail_pages_agree_with_truth_on_every_portal(http, sim, docs):
    checked = set()
    for d in docs[::37]:
        for s in d["sightings"]:
            r = http.get(sim.origins[s["portal_id"]] + s["url"], timeout=10)
            visible = d["withdrawn_on"] is None and d["published_date"] <= "2013-01-31"
            if not visible:
                assert r.status_code == 404
                continue
            text = decode(r, s["portal_id"])
            assert r.status_code == 200 and len(r.content) < 8000
            tree = html.fromstring(text)
            assert tree.xpath('//meta[@name="ArticleTitle"]')[0].get("content") == d["title"]
            printed = [m for m in INDEX_NO.finditer(norm_index(tree.text_content()))]
            assert printed and printed[0].group(0) == d["index_no"]
            body = tree.xpath('//div[@class="TRS_Editor"]|//div[@id="zoom"]')[0]
            has_text = bool(body.text_content().strip())
            has_attachment = bool(tree.xpath('//a[contains(@href, ".doc")]'))
            assert has_text or has_attachment
            checked.add(s["portal_id"])
    assert checked == set(PORTAL_BY_ID)


def test_gbk_site_decodes_as_gbk_not_utf8(http, sim, docs):
    doc = next(d for d in docs if "镕" in d["title"] and d["withdrawn_on"] is None and d["published_date"] < "2013")
    url = next(s["url"] for s in doc["sightings"] if s["portal_id"] == "ly-ct-aic-site")
    r = http.get(sim.origins["ly-ct-aic-site"] + url, timeout=10)
    assert "charset" not in r.headers["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("gb2312")  # declared gb2312, but 镕 is only in GBK
    text = r.content.decode("gbk")
    assert 'charset=gb2312"' in text and doc["title"] in text
    assert "镕".encode() not in r.content and "镕".encode("gbk") in r.content
    listing = http.get(sim.portals["ly-ct-aic-site"], timeout=10).content
    with pytest.raises(UnicodeDecodeError):
        listing.decode("utf-8")


def test_hanweb_shapes_groups_and_detail_table(http, sim):
    records, totals = hanweb_records(http, sim, "ly-wp-aic-site")
    assert records[0].tag == "li" and records[0].findtext("b")
    a = records[0].find("a")
    assert a.get("href").startswith("/art/") and a.get("title")
    others, _ = hanweb_records(http, sim, "ly-sh-aic-site")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", others[0].findtext("span"))
    assert all(re.search("[\u4e00-\u9fff]", r.find("a").get("title")) for r in others)
    r = http.get(sim.origins["ly-wp-aic-site"] + a.get("href"), timeout=10)
    assert r.headers["Content-Type"] == "text/html"  # no charset: the meta tag says utf-8
    tree = html.fromstring(decode(r, "ly-wp-aic-site"))
    cells = [td.text_content() for td in tree.xpath('//table[@class="xxgk_table"]//td')]
    assert cells[0::2] == ["索 引 号", "分 类", "发布机构", "发文日期", "文 号", "有 效 性"]
    assert tree.xpath('//div[@id="zoom"]')
    # Without the column's form fields the proxy answers an empty store.
    bare = http.post(
        sim.origins["ly-wp-aic-site"] + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15",
        timeout=10,
    )
    assert etree.fromstring(bare.content).findtext("totalrecord") == "0"


def test_ssp_json_fields_pages_and_detail(http, sim, world):
    items, total = ssp_items(http, sim, datas=200)  # asks for 200, gets at most 50 a page
    r = http.get(f"{sim.portals['fj-aic-ssp']}&page=1&datas=200", timeout=10)
    assert len(json.loads(r.text, strict=False)["datas"]) == 50
    assert total == len(items) == len(world.listing("fj-aic-ssp", DEFAULT_AS_OF))
    assert {"_doctitle", "idxid", "puborg", "fileno", "pubdate", "docreltime", "docpuburl"} <= set(items[0])
    assert any(isinstance(i["docreltime"], int) for i in items)
    assert any(isinstance(i["docreltime"], str) for i in items)
    assert {i["puborg"] for i in items} >= {"厦门市工商行政管理局", "福建省工商局"}
    past = json.loads(http.get(f"{sim.portals['fj-aic-ssp']}&page=999&datas=50").text, strict=False)
    assert past["error"] is True and past["datas"] == []
    detail = http.get(items[0]["docpuburl"], timeout=10)
    assert detail.url.startswith(sim.origins["fj-aic-ssp"]) and "机构分类" in detail.text


def test_as_of_hides_later_documents_and_withdrawals_remove_items(world, docs, http):
    withdrawn = sorted(
        (d for d in docs if d["withdrawn_on"] and d["withdrawn_on"] > "2013"), key=lambda d: d["withdrawn_on"]
    )[0]
    day = date.fromisoformat(withdrawn["withdrawn_on"])
    url = next(s["url"] for s in withdrawn["sightings"] if s["portal_id"] == "ly-aic-xxgk")
    with start(world, as_of="2012-12-31") as sim:
        items, total = ssp_items(http, sim)
        expected = sum(
            1
            for d in docs
            for s in d["sightings"]
            if s["portal_id"] == "fj-aic-ssp"
            and s["listed_date"] <= "2012-12-31"
            and not (d["withdrawn_on"] and d["withdrawn_on"] <= "2012-12-31")
        )
        assert total == len(items) == expected
        assert max(i["pubdate"][:10] for i in items) == "2012-12-31"
        pages = trs_pages(http, sim, "ly-aic-xxgk")
        assert pages[0][1].xpath("//table//tr[td]/td[4]")[0].text == "2012-12-31"
        sim.set_as_of(day - timedelta(days=1))
        links = {a.get("href") for _, t in trs_pages(http, sim, "ly-aic-xxgk") for a in detail_links(t)}
        assert any(url.endswith(h[1:]) for h in links)
        assert http.get(sim.origins["ly-aic-xxgk"] + url, timeout=10).status_code == 200
        sim.set_as_of(day)
        links = {a.get("href") for _, t in trs_pages(http, sim, "ly-aic-xxgk") for a in detail_links(t)}
        assert not any(url.endswith(h[1:]) for h in links)
        assert http.get(sim.origins["ly-aic-xxgk"] + url, timeout=10).status_code == 404
        sim.set_as_of("2013-03-31")
        _, total_end = ssp_items(http, sim)
        assert total_end == len(world.listing("fj-aic-ssp", date(2013, 3, 31))) > total
