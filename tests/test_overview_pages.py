"""A column's landing page that lists its sub-columns and units (tabs of dated `li` rows
linking to folders, to other sites' home pages, or all to one folder) is no list of
documents: the readers refuse it with the reason instead of counting each folder as a
document. Generated overview pages, and lists of documents that merely look alike."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.errors import NoRows
from connectors.families import generic, trs
from connectors.records import Request

URL = "http://www.x.gov.cn/zfxxgk/dfbmptlj/ggqsydw/"
FOLDERS = st.sampled_from(
    ["./wwsjk/", "./jyj/", "../ggqsydw/wsjk/", "/zfxxgk/qtbm/", "http://www.school.edu.cn/", "http://hospital.org.cn"]
)
DOCUMENTS = st.sampled_from(
    ["./202311/t20231109_1.html", "/art/2023/11/9/art_1_2.html", "./content.jsp?id=3", "./P020231109.pdf"]
)
FOOTER = "<div class='footer'>" + "主办单位：某区人民政府办公室 承办单位：某区大数据中心 " * 6 + "</div>"


def page(links: list[str]) -> str:
    rows = "".join(
        f'<li class="inc_list_li"><a href="{href}" title="单位{i}">单位{i}</a><span>2023-11-0{i % 9 + 1}</span></li>'
        for i, href in enumerate(links)
    )
    return (
        f"<html><head><title>公共企事业单位</title></head><body><ul class='list_base'>{rows}</ul>{FOOTER}</body></html>"
    )


def read(text: str, reader: str):
    if reader == "trs":
        return trs.parse_listing(text, Request(URL), {})
    return generic.parse_listing(text, Request(URL), {"rows": "ul.list_base li", "title": "a", "date": "span"})


@given(st.lists(FOLDERS, min_size=3, max_size=12), st.sampled_from(["trs", "generic"]))
def test_rows_that_all_lead_to_folders_or_other_sites_are_refused_with_the_reason(
    links: list[str], reader: str
) -> None:
    with pytest.raises(NoRows, match="overview of sub-columns or units"):
        read(page(links), reader)


@given(st.integers(3, 12), st.sampled_from(["trs", "generic"]))
def test_rows_that_all_lead_to_one_folder_are_refused_naming_it(n: int, reader: str) -> None:
    with pytest.raises(NoRows, match="overview") as refused:
        read(page(["./wwsjk/"] * n), reader)
    assert f"({URL}wwsjk/)" in str(refused.value)  # the column to configure instead


@given(st.lists(FOLDERS, min_size=2, max_size=12), DOCUMENTS, st.data(), st.sampled_from(["trs", "generic"]))
def test_one_row_that_leads_to_a_document_makes_it_a_list_of_documents(links, document: str, data, reader: str) -> None:
    links = list(dict.fromkeys(links))  # distinct rows: a list of documents repeats none
    links.insert(data.draw(st.integers(0, len(links))), document)
    assert len(read(page(links), reader).rows) == len(links)
