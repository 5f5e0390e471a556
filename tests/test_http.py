"""The HTTP client against real loopback servers: politeness, retries, hosts, caps, encodings,
archive, fetch log and conditional requests."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

import pytest
from helpers.loopback import LoopbackServer, Reply
from hypothesis import given
from hypothesis import strategies as st

from connectors.archive_pack import read_index
from connectors.errors import FetchError, ForeignHostError, ResponseTooLarge
from connectors.http import HttpClient, allowed_hosts, decode_body, host_key
from connectors.records import Request

#: Gaps and ratios of wall-clock time: run one at a time with the other timed tests
#: (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("timing")


def html(body: str = "<html><body>ok</body></html>", **headers: str) -> Callable:
    """A route answering 200 with a UTF-8 HTML body."""
    all_headers = {"Content-Type": "text/html; charset=utf-8", **headers}
    return lambda handler: (200, all_headers, body.encode("utf-8"))


def sequence(*replies: Reply | None) -> Callable:
    """A route answering with `replies` in turn (None = hang up), then the last one forever."""
    queue = list(replies)

    def route(handler: BaseHTTPRequestHandler) -> Reply | None:
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply is None:
            handler.close_connection = True
        return reply

    return route


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def other_server():
    with LoopbackServer() as srv:
        yield srv


def client_for(tmp_path, **settings) -> HttpClient:
    """A client with test-friendly defaults: no politeness delay, fast backoff."""
    defaults = dict(
        per_host_delay=0, backoff=0.01, backoff_max=0.05, max_attempts=3, timeout=5, user_agent="xxgk-test/1 (+tests)"
    )
    return HttpClient(tmp_path / "data", **{**defaults, **settings})


def gaps(times: list[float]) -> list[float]:
    """Differences between consecutive sorted times."""
    times = sorted(times)
    return [b - a for a, b in zip(times, times[1:], strict=False)]


# -- hosts --------------------------------------------------------------------------------


def test_host_keys_make_ports_explicit_and_extra_hosts_cover_default_ports():
    assert host_key("http://Example.gov.cn/a") == "example.gov.cn:80"
    assert host_key("https://example.gov.cn/a") == "example.gov.cn:443"
    assert host_key("http://127.0.0.1:8123/") == "127.0.0.1:8123"
    hosts = allowed_hosts("http://www.hd.gov.cn/x", ["hdzfxxgk.hd.gov.cn", "127.0.0.1:9"])
    assert hosts == {
        "www.hd.gov.cn:80",
        "www.hd.gov.cn:443",
        "hdzfxxgk.hd.gov.cn:80",
        "hdzfxxgk.hd.gov.cn:443",
        "127.0.0.1:9",
    }
    # An explicit port allows that port only.
    assert allowed_hosts("http://127.0.0.1:8123/x") == {"127.0.0.1:8123"}
    with pytest.raises(ForeignHostError):
        host_key("file:///etc/passwd")


def test_a_request_to_a_host_not_allowed_is_refused_before_any_byte_is_sent(tmp_path, server, other_server):
    other_server.routes["/"] = html()
    client = client_for(tmp_path)
    with pytest.raises(ForeignHostError) as caught:
        client.fetch(Request(other_server.url("/")), allowed_hosts(server.url("/")))
    assert other_server.hits == []
    assert str(other_server.port) in str(caught.value)
    entry = client.take_log()[0]
    assert entry.status is None and "refused" in entry.error


def test_a_redirect_to_another_host_is_refused_and_reported(tmp_path, server, other_server):
    other_server.routes["/landing"] = html("elsewhere")
    server.routes["/go"] = lambda h: (302, {"Location": other_server.url("/landing")}, b"")
    client = client_for(tmp_path)
    log: list = []
    with pytest.raises(ForeignHostError) as caught:
        client.fetch(Request(server.url("/go")), allowed_hosts(server.url("/")), log=log)
    assert other_server.hits == []  # the foreign host never heard from us
    assert "redirect" in str(caught.value) and other_server.url("/landing") in str(caught.value)
    assert caught.value.url == server.url("/go")
    assert log[0].status == 302 and log[0].error == str(caught.value)


def test_same_host_redirects_are_followed_and_post_becomes_get_after_303(tmp_path, server):
    server.routes["/old"] = lambda h: (301, {"Location": "/new"}, b"")
    server.routes["/new"] = html("moved here")
    server.routes["/form"] = lambda h: (303, {"Location": "/new"}, b"")
    client = client_for(tmp_path)
    allowed = allowed_hosts(server.url("/"))
    page = client.fetch(Request(server.url("/old")), allowed)
    assert page.text == "moved here" and page.final_url == server.url("/new")
    client.fetch(Request(server.url("/form"), method="POST", data=(("a", "1"),)), allowed)
    assert [(p, m) for p, m, _, _ in server.hits][2:] == [("/form", "POST"), ("/new", "GET")]


def test_an_unreadable_redirect_location_is_a_fetch_error(tmp_path, server):
    server.routes["/odd"] = lambda h: (302, {"Location": "http://[::1/x"}, b"")
    client = client_for(tmp_path)
    with pytest.raises(FetchError, match="IPv6"):
        client.fetch(Request(server.url("/odd")), allowed_hosts(server.url("/")))


def test_a_redirect_loop_ends_in_a_fetch_error(tmp_path, server):
    server.routes["/a"] = lambda h: (302, {"Location": "/b"}, b"")
    server.routes["/b"] = lambda h: (302, {"Location": "/a"}, b"")
    client = client_for(tmp_path, max_redirects=4)
    with pytest.raises(FetchError, match="more than 4 redirects"):
        client.fetch(Request(server.url("/a")), allowed_hosts(server.url("/")))
    assert len(server.hits) == 5  # the first request and four redirect hops, once each


# -- politeness ---------------------------------------------------------------------------


def test_request_starts_to_one_host_are_spaced_by_the_delay_across_threads(tmp_path, server):
    server.routes["/p"] = html()
    delay = 0.25
    client = client_for(tmp_path, per_host_delay=delay, jitter=0.2)
    allowed = allowed_hosts(server.url("/"))

    def work() -> None:
        for _ in range(2):
            client.fetch(Request(server.url("/p")), allowed)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    arrivals = [t for _, _, t, _ in server.hits]
    assert len(arrivals) == 6
    # Measured at the server: allow for one request spending longer in transit than the next.
    assert min(gaps(arrivals)) >= delay * 0.8
    assert max(arrivals) - min(arrivals) >= 5 * delay * 0.95  # five gaps of at least the delay
    assert server.max_in_flight == 1


def test_two_hosts_proceed_in_parallel(tmp_path, server, other_server):
    for srv in (server, other_server):
        srv.routes["/p"] = html()
    delay = 0.2
    client = client_for(tmp_path, per_host_delay=delay, jitter=0)

    def walk(srv: LoopbackServer) -> None:
        for _ in range(4):
            client.fetch(Request(srv.url("/p")), allowed_hosts(srv.url("/")))

    started = time.monotonic()
    walk(server)
    one_host = time.monotonic() - started
    started = time.monotonic()
    threads = [threading.Thread(target=walk, args=(srv,)) for srv in (server, other_server)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    two_hosts = time.monotonic() - started
    # Serialised, two hosts would take twice one host's time; in parallel about the same.
    assert two_hosts < one_host * 1.5
    assert len(other_server.hits) == 4


def test_per_host_concurrency_is_configurable(tmp_path, server):
    def slow(handler):
        # The first two requests are answered only once both are in flight; then each
        # answer waits a moment for the other two, which arrive at once if the cap leaks.
        assert server.wait_for_requests(2, timeout=30), "the client never had two requests in flight"
        server.wait_for_requests(4, timeout=0.15)
        return 200, {}, b"slow"

    server.routes["/slow"] = slow
    client = client_for(tmp_path, per_host_concurrency=2)
    allowed = allowed_hosts(server.url("/"))
    threads = [threading.Thread(target=client.fetch, args=(Request(server.url("/slow")), allowed)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.max_in_flight == 2


def test_connections_are_kept_alive_after_whole_bodies_and_dropped_after_cut_ones(tmp_path, server):
    server.routes["/page"] = html("<p>" + "龙岩" * 1000 + "</p>")
    server.routes["/not-modified"] = lambda h: (
        (304, {}, b"") if h.headers.get("If-None-Match") else (200, {"ETag": '"1"'}, b"x")
    )
    server.routes["/big"] = lambda h: (200, {}, b"y" * 300_000)
    client = client_for(tmp_path, max_bytes=100_000)
    allowed = allowed_hosts(server.url("/"))
    for path in ("/page", "/page", "/not-modified", "/not-modified", "/page"):
        client.fetch(Request(server.url(path)), allowed)
    assert len(set(server.peers)) == 1  # five requests, one connection
    with pytest.raises(ResponseTooLarge):
        client.fetch(Request(server.url("/big")), allowed)
    client.fetch(Request(server.url("/page")), allowed)
    assert server.peers[-1] != server.peers[0]  # the cut-off response's connection was dropped


# -- retries ------------------------------------------------------------------------------


def test_retry_after_in_seconds_is_honoured_on_429(tmp_path, server):
    server.routes["/r"] = sequence((429, {"Retry-After": "1"}, b"slow down"), (200, {}, b"fine"))
    client = client_for(tmp_path)  # backoff alone would wait at most 0.05 s
    page = client.fetch(Request(server.url("/r")), allowed_hosts(server.url("/")))
    assert page.text == "fine" and page.attempts == 2
    assert gaps([t for _, _, t, _ in server.hits])[0] >= 0.95


def test_retry_after_as_an_http_date_is_honoured_on_503(tmp_path, server):
    def unavailable(handler):
        return 503, {"Retry-After": formatdate(time.time() + 3, usegmt=True)}, b"busy"

    server.routes["/r"] = sequence(unavailable(None), (200, {}, b"back"))
    client = client_for(tmp_path)
    page = client.fetch(Request(server.url("/r")), allowed_hosts(server.url("/")))
    assert page.text == "back"
    # The date has one-second resolution: the wait is between 2 and 3 seconds.
    assert gaps([t for _, _, t, _ in server.hits])[0] >= 1.9


def test_a_hostile_retry_after_is_capped(tmp_path, server):
    server.routes["/r"] = sequence((429, {"Retry-After": "86400"}, b""), (200, {}, b"ok"))
    client = client_for(tmp_path, retry_after_max=1)
    started = time.monotonic()
    client.fetch(Request(server.url("/r")), allowed_hosts(server.url("/")))
    assert 0.95 <= time.monotonic() - started < 10


def test_retry_after_holds_back_other_requests_to_the_same_host(tmp_path, server):
    server.routes["/busy"] = sequence((429, {"Retry-After": "1"}, b""), (200, {}, b"ok"))
    server.routes["/other"] = html()
    client = client_for(tmp_path)
    allowed = allowed_hosts(server.url("/"))
    first = threading.Thread(target=client.fetch, args=(Request(server.url("/busy")), allowed))
    first.start()
    # The first request holds the host's one slot until its 429 has set the pause.
    assert server.wait_for_requests(1)
    client.fetch(Request(server.url("/other")), allowed)
    first.join()
    arrived = {path: t for path, _, t, _ in server.hits}
    assert arrived["/other"] - server.hits[0][2] >= 0.95


def test_retry_after_holds_back_a_request_already_waiting_for_its_turn(tmp_path, server):
    asking = threading.Event()

    def slow_429(handler):
        # Answered once the other request is being asked for: it reserves its turn (0.3 s
        # after this one's start) in the same breath, well before this answer is read.
        assert asking.wait(timeout=30), "the other request was never asked for"
        return 429, {"Retry-After": "1"}, b""

    answers = iter([slow_429, lambda h: (200, {}, b"ok")])
    server.routes["/busy"] = lambda h: next(answers)(h)
    server.routes["/other"] = html()
    client = client_for(tmp_path, per_host_concurrency=2, per_host_delay=0.3, jitter=0)
    allowed = allowed_hosts(server.url("/"))
    first = threading.Thread(target=client.fetch, args=(Request(server.url("/busy")), allowed))
    first.start()
    assert server.wait_for_requests(1)  # the first request has taken its turn
    asking.set()
    client.fetch(Request(server.url("/other")), allowed)
    first.join()
    arrived = {path: t for path, _, t, _ in reversed(server.hits)}
    assert arrived["/other"] - server.hits[0][2] >= 0.95


def test_retries_are_bounded_and_the_final_error_names_url_status_and_attempts(tmp_path, server):
    server.routes["/down"] = lambda h: (502, {}, b"bad gateway")
    client = client_for(tmp_path, max_attempts=3)
    with pytest.raises(FetchError) as caught:
        client.fetch(Request(server.url("/down")), allowed_hosts(server.url("/")))
    error = caught.value
    assert (error.url, error.status, error.attempts) == (server.url("/down"), 502, 3)
    assert server.url("/down") in str(error) and "502" in str(error) and "3 attempts" in str(error)
    assert len(server.hits) == 3
    entry = client.take_log()[0]
    assert (entry.status, entry.attempts, entry.sha256) == (502, 3, None)


def test_a_dropped_connection_is_retried(tmp_path, server):
    server.routes["/flaky"] = sequence(None, None, (200, {}, b"third time"))
    client = client_for(tmp_path, max_attempts=4)
    page = client.fetch(Request(server.url("/flaky")), allowed_hosts(server.url("/")))
    assert page.text == "third time" and page.attempts == 3


def test_a_client_error_is_not_retried(tmp_path, server):
    client = client_for(tmp_path)
    with pytest.raises(FetchError) as caught:
        client.fetch(Request(server.url("/missing")), allowed_hosts(server.url("/")))
    assert caught.value.status == 404 and caught.value.attempts == 1
    assert len(server.hits) == 1


def test_a_refused_connection_fails_after_bounded_attempts(tmp_path):
    with LoopbackServer() as gone:
        url = gone.url("/")
    client = client_for(tmp_path, max_attempts=2)
    with pytest.raises(FetchError) as caught:
        client.fetch(Request(url), allowed_hosts(url))
    assert caught.value.status is None and caught.value.attempts == 2
    assert "connection refused" in str(caught.value)
    assert "Max retries" not in str(caught.value)  # the library's wrapper says nothing useful


def test_a_server_that_never_answers_is_named_by_its_timeout(tmp_path, server):
    server.routes["/silent"] = lambda handler: time.sleep(1.5)
    client = client_for(tmp_path, max_attempts=1, timeout=0.3)
    with pytest.raises(FetchError) as caught:
        client.fetch(Request(server.url("/silent")), allowed_hosts(server.url("/")))
    assert "no answer within 0.3 s" in str(caught.value)


# -- caps ---------------------------------------------------------------------------------


def test_an_oversized_body_is_cut_off(tmp_path, server):
    big = b"x" * (3 * 1024 * 1024)
    server.routes["/big"] = lambda h: (200, {}, big)

    def chunked(handler):
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        piece = b"y" * 65536
        try:
            for _ in range(64):  # 4 MB, no Content-Length to trust
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up, as it should
        handler.close_connection = True

    server.routes["/stream"] = chunked
    client = client_for(tmp_path, max_bytes=1024 * 1024)
    allowed = allowed_hosts(server.url("/"))
    with pytest.raises(ResponseTooLarge, match="Content-Length"):
        client.fetch(Request(server.url("/big")), allowed)
    with pytest.raises(ResponseTooLarge, match="cap"):
        client.fetch(Request(server.url("/stream")), allowed)
    assert len(server.hits) == 2  # too large is final: no retry


def test_a_gzip_bomb_is_stopped_by_the_decompression_cap(tmp_path, server):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024  # small on the wire, so only the decoded cap can catch it
    server.routes["/bomb"] = lambda h: (200, {"Content-Encoding": "gzip"}, bomb)
    server.routes["/fine"] = lambda h: (200, {"Content-Encoding": "gzip"}, gzip.compress("正常页面".encode()))
    client = client_for(tmp_path, max_bytes=2 * 1024 * 1024, max_decoded_bytes=4 * 1024 * 1024)
    allowed = allowed_hosts(server.url("/"))
    with pytest.raises(ResponseTooLarge, match="after decompression"):
        client.fetch(Request(server.url("/bomb")), allowed)
    assert client.fetch(Request(server.url("/fine")), allowed).text == "正常页面"


MALFORMED = {
    "short-body": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello",
    "bad-status": b"HTTP/1.1 abc\r\n\r\n",
    "header-flood": b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 200 + b"Content-Length: 2\r\n\r\nhi",
    "long-header": b"HTTP/1.1 200 OK\r\nX-A: " + b"a" * 70000 + b"\r\n\r\n",
    "bad-gzip": b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
    "two-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi",
    "silence": b"",
}


@pytest.fixture
def raw_server():
    """A socket server answering each request with MALFORMED[path] verbatim, then closing."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                request = conn.recv(65536)
                name = request.split(b" ")[1].decode().strip("/") if b" " in request else ""
                with suppress(OSError):
                    conn.sendall(MALFORMED.get(name, b""))

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_response_ends_in_a_fetch_error(tmp_path, raw_server, name):
    client = client_for(tmp_path, max_attempts=2)
    with pytest.raises(FetchError) as caught:
        client.fetch(Request(f"{raw_server}/{name}"), allowed_hosts(raw_server))
    assert f"{raw_server}/{name}" in str(caught.value)
    assert client.take_log()[0].error == str(caught.value)


@pytest.fixture
def trickle_server():
    """A socket server that answers /headers with a header line every 0.2 s, and /body
    with a byte of body every 0.2 s, until the client hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))

    def drip(conn: socket.socket) -> None:
        with conn, suppress(OSError):
            request = conn.recv(65536)
            if b"/headers" in request:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                drop = b"X-Drip: 1\r\n"
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                drop = b"x"
            for _ in range(300):
                time.sleep(0.2)
                conn.sendall(drop)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.mark.parametrize("path", ["/headers", "/body"])
def test_a_trickling_server_is_cut_off_at_the_total_timeout(tmp_path, trickle_server, path):
    # Every read gets a byte well within the 1 s read timeout; only the total bound can stop it.
    client = client_for(tmp_path, timeout=1, total_timeout=1.5, max_attempts=3)
    started = time.monotonic()
    with pytest.raises(FetchError, match="no complete response within 1.5 s") as caught:
        client.fetch(Request(trickle_server + path), allowed_hosts(trickle_server))
    assert 1.4 <= time.monotonic() - started < 6
    assert caught.value.attempts == 1  # a server that trickles is not asked again


def test_a_proxy_that_trickles_headers_is_cut_off_too(tmp_path, trickle_server, monkeypatch):
    target = "http://portal.invalid/headers"
    monkeypatch.setenv("HTTP_PROXY", trickle_server)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = client_for(tmp_path, timeout=1, total_timeout=1.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match="no complete response within 1.5 s"):
        client.fetch(Request(target), allowed_hosts(target))
    assert time.monotonic() - started < 6


# -- encodings ----------------------------------------------------------------------------


GBK_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    "<title>朱镕基</title></head><body>龙岩市工商行政管理局 镕</body></html>"
)


def test_a_gbk_page_declared_gb2312_in_meta_decodes_right(tmp_path, server):
    body = GBK_PAGE.encode("gbk")  # 镕 is in GBK, not in GB2312: gb18030 must be used
    server.routes["/gbk"] = lambda h: (200, {"Content-Type": "text/html"}, body)
    client = client_for(tmp_path)
    page = client.fetch(Request(server.url("/gbk")), allowed_hosts(server.url("/")))
    assert page.encoding == "gb18030"
    assert "朱镕基" in page.text and "龙岩市工商行政管理局" in page.text
    assert client.take_log()[0].encoding == "gb18030"


@pytest.mark.parametrize(
    ("body", "content_type", "text", "encoding"),
    [
        (
            "<meta charset='utf-8'>镕".encode(),
            "text/html; charset=GBK",
            "<meta charset='utf-8'>镕",
            "utf-8",
        ),  # the header lies (not GBK-decodable strictly): the meta is next in line
        ("镕基".encode("gbk"), "text/html; charset=gb2312", "镕基", "gb18030"),
        ("<meta charset=gbk>龙岩".encode("gbk"), None, "<meta charset=gbk>龙岩", "gb18030"),
        ("龙岩".encode(), None, "龙岩", "utf-8"),
        ("龙岩".encode("gbk"), None, "龙岩", "gb18030"),
        (
            '<?xml version="1.0" encoding="GBK"?><a>龙岩</a>'.encode("gbk"),
            "text/xml",
            '<?xml version="1.0" encoding="GBK"?><a>龙岩</a>',
            "gb18030",
        ),
        (b"\xef\xbb\xbfabc", "text/html; charset=gbk", "abc", "utf-8"),
        (b"plain", "text/html; charset=rot13", "plain", "utf-8"),
        (b"+ADw-script+AD4-", "text/html; charset=utf-7", "+ADw-script+AD4-", "utf-8"),
        (b"\\u9f99", "text/html; charset=unicode_escape", "\\u9f99", "utf-8"),
        ("<p>龍巖</p>".encode("big5"), "text/html; charset=big5", "<p>龍巖</p>", "big5"),
        # One broken byte in a UTF-8 page costs one character, not the page.
        (
            "<p>龙岩市</p>".encode() + b"\xff" + "<p>工商局</p>".encode(),
            "text/html; charset=utf-8",
            "<p>龙岩市</p>\ufffd<p>工商局</p>",
            "utf-8",
        ),
        # A GBK page labelled UTF-8 by its server is read as GBK.
        (
            "<p>龙岩市工商行政管理局</p>".encode("gbk"),
            "text/html; charset=utf-8",
            "<p>龙岩市工商行政管理局</p>",
            "gb18030",
        ),
    ],
)
def test_decode_body_order(body, content_type, text, encoding):
    assert decode_body(body, content_type) == (text, encoding)


@given(
    page=st.text(alphabet=st.sampled_from("龙岩市工商行政管理局关于印发通知〔2012〕号镕"), min_size=1, max_size=40),
    codec=st.sampled_from(["gbk", "gb18030", "utf-8", "big5"]),
    header=st.sampled_from(["ISO-8859-1", "iso-8859-1", "latin1", "windows-1252", "cp1252", "koi8-r"]),
    meta=st.sampled_from(['<meta charset="{c}">', "<meta http-equiv=Content-Type content='text/html; charset={c}'>"]),
)
def test_a_single_byte_header_never_beats_a_multibyte_charset_the_page_declares(page, codec, header, meta):
    try:
        body = (meta.format(c=codec) + page).encode(codec)
    except UnicodeEncodeError:  # big5 has no simplified characters
        return
    text, _ = decode_body(body, f"text/html; charset={header}")
    assert text == meta.format(c=codec) + page


def test_a_single_byte_header_and_a_gbk_meta_over_http(tmp_path, server):
    body = GBK_PAGE.encode("gbk")
    server.routes["/latin"] = lambda h: (200, {"Content-Type": "text/html; charset=ISO-8859-1"}, body)
    page = client_for(tmp_path).fetch(Request(server.url("/latin")), allowed_hosts(server.url("/")))
    assert (page.encoding, "朱镕基" in page.text) == ("gb18030", True)


def test_header_charset_wins_over_meta_when_both_decode():
    body = "<meta charset=utf-8>é".encode("latin-1")
    assert decode_body(body, "text/html; charset=ISO-8859-1") == ("<meta charset=utf-8>é", "iso8859-1")


# -- archive, fetch log, conditional requests ----------------------------------------------


def test_archive_fetch_log_and_304_round_trip(tmp_path, server):
    body = "<html>第一版</html>".encode()

    def with_validators(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return (
            200,
            {
                "ETag": '"v1"',
                "Last-Modified": "Sat, 31 Dec 2012 02:00:00 GMT",
                "Content-Type": "text/html; charset=utf-8",
            },
            body,
        )

    server.routes["/doc"] = with_validators
    client = client_for(tmp_path)
    allowed = allowed_hosts(server.url("/"))
    request = Request(server.url("/doc"))
    log: list = []
    before = datetime.now(UTC)
    first = client.fetch(request, allowed, log=log)
    after = datetime.now(UTC)
    [pack] = (tmp_path / "data" / "archive" / "packs").glob("*.pack")
    assert gzip.decompress(pack.read_bytes()) == body  # the body, archived under the data dir
    assert client.archive.get(first.sha256) == body

    second = client.fetch(request, allowed, log=log)
    assert server.hits[1][3]["if-none-match"] == '"v1"'
    assert server.hits[1][3]["if-modified-since"] == "Sat, 31 Dec 2012 02:00:00 GMT"
    assert second.not_modified and second.status == 304
    assert second.content == body and second.text == "<html>第一版</html>"
    assert second.sha256 == first.sha256

    assert [(e.status, e.bytes, e.sha256, e.not_modified, e.error) for e in log] == [
        (200, len(body), first.sha256, False, None),
        (304, len(body), first.sha256, True, None),
    ]
    assert log[0].method == "GET" and log[0].attempts == 1 and log[0].encoding == "utf-8"
    assert log[0].fetched_at.tzinfo is UTC and before <= log[0].fetched_at <= after  # the wall clock, in UTC
    assert client.take_log() == []  # entries went to the caller's list only

    # A new process finds the validators on disk.
    fresh = client_for(tmp_path)
    third = fresh.fetch(request, allowed)
    assert third.not_modified and third.content == body


def test_a_body_is_archived_once(tmp_path, server):
    server.routes["/a"] = html("same")
    server.routes["/b"] = html("same")
    client = client_for(tmp_path)
    allowed = allowed_hosts(server.url("/"))
    first = client.fetch(Request(server.url("/a")), allowed)
    [pack] = (tmp_path / "data" / "archive" / "packs").glob("*.pack")
    size = pack.stat().st_size
    second = client.fetch(Request(server.url("/b")), allowed)
    assert first.sha256 == second.sha256
    assert pack.stat().st_size == size  # not written again
    lengths = [length for _, _, length, _ in read_index(pack.with_suffix(".idx"))]
    assert lengths == [size, 0]  # stored once, then recorded as fetched again (recent for `xxgk gc`)


def test_post_requests_carry_form_and_headers_and_are_never_conditional(tmp_path, server):
    seen = {}

    def proxy(handler):
        seen["body"] = handler.request_body
        seen["referer"] = handler.headers.get("Referer")
        seen["ua"] = handler.headers.get("User-Agent")
        return 200, {"ETag": '"x"'}, b"<datastore/>"

    server.routes["/dataproxy.jsp"] = proxy
    client = client_for(tmp_path)
    request = Request(
        server.url("/dataproxy.jsp?startrecord=1"),
        method="POST",
        data=(("col", "1"), ("webname", "龙岩")),
        headers=(("Referer", server.url("/col/col1/index.html")),),
    )
    allowed = allowed_hosts(server.url("/"))
    client.fetch(request, allowed)
    client.fetch(request, allowed)
    assert seen["body"] == b"col=1&webname=%E9%BE%99%E5%B2%A9"
    assert seen["referer"] == server.url("/col/col1/index.html")
    assert seen["ua"] == "xxgk-test/1 (+tests)"
    assert "if-none-match" not in server.hits[1][3]


def test_a_304_decodes_the_archived_body_with_the_charset_it_came_with(tmp_path, server):
    body = "龙岩 2012".encode("gbk")  # no meta: only the first response's header says GBK

    def route(handler):
        if handler.headers.get("If-Modified-Since"):
            return 304, {}, b""
        return 200, {"Content-Type": "text/plain; charset=GBK", "Last-Modified": "Sat, 31 Dec 2012 02:00:00 GMT"}, body

    server.routes["/gbk.txt"] = route
    client = client_for(tmp_path)
    allowed = allowed_hosts(server.url("/"))
    client.fetch(Request(server.url("/gbk.txt")), allowed)
    again = client.fetch(Request(server.url("/gbk.txt")), allowed)
    assert again.not_modified and (again.text, again.encoding) == ("龙岩 2012", "gb18030")


def test_validators_survive_a_torn_line_and_a_stale_file_is_compacted(tmp_path, server):
    server.routes["/v"] = lambda h: (200, {"ETag": '"e7"'}, b"body")
    client = client_for(tmp_path)
    client.fetch(Request(server.url("/v")), allowed_hosts(server.url("/")))
    stored = tmp_path / "data" / "validators.jsonl"
    entry = stored.read_text(encoding="utf-8")
    stored.write_text(entry * 300 + '{"url": "http://torn', encoding="utf-8")
    fresh = client_for(tmp_path)
    fresh.fetch(Request(server.url("/v")), allowed_hosts(server.url("/")))
    assert server.hits[-1][3]["if-none-match"] == '"e7"'
    assert stored.read_text(encoding="utf-8") == entry  # one line per URL again


def test_proxies_come_from_the_environment_and_no_proxy_is_honoured(tmp_path, server, other_server, monkeypatch):
    """The environment is read once per host, when its session is made: a proxy applies to
    hosts outside NO_PROXY (here a loopback server playing the proxy), never to those inside."""
    target = server.url("/direct")
    server.routes["/direct"] = html("<html><body>direct</body></html>")
    other_server.routes[target] = html("<html><body>relayed</body></html>")
    monkeypatch.setenv("HTTP_PROXY", other_server.url(""))
    monkeypatch.setenv("NO_PROXY", "localhost")
    proxied = client_for(tmp_path).fetch(Request(target), allowed_hosts(target))
    assert "relayed" in proxied.text
    assert other_server.paths() == [target] and server.hits == []
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    direct = client_for(tmp_path).fetch(Request(target), allowed_hosts(target))
    assert "direct" in direct.text
    assert server.paths() == ["/direct"]


def test_a_setting_made_into_the_client_cannot_be_changed_later(tmp_path):
    # the retry policy and the hosts' gates are made from the settings when the client is: a
    # later change would be ignored without a word, so it is refused; a new client takes it
    client = HttpClient(tmp_path, per_host_delay=0, max_attempts=3)
    for name, value in (("max_attempts", 1), ("backoff", 0.0), ("per_host_delay", 2.0)):
        with pytest.raises(AttributeError, match=name):
            setattr(client, name, value)
    assert replace(client, max_attempts=1)._retry.max_attempts == 1
    client.timeout = 5.0  # read at every request: free to change
    assert client.timeout == 5.0
