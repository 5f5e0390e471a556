"""Stand-ins for Prefect's migrated database in the tests of `flows.prefect_db`.

`make_database` writes a real SQLite file holding an Alembic revision, as a migrated Prefect
database does; `fake_migration` is a command that does the same where Prefect's migration
command would put its database (the URL in PREFECT_SERVER_DATABASE_CONNECTION_URL), in a
hundredth of its time; `failing_migration` one that leaves half a file and fails.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from pathlib import Path

REVISION = "test-revision"

_MAKE = """
import os, sqlite3, sys, time
path = os.environ["PREFECT_SERVER_DATABASE_CONNECTION_URL"].split(":///", 1)[1]
time.sleep(float(sys.argv[1]))
connection = sqlite3.connect(path)
connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
connection.execute("INSERT INTO alembic_version VALUES (?)", (sys.argv[2],))
connection.commit()
connection.close()
"""

_FAIL = """
import os, sys
path = os.environ["PREFECT_SERVER_DATABASE_CONNECTION_URL"].split(":///", 1)[1]
with open(path, "wb") as half:
    half.write(b"SQLite format 3\\x00 and then nothing")
print("migration failed: no such revision", file=sys.stderr)
sys.exit(3)
"""


def make_database(path: Path, revision: str = REVISION) -> Path:
    """A real SQLite file at `path` whose alembic_version table holds `revision`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
        connection.commit()
    return path


def fake_migration(pause: float = 0.0, revision: str = REVISION) -> list[str]:
    """A command that makes a migrated-looking database where Prefect's command would, after
    `pause` seconds."""
    return [sys.executable, "-c", _MAKE, str(pause), revision]


def failing_migration() -> list[str]:
    """A command that writes the start of a database, says why it failed, and exits with 3."""
    return [sys.executable, "-c", _FAIL]
