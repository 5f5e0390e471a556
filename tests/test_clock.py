"""The harvester's clock (flows/config/clock.py): the wall clock by default; `XXGK_CLOCK` or
`xxgk sync --clock` make a run start at another instant, and everything the run dates
follows it: run ids, started_at / finished_at, seen_at, the mode chosen, withdrawal dates."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.config.clock import ENV, parse_instant, run_clock, starting_at, wall
from flows.config.load import load_config
from sim.catalog import PORTALS
from sim.server import start
from warehouse.landing_sets import listing_files

runner = CliRunner()
PORTAL = "ly-wp-aic-site"  # a small Hanweb county site; lists sim-0000895, withdrawn 2013-03-11
WITHDRAWN = "sim-0000895"


def test_the_default_is_the_wall_clock(monkeypatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert run_clock() is wall
    monkeypatch.setenv(ENV, "")
    assert run_clock() is wall
    assert abs(wall() - datetime.now(UTC)) < timedelta(seconds=1)


def test_an_override_starts_there_and_runs_at_the_wall_pace(monkeypatch) -> None:
    monkeypatch.setenv(ENV, "2013-01-06T02:00:00+08:00")
    clock = run_clock()
    first = clock()
    assert datetime(2013, 1, 5, 18, tzinfo=UTC) <= first < datetime(2013, 1, 5, 18, 0, 1, tzinfo=UTC)
    time.sleep(0.01)
    assert clock() > first  # ordered, like the wall clock
    # The option wins over the environment.
    assert run_clock("2012-12-31T23:59:00Z")().date() == date(2012, 12, 31)
    assert starting_at(datetime(2013, 1, 1, tzinfo=UTC))().tzinfo is UTC


@pytest.mark.parametrize("bad", ["tomorrow", "2013-01-06T02:00:00", "2013-13-01T00:00:00Z"])
def test_a_malformed_instant_is_refused(bad, monkeypatch, tmp_path) -> None:
    with pytest.raises(ValueError):
        parse_instant(bad)
    config = tmp_path / "xxgk.toml"
    config.write_text(f'[warehouse]\npath = "{tmp_path}/w.duckdb"\ndata_dir = "{tmp_path}/data"\n', encoding="utf-8")
    result = runner.invoke(app, ["sync", "--config", str(config), "--clock", bad])
    assert result.exit_code == 2 and "--clock" in result.output
    monkeypatch.setenv(ENV, bad)
    result = runner.invoke(app, ["sync", "--config", str(config)])
    assert result.exit_code == 2 and ENV in result.output


def _sync(config, *args: str):
    result = runner.invoke(app, ["sync", "--config", str(config), *args], terminal_width=200, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_a_sync_on_the_simulated_clock_dates_everything_by_it(prefect_harness, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    others = [p.id for p in PORTALS if p.id != PORTAL]
    with start(as_of="2013-03-01") as sim:
        config = sim.write_config(tmp_path / "xxgk.toml", exclude=others)
        text = re.sub(r"(?m)^retry_delay = .*$", "retry_delay = 0", config.read_text(encoding="utf-8"))
        config.write_text(text, encoding="utf-8")
        _sync(config, "--clock", "2013-03-01T02:00:00+08:00")
        sim.set_as_of("2013-03-20")  # sim-0000895 is gone since 2013-03-11
        monkeypatch.setenv(ENV, "2013-03-20T02:00:00+08:00")  # the environment variable ...
        _sync(config)  # full by itself: the last full listing is 19 simulated days old
        monkeypatch.setenv(ENV, "2030-01-01T00:00:00Z")  # ... loses to the option
        sim.set_as_of("2013-03-21")
        _sync(config, "--full", "--clock", "2013-03-21T02:00:00+08:00")
    cfg = load_config(config)
    with duckdb.connect(str(cfg.warehouse.state_path), read_only=True) as con:
        runs = con.execute("SELECT run_id, mode, started_at, finished_at FROM raw_runs ORDER BY run_id").fetchall()
        landing = [str(path) for path in listing_files(cfg.warehouse.data_dir)]  # February's compacted
        seen = con.execute(
            "SELECT run_id, min(seen_at)::TIMESTAMP, max(seen_at)::TIMESTAMP "
            "FROM read_parquet(?) GROUP BY ALL ORDER BY run_id",
            [landing],
        ).fetchall()
    nights = [datetime(2013, 2, 28, 18), datetime(2013, 3, 19, 18), datetime(2013, 3, 20, 18)]
    assert [r[0][:11] for r in runs] == [n.strftime("%Y%m%dT%H") for n in nights]
    # By the wall clock the second night would have been incremental (seconds after a full one).
    assert [r[1] for r in runs] == ["full", "full", "full"]
    for (run_id, _, started, finished), night in zip(runs, nights, strict=True):
        assert night <= started <= finished < night + timedelta(minutes=10), run_id
    for (run_id, first, last), night in zip(seen, nights, strict=True):
        assert night <= first <= last < night + timedelta(minutes=10), run_id
    with duckdb.connect(str(cfg.warehouse.path), read_only=True) as con:
        gone = con.execute(
            "SELECT s.withdrawn_date FROM fct_sightings s WHERE s.portal_id = ? AND s.withdrawn_date IS NOT NULL",
            [PORTAL],
        ).fetchall()
    # The full listing of the simulated 2013-03-20 is the first that missed it.
    assert gone == [(date(2013, 3, 20),)]
