"""Host patterns in a portal's `hosts`: `*.domain` (every subdomain, not the apex) and IPv4
blocks, each on both default ports or the port named; requests, redirects and detail links
to hosts outside them refused over real loopback HTTP with a reason that says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.loopback import LoopbackServer

from connectors.crawl import PortalTarget, crawl
from connectors.errors import ForeignHostError
from connectors.http import HttpClient, allowed_hosts
from connectors.http.hosts import check_host
from connectors.records import Request
from flows.config.load import parse_config

FJ = "http://www.fujian.gov.cn/zwgk/index.html"


@pytest.mark.parametrize(
    "url,allowed",
    [
        ("http://xxgk.longyan.fj.gov.cn/a.html", True),  # two labels below the pattern's domain
        ("https://www.fj.gov.cn/a.html", True),
        ("http://fj.gov.cn/a.html", False),  # the apex is not a subdomain of itself
        ("http://evilfj.gov.cn/a.html", False),  # a suffix of the name, not of the domain
        ("http://fj.gov.cn.example.com/a.html", False),
        ("http://www.fj.gov.cn:8080/a.html", False),  # no port named: 80 and 443 only
        ("http://127.0.3.200/a.html", True),
        ("https://127.0.3.1/a.html", True),
        ("http://127.0.4.1/a.html", False),
        ("http://127.0.3.9:8080/a.html", False),
        ("http://www.sm.gov.cn:81/a.html", True),  # the port named
        ("http://www.sm.gov.cn/a.html", False),
        ("http://www.fujian.gov.cn:443/b.html", True),  # the entry's own host, as before
    ],
)
def test_patterns_allow_exactly_what_they_name(url: str, allowed: bool) -> None:
    hosts = allowed_hosts(FJ, ["*.fj.gov.cn", "127.0.3.0/24", "*.sm.gov.cn:81"])
    if allowed:
        assert check_host(url, hosts, url)
    else:
        with pytest.raises(ForeignHostError, match="refused: not the portal's host nor in its hosts"):
            check_host(url, hosts, url)


def test_a_name_is_never_resolved_to_match_a_block() -> None:
    hosts = allowed_hosts(FJ, ["127.0.0.0/8"])
    with pytest.raises(ForeignHostError):
        check_host("http://localhost/a.html", hosts, "http://localhost/a.html")


@pytest.mark.parametrize(
    "entry,words",
    [
        ("*fj.gov.cn", "a host pattern is"),
        ("www.*.gov.cn", "a host pattern is"),
        ("*.", "a host pattern is"),
        ("127.0.3.1/24", "not an IPv4 block"),  # host bits set: a typo, not a block
        ("10.0.0.0/33", "not an IPv4 block"),
        ("*.fj.gov.cn:99999", "is not a port"),
    ],
)
def test_malformed_patterns_are_refused_in_the_config_with_what_is_accepted(tmp_path, entry, words) -> None:
    portal = {"id": "fj", "name": "福建", "level": "province", "platform": "trs", "url": FJ, "hosts": [entry]}
    with pytest.raises(ValueError, match=words):
        parse_config({"warehouse": {"path": "x.duckdb"}, "portal": [portal]}, tmp_path / "xxgk.toml")


def test_valid_patterns_pass_the_config(tmp_path) -> None:
    hosts = ["*.fj.gov.cn", "127.0.3.0/24:8080", "www.xm.gov.cn", "www.sm.gov.cn:81"]
    portal = {"id": "fj", "name": "福建", "level": "province", "platform": "trs", "url": FJ, "hosts": hosts}
    config = parse_config({"warehouse": {"path": "x.duckdb"}, "portal": [portal]}, tmp_path / "xxgk.toml")
    assert config.portals[0].hosts == hosts


# -- over real loopback HTTP ---------------------------------------------------------------


@pytest.fixture
def servers():
    """The portal on 127.0.0.1 and a sister host on 127.0.3.9 (both loopback)."""
    with LoopbackServer() as portal, LoopbackServer("127.0.3.9") as sister:
        sister.routes["/doc.html"] = lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, "在姊妹站".encode())
        yield portal, sister


@pytest.fixture
def client(tmp_path: Path):
    http = HttpClient(tmp_path / "data", per_host_delay=0, backoff=0.01, max_attempts=1, timeout=5)
    yield http
    http.close()


def redirect(to: str):
    return lambda h: (302, {"Location": to}, b"")


def test_a_block_lets_requests_and_redirects_reach_the_sister_host(servers, client) -> None:
    portal, sister = servers
    portal.routes["/go"] = redirect(sister.url("/doc.html"))
    hosts = allowed_hosts(portal.url("/"), [f"127.0.3.0/24:{sister.port}"])
    assert client.fetch(Request(sister.url("/doc.html")), hosts).text == "在姊妹站"
    page = client.fetch(Request(portal.url("/go")), hosts)
    assert page.final_url == sister.url("/doc.html") and page.text == "在姊妹站"
    assert sister.paths() == ["/doc.html", "/doc.html"]


def test_a_redirect_outside_the_block_is_refused_before_a_byte_is_sent(servers, client) -> None:
    portal, sister = servers
    portal.routes["/away"] = redirect(f"http://127.0.4.9:{sister.port}/doc.html")
    hosts = allowed_hosts(portal.url("/"), [f"127.0.3.0/24:{sister.port}"])
    with pytest.raises(ForeignHostError) as caught:
        client.fetch(Request(portal.url("/away")), hosts)
    assert f"a redirect to http://127.0.4.9:{sister.port}/doc.html (host 127.0.4.9:{sister.port}) refused" in str(
        caught.value
    )
    assert f"127.0.3.0/24:{sister.port}" in str(caught.value)  # the message names what is allowed
    assert sister.paths() == []


def test_the_block_is_on_the_port_it_names(servers, client) -> None:
    portal, sister = servers
    hosts = allowed_hosts(portal.url("/"), ["127.0.3.0/24"])  # ports 80 and 443 only
    with pytest.raises(ForeignHostError, match=f"a request to http://127.0.3.9:{sister.port}/doc.html"):
        client.fetch(Request(sister.url("/doc.html")), hosts)
    assert sister.paths() == []


def test_a_glob_does_not_allow_its_apex_over_http(servers, client) -> None:
    portal, _ = servers
    portal.routes["/apex"] = redirect(f"http://localhost:{portal.port}/doc.html")
    portal.routes["/doc.html"] = lambda h: (200, {}, b"apex")
    refused = allowed_hosts(portal.url("/"), [f"*.localhost:{portal.port}"])
    with pytest.raises(ForeignHostError, match=f"host localhost:{portal.port}"):
        client.fetch(Request(portal.url("/apex")), refused)
    assert portal.paths() == ["/apex"]
    listed = allowed_hosts(portal.url("/"), [f"*.localhost:{portal.port}", f"localhost:{portal.port}"])
    assert client.fetch(Request(portal.url("/apex")), listed).text == "apex"


def listing(detail_url: str) -> bytes:
    rows = "".join(
        f'<li><a href="./201203/t2012030{n}_{n}.html" title="本站第{n}号">本站第{n}号</a><span>2012-03-0{n}</span></li>'
        for n in range(1, 4)
    )
    rows += f'<li><a href="{detail_url}" title="县级站点的文件">县级站点的文件</a><span>2012-03-05</span></li>'
    return f'<html><body><div class="gl_list"><ul>{rows}</ul></div>{"<p>列表</p>" * 40}</body></html>'.encode()


@pytest.mark.parametrize("hosts,fetched", [(("127.0.3.0/24:{port}",), True), ((), False)])
def test_a_listing_linking_to_a_sister_host_reads_it_only_inside_the_pattern(servers, client, hosts, fetched) -> None:
    portal, sister = servers
    sister.routes["/county/t20120305_9.html"] = lambda h: (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        '<html><head><meta name="ArticleTitle" content="县级站点的文件"></head><body>'
        "<p>文号：示县〔2012〕9号</p></body></html>".encode(),
    )
    for n in range(1, 4):
        portal.routes[f"/xxgk/201203/t2012030{n}_{n}.html"] = lambda h, n=n: (
            200,
            {"Content-Type": "text/html; charset=utf-8"},
            f"<html><body><p>文号：示〔2012〕{n}号</p></body></html>".encode(),
        )
    body = listing(sister.url("/county/t20120305_9.html"))
    portal.routes["/xxgk/index.html"] = lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, body)
    target = PortalTarget(
        "fj",
        "trs",
        portal.url("/xxgk/index.html"),
        details="always",
        hosts=tuple(h.format(port=sister.port) for h in hosts),
    )
    run = crawl(target, client, run_id="20120306T020000Z")
    rows = {row.item_key: row for row in run}
    assert len(rows) == 4 and run.summary.status == "ok"
    assert (rows["t20120305_9"].doc_no == "示县〔2012〕9号") is fetched
    assert sister.paths() == (["/county/t20120305_9.html"] if fetched else [])
    refusals = [line for line in run.summary.errors if "refused: not the portal's host nor in its hosts" in line]
    assert len(refusals) == (0 if fetched else 1)
