"""`xxgk gc` on a real data dir: the archived bodies nothing points at and last fetched
before --keep-days are removed, every body something points at stays, whatever its age
(docs/reliability.md, "Retention")."""

from __future__ import annotations

import json
import time
from datetime import date

from helpers.warehouse import land, listing, night
from typer.testing import CliRunner

from connectors.archive import PageArchive
from flows.cli.app import app
from warehouse.load import load

runner = CliRunner()
PORTAL = "ly-aic-xxgk"
CONFIG = '[warehouse]\npath = "data/xxgk.duckdb"\ndata_dir = "data"\n'
DAY = 86_400


def body(name: str) -> bytes:
    return f"<html><body>{name} {'正文' * 50}</body></html>".encode()


def world(tmp_path):
    """An archive of six bodies, each pointed at (or not) in one way, all but one 40 days old:

    - `latest`: the detail page of a sighting's latest row (loaded);
    - `superseded`: the same sighting's detail page an earlier night (loaded, no longer its latest);
    - `unloaded`: the detail page of a row landed but not loaded yet;
    - `validated`: the body a URL's validators belong to (a 304 is answered from it);
    - `stray`: nothing points at it;
    - `young`: nothing points at it, fetched today.
    """
    (tmp_path / "xxgk.toml").write_text(CONFIG, encoding="utf-8")
    data = tmp_path / "data"
    old = time.time() - 40 * DAY
    long_ago = PageArchive(data, clock=lambda: old)
    keys = {name: long_ago.put(body(name)) for name in ("latest", "superseded", "unloaded", "validated", "stray")}
    keys["young"] = PageArchive(data).put(body("young"))
    d1, d2, d3 = (date(2013, 1, day) for day in (5, 6, 7))
    for day, name in ((d1, "superseded"), (d2, "latest")):
        row = listing(PORTAL, "k1", night(day)[1], title=f"文件{name}")
        row["detail_sha256"] = keys[name]
        land(data, day, PORTAL, [row])
    load(data / "state.duckdb", data)
    row = listing(PORTAL, "k2", night(d3)[1])
    row["detail_sha256"] = keys["unloaded"]
    land(data, d3, PORTAL, [row])
    line = {"url": "http://ly.example/index.html", "sha256": keys["validated"], "etag": '"v1"'}
    (data / "validators.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    stored = {key: size for key, size, _ in PageArchive(data).bodies()}
    sizes = {name: stored[key] for name, key in keys.items()}
    return tmp_path / "xxgk.toml", keys, sizes


def kept(tmp_path, keys) -> set[str]:
    """The names whose bodies the archive holds now (read afresh, as a new process would)."""
    archive = PageArchive(tmp_path / "data")
    return {name for name, key in keys.items() if key in archive}


def gc(config, *options: str):
    result = runner.invoke(app, ["gc", "--config", str(config), *options, "--keys"], terminal_width=300)
    assert result.exit_code == 0, result.output
    return result.output


def test_gc_removes_only_old_bodies_nothing_points_at_and_says_what_it_freed(tmp_path):
    config, keys, sizes = world(tmp_path)
    dry = gc(config, "--keep-days", "30", "--dry-run")
    assert kept(tmp_path, keys) == set(keys)  # a dry run removes nothing
    output = gc(config, "--keep-days", "30")
    gone = sorted(keys[name] for name in ("superseded", "stray"))
    freed = sizes["superseded"] + sizes["stray"]
    for text, verb in ((dry, "would remove"), (output, "removed")):
        assert f"archive: {verb} 2 of 6 bodies, {freed:,} bytes of {sum(sizes.values()):,} bytes" in text
        assert "kept 3 older than 30 days that are still referenced and 1 fetched within them" in text
        assert sorted(line for line in text.splitlines() if line in keys.values()) == gone
    assert kept(tmp_path, keys) == {"latest", "unloaded", "validated", "young"}
    archive = PageArchive(tmp_path / "data")
    assert {name: archive.get(keys[name]) for name in ("latest", "young")} == {n: body(n) for n in ("latest", "young")}
    young_time = {key: at for key, _, at in archive.bodies()}[keys["young"]]
    assert young_time > time.time() - DAY  # the bodies moved into a new pack keep their times


def test_nothing_pointed_at_is_removed_however_old(tmp_path):
    config, keys, _ = world(tmp_path)
    gc(config, "--keep-days", "0")  # every body is older than no days
    assert kept(tmp_path, keys) == {"latest", "unloaded", "validated"}
    # once the unloaded row is loaded (and its night's row is the sighting's latest) it is still kept
    load(tmp_path / "data" / "state.duckdb", tmp_path / "data")
    gc(config, "--keep-days", "0")
    assert kept(tmp_path, keys) == {"latest", "unloaded", "validated"}


def test_a_body_stored_again_counts_as_fetched_then(tmp_path):
    page = b"<html>a page fetched again</html>"
    key = PageArchive(tmp_path, clock=lambda: 0.0).put(page)
    assert PageArchive(tmp_path, clock=lambda: 5_000.0).put(page) == key
    assert [(k, at) for k, _, at in PageArchive(tmp_path).bodies()] == [(key, 5_000.0)]
