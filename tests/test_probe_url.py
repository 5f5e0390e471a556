"""`xxgk portal probe`: every simulated portal of every family (Longyan: trs, hanweb, ssp;
Guangdong: gkmlpt, govcn, hanweb-xxgk, and one trs site) is recognised from its entry page and its proposed
entry reads rows; a page of no known family is refused, never guessed, unless it lists dated links:
then a generic entry with proposed selectors is offered and checked like any other."""

from __future__ import annotations

import io
import json
import tomllib
from urllib.request import urlopen

import pytest
from helpers.generic_site import GenericSite, Notice
from helpers.loopback import LoopbackServer
from rich.console import Console
from typer.testing import CliRunner

from connectors.families.recognise import recognise
from flows.cli.app import app
from flows.config.load import load_config
from flows.config.model import Harvest
from flows.portal.probe import probe_url
from flows.portal.test import print_probe
from sim.registry import build_world
from sim.server import start

HARVEST = Harvest(per_host_delay=0, timeout=5)
runner = CliRunner()


@pytest.fixture(scope="module", params=["longyan", "guangdong"])
def served(request):
    with start(build_world(request.param)) as sim:
        yield sim


def test_every_portal_is_recognised_and_reads(served) -> None:
    platforms = set()
    for portal in served.world.portals:
        proposal = probe_url(served.portals[portal.id], HARVEST, level=portal.level)
        assert proposal.recognition.platform == portal.platform, portal.id
        assert proposal.probe.ok, (portal.id, proposal.probe.error)
        assert f'platform = "{portal.platform}"' in proposal.entry
        platforms.add(portal.platform)
    assert platforms in ({"trs", "hanweb", "ssp"}, {"gkmlpt", "govcn", "hanweb-xxgk", "trs"})


@pytest.fixture(scope="module")
def guangdong():
    with start(build_world("guangdong")) as sim:
        yield sim


def test_gkmlpt_entry_names_the_other_host_its_articles_live_on(guangdong) -> None:
    served = guangdong
    proposal = probe_url(served.portals["gd-yh-gkmlpt"], HARVEST)
    assert proposal.probe.hosts_seen == [
        served.origins["gd-yh-gkmlpt"].split("//")[1].replace("127.0.0.1", "localhost")
    ]
    assert "hosts = [" in proposal.entry
    # the detail page on the other host was read: it has the title its listing row shows
    (row,) = [row for row in proposal.probe.rows if row["url"] == proposal.probe.detail_url]
    assert proposal.probe.detail["title"] == row["title"]


def test_a_generic_page_is_not_a_family() -> None:
    page = "<html><head><title>欢迎</title></head><body><ul><li><a href='/a'>新闻</a></li></ul></body></html>"
    found = recognise(page, "http://example.gov.cn/")
    assert found.platform is None and found.evidence == "not a family I know" and found.seen


def test_write_config_appends_a_valid_entry_and_refuses_a_clash(served, tmp_path) -> None:
    portal = served.world.portals[0]
    config = tmp_path / "xxgk.toml"
    config.write_text('[warehouse]\npath = "w.duckdb"\n', encoding="utf-8")
    args = ["portal", "probe", served.portals[portal.id], "--write-config", str(config), "--id", "p1"]
    first = runner.invoke(app, args, terminal_width=200)
    assert first.exit_code == 0, first.output
    assert [p.id for p in load_config(config).portals] == ["p1"]
    before = config.read_text(encoding="utf-8")
    again = runner.invoke(app, args, terminal_width=200)  # a second "p1": the config refuses it
    assert again.exit_code == 2 and config.read_text(encoding="utf-8") == before


# -- a custom CMS: no family's marks, a list of dated links -------------------------------------


@pytest.fixture
def county_site():
    with LoopbackServer() as server:
        yield GenericSite(server, list(range(10, 0, -1)))


def test_a_list_page_of_no_family_gets_a_generic_entry_with_proposed_selectors(county_site) -> None:
    proposal = probe_url(county_site.entry, HARVEST, portal_id="county-tzgg")
    found = proposal.recognition
    assert found.platform == "generic" and "selectors proposed" in found.evidence
    assert found.options == {"rows": "ul.news li", "title": "a", "date": "span", "next": "a.next"}
    assert 'platform = "generic"' in proposal.entry and '"rows" = "ul.news li"' in proposal.entry
    probe = proposal.probe
    assert probe.ok and [row["title"] for row in probe.rows] == [Notice(n).title for n in (10, 9, 8, 7)]
    assert probe.detail["index_no"] == "00312345-6/2012-00010"
    assert probe.selectors == [
        "rows 'ul.news li': 4 rows read",
        f"title 'a': 4 of 4 rows (first {Notice(10).title!r})",
        f"date 'span': 4 of 4 rows (first {Notice(10).date!r})",
        f"next 'a.next': {county_site.server.url('/tzgg/index_1.html')}",
    ]


def test_the_written_generic_entry_is_what_portal_test_reads(county_site, tmp_path) -> None:
    config = tmp_path / "xxgk.toml"
    config.write_text("[harvest]\nper_host_delay = 0\n", encoding="utf-8")
    probed = runner.invoke(
        app, ["portal", "probe", county_site.entry, "--write-config", str(config), "--id", "tz"], terminal_width=200
    )
    assert probed.exit_code == 0, probed.output
    portal = load_config(config).portal("tz")
    assert portal.platform == "generic" and portal.options["next"] == "a.next"
    tested = runner.invoke(app, ["portal", "test", "--config", str(config), "tz"], terminal_width=200)
    assert tested.exit_code == 0, tested.output
    assert "rows 'ul.news li': 4 rows read" in tested.output and "date 'span': 4 of 4 rows" in tested.output


def test_a_page_without_a_list_stays_unknown(county_site) -> None:
    page = b"<html><head><title>\xe6\xac\xa2\xe8\xbf\x8e</title></head><body>" + b"<p>x</p>" * 100 + b"</body></html>"
    county_site.server.routes["/about.html"] = lambda h: (200, {"Content-Type": "text/html"}, page)
    proposal = probe_url(county_site.server.url("/about.html"), HARVEST)
    assert proposal.recognition.platform is None and proposal.entry is None


def test_probe_prints_the_marks_it_recognised_the_family_by(guangdong) -> None:
    portal = next(p for p in guangdong.world.portals if p.platform == "trs")
    done = runner.invoke(app, ["portal", "probe", guangdong.portals[portal.id]], terminal_width=200)
    assert done.exit_code == 0, done.output
    assert "mark: links to ./YYYYMM/tYYYYMMDD_ID documents" in done.output
    assert "family: trs (score " in done.output


# -- hosts a page names: proposed as a comment, IP literals and internal addresses refused ------


def test_hosts_seen_are_vetted_against_ip_literals_and_internal_names() -> None:
    from connectors.http.hosts import vet_seen_hosts

    seen = ["10.0.0.5", "169.254.169.254:80", "[::1]:8080", "localhost:8000", "203.0.113.7", "xxgk.gd.gov.cn"]
    proposed, refused = vet_seen_hosts(seen, "http://www.gd.gov.cn/gkmlpt/index")
    assert proposed == ["xxgk.gd.gov.cn"]  # a name that resolves nowhere here reaches nothing internal
    assert refused == seen[:5]  # every IP literal, public or not, and a name that resolves to loopback
    # an entry on loopback itself (a test world, an intranet portal): its loopback names stand
    assert vet_seen_hosts(["localhost:8000", "127.0.0.2:80"], "http://127.0.0.1:8000/")[0] == ["localhost:8000"]


def test_an_entry_names_seen_hosts_only_in_a_comment() -> None:
    from connectors.families.recognise import toml_entry

    entry = toml_entry("p", "门户", "city", "trs", "http://a.gov.cn/", ["b.gov.cn"], {}, ["10.0.0.1"])
    parsed = tomllib.loads(entry)["portal"][0]
    assert "hosts" not in parsed
    assert (
        '# hosts = ["b.gov.cn"]' in entry and '# refused, an IP literal or an internal address: ["10.0.0.1"]' in entry
    )


def test_a_page_pointing_at_an_internal_address_gets_no_request_there() -> None:
    rows = "".join(
        f"<li><a href='http://10.9.8.{n}/201203/t20120305_{n}.html'>文件{n}</a><span>2012-03-05</span></li>"
        for n in range(1, 8)
    )
    page = (
        f"<html><body><ul class='list'>{rows}</ul><script>createPageHTML(1, 0, 'index', 'html');</script></body></html>"
    )
    with LoopbackServer() as server:
        server.routes["/gk/index.html"] = lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
        proposal = probe_url(server.url("/gk/index.html"), HARVEST)
    assert proposal.probe.hosts_refused == [f"10.9.8.{n}" for n in range(1, 8)] and proposal.probe.hosts_seen == []
    assert "ForeignHostError" in (proposal.probe.error or "")  # refused before any connection
    assert "# refused, an IP literal or an internal address" in proposal.entry


def test_a_gkmlpt_probe_prints_its_category_s_count(guangdong) -> None:
    proposal = probe_url(guangdong.portals["gd-yh-gkmlpt"], HARVEST)
    probe = proposal.probe
    # the count the served category page prints for its category
    printed = json.loads(urlopen(probe.list_url, timeout=5).read())["classify"]["post_count"]
    assert probe.category_total == printed and printed >= len(probe.rows)
    out = io.StringIO()
    print_probe(probe, Console(file=out, width=300))
    assert f"this category's count: {printed}" in out.getvalue()
