"""The `xxgk` command line: every command explains itself with an example, scraped text is
printed inert, and wrong input gets a clear message and a non-zero exit."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from flows.cli.app import app, print_totals
from flows.ui.render import build_notes, clean, md, run_summary_table, safe, summary_markdown

runner = CliRunner()


def flat(output: str) -> str:
    """The output with the terminal's line wrapping undone."""
    return " ".join(output.split())


COMMANDS = [
    [],
    ["portal"],
    ["demo"],
    ["sync"],
    ["totals"],
    ["portal", "test"],
    ["serve"],
    ["gc"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command) or "xxgk")
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"xxgk {' '.join(command)}".strip() in result.output


def test_top_level_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for name in ("demo", "sync", "totals", "sim", "portal", "serve"):
        assert name in result.output


HOSTILE = '[bold red]x[/]\x1b[2J\x1b]0;pwned\x07<script>alert(1)</script>\u202eevil\r\n=HYPERLINK("x")'


def test_clean_drops_control_characters_and_bidi_overrides() -> None:
    text = clean(HOSTILE)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\r" not in text
    assert "[bold red]x[/]" in text  # markup stays as literal text
    assert text.startswith("[bold red]x[/][2J]0;pwned<script>")


def render(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=300, color_system="truecolor", force_terminal=True).print(renderable)
    return out.getvalue()


def test_hostile_strings_print_literally_in_tables() -> None:
    printed = render(run_summary_table([{"portal_id": "p", "status": "failed", "reason": HOSTILE}]))
    assert "[bold red]x[/]" in printed
    assert "\x1b[2J" not in printed and "\x1b]0;" not in printed and "\u202e" not in printed
    assert safe(HOSTILE).plain == clean(HOSTILE)


def test_printed_totals_escape_category_names() -> None:
    figures = {
        "system": "ly-aic",
        "year": 2012,
        "levels": {"all": {"held": 3, "new": 2}, "city": {"held": 3, "new": 2}},
        "categories": {"city": {"topic": {HOSTILE: 1, "未分类": 1}}},
    }
    out = io.StringIO()
    print_totals(figures, Console(file=out, width=300, force_terminal=True))
    printed = out.getvalue()
    assert "[bold red]x[/]" in printed and "\x1b[2J" not in printed
    assert "50.00%" in printed  # 1 of the 2 new documents


def test_markdown_escapes_table_syntax() -> None:
    assert md("a|b") == "a\\|b"
    assert md("<script>") == "\\<script\\>"
    text = summary_markdown("20121231T020000Z", [{"portal_id": "p", "reason": "x | y\n[z](javascript:1)"}], "ok", False)
    row = text.splitlines()[4]
    assert row.count(" | ") == 14  # fifteen cells: the reason's pipe did not add a column
    assert "\\[z\\]\\(javascript:1\\)" in row


def test_build_notes_name_the_undated_and_the_uncounted_documents() -> None:
    assert build_notes({"documents": 10, "undated_documents": 0, "uncounted_documents": 0}) == []
    assert build_notes({"undated_documents": 3, "uncounted_documents": 1}) == [
        "3 documents without a published date (dated by first sighting; rpt_undated_documents)",
        "1 document left out of the counts (no unit or not 主动公开; rpt_uncounted_documents)",
    ]


def test_totals_without_a_published_warehouse(tmp_path: Path) -> None:
    config = tmp_path / "xxgk.toml"
    config.write_text('[[unit]]\nid = "ly-aic"\nname = "龙岩市工商行政管理局"\nlevel = "city"\n', encoding="utf-8")
    result = runner.invoke(app, ["totals", "--config", str(config), "--system", "ly-aic", "--year", "2012"])
    assert result.exit_code == 1
    assert "no published warehouse" in flat(result.output) and "xxgk sync" in flat(result.output)


def test_totals_of_an_unknown_system(tmp_path: Path) -> None:
    config = tmp_path / "xxgk.toml"
    config.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["totals", "--config", str(config), "--system", "nope", "--year", "2012"])
    assert result.exit_code == 2
    assert "no unit 'nope'" in flat(result.output)


def test_sync_of_an_unknown_portal(tmp_path: Path) -> None:
    config = tmp_path / "xxgk.toml"
    config.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["sync", "--config", str(config), "--portal", "ly-gov"])
    assert result.exit_code == 2
    assert "no portal ly-gov" in flat(result.output)


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    keep = tmp_path / "precious.txt"
    keep.write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["demo", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "was not made by `xxgk demo`" in flat(result.output)
    assert keep.read_text(encoding="utf-8") == "mine"


def test_demo_world_starts_in_a_child_process_and_stops(tmp_path: Path) -> None:
    import urllib.request

    from flows.config.load import load_config
    from flows.demo import prepare_data_dir, start_world, stop_world

    data_dir = prepare_data_dir(tmp_path / "demo")
    child = start_world(data_dir / "xxgk.toml", data_dir, data_dir / "sim.log")
    try:
        config = load_config(data_dir / "xxgk.toml")
        assert config.warehouse.path == data_dir / "xxgk.duckdb"
        assert config.warehouse.data_dir == data_dir / "data"
        assert len(config.portals) == 11
        with urllib.request.urlopen(config.portal("ly-aic-xxgk").url, timeout=10) as response:
            assert response.status == 200
    finally:
        stop_world(child)
    assert child.returncode == 0  # SIGINT ends the simulator cleanly, not the kill after it
    (data_dir / "data" / "prefect").mkdir(parents=True)
    (data_dir / "data" / "landing").mkdir()
    prepare_data_dir(data_dir)  # a second demo empties the folder but keeps Prefect's home
    assert sorted(p.name for p in data_dir.iterdir()) == [".xxgk-demo", "data"]
    assert [p.name for p in (data_dir / "data").iterdir()] == ["prefect"]


@pytest.fixture(scope="module")
def sim_world(tmp_path_factory):
    from sim.server import start

    with start(port=0) as sim:
        yield sim, sim.write_config(tmp_path_factory.mktemp("probe") / "xxgk.toml")


@pytest.mark.parametrize("portal_id", ["ly-gov", "ly-sh-aic-site", "fj-aic-ssp"])
def test_portal_test_shows_rows_and_detail_fields(sim_world, portal_id: str) -> None:
    sim, config = sim_world
    result = runner.invoke(
        app, ["portal", "test", "--config", str(config), portal_id, "--rows", "5"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    printed = flat(result.output)
    assert "listing rows" in printed and "ok: rows and detail fields found" in printed
    detail_rows = {
        cells[0]: cells[1:]
        for cells in ([c.strip() for c in line.split("│") if c.strip()] for line in result.output.splitlines())
        if cells
    }
    assert re.fullmatch(r"\d{8}-[0-9X]/20\d\d-\d{5}", detail_rows["index_no"][-1])  # read from the detail page
    assert detail_rows["published_date"][-1].startswith("20")
    assert not (config.parent / "data").exists(), "a probe writes nothing"


def test_portal_test_reports_a_changed_layout(sim_world) -> None:
    sim, config = sim_world
    sim.set_faults(["ly-hongdun:layout"])
    try:
        result = runner.invoke(app, ["portal", "test", "--config", str(config), "ly-hongdun"], terminal_width=200)
    finally:
        sim.set_faults([])
    assert result.exit_code == 1
    assert "listing page: LayoutChanged" in flat(result.output)


def test_sim_command_delegates_to_the_simulator() -> None:
    result = runner.invoke(app, ["sim", "--help"])
    assert result.exit_code == 0
    assert "--write-config" in result.output and "--fault" in result.output


def test_totals_of_a_unit_added_since_the_last_build(tmp_path: Path) -> None:
    from flows.config.load import load_config
    from flows.night.publish import build_warehouse

    config = tmp_path / "xxgk.toml"
    config.write_text('[[unit]]\nid = "ly-aic"\nname = "龙岩市工商行政管理局"\nlevel = "city"\n', encoding="utf-8")
    assert build_warehouse(load_config(config)).ok  # an empty warehouse that knows ly-aic
    result = runner.invoke(app, ["totals", "--config", str(config), "--system", "ly-aic", "--year", "2012", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["levels"]["all"]["held"] == 0
    config.write_text(
        config.read_text(encoding="utf-8")
        + '[[unit]]\nid = "ly-xl-aic"\nname = "新罗区工商局"\nlevel = "county"\nparent = "ly-aic"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["totals", "--config", str(config), "--system", "ly-xl-aic", "--year", "2012"])
    assert result.exit_code == 1
    assert "'ly-xl-aic' is not a configured unit" in flat(result.output) and "xxgk sync" in flat(result.output)


def test_report_groups_add_up_the_named_categories_of_the_city_level() -> None:
    from flows.demo import report_groups

    figures = {
        "levels": {"city": {"new": 10}},
        "categories": {
            "city": {
                "topic": {"组织机构": 2, "统计信息": 3, "人事信息": 5},
                "function": {"消费维权": 4, "未分类": 6},
                "audience": {"服务企业": 1, "服务消费者": 2, "服务其他群体": 7},
            }
        },
    }
    groups = {(scheme, names[0]): (n, total) for scheme, names, n, total in report_groups(figures)}
    assert groups[("topic", "组织机构")] == (5, 10)  # 人事信息 is not one of the report's five
    assert groups[("function", "内资企业注册")] == (4, 10)
    assert groups[("audience", "服务企业")] == (3, 10)
    assert groups[("audience", "服务其他群体")] == (7, 10)
