"""Prefect's environment: offline and quiet by default, its home under the data dir, and
never a value the user set overridden."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.prefect_db import make_database

from flows import prefect_db, prefect_env

NAMES = (*prefect_env.QUIET_DEFAULTS, "PREFECT_HOME", *prefect_db.ELSEWHERE)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """None of the run's Prefect settings, and a cache of the test's own with a migrated
    template in it (tests/test_flows_prefect_db.py: the seeding of a new home's database)."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    make_database(prefect_db.template_path())
    return monkeypatch


def test_defaults_are_offline_and_quiet(clean_env, tmp_path: Path) -> None:
    applied = prefect_env.configure(tmp_path / "data")
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert os.environ["DO_NOT_TRACK"] == "1"
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "WARNING"
    assert os.environ["PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW"] == "ignore"
    home = tmp_path / "data" / "prefect"
    assert os.environ["PREFECT_HOME"] == str(home) and applied["PREFECT_HOME"] == str(home)
    assert home.is_dir()  # Prefect's server cannot start when the folders above its home are missing


def test_user_settings_are_never_overridden(clean_env, tmp_path: Path) -> None:
    clean_env.setenv("PREFECT_HOME", str(tmp_path / "mine"))
    clean_env.setenv("PREFECT_LOGGING_LEVEL", "DEBUG")
    applied = prefect_env.configure(tmp_path / "data")
    assert os.environ["PREFECT_HOME"] == str(tmp_path / "mine")
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "DEBUG"
    assert "PREFECT_HOME" not in applied and "PREFECT_LOGGING_LEVEL" not in applied
    assert not (tmp_path / "data").exists()


def test_without_a_data_dir_prefect_home_is_left_alone(clean_env) -> None:
    prefect_env.configure()
    assert "PREFECT_HOME" not in os.environ
