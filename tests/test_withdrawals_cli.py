"""`xxgk withdrawals` (list, approve, reject) on a real state database and build, the
`[harvest]` keys of the quarantine, and `xxgk sync`'s exit code 3 and summary line while a
quarantine is pending (docs/withdrawal.md, docs/reliability.md)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from helpers.warehouse import land, listing, night, query
from typer.testing import CliRunner

from flows.cli.app import app
from flows.config.load import ConfigError, load_config, parse_config
from flows.night.publish import build_warehouse
from flows.night.steps import PortalOutcome
from flows.ui.render import quarantine_lines, summary_markdown
from warehouse.decisions import decisions_path
from warehouse.landing import write_landing

runner = CliRunner()
PORTAL = "ly-aic-xxgk"
ALL = [f"k{i:02d}" for i in range(20)]
KEPT = ALL[4:]  # k00..k03 gone: 4 of 20, 20%
JAN = [date(2013, 1, day) for day in (5, 6, 7, 8)]
N2, N3, N4 = (night(day)[0] for day in JAN[1:])
CONFIG = f"""
[warehouse]
path = "xxgk.duckdb"
data_dir = "data"

[harvest]
per_host_delay = 0
parse_processes = 0

[[unit]]
id = "ly-aic"
name = "龙岩市工商行政管理局"
level = "city"

[[portal]]
id = "{PORTAL}"
name = "龙岩市工商局信息公开"
level = "city"
platform = "trs"
url = "http://ly.example/"
unit = "ly-aic"
"""


def flat(output: str) -> str:
    return " ".join(output.split())


def xxgk(*args: str):
    return runner.invoke(app, list(args), terminal_width=250)


def rows(keys, started: datetime) -> list[dict]:
    return [
        listing(PORTAL, key, started, index_no=f"IDX-{key}", title=f"文件{key}", published_date=date(2013, 1, 1))
        for key in keys
    ]


@pytest.fixture
def world(tmp_path):
    """The config, and nights 1 (20 items) and 2 (16: k00..k03 gone) landed."""
    config = tmp_path / "xxgk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    data_dir = tmp_path / "data"
    land(data_dir, JAN[0], PORTAL, rows(ALL, night(JAN[0])[1]))
    land(data_dir, JAN[1], PORTAL, rows(KEPT, night(JAN[1])[1]))
    return config, data_dir


def quarantined(world):
    """Night 3 also misses k00..k03: built, it is quarantined (4 of 20 > 10%), pending."""
    config, data_dir = world
    land(data_dir, JAN[2], PORTAL, rows(KEPT, night(JAN[2])[1]))
    outcome = build_warehouse(load_config(config))
    assert outcome.ok and [(q["run_id"], q["n_confirmations"]) for q in outcome.quarantines] == [(N3, 1)]
    return config, data_dir


@pytest.mark.parametrize("command", [["withdrawals"], ["withdrawals", "approve"], ["withdrawals", "reject"]])
def test_every_withdrawals_command_has_help_with_an_example(command):
    result = xxgk(*command, "--help")
    assert result.exit_code == 0, result.output
    example = flat(result.output).split("Example:")[1]
    assert example.startswith(" xxgk withdrawals --config xxgk.toml") and command[-1] in example


def test_the_list_says_what_is_quarantined_and_why(world):
    config, _ = quarantined(world)
    result = xxgk("withdrawals", "--config", str(config))
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if PORTAL in line)
    cells = [cell.strip() for cell in row.split("│") if cell.strip()]
    # listed before 20, would withdraw 4 (20.0%), missing since night 2 (6 January, China
    # time), the first of 3 confirmations, no decision; the first three titles in order
    assert cells == [
        PORTAL,
        N3,
        "20",
        "4",
        "20.0%",
        "2013-01-06",
        "1 of 3",
        "none",
        "文件k00; 文件k01; 文件k02 … and 1 more",
    ]
    assert "approve|reject PORTAL RUN_ID --reason TEXT" in flat(result.output)


def test_an_approval_is_recorded_and_releases_at_the_next_build(world):
    config, data_dir = quarantined(world)
    result = xxgk(
        "withdrawals",
        "--config",
        str(config),
        "approve",
        PORTAL,
        N3,
        "--reason",
        "four notices repealed",
        "--by",
        "ops",
    )
    assert result.exit_code == 0, result.output
    assert f"approved: {PORTAL} run {N3} by ops (four notices repealed)" in flat(result.output)
    [line] = decisions_path(data_dir).read_text(encoding="utf-8").splitlines()
    recorded = json.loads(line)
    assert {k: recorded[k] for k in ("portal_id", "run_id", "decision", "reason", "decided_by")} == {
        "portal_id": PORTAL,
        "run_id": N3,
        "decision": "approved",
        "reason": "four notices repealed",
        "decided_by": "ops",
    }
    # until the next build the listing is still quarantined, with the decision shown
    assert "approved by ops at" in flat(xxgk("withdrawals", "--config", str(config)).output)

    outcome = build_warehouse(load_config(config))
    assert outcome.quarantines == []
    published = load_config(config).warehouse.path
    assert query(
        published,
        "SELECT quarantine_state, is_withdrawal_listing, decision_reason FROM fct_portal_runs WHERE run_id = ?",
        [N3],
    ) == [("approved", True, "four notices repealed")]
    # k00..k03 withdrawn as of night 2; 16 of 20 held at the end of 2013
    assert query(published, "SELECT count(*), min(withdrawn_date) FROM fct_sightings WHERE is_withdrawn") == [
        (4, JAN[1])
    ]
    assert "No quarantined listings" in xxgk("withdrawals", "--config", str(config)).output


def test_a_rejection_keeps_the_sightings_and_ends_the_wait(world):
    config, _ = quarantined(world)
    result = xxgk("withdrawals", "-c", str(config), "reject", PORTAL, N3, "--reason", "index half rebuilt")
    assert result.exit_code == 0, result.output
    outcome = build_warehouse(load_config(config))
    assert outcome.quarantines == []
    published = load_config(config).warehouse.path
    assert query(
        published, "SELECT quarantine_state, is_withdrawal_listing FROM fct_portal_runs WHERE run_id = ?", [N3]
    ) == [("rejected", False)]
    assert query(published, "SELECT count(*) FROM fct_sightings WHERE is_withdrawn") == [(0,)]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["approve", PORTAL, "20130101T020000Z", "--reason", "x"], 2, f"no run 20130101T020000Z of portal {PORTAL}"),
        (["approve", PORTAL, N2, "--reason", "x"], 2, f"run {N2} of portal {PORTAL} is not quarantined"),
        (["reject", PORTAL, N3, "--reason", "  "], 2, "give a reason"),
        (["reject", PORTAL, N3], 2, "--reason"),
    ],
)
def test_a_decision_that_cannot_be_taken_is_refused(world, args, code, message):
    config, data_dir = quarantined(world)
    result = xxgk("withdrawals", "--config", str(config), *args)
    assert result.exit_code == code, result.output
    assert message in flat(result.output)
    assert not decisions_path(data_dir).exists()


def test_withdrawals_without_a_config_or_a_published_warehouse(world):
    config, _ = world
    assert xxgk("withdrawals").exit_code == 2
    result = xxgk("withdrawals", "--config", str(config))
    assert result.exit_code == 1 and "no published warehouse" in flat(result.output)


@pytest.mark.parametrize(
    ("line", "accepted"),
    [
        ("quarantine_release_listings = 0", True),
        ("quarantine_release_listings = 2", True),
        ("quarantine_release_listings = 1", False),
        ("quarantine_release_listings = -1", False),
        ("removed_portal_grace_days = 30", True),
        ("removed_portal_grace_days = -1", False),
    ],
)
def test_the_quarantine_keys_are_validated(line, accepted):
    import tomllib

    raw = tomllib.loads(f"[harvest]\n{line}\n")
    if accepted:
        key, value = line.split(" = ")
        assert getattr(parse_config(raw).harvest, key) == int(value)
    else:
        with pytest.raises(ConfigError, match=r"\[harvest\]: field '(quarantine_release|removed_portal)"):
            parse_config(raw)
    assert parse_config({}).harvest.quarantine_release_listings == 3
    assert parse_config({}).harvest.removed_portal_grace_days == 0


PENDING = [
    {
        "portal_id": PORTAL,
        "run_id": N3,
        "n_listed_before": 20,
        "n_would_withdraw": 4,
        "n_confirmations": 1,
        "first_missed_run_id": N2,
    },
    {
        "portal_id": PORTAL,
        "run_id": N4,
        "n_listed_before": 20,
        "n_would_withdraw": 4,
        "n_confirmations": 2,
        "first_missed_run_id": N2,
    },
]
LINE = (
    f"quarantined: {PORTAL} run {N4} would withdraw 4 of 20 listed sightings (20.0%), missing "
    f"since run {N2}; confirmation 2 of 3; nothing withdrawn until released or approved "
    "(xxgk withdrawals)"
)


def test_the_summary_names_each_quarantined_portal_once():
    assert quarantine_lines(PENDING, 3) == [LINE]
    assert "confirmation 2 (approval only)" in quarantine_lines(PENDING, 0)[0]
    text = summary_markdown("20130108T020000Z", [], "ok", True, [LINE])
    assert text.splitlines()[0] == "# xxgk run 20130108T020000Z: ok, QUARANTINE PENDING"
    assert "## Quarantined listings" in text and "- quarantined: ly-aic-xxgk run" in text
    assert summary_markdown("r", [], "ok", True).splitlines()[0] == "# xxgk run r: ok"


def test_sync_exits_3_and_names_the_quarantine(world, monkeypatch, prefect_harness):
    """Tonight's (stand-in) harvest lists the 16 kept items in full: the third listing that
    misses k00..k03, so quarantined, pending, and `xxgk sync` exits 3."""
    import flows.night.steps

    config, _ = world

    def harvest_portal(portal, client, *, data_dir, run_id, mode, **_):
        started = datetime.strptime(run_id, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        landed = rows(KEPT, started)
        write_landing(
            data_dir,
            run_id,
            portal.id,
            landed,
            {
                "portal_id": portal.id,
                "run_id": run_id,
                "mode": mode,
                "status": "ok",
                "reason": None,
                "started_at": started,
                "finished_at": started + timedelta(minutes=1),
                "pages": 1,
                "rows": len(landed),
                "advertised_total": len(landed),
                "details_fetched": 0,
                "requests": 1,
                "retries": 0,
                "bytes": 100,
                "complete": mode == "full",
                "errors": [],
            },
        )
        return PortalOutcome(portal.id, mode, "ok", pages=1, rows=len(landed))

    monkeypatch.setattr(flows.night.steps, "harvest_portal", harvest_portal)
    result = runner.invoke(app, ["sync", "--config", str(config)], terminal_width=250)
    assert result.exit_code == 3, result.output
    tonight = re.search(r"quarantined: \S+ run (\S+) would withdraw .*?\(xxgk withdrawals\)", flat(result.output))
    assert tonight is not None, result.output
    assert tonight.group(0) == (
        f"quarantined: {PORTAL} run {tonight.group(1)} would withdraw 4 of 20 listed sightings (20.0%), "
        f"missing since run {N2}; confirmation 1 of 3; nothing withdrawn until released or approved "
        "(xxgk withdrawals)"
    )
    assert tonight.group(1) > N2  # tonight's run


SECOND_PORTAL = """
[[portal]]
id = "ly-gov"
name = "龙岩市人民政府"
level = "city"
platform = "trs"
url = "http://gov.ly.example/"
unit = "ly-aic"
"""


def test_a_held_figure_that_falls_is_published_named_and_exits_3(tmp_path):
    """Night 1: the bureau's portal lists k00..k19, the city government's portal k20..k29: 30
    held in 2013. Night 2: the second portal has left the config, so its 10 documents stop
    counting: 30 -> 20 held, a fall of a third, past the default 10%."""
    from flows.night.summary import NightlyResult
    from flows.ui.render import held_drop_lines

    config = tmp_path / "xxgk.toml"
    config.write_text(CONFIG + SECOND_PORTAL, encoding="utf-8")
    data_dir = tmp_path / "data"
    land(data_dir, JAN[0], PORTAL, rows(ALL, night(JAN[0])[1]))
    others = [f"k{i:02d}" for i in range(20, 30)]
    land(data_dir, JAN[0], "ly-gov", [{**row, "portal_id": "ly-gov"} for row in rows(others, night(JAN[0])[1])])
    first = build_warehouse(load_config(config))
    assert first.ok and first.held_drops == []
    config.write_text(CONFIG, encoding="utf-8")
    land(data_dir, JAN[1], PORTAL, rows(ALL, night(JAN[1])[1]))
    second = build_warehouse(load_config(config))
    assert second.ok
    fell = {(d["system_id"], d["level"], d["year"]): (d["previous_held"], d["held"]) for d in second.held_drops}
    assert fell == {("ly-aic", "all", 2013): (30, 20), ("ly-aic", "city", 2013): (30, 20)}
    result = NightlyResult(N2, [PortalOutcome(PORTAL, "full", "ok")], second, tmp_path / "xxgk.duckdb", data_dir)
    assert result.exit_code == 3
    lines = held_drop_lines(second.held_drops)
    assert lines[0] == (
        f"held figure fell: ly-aic all 2013: 30 -> 20 (33.3%) since run {night(JAN[0])[0]}; published, "
        "for an operator to look at (xxgk withdrawals; rpt_held_drops)"
    )
    head = summary_markdown(N2, [], "ok", True, [], lines).splitlines()[0]
    assert head == f"# xxgk run {N2}: ok, HELD FIGURE FELL"
    listed = flat(re.sub("[│┃]", " ", xxgk("withdrawals", "--config", str(config)).output))
    assert "Held figures that fell past the configured share" in listed
    assert "ly-aic all 2013 30 20 33.3%" in listed
