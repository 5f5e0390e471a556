"""`xxgk portal probe`: every simulated portal of every family (Longyan: trs, hanweb, ssp;
Guangdong: gkmlpt, govcn, hanweb-xxgk, and one trs site) is recognised from its entry page and its proposed
entry reads rows; a page of no known family is refused, never guessed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.config.load import load_config
from flows.config.model import Harvest
from flows.portal.probe import probe_url
from flows.recognise import recognise
from sim.server import start
from sim.world import build_world

HARVEST = Harvest(per_host_delay=0, timeout=5)
runner = CliRunner()


@pytest.fixture(scope="module", params=["longyan", "guangdong"])
def served(request):
    with start(build_world(world=request.param)) as sim:
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
    with start(build_world(world="guangdong")) as sim:
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
