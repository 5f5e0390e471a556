"""`xxgk reported extract`: files and a URL (a real loopback server) into TOML or JSON."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from helpers.report_files import FIGURES, PROSE, TITLE, write_docx
from typer.testing import CliRunner

from flows.cli.app import app
from reports.reconcile import load_reported

runner = CliRunner()


def test_a_docx_to_toml_that_reconcile_reads(tmp_path):
    report = write_docx(tmp_path / "r.docx", TITLE, PROSE, FIGURES)
    out = tmp_path / "r.toml"
    result = runner.invoke(app, ["reported", "extract", str(report), "--unit", "ly-aic", "--out", str(out)])
    assert result.exit_code == 0, result.output
    claims = load_reported(out)
    assert (claims.system, claims.year, claims.figures) == ("ly-aic", 2022, {"all": {"new": 321}})
    text = out.read_text(encoding="utf-8")
    assert '"licensing_decisions" = 1204' in text and '"repealed" = "/"' in text


def test_json_one_object_per_report_and_a_bad_file_named_with_its_reason(tmp_path):
    good = write_docx(tmp_path / "r.docx", TITLE, PROSE, FIGURES)
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 nothing readable")
    result = runner.invoke(app, ["reported", "extract", str(good), str(bad), "--json"])
    assert result.exit_code == 1
    objects = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [o["kind"] for o in objects] == ["template2021"]
    assert objects[0]["table2"]["licensing_decisions"] == 1204
    assert "scan.pdf: a broken PDF" in result.output


def test_a_url_is_fetched_through_the_http_client(tmp_path):
    body = write_docx(tmp_path / "r.docx", TITLE, PROSE, FIGURES).read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/2022nb.docx"
        result = runner.invoke(app, ["reported", "extract", url, "--json"])
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["core"]["proactive_new"] == 321
