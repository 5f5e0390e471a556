"""Detail debt (docs/reliability.md, "Detail debt"): a detail page that was not read is owed
and asked for again on later nights, with backoff, within a budget, up to a cap; a circuit
breaker stops asking a portal whose detail pages keep failing; a failed detail page never
makes a listing incomplete. Figures worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers.warehouse import land, listing, load_and_build, night, query
from test_crawl import JSON_FAMILY, JsonPortal, listing_fields, row_hash

import connectors.crawl as crawl_module
from connectors.crawl import PortalTarget, crawl
from connectors.detail_debt import DebtBook, DebtPolicy, OwedDetail, is_due, wait_nights
from connectors.http import HttpClient
from flows.config.load import load_config
from flows.night.debt import debt_policy, owed_pages
from flows.night.publish import build_warehouse
from flows.night.steps import harvest_portal
from sim import server as sim_server
from sim.registry import build_world
from warehouse.load import known_items
from warehouse.portal_state import owed_details

TONIGHT = date(2013, 1, 10)

# -- the rules, alone -------------------------------------------------------------------------


def test_backoff_doubles_the_nights_between_attempts():
    assert [wait_nights(k) for k in range(6)] == [0, 1, 2, 4, 8, 16]
    # One failure a night ago: due. Three failures, the last three nights ago: waits 4.
    assert is_due(OwedDetail("u", 1, TONIGHT - timedelta(days=1)), TONIGHT)
    assert not is_due(OwedDetail("u", 3, TONIGHT - timedelta(days=3)), TONIGHT)
    assert is_due(OwedDetail("u", 3, TONIGHT - timedelta(days=4)), TONIGHT)
    assert not is_due(OwedDetail("u", 1, TONIGHT), TONIGHT)  # not twice in one night
    assert is_due(OwedDetail("u", 0, None), TONIGHT)  # never asked: due at once


def test_the_book_counts_owed_paid_and_given_up():
    owed = {
        "a": OwedDetail("ua", 1, TONIGHT - timedelta(days=1)),
        "b": OwedDetail("ub", 2, TONIGHT - timedelta(days=1)),  # waits 2: not due
        "c": OwedDetail("uc", 3, TONIGHT - timedelta(days=9)),
        "z": OwedDetail("uz", 3, TONIGHT - timedelta(days=9)),
    }
    book = DebtBook(owed, DebtPolicy(TONIGHT, max_attempts=3))
    # a past its backoff first, then b (waiting); c and z given up
    assert book.given_up("c") and [key for key, _ in book.candidates()] == ["a", "b"]
    assert book.may_ask("a") and not book.may_ask("b")
    book.record("a", "read")  # paid: the portal answers tonight, so b is due at once
    assert book.may_ask("b") and not book.may_ask("c")
    book.record("n1", "failed")  # new tonight, 1 attempt: owed
    book.record("n2", "not asked")  # new tonight, 0 attempts: owed
    book.record("z", "read")  # given up, but its row changed and was read: paid
    # owed: b, n1, n2 = 3; paid: a, z = 2; given up: c = 1; gone: none
    assert book.counts() == (3, 2, 1, 0)


# -- the crawl --------------------------------------------------------------------------------


@pytest.fixture
def json_family(monkeypatch):
    monkeypatch.setattr(crawl_module, "family_for", lambda platform: JSON_FAMILY)


@pytest.fixture
def client(tmp_path):
    # Listing pages get 4 attempts here; a detail page never more than 2.
    http = HttpClient(tmp_path / "data", per_host_delay=0, backoff=0.01, backoff_max=0.02, max_attempts=4, timeout=5)
    yield http
    http.close()


def known_of(items) -> dict[str, str]:
    return {f"t{n}": row_hash(listing_fields(n)) for n in items}


def walk(server, client, items, **kwargs):
    run = crawl(
        PortalTarget("ly-aic-test", "json", server.url("/list/0")),
        client,
        run_id="20130110T020000Z",
        known=known_of(items),
        **kwargs,
    )
    rows = list(run)
    return rows, run.summary


def test_a_due_owed_page_is_read_again_and_lands_as_a_detail_row(json_family, server, client):
    portal = JsonPortal(server, [3, 2, 1])
    owed = {
        "t2": OwedDetail(server.url("/d/2.html"), 1, TONIGHT - timedelta(days=1)),
        "t1": OwedDetail(server.url("/d/1.html"), 2, TONIGHT - timedelta(days=1)),
    }
    rows, summary = walk(server, client, [3, 2, 1], owed=owed, debt=DebtPolicy(TONIGHT))
    # The rows are unchanged (no detail wanted by the walk); t2 is past its backoff, t1 would
    # wait 2 nights, but t2's read shows the portal answers again: t1 is due at once.
    assert portal.detail_hits() == ["/d/2.html", "/d/1.html"]
    assert [(row.item_key, row.row_kind) for row in rows] == [
        ("t3", "listing"),
        ("t2", "listing"),
        ("t1", "listing"),
        ("t2", "detail"),
        ("t1", "detail"),
    ]
    paid = rows[3]
    assert paid.detail_fetched and paid.detail_attempted and paid.detail_error is None
    assert paid.doc_no == "龙工商〔2012〕2号" and paid.topic == "工商"
    assert paid.listing_hash is None and paid.page_no is None and paid.title is None
    assert (summary.details_owed, summary.details_paid, summary.details_given_up) == (0, 2, 0)
    assert (summary.status, summary.complete, summary.rows) == ("ok", True, 3)


def test_an_owed_page_waits_its_backoff_while_the_portal_does_not_answer(json_family, server, client):
    portal = JsonPortal(server, [3, 2, 1])
    server.routes["/d/2.html"] = lambda h: (503, {}, b"busy")
    owed = {
        "t2": OwedDetail(server.url("/d/2.html"), 1, TONIGHT - timedelta(days=1)),
        "t1": OwedDetail(server.url("/d/1.html"), 2, TONIGHT - timedelta(days=1)),
    }
    rows, summary = walk(server, client, [3, 2, 1], owed=owed, debt=DebtPolicy(TONIGHT))
    # t2 fails again (twice: one quick retry), nothing is read, so t1 keeps its backoff.
    assert portal.detail_hits() == ["/d/2.html", "/d/2.html"]
    assert [(row.item_key, row.row_kind, row.detail_gone) for row in rows[3:]] == [("t2", "detail", False)]
    assert (summary.details_owed, summary.details_paid) == (2, 0)


def test_a_detail_page_read_by_the_walk_makes_every_owed_page_due(json_family, server, client):
    portal = JsonPortal(server, [4, 3, 2, 1])
    owed = {f"t{n}": OwedDetail(server.url(f"/d/{n}.html"), 3, TONIGHT - timedelta(days=1)) for n in (1, 2)}
    # t4 is new tonight: the walk reads it under `new`; t1 and t2 would wait 4 nights.
    _, summary = walk(server, client, [3, 2, 1], owed=owed, debt=DebtPolicy(TONIGHT))
    # (owed alike long: by item key)
    assert portal.detail_hits() == ["/d/4.html", "/d/1.html", "/d/2.html"]
    assert (summary.details_owed, summary.details_paid) == (0, 2)


def test_an_owed_page_past_its_last_attempt_is_given_up(json_family, server, client):
    portal = JsonPortal(server, [3, 2, 1])
    owed = {"t2": OwedDetail(server.url("/d/2.html"), 8, TONIGHT - timedelta(days=400))}
    rows, summary = walk(server, client, [3, 2, 1], owed=owed, debt=DebtPolicy(TONIGHT))
    assert portal.detail_hits() == [] and len(rows) == 3
    assert (summary.details_owed, summary.details_paid, summary.details_given_up) == (0, 0, 1)


def test_the_budget_bounds_the_requests_oldest_debt_first(json_family, server, client):
    portal = JsonPortal(server, list(range(8, 0, -1)))
    owed = {f"t{n}": OwedDetail(server.url(f"/d/{n}.html"), 0, None, TONIGHT - timedelta(days=n)) for n in range(1, 9)}
    _, summary = walk(server, client, range(1, 9), owed=owed, debt=DebtPolicy(TONIGHT, max_requests=3))
    # Owed longest: t8 (8 nights), t7, t6.
    assert portal.detail_hits() == ["/d/8.html", "/d/7.html", "/d/6.html"]
    assert (summary.details_owed, summary.details_paid) == (5, 3)
    _, summary = walk(server, client, range(1, 9), owed=owed, debt=DebtPolicy(TONIGHT, max_seconds=0))
    assert summary.details_paid == 0 and len(portal.detail_hits()) == 3


def test_the_budget_is_the_seconds_paced_by_the_per_host_delay():
    assert DebtPolicy(TONIGHT).request_budget is None  # no delay: only the seconds bound it
    assert DebtPolicy(TONIGHT, max_seconds=600, per_host_delay=1.0).request_budget == 600
    assert DebtPolicy(TONIGHT, max_seconds=600, per_host_delay=2.5).request_budget == 240
    assert DebtPolicy(TONIGHT, max_seconds=600, per_host_delay=2.5, max_requests=100).request_budget == 100
    assert DebtPolicy(TONIGHT, max_seconds=0, per_host_delay=1.0).request_budget == 0


def test_a_polite_portal_is_asked_for_what_its_delay_allows(json_family, server, client):
    portal = JsonPortal(server, list(range(8, 0, -1)), per_page=8)
    owed = {f"t{n}": OwedDetail(server.url(f"/d/{n}.html")) for n in range(1, 9)}
    # 2 s at one request per 0.5 s: four pages, however fast the loopback answers (the
    # client here waits no delay, so the seconds alone would allow all eight)
    _, summary = walk(server, client, range(1, 9), owed=owed, debt=DebtPolicy(TONIGHT, 2.0, 0.5))
    assert len(portal.detail_hits()) == 4
    assert (summary.details_paid, summary.details_owed) == (4, 4)


def test_the_circuit_opens_after_five_failures_in_a_row(json_family, server, client):
    portal = JsonPortal(server, list(range(30, 0, -1)))  # 10 listing pages of 3
    for n in range(1, 31):
        server.routes[f"/d/{n}.html"] = lambda h: (500, {}, b"oops")
    owed = {"t99": OwedDetail(server.url("/d/99.html"))}
    rows, summary = walk(server, client, [], owed=owed)
    # 5 detail pages asked, twice each (one quick retry); the other 25 never asked; the owed
    # page not asked either. Requests: 10 listing pages + 5 detail pages.
    assert portal.detail_hits() == [f"/d/{n}.html" for n in range(30, 25, -1) for _ in (1, 2)]
    assert (summary.requests, summary.retries) == (15, 5)
    assert [row.detail_attempted for row in rows[:6]] == [True] * 5 + [False]
    assert rows[5].detail_error == "not asked: 5 failures in a row"
    assert summary.reason == ("detail pages failing: circuit open after 5 failures (5 failures in a row); 31 left owed")
    assert (summary.status, summary.complete, summary.details_owed) == ("ok", True, 31)


def test_the_circuit_opens_when_most_recent_detail_pages_fail(json_family, server, client):
    portal = JsonPortal(server, list(range(30, 0, -1)))
    for n in range(1, 31):
        if n % 3:
            server.routes[f"/d/{n}.html"] = lambda h: (500, {}, b"oops")
    _, summary = walk(server, client, [])
    # 30 ok, 29 28 fail, 27 ok, 26 25 fail, 24 ok, 23 22 fail, 21 ok, 20 fails: the last ten
    # requests (29 … 20) hold 7 failures, never 5 in a row.
    assert len(set(portal.detail_hits())) == 11
    assert "circuit open after 7 failures (7 failures in the last 10 requests)" in summary.reason
    assert summary.details_fetched == 4 and summary.details_owed == 26


# -- the warehouse ----------------------------------------------------------------------------

PORTAL = "ly-aic-xxgk"
NIGHTS = [date(2013, 1, day) for day in (5, 6, 7)]


def rows_of(day: date, keys, **detail) -> list[dict]:
    seen = night(day)[1]
    detail = {"title": "文件{key}", "published_date": date(2012, 6, 1), **detail}
    return [
        listing(
            PORTAL,
            key,
            seen,
            **{name: value.format(key=key) if isinstance(value, str) else value for name, value in detail.items()},
        )
        for key in keys
    ]


def test_owed_pages_are_read_from_the_landing_rows(tmp_path):
    failed = {"detail": False, "detail_attempted": True, "detail_error": "FetchError: HTTP 500"}
    first = rows_of(NIGHTS[0], ["k1"], **failed)
    first += rows_of(NIGHTS[0], ["k2"], detail=False, detail_error="not asked: circuit open")
    first += rows_of(NIGHTS[0], ["k3"], detail_attempted=True)
    land(tmp_path, NIGHTS[0], PORTAL, first)
    second = rows_of(NIGHTS[1], ["k1"], **failed) + rows_of(NIGHTS[1], ["k2"], row_kind="detail", detail_attempted=True)
    land(tmp_path, NIGHTS[1], PORTAL, second)
    load_and_build(tmp_path)
    # k1 failed on both nights (its latest request the second night's listing row); k2 was
    # read on the second; k3 was read on the first.
    assert owed_details(tmp_path / "state.duckdb", PORTAL) == {
        "k1": (f"http://{PORTAL}.example/k1.html", 2, NIGHTS[1], NIGHTS[0], None, second[0]["listing_hash"])
    }


def test_a_paid_detail_row_adds_fields_but_never_counts_as_a_listing(tmp_path):
    keys = [f"k{i:02d}" for i in range(20)]  # k00 alone goes: 1 of 20, under the quarantine
    land(tmp_path, NIGHTS[0], PORTAL, rows_of(NIGHTS[0], keys, detail=False, detail_error="not asked: circuit open"))
    paid = rows_of(
        NIGHTS[1],
        ["k00"],
        row_kind="detail",
        detail_attempted=True,
        index_no="IDX-k00",
        title=None,
        published_date=None,
    )
    land(tmp_path, NIGHTS[1], PORTAL, rows_of(NIGHTS[1], keys[1:]) + paid)
    land(tmp_path, NIGHTS[2], PORTAL, rows_of(NIGHTS[2], keys[1:]))
    published, _ = load_and_build(tmp_path)
    # k00 was listed on the first night only: the paid row of the second does not list it,
    # so two complete listings missed it and it is withdrawn, dated by the first miss; its
    # title is the listing's, its 索引号 the paid detail page's.
    first = night(NIGHTS[0])[0]
    assert query(
        published,
        "SELECT item_key, title, index_no, is_detail_fetched, "
        "first_run_id, last_run_id, n_missed_listings, withdrawn_date "
        "FROM fct_sightings WHERE item_key IN ('k00', 'k01') "
        "ORDER BY item_key",
    ) == [
        ("k00", "文件k00", "IDX-k00", True, first, first, 2, NIGHTS[1]),
        ("k01", "文件k01", None, True, first, night(NIGHTS[2])[0], 0, None),
    ]
    assert owed_details(tmp_path / "state.duckdb", PORTAL) == {}  # k01 … k19 read on night 2


# -- the whole night, on the simulated world --------------------------------------------------

SIM_PORTAL = "ly-zp-aic-site"  # TRS: no 索引号 and no classification on its listing


def test_detail_pages_failing_one_night_are_paid_on_the_next_nights(tmp_path):
    world = build_world()
    shown = world.listing(SIM_PORTAL, world.default_as_of)  # the rows the portal lists, from the truth
    listed = len(shown)
    with_a_topic = sum(1 for row in shown.rows if world.base_docs[row.n].topic)
    with sim_server.start(world) as sim:
        config = load_config(sim.write_config(tmp_path / "xxgk.toml", tmp_path / "data"))
        portal, state = config.portal(SIM_PORTAL), config.warehouse.state_path
        with HttpClient(tmp_path / "data", per_host_delay=0, backoff=0.01) as http:
            today = date.today()

            def harvest(day: int, run_id: str):
                outcome = harvest_portal(
                    portal,
                    http,
                    data_dir=config.warehouse.data_dir,
                    run_id=run_id,
                    mode="full",
                    known=known_items(state, SIM_PORTAL),
                    owed=owed_pages(state, SIM_PORTAL),
                    debt=debt_policy(config.harvest, today + timedelta(days=day)),
                )
                assert build_warehouse(config).ok
                return outcome

            sim.set_faults([f"{SIM_PORTAL}:detail-fail:1"])
            first = harvest(0, "20990101T020000Z")
            sim.set_faults([])
            second = harvest(1, "20990102T020000Z")
            third = harvest(2, "20990103T020000Z")
    # Night 1: 5 detail pages fail (the circuit opens), the others are not asked: every listed
    # row owed; the listing is still complete. Night 2: all due; the sim's per_host_delay is 0,
    # so only the seconds bound the requests, and all are paid. Night 3: nothing owed or asked.
    assert [(o.status, o.details_owed, o.details_paid) for o in (first, second, third)] == [
        ("ok", listed, 0),
        ("ok", 0, listed),
        ("ok", 0, 0),
    ]
    assert "circuit open after 5 failures" in first.reason
    runs = query(
        config.warehouse.path,
        "SELECT is_complete, is_withdrawal_listing, n_details_owed, n_details_paid, "
        "n_details_given_up FROM fct_portal_runs WHERE portal_id = ? ORDER BY run_id",
        [SIM_PORTAL],
    )
    assert runs == [(True, True, listed, 0, 0), (True, True, 0, listed, 0), (True, True, 0, 0, 0)]
    assert query(
        config.warehouse.path,
        "SELECT count(*), count(index_no), count(*) FILTER (WHERE is_detail_fetched) "
        "FROM fct_sightings WHERE portal_id = ?",
        [SIM_PORTAL],
    ) == [(listed, listed, listed)]
    [(documents, with_index, with_topic)] = query(
        config.warehouse.path, "SELECT count(*), count(index_no), count(topic) FROM fct_documents"
    )
    # one document per row (the portal lists none twice), each with the index number and, for
    # those the truth gives a topic, the topic its detail page shows
    assert (documents, with_index, with_topic) == (listed, listed, with_a_topic)
