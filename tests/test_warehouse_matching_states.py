"""A sighting's state: which of its latest listing row and its latest detail row gives each
field (docs/matching.md, Sighting state), on real landing files, state and build."""

from __future__ import annotations

from datetime import date

from helpers.warehouse import land, listing, load_and_build, night, query

NIGHT1, NIGHT2 = date(2013, 1, 5), date(2013, 1, 6)
PORTAL = "ly-aic-xxgk"


def states(published) -> dict[str, tuple]:
    # each sighting here is a document of its own, so the document's topic is the sighting's
    rows = query(
        published,
        "SELECT s.item_key, s.title, s.published_date, d.topic, s.is_detail_fetched "
        "FROM fct_sightings AS s JOIN fct_documents AS d USING (doc_id)",
    )
    return {item: tuple(rest) for item, *rest in rows}


def test_a_changed_listing_seen_after_the_detail_wins_the_fields_it_carries(tmp_path):
    first = [
        listing(
            PORTAL, "changed", night(NIGHT1)[1], title="关于甲的通知", published_date=date(2012, 3, 5), topic="市场监管"
        ),
        listing(
            PORTAL,
            "shortened",
            night(NIGHT1)[1],
            title="关于乙的通知（全文）",
            published_date=date(2012, 3, 5),
            topic="综合政务",
            listing_hash="listing-b",
        ),
        listing(PORTAL, "ellipsis", night(NIGHT1)[1], title="关于丙事项的通知", published_date=date(2012, 3, 5)),
    ]
    land(tmp_path, NIGHT1, PORTAL, first)
    # the next night lists them again without their detail pages: the first row's date was
    # corrected on the portal (a new listing hash); the second row's listing is the one read
    # with its detail page (same hash) and shows its short title; the third row's listing
    # changed but shows a shortened title
    second = [
        listing(
            PORTAL, "changed", night(NIGHT2)[1], detail=False, title="关于甲的通知", published_date=date(2012, 3, 6)
        ),
        listing(
            PORTAL,
            "shortened",
            night(NIGHT2)[1],
            detail=False,
            title="关于乙的通知",
            published_date=date(2012, 3, 5),
            listing_hash="listing-b",
        ),
        listing(
            PORTAL, "ellipsis", night(NIGHT2)[1], detail=False, title="关于丙事项...", published_date=date(2012, 3, 7)
        ),
    ]
    land(tmp_path, NIGHT2, PORTAL, second, mode="incremental")
    published, _ = load_and_build(tmp_path)
    assert states(published) == {
        # the newer listing's date; the topic only the detail page carries stays
        "changed": ("关于甲的通知", date(2012, 3, 6), "市场监管", True),
        # an unchanged listing says nothing new: the detail page's title stands
        "shortened": ("关于乙的通知（全文）", date(2012, 3, 5), "综合政务", True),
        # a shortened title never replaces the full one; the changed date does
        "ellipsis": ("关于丙事项的通知", date(2012, 3, 7), None, True),
    }


def test_a_detail_page_read_after_the_listing_wins(tmp_path):
    land(
        tmp_path,
        NIGHT1,
        PORTAL,
        [listing(PORTAL, "a", night(NIGHT1)[1], detail=False, title="关于丁", published_date=date(2012, 3, 5))],
    )
    land(
        tmp_path,
        NIGHT2,
        PORTAL,
        [
            listing(
                PORTAL, "a", night(NIGHT2)[1], title="关于丁的通知", published_date=date(2012, 3, 4), topic="市场监管"
            )
        ],
    )
    published, _ = load_and_build(tmp_path)
    assert states(published) == {"a": ("关于丁的通知", date(2012, 3, 4), "市场监管", True)}


def test_the_same_pages_give_the_same_figures_whatever_order_the_night_harvests_them(tmp_path):
    # one document of the city bureau's line on two portals that print no publisher, with the
    # same fields but a date each, one on each side of the new year; and a county document
    # that names its publisher. Harvested in one order, then in the other, in one run: the
    # document's unit and date, the figures and the doc_ids are the same.
    pages = {
        "ly-aic-xxgk": [listing("ly-aic-xxgk", "c1", night(NIGHT1)[1], index_no="LY-1", title="甲",
                                published_date=date(2013, 1, 2))],
        "xl-aic-xxgk": [listing("xl-aic-xxgk", "x1", night(NIGHT1)[1], index_no="LY-1", title="甲",
                                published_date=date(2012, 12, 31)),
                        listing("xl-aic-xxgk", "x2", night(NIGHT1)[1], index_no="XL-2", title="乙",
                                publisher_name="新罗区工商行政管理局", published_date=date(2012, 6, 1))],
        "fj-gov": [listing("fj-gov", "g1", night(NIGHT1)[1], index_no="XL-2", title="乙",
                           publisher_name="新罗区工商行政管理局", published_date=date(2012, 6, 1))],
    }  # fmt: skip
    published = []
    for name, order in (("forward", list(pages)), ("backward", list(reversed(pages)))):
        data = tmp_path / name
        for minutes, portal in enumerate(order, start=1):
            land(data, NIGHT1, portal, [dict(row) for row in pages[portal]], minutes=minutes)
        published.append(load_and_build(data)[0])
    figures = [
        (
            query(path, "SELECT * FROM fct_totals ORDER BY ALL"),
            query(path, "SELECT doc_id, unit_id, level, published_date FROM fct_documents ORDER BY ALL"),
            query(path, "SELECT portal_id, item_key, doc_id FROM fct_sightings ORDER BY ALL"),
        )
        for path in published
    ]
    assert figures[0] == figures[1]
    # the two undated-by-publisher copies rank alike up to the portal: the city platform's
    assert ("ly-aic", "city", date(2013, 1, 2)) in [row[1:] for row in figures[0][1]]
