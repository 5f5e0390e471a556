"""Hanweb: the column page -> data-proxy chain, the form it posts, XML safety, loud failures."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from connectors.errors import ChallengePage, LayoutChanged, StubPage, UnsafeXml
from connectors.families import hanweb
from connectors.records import Request

FIXTURES = Path(__file__).parent / "fixtures" / "hanweb"
COLUMN = "http://www.dingxi.gov.cn/col/col12377/index.html"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_column_page_then_its_group_walk_to_the_advertised_total() -> None:
    first = hanweb.parse_listing(fixture("column_page.html"), hanweb.first_request(COLUMN, {}), {})
    assert len(first.rows) == 45  # one group of 3 pages of 15: the next asks for 46..90
    assert (first.next_request.method, first.next_request.url) == (
        "POST",
        "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
    )
    second = hanweb.parse_listing(fixture("dataproxy_group.xml"), first.next_request, {})
    assert len(first.rows) + len(second.rows) == second.advertised_total == 52
    assert second.next_request is None
    keys = [row.item_key for row in first.rows + second.rows]
    assert len(set(keys)) == 52


def test_webname_goes_back_on_the_wire_exactly_as_the_page_wrote_it() -> None:
    page = fixture("column_page.html")
    form = dict(hanweb.parse_listing(page, Request(COLUMN), {}).next_request.data)
    wire = urlencode({"webname": form["webname"]})
    assert "webname=%25E5%25AE%259A%25E8%25A5%25BF" in page
    assert wire.startswith("webname=%25E5%25AE%259A%25E8%25A5%25BF")


def test_group_without_a_total_stops_when_it_is_short() -> None:
    text = fixture("dataproxy_group.xml").replace("<totalrecord>52</totalrecord>", "")
    request = Request(
        "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
        method="POST",
        data=(("webid", "110"),),
        headers=(("Referer", COLUMN),),
    )
    page = hanweb.parse_listing(text, request, {})
    assert len(page.rows) == 7 and page.advertised_total is None and page.next_request is None


def test_ids_missing_from_the_nextgroup_link_are_taken_from_the_page() -> None:
    text = fixture("column_page.html").replace("&webid=110", "").replace("&unitid=38486", "")
    text = text.replace("jpage({", "jpage({ webid: 110, unitid: 38486,")
    form = dict(hanweb.parse_listing(text, Request(COLUMN), {}).next_request.data)
    assert (form["webid"], form["unitid"], form["columnid"]) == ("110", "38486", "12377")


def test_ids_nowhere_is_a_layout_change() -> None:
    text = fixture("column_page.html").replace("&webid=110", "")
    with pytest.raises(LayoutChanged, match="webid"):
        hanweb.parse_listing(text, Request(COLUMN), {})


def test_external_entity_is_refused_and_the_file_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    xml = fixture("xxe_dataproxy.xml").replace("file:///etc/passwd", secret.as_uri())
    request = Request(
        "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90", method="POST"
    )
    with pytest.raises(UnsafeXml) as caught:
        hanweb.parse_listing(xml, request, {})
    assert "TOP-SECRET-MARKER" not in str(caught.value)


def test_internal_entity_bomb_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<datastore><totalrecord>1</totalrecord><recordset><record>&b;</record></recordset></datastore>"
    )
    with pytest.raises(UnsafeXml):
        hanweb.parse_listing(bomb, Request("http://x.gov.cn/module/web/jpage/dataproxy.jsp", method="POST"), {})


def test_a_doctype_inside_a_record_cdata_is_just_text() -> None:
    xml = fixture("dataproxy_group.xml").replace("<record><![CDATA[<li", "<record><![CDATA[<!DOCTYPE html><li", 1)
    request = Request(
        "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
        method="POST",
    )
    assert len(hanweb.parse_listing(xml, request, {}).rows) == 7


def test_a_record_without_a_link_is_counted_not_skipped() -> None:
    xml = fixture("dataproxy_group.xml").replace(
        '<a target="_blank" href="/art/2021/12/3/art_12377_1486150.html"', "<a", 1
    )
    request = Request(
        "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90", method="POST"
    )
    page = hanweb.parse_listing(xml, request, {})
    # the group holds 8 records (the blank one is no row): 7 rows before, 6 now and 1 unreadable
    assert len(page.rows) == 6
    assert [row.reason for row in page.unreadable_rows] == ["no link"]
    assert "art_12377_1486150" not in {row.item_key for row in page.rows}


def test_a_group_of_records_none_of_which_reads_is_a_changed_layout() -> None:
    xml = fixture("dataproxy_group.xml")
    xml = re.sub(r'href="/art/[^"]+"', "", xml)
    request = Request(
        "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90", method="POST"
    )
    with pytest.raises(LayoutChanged, match=r"records but no rows \(no link\)"):
        hanweb.parse_listing(xml, request, {})


def test_an_empty_group_is_a_stub_never_an_empty_row_list() -> None:
    xml = '<?xml version="1.0"?><datastore><totalrecord>52</totalrecord><recordset></recordset></datastore>'
    request = Request("http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90", method="POST")
    with pytest.raises(StubPage, match="empty group"):
        hanweb.parse_listing(xml, request, {})


def test_an_entity_declared_in_the_column_page_script_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    page = (
        fixture("column_page.html")
        .replace(
            '<script type="text/xml"><datastore>',
            f'<script type="text/xml"><!DOCTYPE datastore [<!ENTITY x SYSTEM "{secret.as_uri()}">]><datastore>',
        )
        .replace("<record><![CDATA[", "<record>&x;</record><record><![CDATA[", 1)
    )
    with pytest.raises(UnsafeXml) as caught:
        hanweb.parse_listing(page, Request(COLUMN), {})
    assert "TOP-SECRET-MARKER" not in str(caught.value)


def test_the_html_doctype_of_a_column_page_is_not_an_xml_declaration() -> None:
    page = fixture("column_page.html")
    assert page.startswith("<!DOCTYPE html>")
    assert len(hanweb.parse_listing(page, Request(COLUMN), {}).rows) == 45


def test_column_page_without_a_datastore_is_a_layout_change() -> None:
    text = fixture("column_page.html")
    start, end = text.index("<datastore>"), text.index("</datastore>") + len("</datastore>")
    with pytest.raises(LayoutChanged, match="datastore"):
        hanweb.parse_listing(text[:start] + text[end:], Request(COLUMN), {})


def test_a_column_page_holding_fewer_than_a_group_continues_after_what_it_holds() -> None:
    text = fixture("column_page.html")
    start = text.index("<record>", text.index("<record>") + 1)  # keep the first record only
    end = text.index("</recordset>")
    page = hanweb.parse_listing(text[:start] + text[end:], Request(COLUMN), {})
    assert len(page.rows) == 1
    assert "startrecord=2&endrecord=46" in page.next_request.url  # total 52: records 2.. remain
    no_total = (text[:start] + text[end:]).replace("totalRecord: 52", "")
    assert hanweb.parse_listing(no_total, Request(COLUMN), {}).next_request is None


def test_a_label_option_naming_no_field_is_refused() -> None:
    with pytest.raises(ValueError, match="label:分类"):
        hanweb.parse_detail(
            fixture("detail.html"), "http://www.taizhou.gov.cn/art/2018/2/28/art_1_2.html", {"label:分类": "topics"}
        )


@pytest.mark.parametrize("name", ["waf_challenge.html", "waf_js_only.html"])
def test_a_challenge_instead_of_a_column_page_or_a_group(name: str) -> None:
    page = (FIXTURES.parent / "trs" / name).read_text(encoding="utf-8")
    with pytest.raises(ChallengePage):
        hanweb.parse_listing(page, Request(COLUMN), {})
    group = Request(
        "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90", method="POST"
    )
    with pytest.raises(ChallengePage):
        hanweb.parse_listing(page, group, {})
