"""文号 as real portals print them (docs/matching.md, 文号): a placeholder is no 文号, a value
identifies only when it has the shape of one, and one 文号 printed in many spellings is one
key. Hand-made landing rows on the small world of tests/helpers/warehouse.py, built into a
real DuckDB file."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from helpers.warehouse import land, listing, load_and_build, night, query
from hypothesis import example, given, settings
from hypothesis import strategies as st

D1 = date(2013, 1, 5)
SEEN = night(D1)[1]
CITY = "龙岩市工商局"


def document_groups(published) -> list[list[tuple[str, str]]]:
    """The sightings of each document, as sorted lists of (portal_id, item_key)."""
    rows = query(
        published,
        "SELECT list((portal_id, item_key) ORDER BY portal_id, item_key) FROM fct_sightings GROUP BY doc_id",
    )
    return sorted([tuple(pair) for pair in row[0]] for row in rows)


def city_2012(published) -> tuple[int, int]:
    """(new, official_new) of the city bureau's system in 2012."""
    return query(
        published,
        "SELECT new, official_new FROM fct_totals WHERE system_id = 'ly-aic' AND level = 'all' AND year = 2012",
    )[0]


#: 文号 that say there is none, as portals print them
PLACEHOLDERS = ["无文号", "暂无文号", "见附件", "0", "未编号", "（无）", "〔 〕号", "N/A"]


def test_placeholder_doc_nos_are_no_doc_no_and_merge_nothing(tmp_path):
    # each portal lists the unit's own free items, every one with a placeholder for its 文号 and
    # no genre: eight documents on each portal, none official, none merged by its "文号"
    city, gov = [], []
    for number, placeholder in enumerate(PLACEHOLDERS):
        day = date(2012, 3, 1 + 3 * number)
        city.append(
            listing("ly-aic-xxgk", f"c{number}", SEEN, doc_no=placeholder, title=f"甲{number}", published_date=day)
        )
        gov.append(
            listing(
                "fj-gov", f"g{number}", SEEN, doc_no=placeholder, title=f"乙{number}", publisher_name=CITY,
                published_date=day,
            )
        )  # fmt: skip
    land(tmp_path, D1, "ly-aic-xxgk", city)
    land(tmp_path, D1, "fj-gov", gov)
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 2 * len(PLACEHOLDERS)
    assert city_2012(published) == (2 * len(PLACEHOLDERS), 0)
    assert query(published, "SELECT count(*) FROM fct_documents WHERE doc_no IS NOT NULL") == [(0,)]
    assert query(published, "SELECT count(*) FROM fct_match_decisions") == [(0,)]


def test_a_placeholder_gives_way_to_the_doc_no_another_portal_prints(tmp_path):
    # the origin portal prints 暂无文号 on the detail page, the province portal the real one:
    # the document's 文号 is the real one, so it is official, and the two do not disagree on it
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing(
                "ly-aic-xxgk",
                "c1",
                SEEN,
                index_no="LY-1",
                doc_no="暂无文号",
                title="甲",
                published_date=date(2012, 3, 1),
            )
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [listing("fj-gov", "g1", SEEN, index_no="LY-1", doc_no="龙工商〔2012〕7号", title="甲", publisher_name=CITY)],
    )
    published, _ = load_and_build(tmp_path)
    assert query(published, "SELECT doc_no, is_official, disagreeing_fields FROM fct_documents") == [
        ("龙工商〔2012〕7号", True, [])
    ]
    assert city_2012(published) == (1, 1)


#: values printed in the 文号 field that are no 文号 (no issuer, no serial, or free text)
NOT_DOC_NOS = ["1", "2012", "〔2012〕5号", "龙工商〔2012〕号", "请见下载文件", "已废止", "第3号"]


def test_a_value_identifies_only_with_the_shape_of_a_doc_no(tmp_path):
    # two portals list two different documents of the unit in one year with the same value in
    # their 文号 field; only the last pair prints a real 文号 and is one document
    city, gov = [], []
    for number, value in enumerate([*NOT_DOC_NOS, "龙工商〔2012〕5号"]):
        day = date(2012, 3, 1 + 3 * number)
        city.append(listing("ly-aic-xxgk", f"c{number}", SEEN, doc_no=value, title=f"甲{number}", published_date=day))
        gov.append(
            listing("fj-gov", f"g{number}", SEEN, doc_no=value, title=f"乙{number}", publisher_name=CITY,
                    published_date=day + (date(2012, 6, 1) - date(2012, 3, 1)))
        )  # fmt: skip
    land(tmp_path, D1, "ly-aic-xxgk", city)
    land(tmp_path, D1, "fj-gov", gov)
    published, result = load_and_build(tmp_path)
    last = len(NOT_DOC_NOS)
    assert result.n_documents == 2 * len(NOT_DOC_NOS) + 1
    assert [("fj-gov", f"g{last}"), ("ly-aic-xxgk", f"c{last}")] in document_groups(published)
    # a value that is no 文号 makes no document official: only the real one is
    assert city_2012(published) == (2 * len(NOT_DOC_NOS) + 1, 1)


def test_a_doc_no_group_with_two_titles_on_one_portal_merges_nothing(tmp_path):
    # the city portal lists a notice and its attachment list, both under 龙工商〔2012〕9号 and
    # without index_no; the province portal's copy of the notice is one document with the
    # notice by its title, never with the attachment list by the 文号
    doc_no = "龙工商〔2012〕9号"
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing(
                "ly-aic-xxgk", "notice", SEEN, doc_no=doc_no, title="关于甲的通知", published_date=date(2012, 3, 5)
            ),
            listing(
                "ly-aic-xxgk", "list", SEEN, doc_no=doc_no, title="附件：材料清单", published_date=date(2012, 3, 5)
            ),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            listing("fj-gov", "copy", SEEN, doc_no=doc_no, title="关于甲的通知", publisher_name=CITY,
                    published_date=date(2012, 3, 6)),
        ],
    )  # fmt: skip
    published, result = load_and_build(tmp_path)
    assert document_groups(published) == [[("fj-gov", "copy"), ("ly-aic-xxgk", "notice")], [("ly-aic-xxgk", "list")]]
    refusals = query(
        published,
        "SELECT DISTINCT refusal_reason FROM fct_match_decisions WHERE rule = 'doc_no' AND decision = 'refused'",
    )
    assert refusals == [("doc_no group holds different titles of one portal",)]


def test_one_document_listed_twice_by_one_portal_under_its_doc_no_is_one(tmp_path):
    # the same notice twice on the city portal (two item keys, one title, one 文号) and once on
    # the province portal: one document
    doc_no = "龙工商〔2012〕9号"
    rows = [
        listing("ly-aic-xxgk", key, SEEN, doc_no=doc_no, title="关于甲的通知", published_date=date(2012, 3, 5))
        for key in ("a", "b")
    ]
    land(tmp_path, D1, "ly-aic-xxgk", rows)
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            listing(
                "fj-gov", "g", SEEN, doc_no=doc_no, title="甲通知", publisher_name=CITY, published_date=date(2012, 5, 1)
            )
        ],
    )
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 1


#: the bracket pairs portals print around a 文号's year, full-width and small forms included
BRACKETS = [("〔", "〕"), ("[", "]"), ("［", "］"), ("(", ")"), ("（", "）"), ("【", "】"), ("﹝", "﹞")]
#: issuers as printed, one in traditional characters (龍 is 龙)
ISSUERS = {"龙工商": "龙工商", "龍工商": "龙工商", "闽政办": "闽政办", "国办发": "国办发", "岩政文": "岩政文",
           "龙工商检处字": "龙工商检处字", "XX字": "XX字"}  # fmt: skip
#: the five portals; every copy names the city bureau, so all are one unit's
PORTAL_IDS = ["ly-aic-xxgk", "fj-gov", "fj-aic-xxgk", "xl-aic-xxgk", "ct-aic-xxgk"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def spelling(draw, issuer_key: str, year: int, serial: int) -> str:
    """One way a portal prints the 文号 issuer_key〔year〕serial号."""
    issuer = draw(st.sampled_from([name for name, key in ISSUERS.items() if key == issuer_key]))
    opening, closing = draw(st.sampled_from(BRACKETS))
    number = "第" * draw(st.integers(0, 1)) + "0" * draw(st.integers(0, 2)) + str(serial)
    text = f"{issuer}{opening}{year}{closing}{number}号"
    return text.translate(FULL_WIDTH) if draw(st.booleans()) else text


@st.composite
def doc_no_families(draw) -> list[list[str]]:
    """Several different 文号, each printed in two to five spellings."""
    numbers = draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(set(ISSUERS.values()))), st.integers(1990, 2030), st.integers(1, 999)),
            min_size=2,
            max_size=8,
            unique=True,
        )
    )
    return [draw(st.lists(spelling(*number), min_size=2, max_size=len(PORTAL_IDS))) for number in numbers]


@settings(max_examples=6, deadline=None)
@example([["龙工商〔2012〕5号", "龙工商〔2012〕05号", "龙工商〔2012〕第5号"], ["龙工商〔2012〕6号", "龙工商[2012]6号"]])
@given(doc_no_families())
def test_every_spelling_of_a_doc_no_is_one_key(families):
    # each 文号 is printed in several spellings, one per portal, under titles that differ (so
    # only the 文号 can join them); each is one document, and different 文号 are different ones
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        rows: dict[str, list[dict]] = {portal: [] for portal in PORTAL_IDS}
        for number, spellings in enumerate(families):
            for portal, doc_no in zip(PORTAL_IDS, spellings, strict=False):
                rows[portal].append(
                    listing(portal, f"{number}-{portal}", SEEN, doc_no=doc_no, title=f"文件{number}{portal}",
                            publisher_name=CITY, published_date=date(2012, 1 + number, 1 + PORTAL_IDS.index(portal)))
                )  # fmt: skip
        for portal, portal_rows in rows.items():
            land(data, D1, portal, portal_rows)
        published, result = load_and_build(data)
        groups = document_groups(published)
    expected = sorted(
        sorted((portal, f"{number}-{portal}") for portal, _ in zip(PORTAL_IDS, spellings, strict=False))
        for number, spellings in enumerate(families)
    )
    assert groups == expected
