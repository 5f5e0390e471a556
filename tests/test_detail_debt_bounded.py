"""The detail debt stays bounded (docs/reliability.md, "Detail debt"): a given-up page is not
asked for again unless its listing row changes, and `raw_detail_attempts` keeps at most
ATTEMPT_ROWS_KEPT rows of each kind per sighting, without changing what is owed and what is
given up. Real loopback HTTP, real landing files and a real state database; figures by hand.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import duckdb
import pytest
from helpers.debt_night import crawl_night
from helpers.loopback import LoopbackServer
from helpers.warehouse import land, listing, night
from test_crawl import JSON_FAMILY, JsonPortal, listing_fields

import connectors.crawl as crawl_module
from connectors.crawl import PortalTarget
from connectors.detail_debt import DebtBook, DebtPolicy
from flows.night.debt import as_owed
from warehouse.load import load
from warehouse.portal_state import owed_details
from warehouse.state import ATTEMPT_ROWS_KEPT

PORTAL = "ly-aic-xxgk"
FIRST = date(2013, 1, 1)
NIGHTS = [FIRST + timedelta(days=n) for n in range(30)]
K = ATTEMPT_ROWS_KEPT


def rows_per_sighting(state) -> dict[str, int]:
    with duckdb.connect(str(state), read_only=True) as con:
        return dict(con.execute("SELECT item_key, count(*) FROM raw_detail_attempts GROUP BY item_key").fetchall())


# -- the state database alone ------------------------------------------------------------------

FAILED, GONE, NOT_ASKED, READ = "failed", "gone", "not asked", "read"
#: What became of each sighting's detail page on nights 1 … 30.
STORY = {
    "a": [FAILED] * 30,
    "b": [FAILED] * 5 + [NOT_ASKED] * 25,
    "c": [FAILED] * 7 + [GONE] + [FAILED] * 3 + [NOT_ASKED] * 19,
    "d": [FAILED] * 12 + [READ] + [FAILED] * 3 + [None] * 14,
}


def landed_row(key: str, day: date, outcome: str) -> dict:
    row = listing(PORTAL, key, night(day)[1], detail=outcome == READ, title=f"文件{key}")
    row.update(
        detail_attempted=outcome != NOT_ASKED,
        detail_error=None if outcome == READ else "circuit open" if outcome == NOT_ASKED else "HTTP 503",
        detail_gone=outcome == GONE,
    )
    return row


def land_story(data_dir, batches: list[list[date]]) -> None:
    for batch in batches:
        for day in batch:
            n = NIGHTS.index(day)
            rows = [landed_row(key, day, story[n]) for key, story in STORY.items() if story[n]]
            land(data_dir, day, PORTAL, rows, mode="incremental")
        load(data_dir / "state.duckdb", data_dir)


def test_thirty_nights_keep_k_rows_per_kind_and_the_same_accounting(tmp_path):
    land_story(tmp_path / "tens", [NIGHTS[:10], NIGHTS[10:20], NIGHTS[20:]])
    land_story(tmp_path / "one", [NIGHTS])
    state = tmp_path / "tens" / "state.duckdb"
    # a: 30 failed requests, the latest K kept; b: its 5 failures and the latest K of 25 not
    # asked; c: 11 requests and the latest K of 19 not asked; d: 3 failures since its read
    assert rows_per_sighting(state) == {"a": K, "b": 5 + K, "c": 11 + K, "d": 3}
    owed = as_owed(owed_details(state, PORTAL))
    assert owed == as_owed(owed_details(tmp_path / "one" / "state.duckdb", PORTAL))
    night_no = {key: NIGHTS.index(o.last_attempt) + 1 for key, o in owed.items()}
    # failed attempts since the last read and the last 404: a 30 (K of them kept, past the
    # 8 that give a page up), b 5, c 3 (after its 404 on night 8), d 3 (after its read)
    assert {key: o.attempts for key, o in owed.items()} == {"a": K, "b": 5, "c": 3, "d": 3}
    assert night_no == {"a": 30, "b": 5, "c": 11, "d": 16}
    assert all(o.gone_on is None for o in owed.values())
    tonight = DebtPolicy(NIGHTS[-1] + timedelta(days=1), max_attempts=8)
    uncapped = dict(owed, a=owed["a"]._replace(attempts=30))
    # owed b, c, d; given up a; as the uncapped count says
    assert DebtBook(owed, tonight).counts() == DebtBook(uncapped, tonight).counts() == (3, 0, 1, 0)


# -- thirty failing nights of a crawl ---------------------------------------------------------


@pytest.fixture
def json_family(monkeypatch):
    monkeypatch.setattr(crawl_module, "family_for", lambda platform: JSON_FAMILY)


def serve_listing(server, night_no: int) -> None:
    """Items 3, 2, 1 on one page; item 3's listing row changes every night."""
    rows = [
        {
            "href": f"/d/{n}.html",
            "key": f"t{n}",
            "fields": listing_fields(n) | ({"title": f"第{night_no}版"} if n == 3 else {}),
        }
        for n in (3, 2, 1)
    ]
    body = json.dumps({"total": 3, "rows": rows, "next": None}, ensure_ascii=False).encode()
    server.routes["/list/0"] = lambda h: (200, {}, body)


def test_a_given_up_page_rests_until_its_row_changes_and_its_rows_stay_bounded(json_family, tmp_path):
    state = tmp_path / "state.duckdb"
    with LoopbackServer() as server:
        portal = JsonPortal(server, [3, 2, 1])
        for n in (3, 2, 1):
            server.routes[f"/d/{n}.html"] = lambda h: (503, {}, b"busy")
        target = PortalTarget(PORTAL, "json", server.url("/list/0"), details="always")
        summaries = []
        for night_no, day in enumerate(NIGHTS, start=1):
            serve_listing(server, night_no)
            owed = as_owed(owed_details(state, PORTAL))
            summaries.append(crawl_night(target, day, tmp_path, owed=owed)[1])
            load(state, tmp_path)
        hits = portal.detail_hits()
    # Each request tried twice (one quick retry). t2 and t1: 8 failed nights, then given up
    # and left alone; t3's row changes every night, so it is asked every night.
    assert (hits.count("/d/3.html"), hits.count("/d/2.html"), hits.count("/d/1.html")) == (60, 16, 16)
    assert rows_per_sighting(state) == {"t3": K, "t2": 8, "t1": 8}
    # Given up from the 8th night on, all three; never owed past it, never gone.
    assert [(s.details_owed, s.details_given_up, s.details_gone) for s in summaries[6:9]] == [
        (3, 0, 0),
        (0, 3, 0),
        (0, 3, 0),
    ]
    assert {(s.details_owed, s.details_given_up) for s in summaries[7:]} == {(0, 3)}
    assert {key: o.attempts for key, o in as_owed(owed_details(state, PORTAL)).items()} == {"t3": K, "t2": 8, "t1": 8}
