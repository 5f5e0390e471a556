"""The nightly run's plain steps (no Prefect): choosing a mode, harvesting one portal into
landing files whatever happens, and building the warehouse from them.

A small TRS site is served over real HTTP on loopback: two listing pages of `li` rows with
`createPageHTML`, and detail pages with `<p><strong>label</strong>：value</p>` metadata.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.config.load import parse_config
from flows.night.housekeeping import RunLocked, exclusive_run, new_run_id, unused_run_id
from flows.night.publish import build_warehouse
from flows.night.steps import (
    choose_mode,
    flat_dict,
    harvest_portal,
    last_complete_full_run,
    make_client,
)
from warehouse.landing import write_landing
from warehouse.load import load

# Six documents of one unit, newest first; three per listing page.
DOCS = [
    (f"t2012{month:02d}{day:02d}_{1000 + n}", f"2012-{month:02d}-{day:02d}", f"龙岩市工商局关于第{n}号事项的通知", n)
    for n, (month, day) in enumerate([(12, 20), (11, 3), (9, 9), (6, 1), (3, 15), (1, 4)], start=1)
]
PER_PAGE = 3


def listing_page(page: int) -> str:
    rows = DOCS[page * PER_PAGE : (page + 1) * PER_PAGE]
    items = "\n".join(
        f'<li><a href="./{key[1:7]}/{key}.html" title="{title}">{title[:8]}...</a><span>{date}</span></li>'
        for key, date, title, _ in rows
    )
    pages = (len(DOCS) + PER_PAGE - 1) // PER_PAGE
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>信息公开目录_龙岩市工商行政管理局</title></head>'
        '<body><div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/xxgk/">信息公开</a></li></ul></div>'
        f'<div class="list"><ul class="liBox">{items}</ul></div>'
        f'<div class="page"><script>createPageHTML({pages}, {page}, "index", "html");</script></div>'
        "<p>版权所有：龙岩市工商行政管理局 地址：福建省龙岩市 联系电话：0597-0000000</p></body></html>"
    )


def detail_page(key: str) -> str | None:
    for doc_key, date, title, n in DOCS:
        if doc_key == key:
            return (
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
                f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date}"></head><body>'
                '<div class="xxgk_info">'
                f"<p><strong>索引号</strong>：00315478-X/2012-{n:05d}</p>"
                "<p><strong>发布机构</strong>：龙岩市工商行政管理局</p>"
                f"<p><strong>发布日期</strong>：{date}</p>"
                f"<p><strong>文号</strong>：龙工商〔2012〕{n}号</p>"
                "<p><strong>主题分类</strong>：组织机构</p>"
                "<p><strong>体裁分类</strong>：通知</p>"
                "</div>"
                f'<div class="TRS_Editor"><p>{title}。正文内容。</p></div></body></html>'
            )
    return None


class Site(BaseHTTPRequestHandler):
    """The TRS site; `mode` switches it between serving, a WAF challenge and a 503."""

    mode = "ok"
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).requests.append(self.path)
        if self.mode == "unavailable":
            self._send(503, "<html><body>维护中</body></html>")
            return
        if self.mode == "challenge":
            self._send(
                200,
                "<html><head><title>安全验证</title></head><body><script>document.cookie='x=1';"
                "location.reload()</script></body></html>",
            )
            return
        name = self.path.rsplit("/", 1)[-1]
        if self.path.startswith("/xxgk/index"):
            page = 0 if name == "index.html" else int(name.removeprefix("index_").removesuffix(".html"))
            self._send(200, listing_page(page))
            return
        body = detail_page(name.removesuffix(".html"))
        self._send(200 if body else 404, body or "not found")

    def _send(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture
def site():
    Site.mode, Site.requests = "ok", []
    Site.disable_nagle_algorithm = True
    server = QuietServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def config_for(tmp_path: Path, host: str):
    raw = {
        "warehouse": {"path": "pub/xxgk.duckdb", "data_dir": "data"},
        "harvest": {"per_host_delay": 0, "timeout": 5},
        "unit": [{"id": "ly-aic", "name": "龙岩市工商行政管理局", "level": "city", "aliases": ["龙岩市工商局"]}],
        "portal": [
            {
                "id": "ly-site",
                "name": "龙岩",
                "level": "city",
                "platform": "trs",
                "url": f"http://{host}/xxgk/index.html",
                "unit": "ly-aic",
            }
        ],
    }
    return parse_config(raw, tmp_path / "xxgk.toml")


def harvest(config, run_id: str, mode: str = "full", known=None, progress=None):
    client = make_client(config.harvest, config.warehouse.data_dir)
    with client:
        return harvest_portal(
            config.portals[0],
            client,
            data_dir=config.warehouse.data_dir,
            run_id=run_id,
            mode=mode,
            known=known,
            progress=progress,
        )


def run_file(config, run_id: str) -> dict:
    path = config.warehouse.data_dir / "landing" / run_id / "ly-site.run.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_harvest_lands_every_row_with_detail_fields(tmp_path: Path, site: str) -> None:
    config = config_for(tmp_path, site)
    seen = []
    outcome = harvest(config, "20130101T020000Z", progress=lambda *args: seen.append(args))
    assert (outcome.status, outcome.pages, outcome.rows, outcome.new) == ("ok", 2, len(DOCS), len(DOCS))
    assert outcome.requests == 2 + len(DOCS)  # two listing pages, one detail page per new row
    assert not outcome.transient
    table = pq.read_table(config.warehouse.data_dir / "landing" / "20130101T020000Z" / "ly-site.listings.parquet")
    rows = sorted(table.to_pylist(), key=lambda row: row["item_key"])
    assert [row["item_key"] for row in rows] == sorted(key for key, *_ in DOCS)
    first = next(row for row in rows if row["item_key"] == DOCS[0][0])
    assert first["title"] == DOCS[0][2]  # the whole title attribute, not the cut text
    assert first["index_no"] == "00315478-X/2012-00001"
    assert first["doc_no"] == "龙工商〔2012〕1号"
    assert first["topic"] == "组织机构" and first["has_body"] is True
    run = run_file(config, "20130101T020000Z")
    assert (run["status"], run["mode"], run["complete"], run["rows"]) == ("ok", "full", True, len(DOCS))
    assert seen[-1] == ("ly-site", 2, len(DOCS), None)


def test_incremental_night_reads_one_page_and_no_detail(tmp_path: Path, site: str) -> None:
    config = config_for(tmp_path, site)
    harvest(config, "20130101T020000Z")
    assert build_warehouse(config).ok
    from warehouse.build import known_items

    known = known_items(config.warehouse.state_path, "ly-site")
    assert len(known) == len(DOCS)
    Site.requests = []
    outcome = harvest(config, "20130102T020000Z", mode="incremental", known=known)
    assert (outcome.status, outcome.new, outcome.pages) == ("ok", 0, 1)
    assert Site.requests == ["/xxgk/index.html"]


@pytest.mark.parametrize(
    ("mode", "transient", "words"),
    [
        ("unavailable", True, "503"),
        ("challenge", False, "challenge"),
    ],
)
def test_failed_portal_lands_a_failed_run_with_its_reason(tmp_path: Path, site: str, mode, transient, words) -> None:
    config = config_for(tmp_path, site)
    Site.mode = mode
    client_config = config.harvest.model_copy(update={"timeout": 2})
    # one try: the flow's task retries
    client = replace(make_client(client_config, config.warehouse.data_dir), max_attempts=1, backoff=0, backoff_max=0)
    with client:
        outcome = harvest_portal(
            config.portals[0], client, data_dir=config.warehouse.data_dir, run_id="20130101T020000Z", mode="full"
        )
    assert outcome.status == "failed" and outcome.transient is transient
    assert words in outcome.reason
    run = run_file(config, "20130101T020000Z")
    assert run["status"] == "failed" and words in run["reason"] and run["complete"] is False


def test_nothing_listening_is_a_transient_failure(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        host = f"127.0.0.1:{probe.getsockname()[1]}"
    config = config_for(tmp_path, host)
    client = replace(make_client(config.harvest, config.warehouse.data_dir), max_attempts=1)
    with client:
        outcome = harvest_portal(
            config.portals[0], client, data_dir=config.warehouse.data_dir, run_id="20130101T020000Z", mode="full"
        )
    assert outcome.status == "failed" and outcome.transient
    assert outcome.rows == 0
    assert run_file(config, "20130101T020000Z")["status"] == "failed"


def test_build_publishes_and_a_failed_night_keeps_the_data(tmp_path: Path, site: str) -> None:
    config = config_for(tmp_path, site)
    harvest(config, "20130101T020000Z")
    first = build_warehouse(config)
    assert first.ok and first.runs_loaded == 1 and first.rows_loaded == len(DOCS)
    assert first.details["documents"] == len(DOCS)
    assert (first.details["undated_documents"], first.details["uncounted_documents"]) == (0, 0)
    Site.mode = "challenge"
    assert harvest(config, "20130102T020000Z").status == "failed"
    second = build_warehouse(config)
    assert second.ok and second.runs_loaded == 1
    assert second.details["documents"] == len(DOCS)


def test_choose_mode_follows_the_last_complete_full_listing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    state = data_dir / "state.duckdb"
    now = datetime(2013, 1, 10, 2, 0, tzinfo=UTC)

    def land(run_id: str, mode: str, status: str, complete: bool, started: datetime) -> None:
        write_landing(
            data_dir,
            run_id,
            "p",
            [],
            run={
                "portal_id": "p",
                "run_id": run_id,
                "mode": mode,
                "status": status,
                "started_at": started,
                "complete": complete,
            },
        )
        load(state, data_dir)  # as the night does right after the harvest

    assert choose_mode(state, "p", 7, now=now) == "full"  # never listed in full
    land(new_run_id(now - timedelta(days=3)), "full", "ok", True, now - timedelta(days=3))
    land(new_run_id(now - timedelta(days=2)), "full", "partial", False, now - timedelta(days=2))
    land(new_run_id(now - timedelta(days=1)), "incremental", "ok", False, now - timedelta(days=1))
    assert last_complete_full_run(state, "p") == now - timedelta(days=3)
    assert choose_mode(state, "p", 7, now=now) == "incremental"
    assert choose_mode(state, "p", 3, now=now) == "full"  # the complete one is 3 days old
    assert choose_mode(state, "p", 7, force_full=True, now=now) == "full"
    assert choose_mode(state, "other", 7, now=now) == "full"
    # a landed run not yet loaded does not count until it is: the portal is listed in full
    write_landing(
        data_dir,
        new_run_id(now),
        "q",
        [],
        run={
            "portal_id": "q",
            "run_id": new_run_id(now),
            "mode": "full",
            "status": "ok",
            "started_at": now,
            "complete": True,
        },
    )
    assert choose_mode(state, "q", 7, now=now) == "full"


def test_run_ids_sort_by_time_and_are_never_reused(tmp_path: Path) -> None:
    early = new_run_id(datetime(2012, 12, 31, 2, 0, tzinfo=UTC))
    late = new_run_id(datetime(2013, 1, 1, 2, 0, tzinfo=UTC))
    assert early == "20121231T020000Z" and early < late
    now = datetime(2012, 12, 31, 2, 0, tzinfo=UTC)
    assert unused_run_id(tmp_path, now) == early
    (tmp_path / "landing" / early).mkdir(parents=True)
    assert unused_run_id(tmp_path, now) == "20121231T020001Z"


def test_one_run_at_a_time_per_data_dir(tmp_path: Path) -> None:
    with exclusive_run(tmp_path / "data"):
        with pytest.raises(RunLocked, match="another xxgk run is using"), exclusive_run(tmp_path / "data"):
            pass
        with exclusive_run(tmp_path / "other"):  # another data dir is another warehouse
            pass
    with exclusive_run(tmp_path / "data"):  # released when the first run ended
        pass


def test_pages_are_parsed_in_the_threads_by_default_and_in_processes_when_asked(tmp_path):
    from connectors.parse_pool import InlineParser, ParsePool
    from flows.config.model import Harvest
    from flows.night.steps import make_parser_pool

    inline = make_parser_pool(Harvest())
    assert isinstance(inline, InlineParser) and inline.timeout == 20
    with make_parser_pool(Harvest(parse_processes=3, parse_timeout=5)) as pool:
        assert isinstance(pool, ParsePool)
        assert pool.processes == 3 and pool.timeout == 5
        assert pool.parse("sum", sum, [1, 2, 3]) == 6


@pytest.mark.xdist_group("timing")  # a wall-clock bound
def test_request_backoff_sets_the_waits_between_the_attempts_of_one_request(tmp_path):
    """Four attempts at a page that always answers 503: with `request_backoff = 0.05` the
    three waits are at most (0.05 + 0.05) + (0.1 + 0.05) + (0.2 + 0.05) = 0.5 s; the default
    1.0 would wait at least 1 + 2 + 4 = 7 s."""
    from helpers.loopback import LoopbackServer

    from connectors.errors import FetchError
    from connectors.records import Request

    with LoopbackServer() as server:
        server.routes["/busy"] = lambda _: (503, {}, b"busy")
        config = config_for(tmp_path, f"127.0.0.1:{server.port}")
        assert config.harvest.request_backoff == 1.0
        quick = config.harvest.model_copy(update={"request_backoff": 0.05})
        with make_client(quick, config.warehouse.data_dir) as client:
            began = time.monotonic()
            with pytest.raises(FetchError, match="after 4 attempts"):
                client.fetch(Request(server.url("/busy")), [f"127.0.0.1:{server.port}"])
            took = time.monotonic() - began
    assert len(server.hits) == 4 and took < 5, took


def test_landed_records_hold_only_immutable_scalars_so_a_shallow_dict_is_asdict() -> None:
    """`flat_dict` copies no value: the same as `asdict` only while every field of a landed
    record is an immutable scalar. A list or dict field added later fails here."""
    import re
    from dataclasses import asdict, fields

    from connectors.records import FetchLogEntry, Listing

    scalar = {"str", "int", "float", "bool", "date", "datetime", "None"}
    for kind in (Listing, FetchLogEntry):
        for f in fields(kind):
            assert set(re.split(r"\s*\|\s*", str(f.type))) <= scalar, (kind.__name__, f.name, f.type)
        record = kind(**{f.name: None for f in fields(kind)})
        assert flat_dict(record) == asdict(record)
        assert list(flat_dict(record)) == [f.name for f in fields(kind)]
