"""SSP JSON: page requests, the end of the listing, short pages, and detail pages read as TRS."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.errors import ChallengePage, LayoutChanged, StubPage
from connectors.families import ssp, trs
from connectors.families.checks import MAX_UNREADABLE_SHARE, check_unreadable_share
from connectors.records import Request

API = "https://www.fujian.gov.cn/ssp/search/api/apiSearch?siteId=8a28&apiName=SSP_OPENINFO"


def test_first_request_appends_page_and_datas_to_the_query() -> None:
    assert ssp.first_request(API, {}).url == API + "&page=1&datas=20"
    assert ssp.first_request(API, {"datas": "10"}).url == API + "&page=1&datas=10"
    assert ssp.first_request("https://x.gov.cn/ssp/api", {}).url == "https://x.gov.cn/ssp/api?page=1&datas=20"


def test_existing_page_and_datas_are_replaced_and_the_rest_kept_as_written() -> None:
    url = "https://x.gov.cn/api?page=7&q=%E9%BE%99%E5%B2%A9&datas=99&sortFiled=-docrelTime"
    assert ssp.first_request(url, {}).url == (
        "https://x.gov.cn/api?q=%E9%BE%99%E5%B2%A9&sortFiled=-docrelTime&page=1&datas=20"
    )


def test_bad_datas_option_is_refused() -> None:
    with pytest.raises(ValueError, match="datas"):
        ssp.first_request(API, {"datas": "0"})


def _page(datas: str, total: int = 45, error: str = "false") -> str:
    return f'{{"error": {error}, "total": {total}, "datas": {datas}}}'


ITEM = '{{"_doctitle": "文{n}", "docpuburl": "/zwgk/202301/t2023010{n}_{n}.htm", "pubdate": "2023-01-0{n}"}}'


def test_a_short_page_is_not_the_end() -> None:
    text = _page("[" + ",".join(ITEM.format(n=n) for n in (1, 2)) + "]")
    page = ssp.parse_listing(text, Request(API + "&page=1&datas=20"), {})
    assert [row.item_key for row in page.rows] == ["t20230101_1", "t20230102_2"]
    assert page.next_request == Request(API + "&page=2&datas=20")


def test_an_empty_first_page_is_legitimate_only_when_the_total_is_zero() -> None:
    page = ssp.parse_listing(_page("[]", total=0), Request(API + "&page=1&datas=20"), {})
    assert page.rows == [] and page.next_request is None and page.advertised_total == 0
    with pytest.raises(LayoutChanged, match="page 1 is empty"):
        ssp.parse_listing(_page("null", total=45, error="true"), Request(API + "&page=1&datas=20"), {})


def test_an_item_key_falls_back_to_the_id_then_the_url() -> None:
    text = _page(
        '[{"_doctitle": "甲", "docpuburl": "/a/b.htm", "docid": 991}, {"_doctitle": "乙", "docpuburl": "/a/c.htm"}]'
    )
    rows = ssp.parse_listing(text, Request(API + "&page=1&datas=20"), {}).rows
    assert rows[0].item_key == "991"
    assert rows[1].item_key == rows[1].url == "https://www.fujian.gov.cn/a/c.htm"


def test_a_hit_without_a_url_is_counted_and_a_page_of_them_is_loud() -> None:
    request = Request(API + "&page=1&datas=20")
    page = ssp.parse_listing(_page('[{"_doctitle": "甲"}, {"_doctitle": "乙", "docpuburl": "/a/c.htm"}]'), request, {})
    assert [row.fields["title"] for row in page.rows] == ["乙"]
    assert [(bad.reason, bad.text) for bad in page.unreadable_rows] == [("no link", "甲")]
    only = ssp.parse_listing(_page('[{"_doctitle": "甲"}]'), request, {})
    assert only.rows == [] and len(only.unreadable_rows) == 1
    with pytest.raises(LayoutChanged, match=r"1 of 1 rows unreadable \(100%, more than 20% allowed\): no link ×1"):
        check_unreadable_share(request.url, len(only.rows), only.unreadable_rows, MAX_UNREADABLE_SHARE)


def test_a_small_html_page_instead_of_json_is_a_stub() -> None:
    stub = '<html><head><title>信息公开</title></head><body><div class="list"><ul></ul></div></body></html>'
    with pytest.raises(StubPage):
        ssp.parse_listing(stub, Request(API + "&page=3&datas=20"), {})


def test_html_instead_of_json() -> None:
    with pytest.raises(ChallengePage):
        ssp.parse_listing(
            "<html><head><title>安全验证</title></head><body></body></html>", Request(API + "&page=1&datas=20"), {}
        )
    with pytest.raises(LayoutChanged, match="expected JSON"):
        ssp.parse_listing(
            "<html><body><p>" + "系统维护中" * 200 + "</p></body></html>", Request(API + "&page=1&datas=20"), {}
        )
    with pytest.raises(LayoutChanged, match="not JSON"):
        ssp.parse_listing('{"error": false, "datas": [', Request(API + "&page=1&datas=20"), {})


def test_detail_pages_are_read_as_trs_detail_pages() -> None:
    page = (Path(__file__).parent / "fixtures" / "trs" / "fujian_syh_box_detail.html").read_text("utf-8")
    url = "https://www.fujian.gov.cn/zwgk/zfxxgk/szfwj/jgzz/xzgfxwj/202305/t20230518_6170011.htm"
    assert ssp.parse_detail(page, url, {}) == trs.parse_detail(page, url, {})
    assert ssp.parse_detail(page, url, {}).fields["index_no"] == "00315478-X/2012-00035"
