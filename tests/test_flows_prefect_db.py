"""Prefect's database of a new data dir starts as a copy of one migrated once per Prefect
version and kept in the user's cache; a database already there, or a server or database of
the user's, is never touched, and a failure only warns (Prefect then migrates it itself).

Each test has a cache of its own (XDG_CACHE_HOME under its tmp_path). Most make the template
with `sqlite3` or a quick stand-in for Prefect's migration command (tests/helpers/prefect_db.py);
the slow one runs Prefect's own.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

import pytest
from helpers.prefect_db import REVISION, failing_migration, fake_migration, make_database

from flows import prefect_db, prefect_env


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Prefect setting of the run's (its home, a server, a database), and a cache of the test's own."""
    for name in (*prefect_env.QUIET_DEFAULTS, "PREFECT_HOME", *prefect_db.ELSEWHERE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return monkeypatch


@pytest.fixture
def template(env: pytest.MonkeyPatch) -> Path:
    """A template in the test's cache; Prefect's migration command would fail if run."""
    env.setattr(prefect_db, "migration_command", failing_migration)
    return make_database(prefect_db.template_path())


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == prefect_db.__name__]


def test_the_template_is_in_the_users_cache_named_by_prefects_version(env, tmp_path: Path) -> None:
    name = f"prefect-{version('prefect')}.db"
    assert prefect_db.template_path() == tmp_path / "cache" / "xxgk" / name
    env.delenv("XDG_CACHE_HOME")
    env.setenv("HOME", str(tmp_path / "user"))
    assert prefect_db.template_path() == tmp_path / "user" / ".cache" / "xxgk" / name
    env.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG specification asks
    assert prefect_db.template_path() == tmp_path / "user" / ".cache" / "xxgk" / name


def test_a_new_home_gets_a_copy_of_the_template(template: Path, tmp_path: Path, caplog) -> None:
    applied = prefect_env.configure(tmp_path / "data")
    home = tmp_path / "data" / "prefect"
    assert applied["PREFECT_HOME"] == str(home)
    assert (home / "prefect.db").read_bytes() == template.read_bytes()
    assert names(home) == ["prefect.db"]  # no temporary file left beside it
    assert names(template.parent) == [template.name]
    assert warnings_of(caplog) == []


def test_an_existing_database_is_never_overwritten(template: Path, tmp_path: Path) -> None:
    database = make_database(tmp_path / "data" / "prefect" / "prefect.db", revision="the user's own")
    before = database.read_bytes()
    prefect_env.configure(tmp_path / "data")
    assert database.read_bytes() == before
    # nor one that another process seeded while this one copied
    other = make_database(tmp_path / "other" / "prefect.db", revision="seeded meanwhile")
    before = other.read_bytes()
    prefect_db.copy_new(template, other)
    assert other.read_bytes() == before and names(other.parent) == ["prefect.db"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PREFECT_API_URL", "http://127.0.0.1:4200/api"),
        ("prefect_api_url", "http://127.0.0.1:4200/api"),  # Prefect reads its settings in any case
        ("PREFECT_SERVER_DATABASE_CONNECTION_URL", "postgresql+asyncpg://prefect@db/prefect"),
        ("PREFECT_API_DATABASE_CONNECTION_URL", "sqlite+aiosqlite:////srv/prefect.db"),
        ("PREFECT_SERVER_DATABASE_NAME", "/srv/prefect.db"),
    ],
)
def test_a_server_or_database_of_the_users_means_nothing_is_seeded(
    env, tmp_path: Path, caplog, name: str, value: str
) -> None:
    env.setattr(prefect_db, "migration_command", failing_migration)  # would warn if run
    env.setenv(name, value)
    prefect_env.configure(tmp_path / "data")
    assert names(tmp_path / "data" / "prefect") == []
    assert not (tmp_path / "cache").exists()
    assert warnings_of(caplog) == []


def test_a_prefect_home_of_the_users_means_nothing_is_seeded(template: Path, env, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    env.setenv("PREFECT_HOME", str(tmp_path / "mine"))
    prefect_env.configure(tmp_path / "data")
    assert names(tmp_path / "mine") == []
    assert not (tmp_path / "data").exists()


def test_commands_that_need_a_server_of_the_users_seed_nothing(template: Path, tmp_path: Path) -> None:
    prefect_env.configure(tmp_path / "data", seed_database=False)
    assert names(tmp_path / "data" / "prefect") == []


def test_a_failing_migration_leaves_no_database_nor_half_file_and_warns(env, tmp_path: Path, caplog) -> None:
    env.setattr(prefect_db, "migration_command", failing_migration)
    applied = prefect_env.configure(tmp_path / "data")
    home = tmp_path / "data" / "prefect"
    assert applied["PREFECT_HOME"] == str(home) and os.environ["PREFECT_HOME"] == str(home)
    assert names(home) == []  # Prefect makes and migrates its database itself, as without a template
    assert names(tmp_path / "cache" / "xxgk") == []  # no template, no temporary folder
    [warning] = warnings_of(caplog)
    assert str(home / "prefect.db") in warning and "not seeded" in warning
    assert "exited with 3" in warning and "no such revision" in warning


def test_a_migration_that_makes_no_database_warns(env, tmp_path: Path, caplog) -> None:
    env.setattr(prefect_db, "migration_command", lambda: [sys.executable, "-c", "pass"])
    prefect_env.configure(tmp_path / "data")
    assert names(tmp_path / "data" / "prefect") == []
    assert names(tmp_path / "cache" / "xxgk") == []
    [warning] = warnings_of(caplog)
    assert "no database made" in warning


def test_a_cache_that_cannot_be_written_warns(env, tmp_path: Path, caplog) -> None:
    env.setattr(prefect_db, "migration_command", fake_migration)
    (tmp_path / "cache").write_text("a file where the cache folder should be", encoding="utf-8")
    prefect_env.configure(tmp_path / "data")
    assert names(tmp_path / "data" / "prefect") == []
    [warning] = warnings_of(caplog)
    assert "NotADirectoryError" in warning


def second_home_is_a_copy(env, tmp_path: Path, template: Path, caplog) -> None:
    """After data dir `one` made the template (one file: its journal is not beside it), a
    second new data dir gets a copy without running the migration again (a second run would
    fail and warn), and both homes hold the template's bytes."""
    assert names(template.parent) == [template.name]
    env.setattr(prefect_db, "migration_command", failing_migration)
    env.delenv("PREFECT_HOME")
    prefect_env.configure(tmp_path / "two")
    for data in ("one", "two"):
        assert (tmp_path / data / "prefect" / "prefect.db").read_bytes() == template.read_bytes()
    assert warnings_of(caplog) == []


def test_the_template_is_made_once_then_copied(env, tmp_path: Path, caplog) -> None:
    env.setattr(prefect_db, "migration_command", fake_migration)
    prefect_env.configure(tmp_path / "one")
    template = prefect_db.template_path()
    assert prefect_db.revision(template) == REVISION
    second_home_is_a_copy(env, tmp_path, template, caplog)


def test_two_processes_making_the_template_at_once_both_end_with_a_whole_one(env) -> None:
    env.setattr(prefect_db, "migration_command", lambda: fake_migration(pause=0.5))
    with ThreadPoolExecutor(2) as pool:
        made = list(pool.map(lambda _: prefect_db.ensure_template(), range(2)))
    template = prefect_db.template_path()
    assert made == [template, template]
    assert prefect_db.revision(template) == REVISION
    assert names(template.parent) == [template.name]


def test_what_a_killed_process_left_is_ignored_then_removed(env, tmp_path: Path) -> None:
    env.setattr(prefect_db, "migration_command", fake_migration)
    template = prefect_db.template_path()
    home = tmp_path / "data" / "prefect"
    dead = template.parent / f"{template.name}.dead.tmp"  # a killed migration's folder
    busy = template.parent / f"{template.name}.busy.tmp"  # another process's, in progress
    partial = home / ".prefect.db.dead.partial"  # a killed copy's file
    for folder in (dead, busy, home):
        folder.mkdir(parents=True)
    (dead / "prefect.db").write_bytes(b"SQLite format 3\x00 half")
    partial.write_bytes(b"SQLite format 3\x00 half")
    hours_ago = time.time() - 2 * 3600
    for path in (dead, partial):
        os.utime(path, (hours_ago, hours_ago))
    prefect_env.configure(tmp_path / "data")
    assert names(template.parent) == sorted([template.name, busy.name])
    assert names(home) == ["prefect.db"]
    assert prefect_db.revision(home / "prefect.db") == REVISION


def test_a_template_that_is_no_migrated_database_is_made_again(env, tmp_path: Path, caplog) -> None:
    env.setattr(prefect_db, "migration_command", fake_migration)
    template = prefect_db.template_path()
    template.parent.mkdir(parents=True)
    template.write_bytes(b"not a database")
    prefect_env.configure(tmp_path / "data")
    assert prefect_db.revision(template) == REVISION
    assert (tmp_path / "data" / "prefect" / "prefect.db").read_bytes() == template.read_bytes()
    [warning] = warnings_of(caplog)
    assert "made again" in warning


def sqlite_head() -> str:
    """The newest revision of Prefect's SQLite migrations: the one no migration file names as
    its `down_revision`, read from the files without importing Prefect (it would read this
    test's environment as its settings)."""
    [package] = importlib.util.find_spec("prefect").submodule_search_locations
    versions = Path(package) / "server" / "database" / "_migrations" / "versions" / "sqlite"
    revisions, downs = set(), set()
    for source in versions.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        revisions.update(re.findall(r'^revision = "(\w+)"', text, re.MULTILINE))
        downs.update(re.findall(r'^down_revision = "(\w+)"', text, re.MULTILINE))
    [head] = revisions - downs
    return head


@pytest.mark.slow
def test_prefects_migration_makes_the_template(env, tmp_path: Path, caplog) -> None:
    """Prefect's own command migrates the template to its newest revision (about 10 s of CPU);
    the next new data dir gets a copy without running it again."""
    prefect_env.configure(tmp_path / "one")
    template = prefect_db.template_path()
    assert prefect_db.revision(template) == sqlite_head()
    second_home_is_a_copy(env, tmp_path, template, caplog)
