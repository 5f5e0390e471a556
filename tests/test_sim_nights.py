"""What a run over many simulated nights needs of the world: a seeded fault schedule, a CMS
migration, a portal left out of the config, and the figures a pipeline should report on any
night (sim.schedule, SimServer.migrate, config exclusion, sim.figures.figures_as_of)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
import requests
from helpers.longyan import LONGYAN_UNITS
from lxml import html

from sim import truth
from sim.catalog import PORTALS
from sim.faulting import per_portal
from sim.faults import as_faults
from sim.figures import figures_as_of, withdrawals_as_of
from sim.registry import build_world
from sim.schedule import ARGS, fault_schedule
from sim.seed import SEED_FIGURES
from sim.server import start

PLATFORMS = {p.id: p.platform for p in PORTALS}
PORTAL_IDS = list(PLATFORMS)
SYSTEM = LONGYAN_UNITS
YEAR = [date(2012, 12, 1) + timedelta(days=i) for i in range(365)]


@pytest.fixture(scope="module")
def world():
    return build_world()


@pytest.fixture(scope="module")
def docs(world):
    return list(truth.rows(world))


@pytest.fixture(scope="module")
def sim(world):
    with start(world) as server:
        yield server


# -- the fault schedule


def test_schedule_is_deterministic_and_per_portal():
    nights = YEAR[:60]
    got = fault_schedule(7, nights, PORTAL_IDS, rate=0.2)
    assert got == fault_schedule(7, nights, PORTAL_IDS, rate=0.2)
    assert got != fault_schedule(8, nights, PORTAL_IDS, rate=0.2)
    assert list(got) == nights
    # A portal's faults do not depend on which other portals are scheduled.
    alone = fault_schedule(7, nights, ["ly-gov"], rate=0.2)
    assert alone == {n: [s for s in specs if s.startswith("ly-gov:")] for n, specs in got.items()}
    assert fault_schedule(7, nights, PORTAL_IDS, rate=0) == {n: [] for n in nights}


def test_schedule_draws_every_kind_and_the_server_takes_them():
    got = fault_schedule(2012, YEAR, PORTAL_IDS)
    specs = [s for night in YEAR for s in got[night]]
    assert {s.split(":")[1] for s in specs} == set(ARGS)
    for night in YEAR:
        portals = [s.split(":")[0] for s in got[night]]
        assert len(portals) == len(set(portals))  # one fault per portal and night
        per_portal(as_faults(got[night]), PLATFORMS)  # would raise on a bad spec
    for fault in as_faults(specs):
        if fault.kind == "slow":
            assert fault.arg <= 0.3  # well under the config's 5 s timeout
        if fault.kind == "429":
            assert fault.arg <= 1.5
    share = len(specs) / (len(YEAR) * len(PORTAL_IDS))
    assert 0.05 < share < 0.3


def runs(got: dict[date, list[str]], pid: str) -> list[tuple[str, int]]:
    """(spec, consecutive nights) of one portal's faults, in order."""
    out: list[tuple[str, int]] = []
    previous = None
    for night in got:
        spec = next((s for s in got[night] if s.startswith(pid + ":")), None)
        if spec is not None and spec == previous:
            out[-1] = (spec, out[-1][1] + 1)
        elif spec is not None:
            out.append((spec, 1))
        previous = spec
    return out


def test_some_faults_last_several_nights():
    got = fault_schedule(2012, YEAR, PORTAL_IDS)
    lengths = Counter()
    for pid in PORTAL_IDS:
        for spec, n in runs(got, pid):
            lengths[spec.split(":")[1], n] += 1
    assert any(n > 1 for kind, n in lengths if kind == "detail-fail")
    every_night = fault_schedule(1, YEAR[:20], ["ly-gov"], rate=1, weights={"waf": 1})
    assert all(specs == ["ly-gov:waf"] for specs in every_night.values())


def test_schedule_refuses_bad_arguments():
    for kwargs in ({"rate": 1.5}, {"weights": {"melt": 1}}, {"weights": {"down": 0}}):
        with pytest.raises(ValueError):
            fault_schedule(1, YEAR[:3], PORTAL_IDS, **kwargs)
    with pytest.raises(ValueError):
        fault_schedule(1, [YEAR[0], YEAR[0]], PORTAL_IDS)
    only = fault_schedule(1, YEAR, ["ly-gov"], rate=0.5, weights={"detail-fail": 1})
    assert {s.split(":")[1] for specs in only.values() for s in specs} == {"detail-fail"}


# -- the CMS migration


def trs_links(url: str) -> dict[str, str]:
    """Title -> absolute detail URL of a TRS xxgk table's rows."""
    tree = html.fromstring(requests.get(url, timeout=2).content)
    return {
        a.get("title"): requests.compat.urljoin(url, a.get("href")) for a in tree.xpath("//table//tr[td]/td/a[@href]")
    }


def ident(url: str) -> int:
    return int(re.search(r"_(\d+)\.html?$", url).group(1))


def test_migration_moves_every_detail_url_and_keeps_the_entry(sim):
    pid = "ly-aic-xxgk"
    entry = sim.portals[pid]
    sim.set_as_of("2013-01-31")
    sim.migrate(pid, "2013-02-01")
    try:
        before = trs_links(entry)
        sim.set_as_of("2013-02-01")
        assert sim.portals[pid] == entry
        after = trs_links(entry)
        assert len(after) == len(before) == 20 and not set(after.values()) & set(before.values())
        assert all(re.search(r"/art/\d{4}/\d+/\d+/art_101_80\d+\.html$", u) for u in after.values())
        shared = sorted(set(before) & set(after))
        assert len(shared) > 10  # the same documents, under new ids
        assert all(ident(after[t]) - 8_000_000 == ident(before[t]) - 310_000 for t in shared)
        old, new = before[shared[0]], after[shared[0]]
        assert requests.get(old, timeout=2).status_code == 404
        page = requests.get(new, timeout=2)
        assert page.status_code == 200
        assert html.fromstring(page.content).findtext(".//h1") == shared[0]
        sim.set_as_of("2013-01-31")
        assert requests.get(new, timeout=2).status_code == 404  # not yet migrated
        assert requests.get(old, timeout=2).status_code == 200
        assert sim.migrations == {pid: date(2013, 2, 1)}
    finally:
        sim.migrate(pid, None)
        sim.set_as_of("2013-01-31")


def test_migration_on_hanweb_and_ssp(sim):
    sim.set_as_of("2013-02-01")
    for pid in ("ly-sh-aic-site", "fj-aic-ssp"):
        sim.migrate(pid, "2013-01-15")
    try:
        column = requests.get(sim.portals["ly-sh-aic-site"], timeout=2).text
        hrefs = re.findall(r'href="(/art/[^"]+)"', column)
        assert hrefs and all("/art_108_80" in h for h in hrefs)
        assert requests.get(sim.origins["ly-sh-aic-site"] + hrefs[0], timeout=2).status_code == 200
        got = requests.get(sim.portals["fj-aic-ssp"] + "&page=1&datas=5", timeout=2).text
        urls = re.findall(r'"docpuburl":"([^"]+)"', got)
        assert len(urls) == 5 and all("/art_100_80" in u for u in urls)
        assert requests.get(urls[0], timeout=2).status_code == 200
    finally:
        for pid in ("ly-sh-aic-site", "fj-aic-ssp"):
            sim.migrate(pid, None)
        sim.set_as_of("2013-01-31")


def test_truth_sightings_follow_the_migration(world, docs):
    moved = {"ly-hongdun": date(2013, 2, 1)}
    before = list(truth.rows(world, as_of=date(2013, 1, 31), migrations=moved))
    after = list(truth.rows(world, as_of=date(2013, 2, 1), migrations=moved))
    assert before == docs
    changed = 0
    for old, new in zip(docs, after, strict=True):
        assert {k: v for k, v in old.items() if k != "sightings"} == {k: v for k, v in new.items() if k != "sightings"}
        for a, b in zip(old["sightings"], new["sightings"], strict=True):
            if a["portal_id"] == "ly-hongdun":
                assert b["url"] != a["url"] and b["url"].startswith("/art/")
                changed += 1
            else:
                assert a == b
    assert changed == sum(s["portal_id"] == "ly-hongdun" for d in docs for s in d["sightings"])


def test_export_truth_of_a_migrated_server(sim, tmp_path):
    import json

    sim.migrate("ly-gov", "2013-01-01")
    try:
        data = json.loads(sim.export_truth(tmp_path / "t.json").read_text(encoding="utf-8"))
    finally:
        sim.migrate("ly-gov", None)
    assert sim.migrations == {}
    urls = [s["url"] for d in data for s in d["sightings"] if s["portal_id"] == "ly-gov"]
    assert urls and all(u.startswith(sim.origins["ly-gov"] + "/art/") for u in urls)


# -- a portal left out of the config


def test_config_without_a_portal(sim, tmp_path):
    text = sim.config_text("data", exclude=["ly-zp-aic-site"])
    ids = re.findall(r'^\[\[portal\]\]\nid = "([^"]+)"', text, re.M)
    assert ids == [p for p in PORTAL_IDS if p != "ly-zp-aic-site"]
    assert 'id = "ly-zp-aic"' in text  # its unit stays
    path = sim.write_config(tmp_path / "x.toml", exclude=["ly-zp-aic-site", "ly-gov"])
    assert len(re.findall(r"^\[\[portal\]\]", path.read_text(encoding="utf-8"), re.M)) == 9
    assert requests.get(sim.portals["ly-zp-aic-site"], timeout=2).status_code == 200
    with pytest.raises(ValueError, match="nowhere"):
        sim.config_text(exclude=["nowhere"])
    assert sim.config_text() == sim.config_text(exclude=[])


# -- the figures of a night


def held_by_hand(docs: list[dict], night: date, level: str = "all") -> int:
    """Held by the system on `night` for the running year, straight from the truth rows."""
    day = night.isoformat()
    return sum(
        1
        for d in docs
        if d["unit_id"] in SYSTEM
        and d["disclosure"] == "主动公开"
        and level in ("all", d["level"])
        and d["published_date"] <= day
        and not (d["withdrawn_on"] and d["withdrawn_on"] <= day)
    )


def test_figures_at_the_default_night_are_the_seed_figures(world):
    got = figures_as_of(world, date(2013, 1, 31))
    assert list(got) == [2008, 2009, 2010, 2011, 2012, 2013]
    levels = got[2012]["levels"]
    for figure, per_level in SEED_FIGURES.items():
        assert {lv: levels[lv][figure] for lv in per_level} == per_level
    assert levels["city"]["official_new"] == 200 and levels["county"]["official_new"] == 484
    assert levels["all"]["fulltext_held"] == 2887
    city = got[2012]["categories"]["city"]
    assert city["topic"]["组织机构"] == 24 and city["topic"]["工商动态及其他"] == 88
    assert city["function"]["内资企业注册"] == 31 and city["audience"]["服务其他群体"] == 141
    assert city["audience"]["未分类"] == 9
    for level, cats in got[2012]["categories"].items():
        assert all(sum(c.values()) == levels[level]["new"] for c in cats.values())


def test_a_2013_withdrawal_lowers_the_running_count_only(world, docs):
    doc = min((d for d in docs if d["withdrawn_on"] and d["withdrawn_on"] >= "2013"), key=lambda d: d["withdrawn_on"])
    night = date.fromisoformat(doc["withdrawn_on"])
    eve = night - timedelta(days=1)
    published_that_day = sum(
        1
        for d in docs
        if d["unit_id"] in SYSTEM and d["disclosure"] == "主动公开" and d["published_date"] == night.isoformat()
    )
    assert held_by_hand(docs, night) == held_by_hand(docs, eve) + published_that_day - 1
    on_eve, on_night = figures_as_of(world, eve), figures_as_of(world, night)
    assert on_night[2012] == on_eve[2012] == figures_as_of(world, date(2013, 1, 31))[2012]
    for level in ("all", doc["level"]):
        assert on_night[2013]["levels"][level]["held"] == held_by_hand(docs, night, level)
        assert on_eve[2013]["levels"][level]["held"] == held_by_hand(docs, eve, level)
    assert (doc["doc_id"], night) in withdrawals_as_of(world, night)
    assert (doc["doc_id"], night) not in withdrawals_as_of(world, eve)


def test_withdrawals_and_a_late_start(world, docs):
    expected = sorted((d["doc_id"], date.fromisoformat(d["withdrawn_on"])) for d in docs if d["withdrawn_on"])
    assert sorted(withdrawals_as_of(world, date(2013, 12, 31))) == expected
    assert withdrawals_as_of(world, date(2013, 3, 31), since=date(2013, 1, 31)) == sorted(
        (e for e in expected if e[1].year == 2013), key=lambda e: (e[1], e[0])
    )
    # A pipeline started on 2012-05-01 never saw the documents withdrawn before then, so it
    # cannot count them held at the end of 2011.
    start_night = date(2012, 5, 1)
    gone = [
        d
        for d in docs
        if d["withdrawn_on"]
        and d["withdrawn_on"] <= "2012-05-01"
        and d["unit_id"] in SYSTEM
        and d["published_date"] <= "2011-12-31"
    ]
    full = figures_as_of(world, date(2012, 6, 1), years=[2011])
    late = figures_as_of(world, date(2012, 6, 1), years=[2011], first_night=start_night)
    assert len(gone) == 2
    assert late[2011]["levels"]["all"]["held"] == full[2011]["levels"]["all"]["held"] - 2


def test_a_removed_portal_keeps_its_documents_held(world, docs):
    doc = next(d for d in docs if d["withdrawn_on"] and d["withdrawn_on"] >= "2013" and d["level"] == "county")
    site = next(s["portal_id"] for s in doc["sightings"] if s["portal_id"].endswith("-site"))
    night = date.fromisoformat(doc["withdrawn_on"])
    removed = {site: night - timedelta(days=3)}
    plain = figures_as_of(world, night, years=[2013])[2013]["levels"]["all"]["held"]
    kept = figures_as_of(world, night, years=[2013], removed=removed)
    assert kept[2013]["levels"]["all"]["held"] == plain + 1
    after = {site: night + timedelta(days=1)}  # removed after the withdrawal: it is done
    assert (
        figures_as_of(world, night, years=[2013], removed=after)[2013]
        == figures_as_of(world, night, years=[2013])[2013]
    )


# -- a longer span


def test_world_until_the_end_of_2013(world):
    end = date(2013, 12, 31)
    longer = build_world(until=end)
    assert longer.end == end and world.end == date(2013, 3, 31)
    base = world.base_count
    assert [d.n for d in longer.base_docs[base:]] == list(range(base, longer.base_count))
    late = {d.n for d in longer.base_docs[:base] if d.withdrawn_on and d.withdrawn_on > world.end}
    assert 3 <= len(late) <= 8
    assert [d for d in longer.base_docs[:base] if d.n not in late] == [d for d in world.base_docs if d.n not in late]
    # New documents on every night of the span, on the city platform.
    day, previous = world.end, len(longer.listing("ly-aic-xxgk", world.end))
    while day < end:
        day += timedelta(days=1)
        now = len(longer.listing("ly-aic-xxgk", day))
        gone = sum(1 for _, w in withdrawals_as_of(longer, day, since=day - timedelta(days=1)))
        assert now > previous - gone, day
        previous = now
    got = figures_as_of(longer, end)
    assert got[2012] == figures_as_of(world, date(2013, 1, 31))[2012]
    assert got[2013]["levels"]["all"]["new"] > 600
    assert build_world(until=end).base_docs == longer.base_docs
    with pytest.raises(ValueError):
        build_world(until=date(2013, 3, 31))
