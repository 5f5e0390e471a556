"""The province of many portals (sim/province): its shape, its figures, and how the one
server of sim.server serves it (an address per portal, one event loop)."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest

from sim.listening import portal_address
from sim.loops import LOOPS
from sim.province.world import AS_OF, build_province
from sim.server import start


@pytest.fixture(scope="module")
def world():
    return build_province(600, seed=3)


def test_the_province_has_the_asked_portals_on_three_levels_and_three_families(world) -> None:
    assert len(world.portals) == 600 and len({p.id for p in world.portals}) == 600
    assert {p.level for p in world.portals} == {"province", "city", "county"}
    assert {p.platform for p in world.portals} == {"trs", "hanweb", "ssp"}
    assert {u.level for u in world.units} == {"province", "city", "county"}
    ids = {u.id for u in world.units}
    assert all(u.parent in ids for u in world.units if u.parent)  # one tree
    assert all(p.unit in ids for p in world.portals)


def test_most_catalogs_are_small_and_a_few_platforms_large(world) -> None:
    sizes = sorted(len(world.listing(p.id, AS_OF)) for p in world.portals)
    assert sizes[0] >= 1  # no site is empty
    assert sum(size <= 3 for size in sizes) > 0.6 * len(sizes)
    assert sizes[-1] > 300  # the platforms
    rows = world.listing_rows()
    assert rows == sum(sizes) and 1.5 * world.documents_on() < rows < 2.5 * world.documents_on()


def test_the_figures_count_each_document_once_per_level(world) -> None:
    figures = world.figures(2012)
    by_hand = Counter(
        d.level
        for d in world.base_docs
        if d.published.year <= 2012 and (d.withdrawn_on is None or d.withdrawn_on.year > 2012)
    )
    assert {level: f.held for level, f in figures.items() if level != "all"} == dict(by_hand)
    assert figures["all"].held == sum(by_hand.values())
    new = Counter(
        d.level
        for d in world.base_docs
        if d.published.year == 2012 and (d.withdrawn_on is None or d.withdrawn_on.year > 2012)
    )
    assert {level: f.new for level, f in figures.items() if level != "all"} == dict(new)
    assert 0 < figures["all"].new < figures["all"].held


def test_the_province_is_deterministic() -> None:
    a, b = build_province(50, seed=9), build_province(50, seed=9)
    assert a.portals == b.portals and a.base_docs == b.base_docs
    assert build_province(50, seed=10).base_docs != a.base_docs
    with pytest.raises(ValueError, match="3 to 20,000"):
        build_province(2)


def _get(conn: http.client.HTTPConnection, target: str, method: str = "GET", body: str | None = None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    conn.request(method, target, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def test_every_portal_answers_on_its_own_loopback_host_with_keep_alive() -> None:
    world = build_province(40, seed=4)
    with start(world) as sim:
        hosts = {urlsplit(o).hostname for o in sim.origins.values()}
        assert len(hosts) == 40 and hosts == {portal_address(i) for i in range(40)}
        sim.record()
        for portal in world.portals:
            parts = urlsplit(sim.portals[portal.id])
            conn = http.client.HTTPConnection(parts.netloc, timeout=10)
            status, body = _get(conn, f"{parts.path}?{parts.query}" if parts.query else parts.path)
            newest = world.doc(world.listing(portal.id, AS_OF).natural(0, 1)[0][1])
            assert status == 200 and newest.title.encode(portal.encoding)[:12] in body, portal.id
            assert _get(conn, "/nowhere.html")[0] == 404  # the same connection, kept alive
            conn.close()
        log = sim.record(False)
        assert len(log) == 80 and sim.requests() == 80 == sum(sim.request_counts().values())
        assert Counter(pid for pid, *_ in log) == dict.fromkeys(sim.portals, 2)


def test_a_request_it_cannot_read_gets_a_400_and_a_closed_connection() -> None:
    with start(build_province(5)) as sim:
        host, port = urlsplit(sim.origins["hx-ssp"]).hostname, urlsplit(sim.origins["hx-ssp"]).port
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.sendall(b"BREW /pot HTTP/1.1\r\n\r\n")
            answer = sock.recv(1000)
            assert answer.startswith(b"HTTP/1.1 400") and sock.recv(1000) == b""


def test_faults_are_served_and_a_slow_portal_holds_up_no_other() -> None:
    # more portals than the server has loops: some share the slow portal's loop
    with start(build_province(3 * LOOPS), faults=["hx-ssp:flaky:1"]) as sim:
        parts = urlsplit(sim.portals["hx-ssp"])
        conn = http.client.HTTPConnection(parts.netloc, timeout=10)
        assert _get(conn, f"{parts.path}?{parts.query}")[0] == 503
        assert _get(conn, f"{parts.path}?{parts.query}")[0] == 200
        assert sim.requests("hx-ssp") == 2 and sim.served("hx-ssp") == 1
        conn.close()
        sim.set_faults(["hx-ssp:slow:3"])
        got: list[int] = []
        slow = threading.Thread(target=lambda: got.append(urlopen_status(sim.portals["hx-ssp"])))
        began = time.monotonic()
        slow.start()
        others = [urlopen_status(url) for pid, url in sim.portals.items() if pid != "hx-ssp"]
        answered, pending = time.monotonic() - began, list(got)
        slow.join(timeout=10)
        assert others == [200] * (3 * LOOPS - 1) and pending == [] and answered < 3  # all served meanwhile
        assert got == [200] and time.monotonic() - began >= 3 and sim.served("hx-ssp") == 2
        sim.set_faults(["hx-ssp:down"])
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((parts.hostname, parts.port), timeout=5)


def urlopen_status(url: str) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        return _get(conn, f"{parts.path}?{parts.query}" if parts.query else parts.path)[0]
    finally:
        conn.close()
