"""Spellings of one figure, generated: a cell's number through full-width digits, NBSP and
spaces, thousands separators, units and 约/余/多; a prose statement in simplified or
traditional characters. Each must read as the number it spells."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.annual_report import extract
from connectors.annual_report.cells import parse_cell

_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
pad = st.sampled_from(["", " ", "\u00a0", "\u3000", "\u00a0\u00a0", "\t"])


@given(n=st.integers(0, 10**7), full=st.booleans(), sep=st.booleans(), left=pad, right=pad)
def test_a_cell_number_reads_as_its_value(n, full, sep, left, right):
    text = f"{n:,}" if sep else str(n)
    text = text.translate(_FULL) if full else text
    cell = parse_cell(left + text + right)
    assert (cell.kind, cell.value, cell.approx) == ("number", n, False)


@given(n=st.integers(1, 99999), marker=st.sampled_from(["约{}", "{}余", "{}多", "约{}件", "{}余条"]))
def test_an_approximate_cell_keeps_its_value_and_a_flag(n, marker):
    cell = parse_cell(marker.format(n))
    assert (cell.value, cell.approx) == (n, True)


@given(blank=st.sampled_from(["", " ", "\u00a0", "&nbsp;".replace("&nbsp;", "\u00a0"), "\u3000"]))
def test_a_blank_cell_is_not_stated_never_zero(blank):
    assert (parse_cell(blank).kind, parse_cell(blank).value) == ("blank", None)


@given(slash=st.sampled_from(["/", "／", " / "]))
def test_a_slash_is_kept_as_not_applicable(slash):
    assert (parse_cell(slash).kind, parse_cell(slash).value) == ("na", "/")


SENTENCES = {
    "simplified": "{y}年，我局主动公开政府信息{n}条。{y}年度，本单位未收到政府信息公开申请，未发生行政复议和行政诉讼。",
    "traditional": "{y}年，我局主動公開政府信息{n}條。{y}年度，本單位未收到政府信息公開申請，未發生行政複議和行政訴訟。",
}


@given(n=st.integers(1, 50000), year=st.integers(2008, 2018), script=st.sampled_from(sorted(SENTENCES)))
def test_a_prose_report_reads_in_either_script(n, year, script):
    text = f"{year}年政府信息公开工作年度报告\n" + SENTENCES[script].format(y=year, n=n)
    report = extract(text.encode("utf-8"))
    stated = {f.path: f.value for f in report.stated()}
    assert report.year == year
    assert stated == {
        "core.proactive_new": n,
        "core.applications_received": 0,
        "core.reviews": 0,
        "core.litigations": 0,
    }
