"""The matching rules' safeguards on messy portals (docs/matching.md): a title run that is
ambiguous merges nothing, an index_no printed under two units is two documents, and every
merge and refusal is a row of fct_match_decisions. Hand-made landing rows on the small world
of tests/helpers/warehouse.py, built into a real DuckDB file."""

from __future__ import annotations

from datetime import date

from helpers.warehouse import land, listing, load_and_build, night, query

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


def decisions(published) -> list[tuple]:
    return query(
        published,
        "SELECT rule, item_key_a, item_key_b, decision, refusal_reason, confidence FROM fct_match_decisions "
        "ORDER BY ALL",
    )


def test_a_title_run_with_two_different_doc_no_merges_nothing(tmp_path):
    # one unit's two penalty decisions against one company on one day, each with its 文号, and a
    # copy without 文号 on the province portal: which one it copies cannot be told, so nothing
    # merges
    title = "龙岩市某商贸有限公司行政处罚决定书"
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing(
                "ly-aic-xxgk", "ly1", SEEN, title=title, doc_no="龙工商罚〔2012〕1号", published_date=date(2012, 3, 1)
            )
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            listing(
                "fj-gov",
                "g1",
                SEEN,
                title=title,
                doc_no="龙工商罚〔2012〕2号",
                publisher_name=CITY,
                published_date=date(2012, 3, 2),
            ),
            listing("fj-gov", "g2", SEEN, title=title, publisher_name=CITY, published_date=date(2012, 3, 1)),
        ],
    )
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 3
    refusal = "title run holds different doc_no"
    # the run's anchor is its earliest member, then the smaller sighting_id: g2 or ly1
    rows = decisions(published)
    assert [row[0] for row in rows] == ["title", "title"]
    assert {row[3:] for row in rows} == {("refused", refusal, 0.7), ("refused", refusal, 0.6)}
    assert {row[1] for row in rows} | {row[2] for row in rows} == {"ly1", "g1", "g2"}


def test_a_title_run_with_two_items_of_one_portal_merges_nothing(tmp_path):
    # the city portal lists two 市场检查简讯 items a day apart; the province portal's copy could
    # be either. Without the refusal, all three would be one document.
    title = "节前市场检查简讯"
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing("ly-aic-xxgk", "ly1", SEEN, title=title, published_date=date(2012, 3, 1)),
            listing("ly-aic-xxgk", "ly2", SEEN, title=title, published_date=date(2012, 3, 2)),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [listing("fj-gov", "g1", SEEN, title=title, publisher_name=CITY, published_date=date(2012, 3, 2))],
    )
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 3
    assert {row[3:5] for row in decisions(published)} == {("refused", "title run holds several items of one portal")}


def test_two_items_of_one_portal_sharing_an_index_no_do_not_block_a_title_run(tmp_path):
    # one document listed twice by the city portal (one index_no) and copied without it by
    # the province portal: the two city items are one document, so the run is not ambiguous
    title = "关于开展广告监测的通知"
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing("ly-aic-xxgk", "ly1", SEEN, title=title, index_no="LY-7", published_date=date(2012, 3, 1)),
            listing("ly-aic-xxgk", "ly2", SEEN, title=title, index_no="LY-7", published_date=date(2012, 3, 1)),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [listing("fj-gov", "g1", SEEN, title=title, publisher_name=CITY, published_date=date(2012, 3, 3))],
    )
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 1
    assert {row[0] for row in decisions(published) if row[3] == "merged"} == {"index_no", "title"}


def test_an_index_no_printed_under_two_units_is_two_documents(tmp_path):
    # two county bureaus number their documents on their own: 2012-0001 is both a 新罗 and a
    # 长汀 document. A province copy naming no publisher cannot tell which: a third document
    # (counted nowhere, it has no unit).
    land(
        tmp_path,
        D1,
        "xl-aic-xxgk",
        [
            listing(
                "xl-aic-xxgk",
                "x1",
                SEEN,
                index_no="2012-0001",
                title="甲",
                publisher_name="新罗区工商行政管理局",
                published_date=date(2012, 3, 1),
            )
        ],
    )
    land(
        tmp_path,
        D1,
        "ct-aic-xxgk",
        [
            listing(
                "ct-aic-xxgk",
                "c1",
                SEEN,
                index_no="2012-0001",
                title="乙",
                publisher_name="长汀县工商行政管理局",
                published_date=date(2012, 5, 1),
            )
        ],
    )
    land(tmp_path, D1, "fj-gov", [listing("fj-gov", "g1", SEEN, index_no="2012-0001", title="甲")])
    published, result = load_and_build(tmp_path)
    assert document_groups(published) == [[("ct-aic-xxgk", "c1")], [("fj-gov", "g1")], [("xl-aic-xxgk", "x1")]]
    assert result.n_documents == 3
    rows = decisions(published)
    assert len(rows) == 2
    assert {row[3:5] for row in rows} == {("refused", "index_no printed under several units")}
    assert sorted(row[5] for row in rows) == [0.0, 0.9]  # two printed units; a unit missing on one side


def test_an_index_no_printed_under_a_unit_and_its_ancestor_is_one_document(tmp_path):
    # portals print a department's (here a county bureau's) document under its parent's name:
    # the county bureau, the city bureau above it and the province above both are one line
    for portal, key, name in (
        ("xl-aic-xxgk", "x1", "新罗区工商行政管理局"),
        ("ly-aic-xxgk", "ly1", "龙岩市工商行政管理局"),
        ("fj-aic-xxgk", "f1", "福建省工商行政管理局"),
    ):
        land(tmp_path, D1, portal, [listing(portal, key, SEEN, index_no="2012-0001", title="甲", publisher_name=name)])
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 1
    rows = decisions(published)
    assert {row[3] for row in rows} == {"merged"} and len(rows) == 2
    assert {row[5] for row in rows} == {0.95}  # two printed units of one ancestry line


def test_an_index_no_is_split_when_any_two_printed_units_are_not_one_line(tmp_path):
    # 新罗 and 长汀 are siblings: the number is a short per-unit sequence, and the city copy
    # cannot be told to belong to either, so each printed unit is a document of its own
    for portal, key, name in (
        ("xl-aic-xxgk", "x1", "新罗区工商行政管理局"),
        ("ct-aic-xxgk", "c1", "长汀县工商行政管理局"),
        ("ly-aic-xxgk", "ly1", "龙岩市工商行政管理局"),
    ):
        land(tmp_path, D1, portal, [listing(portal, key, SEEN, index_no="2012-0001", title="甲", publisher_name=name)])
    published, result = load_and_build(tmp_path)
    assert document_groups(published) == [[("ct-aic-xxgk", "c1")], [("ly-aic-xxgk", "ly1")], [("xl-aic-xxgk", "x1")]]


def test_an_index_no_joins_a_copy_that_names_no_unit_or_the_same_unit(tmp_path):
    # the city's own portal, a province copy naming no publisher and a county portal relaying
    # it (its portal unit is the county, but the printed publisher is what scopes)
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [listing("ly-aic-xxgk", "ly1", SEEN, index_no="FJ-LY-9", title="丙", published_date=date(2012, 3, 1))],
    )
    land(tmp_path, D1, "fj-gov", [listing("fj-gov", "g1", SEEN, index_no="FJ-LY-9", title="丙")])
    land(
        tmp_path,
        D1,
        "xl-aic-xxgk",
        [listing("xl-aic-xxgk", "x1", SEEN, index_no="FJ-LY-9", title="丙", publisher_name="龙岩市工商行政管理局")],
    )
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 1
    rows = decisions(published)
    assert {row[3] for row in rows} == {"merged"} and len(rows) == 2
    assert query(published, "SELECT unit_id FROM fct_documents") == [("ly-aic",)]


def test_every_merge_names_its_rule_evidence_and_documents(tmp_path):
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [listing("ly-aic-xxgk", "ly1", SEEN, doc_no="龙工商〔2012〕3号", title="甲", published_date=date(2012, 3, 5))],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            listing(
                "fj-gov",
                "g1",
                SEEN,
                doc_no="龙工商〔2012〕3号",
                title="乙",
                publisher_name=CITY,
                published_date=date(2012, 3, 9),
            )
        ],
    )
    published, _ = load_and_build(tmp_path)
    rows = query(
        published,
        "SELECT rule, match_key, doc_no_a, doc_no_b, day_gap, decision, confidence, doc_id_a = doc_id_b, "
        "(SELECT doc_id FROM fct_documents) = doc_id_a FROM fct_match_decisions",
    )
    assert rows == [
        (
            "doc_no",
            "d|ly-aic|龙工商〔2012〕3号|",
            "龙工商〔2012〕3号",
            "龙工商〔2012〕3号",
            4,
            "merged",
            0.95,
            True,
            True,
        )
    ]


def test_linked_runs_agree_with_a_plain_walk():
    import numpy as np

    from warehouse.components import linked_runs

    rng = np.random.default_rng(11)
    pairs = zip(rng.integers(0, 40, 3_000), rng.integers(-50, 400, 3_000), strict=True)
    rows = sorted({(int(p), int(d)) for p, d in pairs})
    partition = np.array([p for p, _ in rows])
    day = np.array([d for _, d in rows])
    firsts = linked_runs(partition, day, 3)

    expected, current = [], None
    for (p, d), previous in zip(rows, [None, *rows[:-1]], strict=True):
        if previous is None or previous[0] != p or d > previous[1] + 3:
            current = d  # a new run opens more than 3 days after the previous date
        expected.append(current)
    assert firsts.tolist() == expected
    # a daily title over a year is one chain: the cap on a run's span is int_match_groups'
    assert set(linked_runs(np.zeros(365, dtype=np.int64), np.arange(365), 3).tolist()) == {0}


def test_a_publication_numbered_again_is_one_document_with_both_index_no(tmp_path):
    # a city notice the province portal numbered with its own index_no: one unit, one doc_no
    # with its year, one title. Its attachment list shares the doc_no, not the title: apart.
    fields = {"doc_no": "龙工商〔2012〕88号", "publisher_name": CITY, "published_date": date(2012, 8, 20)}
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing(
                "ly-aic-xxgk", "ly1", SEEN, index_no="00315478-X/2012-09007", title="关于规范企业名称的通知", **fields
            ),
            listing("ly-aic-xxgk", "ly2", SEEN, index_no="00315478-X/2012-09008", title="附件：材料清单", **fields),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [listing("fj-gov", "g1", SEEN, index_no="FJ/2012-03112", title="关于规范企业名称的通知", **fields)],
    )
    published, result = load_and_build(tmp_path)
    assert document_groups(published) == [[("fj-gov", "g1"), ("ly-aic-xxgk", "ly1")], [("ly-aic-xxgk", "ly2")]]
    assert result.n_documents == 2
    rows = query(
        published,
        "SELECT index_no_a, index_no_b, decision, confidence FROM fct_match_decisions WHERE rule = 'reindexed'",
    )
    assert sorted(rows[0][:2]) == ["00315478-X/2012-09007", "FJ/2012-03112"]
    assert [row[2:] for row in rows] == [("merged", 0.95)]


def test_a_copy_dated_days_earlier_joins_the_one_document_of_its_title(tmp_path):
    # the province portal prints the 成文日期 (5 days before publication) and no index_no: its
    # copy of the bulletin is outside the 3-day title run, but within 28 days the unit has one
    # document of that title. The report has two within days: its copy stays on its own.
    bulletin, report = "机关效能建设工作简报（第19期）", "政府信息公开工作年度报告"
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing("ly-aic-xxgk", "b", SEEN, index_no="LY-18", title=bulletin, published_date=date(2010, 2, 10)),
            listing("ly-aic-xxgk", "r1", SEEN, index_no="LY-5", title=report, published_date=date(2012, 3, 28)),
            listing("ly-aic-xxgk", "r2", SEEN, index_no="LY-6", title=report, published_date=date(2012, 4, 10)),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            listing("fj-gov", "gb", SEEN, title=bulletin, publisher_name=CITY, published_date=date(2010, 2, 5)),
            listing("fj-gov", "gr", SEEN, title=report, publisher_name=CITY, published_date=date(2012, 3, 20)),
        ],
    )
    published, result = load_and_build(tmp_path)
    assert document_groups(published) == [
        [("fj-gov", "gb"), ("ly-aic-xxgk", "b")],
        [("fj-gov", "gr")],
        [("ly-aic-xxgk", "r1")],
        [("ly-aic-xxgk", "r2")],
    ]
    rows = [row for row in decisions(published) if row[0] == "unique_title"]
    assert [row[3:] for row in rows] == [("merged", None, 0.5)]


def test_a_copy_joins_the_nearest_of_two_numbered_documents_of_its_title_only_when_one_is_nearest(tmp_path):
    # the city portal numbers two 年度报告 two days apart, in 2012 and again in 2013 (two a year,
    # not yet a title the unit repeats); the province copy dated the first day is the first's
    # (flagged as a conflict), a copy dated between them could be either
    report = "政府信息公开工作年度报告"
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing("ly-aic-xxgk", "r1", SEEN, index_no="LY-5", title=report, published_date=date(2012, 3, 28)),
            listing("ly-aic-xxgk", "r2", SEEN, index_no="LY-6", title=report, published_date=date(2012, 3, 30)),
            listing("ly-aic-xxgk", "r3", SEEN, index_no="LY-7", title=report, published_date=date(2013, 6, 1)),
            listing("ly-aic-xxgk", "r4", SEEN, index_no="LY-8", title=report, published_date=date(2013, 6, 3)),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            listing("fj-gov", "g1", SEEN, title=report, publisher_name=CITY, published_date=date(2012, 3, 28)),
            listing("fj-gov", "g2", SEEN, title=report, publisher_name=CITY, published_date=date(2013, 6, 2)),
        ],
    )
    published, result = load_and_build(tmp_path)
    assert document_groups(published) == [
        [("fj-gov", "g1"), ("ly-aic-xxgk", "r1")],
        [("fj-gov", "g2")],
        [("ly-aic-xxgk", "r2")],
        [("ly-aic-xxgk", "r3")],
        [("ly-aic-xxgk", "r4")],
    ]
    conflicts = query(published, "SELECT item_key, chosen_index_no, candidate_index_nos FROM rpt_index_conflicts")
    assert conflicts == [("g1", "LY-5", ["LY-5", "LY-6"])]


def test_a_copy_dated_days_earlier_under_the_parent_name_joins_beside_a_copy_in_its_title_run(tmp_path):
    # a county document: its own portal numbers it, the city portal copies it without number
    # (rule title), the province portal prints it under the city bureau's name, 6 days earlier
    title = "关于开展个体工商户年度验照的通知"
    county = "新罗区工商行政管理局"
    day = date(2012, 5, 10)
    land(
        tmp_path,
        D1,
        "xl-aic-xxgk",
        [listing("xl-aic-xxgk", "x1", SEEN, index_no="XL-3", title=title, publisher_name=county, published_date=day)],
    )
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [listing("ly-aic-xxgk", "l1", SEEN, title=title, publisher_name=county, published_date=day)],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [listing("fj-gov", "g1", SEEN, title=title, publisher_name=CITY, published_date=date(2012, 5, 4))],
    )
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 1
    assert query(published, "SELECT unit_id FROM fct_documents") == [("xl-aic",)]


def test_a_portal_listing_the_nearest_document_beside_a_free_copy_refuses_the_run(tmp_path):
    # two numbered reports two days apart; the province bureau's portal lists the second with
    # its number and, on the first day, one without: that free item is not the second, and
    # the dates point it and the government portal's copy to the first. The same with only
    # the first day's document beside a free item of its own portal: two items, refused.
    report, notice = "政府信息公开工作年度报告", "节前市场检查简讯"
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing("ly-aic-xxgk", "r1", SEEN, index_no="LY-5", title=report, published_date=date(2012, 3, 28)),
            listing("ly-aic-xxgk", "r2", SEEN, index_no="LY-6", title=report, published_date=date(2012, 3, 30)),
            listing("ly-aic-xxgk", "n1", SEEN, index_no="LY-9", title=notice, published_date=date(2012, 5, 8)),
            listing("ly-aic-xxgk", "n2", SEEN, title=notice, publisher_name=CITY, published_date=date(2012, 5, 8)),
        ],
    )
    copy = {"publisher_name": CITY, "published_date": date(2012, 3, 28)}
    land(
        tmp_path,
        D1,
        "fj-aic-xxgk",
        [
            listing("fj-aic-xxgk", "f1", SEEN, title=report, **copy),
            listing("fj-aic-xxgk", "f2", SEEN, index_no="LY-6", title=report, published_date=date(2012, 3, 30)),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            listing("fj-gov", "g1", SEEN, title=report, **copy),
            listing("fj-gov", "g2", SEEN, title=notice, publisher_name=CITY, published_date=date(2012, 5, 8)),
        ],
    )
    published, _ = load_and_build(tmp_path)
    assert document_groups(published) == [
        [("fj-aic-xxgk", "f1"), ("fj-gov", "g1"), ("ly-aic-xxgk", "r1")],
        [("fj-aic-xxgk", "f2"), ("ly-aic-xxgk", "r2")],
        [("fj-gov", "g2")],
        [("ly-aic-xxgk", "n1")],
        [("ly-aic-xxgk", "n2")],
    ]


def test_an_index_no_printed_without_a_publisher_is_scoped_by_its_portals_unit_line(tmp_path):
    # two county sites print 2012-0001 for their own documents and no publisher at all: a short
    # per-unit number, two documents, each of its portal's unit. The city platform and a county
    # site printing FJ-LY-9 without publisher are one line: one document. The province
    # government portal has no unit: its copy of 2012-0001 cannot tell which, a third one.
    land(
        tmp_path,
        D1,
        "xl-aic-xxgk",
        [
            listing("xl-aic-xxgk", "x1", SEEN, index_no="2012-0001", title="甲", published_date=date(2012, 3, 1)),
            listing("xl-aic-xxgk", "x2", SEEN, index_no="FJ-LY-9", title="丙", published_date=date(2012, 4, 1)),
        ],
    )
    land(
        tmp_path,
        D1,
        "ct-aic-xxgk",
        [listing("ct-aic-xxgk", "c1", SEEN, index_no="2012-0001", title="乙", published_date=date(2012, 5, 1))],
    )
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [listing("ly-aic-xxgk", "ly1", SEEN, index_no="FJ-LY-9", title="丙", published_date=date(2012, 4, 1))],
    )
    land(tmp_path, D1, "fj-gov", [listing("fj-gov", "g1", SEEN, index_no="2012-0001", title="甲")])
    published, result = load_and_build(tmp_path)
    assert document_groups(published) == [
        [("ct-aic-xxgk", "c1")],
        [("fj-gov", "g1")],
        [("ly-aic-xxgk", "ly1"), ("xl-aic-xxgk", "x2")],
        [("xl-aic-xxgk", "x1")],
    ]
    units = query(published, "SELECT doc_key, unit_id FROM fct_documents WHERE doc_key LIKE 'i|2012-0001|%' ORDER BY 1")
    assert units == [("i|2012-0001|", None), ("i|2012-0001|ct-aic", "ct-aic"), ("i|2012-0001|xl-aic", "xl-aic")]
    confidences = query(
        published,
        "SELECT match_key, decision, confidence FROM fct_match_decisions WHERE portal_id_a <> 'fj-gov' "
        "AND portal_id_b <> 'fj-gov' ORDER BY ALL",
    )
    assert confidences == [("i|2012-0001", "refused", 0.0), ("i|FJ-LY-9", "merged", 0.95)]
