"""The client's hosts (connectors/http/host_table.py): a host's session is dropped when the
last portal that may use it is done, kept while another runs, and dropping it never lets a
request to the host start sooner than the per-host delay allows. Real loopback servers; the
server records each request's client port, so a kept connection shows as the same port."""

from __future__ import annotations

import gc
import weakref

import pytest
from helpers.loopback import LoopbackServer

from connectors.crawl import PortalTarget, crawl
from connectors.http import HttpClient, allowed_hosts
from connectors.records import Request


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        srv.routes["/p"] = lambda h: (200, {"Content-Type": "text/html"}, b"<html><body>ok</body></html>")
        yield srv


def _client(tmp_path, **settings) -> HttpClient:
    return HttpClient(tmp_path / "data", **{"per_host_delay": 0, "max_attempts": 1, **settings})


def test_a_session_stays_while_a_portal_of_its_host_runs_and_goes_with_the_last(tmp_path, server) -> None:
    url = server.url("/p")
    allowed = allowed_hosts(url)
    with _client(tmp_path) as client:
        client.hold(allowed)
        client.hold(allowed)  # two portals on one host
        client.fetch(Request(url), allowed)
        client.fetch(Request(url), allowed)
        client.release(allowed)  # one is done: the other still runs
        client.fetch(Request(url), allowed)
        assert client.hosts_open == 1
        client.release(allowed)
        assert client.hosts_open == 0
        client.fetch(Request(url), allowed)
    ports = [port for _, port in server.peers]
    assert ports[0] == ports[1] == ports[2] != ports[3]  # one kept connection, then a new one


def test_a_host_reached_through_a_pattern_goes_with_its_portal_and_others_stay(tmp_path, server) -> None:
    with LoopbackServer(host="127.0.0.2") as sister:
        sister.routes["/p"] = server.routes["/p"]
        port = sister.url("/").split(":")[2].rstrip("/")
        portal = allowed_hosts(server.url("/p"), [f"127.0.0.0/24:{port}"])
        other = allowed_hosts(sister.url("/p"))
        with _client(tmp_path) as client:
            client.hold(portal)
            client.fetch(Request(server.url("/p")), portal)
            client.fetch(Request(sister.url("/p")), portal)
            assert client.hosts_open == 2
            client.hold(other)  # another portal of the sister host starts
            client.release(portal)
            assert client.hosts_open == 1  # the sister host stays for the other portal
            client.release(other)
            assert client.hosts_open == 0


def test_dropping_a_host_never_shortens_the_delay_between_its_requests(tmp_path, server) -> None:
    url = server.url("/p")
    allowed = allowed_hosts(url)
    with _client(tmp_path, per_host_delay=1.0, jitter=0) as client:
        for _ in range(2):  # a portal, then another of the same host right after it
            client.hold(allowed)
            client.fetch(Request(url), allowed)
            client.release(allowed)
            assert client.hosts_open == 0
    first, second = (hit[2] for hit in server.hits)
    # the gate spaces the starts of the requests; the server sees them arrive a few ms apart
    # from that (each on a new connection): 5% slack, far from the no-wait gap of a bug
    assert second - first >= 0.95


def test_a_crawl_leaves_no_session_open_when_it_ends(tmp_path, server) -> None:
    target = PortalTarget("p", "trs", server.url("/missing/index.html"))  # 404: the crawl fails
    with _client(tmp_path) as client:
        run = crawl(target, client, run_id="20130101T020000Z")
        assert list(run) == [] and run.summary.status == "failed"
        assert client.hosts_open == 0 and len(server.hits) == 1


def test_a_finished_crawl_is_freed_when_its_caller_lets_go_not_at_the_next_full_collection(tmp_path, server) -> None:
    # a night keeps thousands of crawls' fetch logs alive if each waits for the cycle collector
    target = PortalTarget("p", "trs", server.url("/missing/index.html"))
    with _client(tmp_path) as client:
        gc.disable()
        try:
            run = crawl(target, client, run_id="20130101T020000Z")
            list(run)
            alive = weakref.ref(run)
            del run
            assert alive() is None
        finally:
            gc.enable()
