"""Prefect's temporary server as the nightly commands start it (flows/prefect_server.py): a
real uvicorn child serving Prefect's API, Prefect's settings pointed at it for the block only,
the child gone after; a server that cannot start is an error naming why; a user's server is
used as it is."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

from flows.prefect_server import REGISTER_BLOCKS, ServerStartError, server_environment, temporary_server


def test_a_user_server_is_used_and_nothing_is_started(tmp_path):
    # however the user set it: the environment, a profile or a settings file
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}), temporary_server(tmp_path / "home") as url:
        assert url is None and get_current_settings().api.url == "http://127.0.0.1:9/api"
    assert not (tmp_path / "home").exists()  # no server, so no log


@pytest.fixture
def no_server(monkeypatch):
    """Prefect's settings name no server, whatever an earlier test in this process left."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert get_current_settings().api.url is None
        yield


@pytest.mark.slow  # a new database's migration: about 10 s of CPU (the failing start below stays in)
def test_the_server_answers_for_the_block_and_is_gone_after(tmp_path, monkeypatch, no_server):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    with temporary_server(tmp_path / "home") as url:
        assert url is not None and get_current_settings().api.url == url
        with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
            assert answer.status == 200
        with get_client(sync_client=True) as client:  # the flow's client talks to it
            assert str(client.api_url).rstrip("/") == url and client.api_healthcheck() is None
            assert client.read_block_types() == []  # not registered: no night uses a block
    assert get_current_settings().api.url is None
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/health", timeout=2)


def test_a_server_that_cannot_start_is_an_error_with_its_log(tmp_path, monkeypatch, no_server):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the database's folder should be", encoding="utf-8")
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", f"sqlite+aiosqlite:///{blocked / 'prefect.db'}")
    with pytest.raises(ServerStartError) as raised, temporary_server(tmp_path / "home"):
        pass
    assert "exited" in str(raised.value) and (tmp_path / "home" / "temporary-server.log").exists()
    assert get_current_settings().api.url is None
    assert Path(tmp_path / "home" / "temporary-server.log").read_text(encoding="utf-8").strip()


def test_the_server_registers_block_types_only_when_the_caller_asks():
    quiet = server_environment({"PATH": "/bin"})
    assert quiet["PREFECT_UI_ENABLED"] == "0" and quiet["PATH"] == "/bin"
    assert quiet[REGISTER_BLOCKS[0]] == "false"
    for name in REGISTER_BLOCKS:  # the caller's setting, under either of Prefect's names, stands
        env = server_environment({name: "true"})
        assert env[name] == "true" and all(env.get(other) is None for other in REGISTER_BLOCKS if other != name)
