"""Prefect's database for a new data dir: a copy of an empty one migrated once per Prefect version.

Without a Prefect server configured, a night starts Prefect's temporary server, and its
SQLite database lives in Prefect's home under the data dir (`<data_dir>/prefect/prefect.db`).
On a new data dir that database is new, and the server's start runs every one of Prefect's
migrations on it: 3 to 9 s of CPU as measured, a large share of a first `xxgk sync`'s fixed
cost. The result is the same every time for one Prefect version, so it is made once, kept in
the user's cache (`$XDG_CACHE_HOME/xxgk/prefect-VERSION.db`, else `~/.cache/xxgk/`) and
copied into each new home; the server then finds its database migrated already.

Nothing here may stop a night: when the template cannot be made or copied, a warning says why
and Prefect migrates the new database itself, as it would without this module. Prefect is
never imported here (it reads its settings from the environment on first import); its version
comes from the package metadata and its migration runs in a child process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

logger = logging.getLogger(__name__)

# Settings that point Prefect at a server or at another database than `<PREFECT_HOME>/prefect.db`
# (prefect/settings/models/server/database.py, prefect/settings/models/_defaults.py).
ELSEWHERE = (
    "PREFECT_API_URL",
    "PREFECT_SERVER_DATABASE_CONNECTION_URL",
    "PREFECT_API_DATABASE_CONNECTION_URL",
    "PREFECT_SERVER_DATABASE_DRIVER",
    "PREFECT_API_DATABASE_DRIVER",
    "PREFECT_SERVER_DATABASE_NAME",
    "PREFECT_API_DATABASE_NAME",
)
DATABASE = "prefect.db"  # Prefect's default database file in its home
MIGRATE_TIMEOUT = 600.0  # seconds; the migration takes about 10 s of CPU
STALE_SECONDS = 3600.0  # a temporary file or folder this old was left by a killed process


class TemplateError(Exception):
    """The template could not be made, or is not a migrated Prefect database."""


def seed(home: Path, environ: Mapping[str, str] = os.environ) -> Path | None:
    """Copy the migrated template to `home`'s database when that database does not exist yet
    and Prefect uses it (no server or other database set in `environ`).

    Returns the database seeded, or None when nothing was (not wanted, or a failure: then a
    warning says why and Prefect migrates the new database itself)."""
    database = Path(home) / DATABASE
    if points_elsewhere(environ) or database.exists():
        return None
    try:
        copy_new(ensure_template(environ), database)
    except (OSError, subprocess.SubprocessError, sqlite3.Error, TemplateError, PackageNotFoundError) as exc:
        logger.warning(
            "xxgk: Prefect's database %s not seeded from a migrated template (%s: %s); "
            "Prefect migrates it itself (several seconds of CPU)",
            database,
            type(exc).__name__,
            exc,
        )
        return None
    return database


def points_elsewhere(environ: Mapping[str, str]) -> str | None:
    """The name of a setting in `environ` that points Prefect at a server or another database,
    if any (Prefect reads its environment without regard to case)."""
    names = {name.upper() for name, value in environ.items() if value}
    return next((name for name in ELSEWHERE if name in names), None)


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """xxgk's folder in the user's cache: `$XDG_CACHE_HOME/xxgk`, else `~/.cache/xxgk`
    (a relative XDG_CACHE_HOME is ignored, as the XDG specification asks)."""
    base = environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "xxgk"


def template_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The template of this Prefect version: its migrations change from one version to the next."""
    return cache_dir(environ) / f"prefect-{version('prefect')}.db"


def ensure_template(environ: Mapping[str, str] = os.environ) -> Path:
    """The template, made first when missing (or not a migrated database: it is made again):
    Prefect's migration of an empty database in a temporary folder of the cache, checked, then
    renamed into place.

    The rename is atomic, so two processes making it at once both end with a whole template
    (the later one's replaces the earlier, the same). A killed process leaves only its
    temporary folder, which later calls remove once it is old."""
    template = template_path(environ)
    if template.exists():
        try:
            revision(template)
            return template
        except (sqlite3.Error, TemplateError) as exc:
            logger.warning("xxgk: the template %s is made again (%s)", template, exc)
    template.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(template.parent, f"{template.name}.*.tmp")
    work = Path(tempfile.mkdtemp(prefix=f"{template.name}.", suffix=".tmp", dir=template.parent))
    try:
        made = migrate(work, environ)
        check(made)
        os.replace(made, template)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return template


def migration_command() -> list[str]:
    """Prefect's own command that migrates its database to the newest revision."""
    return [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"]


def migrate(work: Path, environ: Mapping[str, str]) -> Path:
    """Run Prefect's migration on a new database in `work`, in a child process with its home
    in `work` too (and `work` as its folder, so no prefect.toml or .env of the caller's folder
    applies); return the database. Raises TemplateError when the command fails.

    The child's environment is `environ` (`prefect_env.configure` has put its quiet defaults
    in it) with that home and database."""
    database = work / DATABASE
    env = {
        **environ,
        "PREFECT_HOME": str(work / "home"),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{database}",
    }
    done = subprocess.run(
        migration_command(),
        env=env,
        cwd=work,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=MIGRATE_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
        raise TemplateError(f"{' '.join(migration_command()[1:])} exited with {done.returncode}: {' / '.join(said)}")
    return database


def check(database: Path) -> str:
    """Make `database` one self-contained file (no write-ahead log beside it, which a copy of
    the file alone would lose) and return its Alembic revision; TemplateError when it has none."""
    if not database.is_file():
        raise TemplateError(f"no database made at {database}")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        [mode] = connection.execute("PRAGMA journal_mode = DELETE").fetchone()
    if str(mode).lower() != "delete":  # still open elsewhere: its log may hold what the file lacks
        raise TemplateError(f"{database} stays in journal mode {mode}")
    return revision(database)


def revision(database: Path) -> str:
    """The Alembic revision `database` was migrated to, read without writing to it;
    TemplateError when it has none (not a migrated Prefect database)."""
    uri = f"{database.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise TemplateError(f"{database} is not a migrated Prefect database: {exc}") from None
    if row is None:
        raise TemplateError(f"{database} holds no Alembic revision")
    return str(row[0])


def copy_new(template: Path, database: Path) -> None:
    """Copy `template` to `database` unless that exists: through a temporary file beside it,
    then a hard link that never replaces a database already there (another process's, seeded
    in the meantime). A killed copy leaves only the temporary file, never a half database."""
    remove_stale(database.parent, f".{database.name}.*.partial")
    fd, name = tempfile.mkstemp(prefix=f".{database.name}.", suffix=".partial", dir=database.parent)
    os.close(fd)
    partial = Path(name)
    try:
        shutil.copyfile(template, partial)
        try:
            os.link(partial, database)
        except FileExistsError:
            pass  # seeded or made by another process meanwhile: that one stays
        except OSError:
            if not database.exists():  # a file system without hard links
                os.replace(partial, database)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def remove_stale(folder: Path, pattern: str) -> None:
    """Remove what killed processes left in `folder`: entries matching `pattern` older than
    STALE_SECONDS (a younger one may be another process's work in progress)."""
    before = time.time() - STALE_SECONDS
    for path in folder.glob(pattern):
        with contextlib.suppress(OSError):
            if path.lstat().st_mtime >= before:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
