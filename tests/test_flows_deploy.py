"""`xxgk serve`: the deployment it would serve (cron, time zone, parameters), and the clear
refusal when no Prefect server can run the schedule. Nothing here starts a scheduler."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from typer.testing import CliRunner

from flows.cli.app import app
from flows.distributed.deploy import NoServer, build_deployment, require_server

CONFIG = """
[warehouse]
data_dir = "data"
[[unit]]
id = "ly-aic"
name = "龙岩市工商行政管理局"
level = "city"
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "longyan.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def closed_port_url() -> str:
    """An API URL on a loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


def test_deployment_has_the_cron_schedule_and_the_config(config_path: Path) -> None:
    deployment = build_deployment(config_path, cron="30 1 * * 1-5", timezone="Asia/Shanghai")
    assert deployment.name == "xxgk-longyan"
    assert deployment.flow_name == "xxgk-nightly"
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "30 1 * * 1-5"
    assert schedule.schedule.timezone == "Asia/Shanghai"
    assert deployment.parameters == {"config_path": str(config_path.resolve())}
    assert deployment.entrypoint == "flows.night.flow.nightly"
    assert deployment.concurrency_limit == 1


@pytest.mark.parametrize(
    ("cron", "timezone", "words"),
    [
        ("61 2 * * *", "Asia/Shanghai", "61 2 * * *"),
        ("0 2 * * *", "Mars/Olympus", "Mars/Olympus"),
    ],
)
def test_bad_schedule_is_refused(config_path: Path, cron: str, timezone: str, words: str) -> None:
    with pytest.raises(ValueError, match="bad schedule") as caught:
        build_deployment(config_path, cron=cron, timezone=timezone)
    assert words in str(caught.value)


def test_no_server_configured_says_how_to_start_one() -> None:
    with temporary_settings(restore_defaults={PREFECT_API_URL}), pytest.raises(NoServer) as caught:
        require_server()
    assert "PREFECT_API_URL is not set" in str(caught.value)
    assert "prefect server start" in str(caught.value)


def test_unreachable_server_is_refused_quickly(closed_port_url: str) -> None:
    with temporary_settings(updates={PREFECT_API_URL: closed_port_url}), pytest.raises(NoServer) as caught:
        require_server(timeout=2)
    assert closed_port_url in str(caught.value)
    assert "export PREFECT_API_URL=" in str(caught.value)


@pytest.mark.parametrize("server", ["none", "closed"])
def test_serve_command_exits_non_zero_without_a_server(config_path: Path, closed_port_url: str, server: str) -> None:
    settings = (
        temporary_settings(restore_defaults={PREFECT_API_URL})
        if server == "none"
        else temporary_settings(updates={PREFECT_API_URL: closed_port_url})
    )
    with settings:
        result = CliRunner().invoke(app, ["serve", "--config", str(config_path), "--cron", "0 2 * * *"])
    assert result.exit_code == 2, result.output
    assert "prefect server start" in result.output


def test_serve_command_refuses_a_bad_cron_before_contacting_anything(config_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--config", str(config_path), "--cron", "every night"])
    assert result.exit_code == 2
    assert "bad schedule" in result.output
