"""Every fault of the simulated world does what docs/sim.md says, over real sockets."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
from lxml import etree, html

from sim.faults import Fault, FaultError, parse_fault
from sim.registry import build_world
from sim.server import start

XXGK = "ly-aic-xxgk"


@pytest.fixture(scope="module")
def sim():
    with start(build_world()) as server:
        yield server


@pytest.fixture
def faulty(sim):
    """The module's server, with every fault cleared after the test."""
    yield sim
    sim.set_faults([])


def page(sim, pid: str, n: int) -> str:
    entry = sim.portals[pid]
    ext = entry.rsplit(".", 1)[1]
    return entry if n == 0 else entry.replace(f"index.{ext}", f"index_{n}.{ext}")


def test_parse_fault_reads_specs_and_refuses_bad_ones():
    assert parse_fault("ly-gov:flaky:2") == Fault("ly-gov", "flaky", 2)
    assert parse_fault("ly-gov:flaky") == Fault("ly-gov", "flaky", 3)
    assert parse_fault("*:429:1.5") == Fault("*", "429", 1.5)
    assert parse_fault("ly-gov:redirect:http://127.0.0.3:81").arg == "http://127.0.0.3:81"
    for bad in ("ly-gov", "ly-gov:melt", "ly-gov:flaky:x", "ly-gov:waf:1", ":down", "a:slow:-1"):
        with pytest.raises(FaultError):
            parse_fault(bad)


def test_set_faults_refuses_unknown_portals_and_xxe_outside_hanweb(faulty):
    with pytest.raises(FaultError, match="no portal"):
        faulty.set_faults(["nowhere:down"])
    with pytest.raises(FaultError, match="hanweb"):
        faulty.set_faults(["ly-gov:xxe"])


def test_down_refuses_connections_until_cleared(faulty):
    url = faulty.portals[XXGK]
    faulty.set_faults(["ly-aic-xxgk:down"])
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)
    assert requests.get(faulty.portals["ly-gov"], timeout=2).status_code == 200
    faulty.set_faults([])
    assert requests.get(url, timeout=2).status_code == 200


def test_reset_drops_connections(faulty):
    faulty.set_faults(["ly-gov:reset"])
    with pytest.raises(requests.ConnectionError):
        requests.get(faulty.portals["ly-gov"], timeout=2)


def test_flaky_answers_503_with_retry_after_k_times(faulty):
    faulty.set_faults(["ly-hongdun:flaky:2"])
    with requests.Session() as http:
        got = [http.get(faulty.portals["ly-hongdun"], timeout=2) for _ in range(3)]
    assert [r.status_code for r in got] == [503, 503, 200]
    assert got[0].headers["Retry-After"] == "1"


def test_429_until_the_client_waits_retry_after(faulty):
    faulty.set_faults(["ly-gov:429:1"])
    url = faulty.portals["ly-gov"]
    first = requests.get(url, timeout=2)
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    assert requests.get(url, timeout=2).status_code == 429  # too soon: limited again
    time.sleep(1.1)
    assert requests.get(url, timeout=2).status_code == 200
    assert requests.get(url, timeout=2).status_code == 200


def test_slow_outlasts_the_client_timeout(faulty):
    faulty.set_faults(["ly-zp-aic-site:slow:1.5"])
    with pytest.raises(requests.Timeout):
        requests.get(faulty.portals["ly-zp-aic-site"], timeout=0.5)


def test_page_fail_breaks_one_listing_page_persistently(faulty):
    faulty.set_faults(["ly-aic-xxgk:page-fail:2"])
    assert [requests.get(page(faulty, XXGK, 2), timeout=2).status_code for _ in range(3)] == [500] * 3
    assert requests.get(page(faulty, XXGK, 1), timeout=2).status_code == 200
    assert requests.get(page(faulty, XXGK, 3), timeout=2).status_code == 200


def test_page_fail_counts_hanweb_groups_and_ssp_pages_from_zero(faulty):
    faulty.set_faults(["ly-sh-aic-site:page-fail:1", "fj-aic-ssp:page-fail:1"])
    origin = faulty.origins["ly-sh-aic-site"]
    form = {"columnid": "4521"}
    proxy = origin + "/module/web/jpage/dataproxy.jsp?startrecord={}&endrecord={}&perpage=15"
    assert requests.post(proxy.format(46, 90), data=form, timeout=2).status_code == 500
    assert requests.post(proxy.format(91, 135), data=form, timeout=2).status_code == 200
    ssp = faulty.portals["fj-aic-ssp"]
    assert requests.get(ssp + "&page=2&datas=10", timeout=2).status_code == 500
    assert requests.get(ssp + "&page=1&datas=10", timeout=2).status_code == 200


def detail_links(sim, pid: str, pages: int) -> list[str]:
    """Absolute detail URLs of a TRS portal's first listing pages."""
    links = []
    for n in range(pages):
        url = page(sim, pid, n)
        tree = html.fromstring(requests.get(url, timeout=2).content)
        links += [requests.compat.urljoin(url, h) for h in tree.xpath("//table//tr[td]/td/a/@href")]
    return links


def test_detail_fail_fails_the_same_share_of_detail_pages_every_time(faulty):
    links = detail_links(faulty, XXGK, 5)
    assert len(links) == 100
    faulty.set_faults(["ly-aic-xxgk:detail-fail:0.33"])
    with requests.Session() as http:
        first = [http.get(u, timeout=2).status_code for u in links]
        again = [http.get(u, timeout=2).status_code for u in links]
        assert http.get(page(faulty, XXGK, 1), timeout=2).status_code == 200  # listings unaffected
    assert first == again and set(first) == {200, 500}
    assert 20 <= first.count(500) <= 46
    faulty.set_faults(["ly-aic-xxgk:detail-fail:0.5"])  # a larger share fails a superset
    wider = [requests.get(u, timeout=2).status_code for u in links]
    assert {i for i, s in enumerate(first) if s == 500} <= {i for i, s in enumerate(wider) if s == 500}
    faulty.set_faults(["ly-aic-xxgk:detail-fail:1"])
    assert {requests.get(u, timeout=2).status_code for u in links[:10]} == {500}
    assert parse_fault("x:detail-fail") == Fault("x", "detail-fail", 0.33)
    for bad in ("x:detail-fail:0", "x:detail-fail:1.5"):
        with pytest.raises(FaultError):
            parse_fault(bad)


def test_layout_change_leaves_no_parseable_rows(faulty):
    before = html.fromstring(requests.get(faulty.portals[XXGK], timeout=2).text)
    assert len(before.xpath("//table//tr[td]/td/a[@href]")) == 20
    faulty.set_faults(["ly-aic-xxgk:layout", "ly-lc-aic-site:layout", "fj-aic-ssp:layout"])
    r = requests.get(faulty.portals[XXGK], timeout=2)
    tree = html.fromstring(r.text)
    assert r.status_code == 200 and len(tree.xpath('//div[@class="xxgk-item"]')) == 20
    assert not tree.xpath("//table//tr[td]") and not tree.xpath('//a[contains(@href, "/t20")]')
    column = html.fromstring(requests.get(faulty.portals["ly-lc-aic-site"], timeout=2).text)
    store = etree.fromstring(column.xpath('//script[@type="text/xml"]')[0].text.encode())
    assert all("<li" not in rec.text and "<a " not in rec.text for rec in store.iter("record"))
    data = json.loads(requests.get(faulty.portals["fj-aic-ssp"] + "&page=1&datas=5", timeout=2).text, strict=False)
    assert "datas" not in data and "_doctitle" not in str(data)


def test_waf_serves_a_challenge_page_with_status_200(faulty):
    faulty.set_faults(["ly-gov:waf", "fj-aic-ssp:waf"])
    for url in (faulty.portals["ly-gov"], faulty.portals["fj-aic-ssp"] + "&page=1&datas=5"):
        r = requests.get(url, timeout=2)
        assert r.status_code == 200 and "安全验证" in r.text and "<script>" in r.text
        assert not html.fromstring(r.text).xpath("//li")


def test_stub_pages_deep_in_the_listing(faulty):
    faulty.set_faults(["ly-hongdun:stub:2"])
    assert len(requests.get(page(faulty, "ly-hongdun", 1), timeout=2).content) > 2000
    for n in (2, 5):
        r = requests.get(page(faulty, "ly-hongdun", n), timeout=2)
        assert r.status_code == 200 and 250 <= len(r.content) < 600
        assert not html.fromstring(r.text).xpath("//a")


def test_loop_repeats_page_zero(faulty):
    faulty.set_faults(["ly-aic-xxgk:loop:3"])
    zero = requests.get(page(faulty, XXGK, 0), timeout=2).content
    assert requests.get(page(faulty, XXGK, 2), timeout=2).content != zero
    assert requests.get(page(faulty, XXGK, 3), timeout=2).content == zero
    assert requests.get(page(faulty, XXGK, 7), timeout=2).content == zero


def test_oversize_sends_the_announced_megabytes(faulty):
    faulty.set_faults(["ly-gov:oversize:2"])
    r = requests.get(faulty.portals["ly-gov"], timeout=5, stream=True)
    assert int(r.headers["Content-Length"]) == 2 * 1024 * 1024
    assert len(r.content) == 2 * 1024 * 1024


def test_redirect_points_at_another_host(faulty):
    faulty.set_faults(["ly-gov:redirect"])
    r = requests.get(faulty.portals["ly-gov"], timeout=2, allow_redirects=False)
    assert r.status_code == 302
    assert re.match(r"http://127\.0\.0\.2:\d+/gk/zcwjk/index\.htm$", r.headers["Location"])


def test_xxe_declares_an_external_entity_in_hanweb_xml(faulty):
    faulty.set_faults(["ly-sh-aic-site:xxe"])
    origin = faulty.origins["ly-sh-aic-site"]
    r = requests.post(
        origin + "/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
        data={"columnid": "4521"},
        timeout=2,
    )
    assert '<!ENTITY xxe SYSTEM "file:///etc/passwd">' in r.text and "&xxe;" in r.text
    # A safe parser keeps the entity unresolved.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(r.content, parser)
    assert "root:" not in etree.tostring(root, encoding="unicode")
    column = requests.get(faulty.portals["ly-sh-aic-site"], timeout=2).text
    assert "<!DOCTYPE datastore" in column


def test_hostile_titles_reach_listing_and_detail_pages(faulty):
    faulty.set_faults(["ly-aic-xxgk:hostile"])
    titles, links = [], []
    for n in range(3):
        tree = html.fromstring(requests.get(page(faulty, XXGK, n), timeout=2).text)
        for a in tree.xpath("//table//tr[td]/td[1]/a"):
            titles.append(a.get("title"))
            links.append(a.get("href"))
    assert any(t.startswith("<script>") for t in titles)
    assert any(t.startswith("=HYPERLINK(") for t in titles)
    assert any(t.startswith("'; DROP TABLE") for t in titles)
    hostile = next(h for t, h in zip(titles, links, strict=True) if t.startswith("<script>"))
    base = faulty.portals[XXGK].rsplit("/", 1)[0]
    detail = html.fromstring(requests.get(f"{base}/{hostile[2:]}", timeout=2).text)
    assert detail.xpath('//meta[@name="ArticleTitle"]')[0].get("content").startswith("<script>")
    assert not detail.xpath("//body//script[contains(., 'xss')]")  # escaped, not markup


def test_star_applies_a_fault_to_every_portal(faulty):
    faulty.set_faults(["*:waf"])
    assert all("安全验证" in requests.get(url, timeout=2).text for url in faulty.portals.values())
