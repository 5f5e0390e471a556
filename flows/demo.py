"""`xxgk demo`: the simulated Longyan 2012 world, harvested by the nightly flow, then its figures.

The simulator runs in a child process so its serving does not compete with the harvest for
the GIL. Its written config is the truth about where each portal listens; the demo's data
dir holds that config, the landing files, the state and the published warehouse.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.panel import Panel

from flows import prefect_env, prefect_server
from flows.config.load import load_config
from flows.ui.render import category_tables, levels_table, safe
from reports.groups import report_groups

MARKER = ".xxgk-demo"
SYSTEM, YEAR = "ly-aic", 2012
SIM_START_TIMEOUT = 60.0


class DemoError(RuntimeError):
    """The demo cannot run (its data dir belongs to something else, or the world did not start)."""


def prepare_data_dir(data_dir: Path) -> Path:
    """An empty demo dir, except Prefect's home (`data/prefect`: a warm database starts faster).

    A non-empty folder that a previous demo did not make is refused, never wiped.
    """
    data_dir = data_dir.resolve()
    if data_dir.exists() and any(data_dir.iterdir()) and not (data_dir / MARKER).exists():
        raise DemoError(f"{data_dir} exists and was not made by `xxgk demo`; choose another --data-dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    _empty(data_dir, keep={MARKER, "data"})
    if (data_dir / "data").is_dir():
        _empty(data_dir / "data", keep={"prefect"})
    (data_dir / MARKER).write_text("made by `xxgk demo`; the next demo empties this folder\n", encoding="utf-8")
    return data_dir


def _empty(folder: Path, keep: set[str]) -> None:
    """Remove everything in `folder` but the names in `keep`."""
    for child in folder.iterdir():
        if child.name in keep:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def start_world(config_path: Path, data_dir: Path, log_path: Path) -> subprocess.Popen:
    """Start the simulator on free loopback ports; return once it has written its config.

    Its output goes to a log file (a pipe nobody reads could fill and stall it); the line
    `config written to` there says the config file is whole.
    """
    command = [
        sys.executable,
        "-m",
        "sim",
        "--port",
        "0",
        "--write-config",
        str(config_path),
        "--data-dir",
        str(data_dir / "data"),
        "--warehouse",
        str(data_dir / "xxgk.duckdb"),
    ]
    with log_path.open("wb") as log:
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=data_dir)
    deadline = time.monotonic() + SIM_START_TIMEOUT
    while "config written to" not in _tail(log_path):
        if child.poll() is not None:
            raise DemoError(f"the simulator exited with code {child.returncode}:\n{_tail(log_path)}")
        if time.monotonic() > deadline:
            stop_world(child)
            raise DemoError(f"the simulator wrote no config within {SIM_START_TIMEOUT:.0f} s:\n{_tail(log_path)}")
        time.sleep(0.05)
    return child


def stop_world(child: subprocess.Popen) -> None:
    """Stop the simulator: SIGINT (how it is meant to be stopped), then kill if it lingers."""
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGINT if os.name == "posix" else signal.SIGTERM)
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(timeout=5)


def _tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file, for an error message."""
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def run_demo(data_dir: Path, console: Console) -> int:
    """Run the demo end to end; return the process exit code."""
    started = time.monotonic()
    try:
        data_dir = prepare_data_dir(data_dir)
    except DemoError as exc:
        console.print(safe(str(exc), "red"))
        return 2
    prefect_env.configure(data_dir / "data")  # where `xxgk sync` on the demo's config puts it too
    config_path = data_dir / "xxgk.toml"
    console.print(f"Starting the simulated Longyan 2012 world (config: {config_path}) ...", markup=False)
    try:
        child = start_world(config_path, data_dir, data_dir / "sim.log")
    except DemoError as exc:
        console.print(safe(str(exc), "red"))
        return 1
    try:
        config = load_config(config_path)
        import_demo_register(config, config_path, console)
        with prefect_server.temporary_server(prefect_env.home()) as server_url:
            if server_url:
                console.print(f"Started Prefect's temporary server (set PREFECT_API_URL to use yours): {server_url}")
            from flows.night.flow import run_nightly

            console.print(f"Harvesting {len(config.portals)} portals with the nightly flow ...", markup=False)
            result = run_nightly(config_path, progress=True)
    except Exception as exc:  # noqa: BLE001 - a crash (not a portal's failure) is told in one line
        console.print(safe(f"the nightly run crashed: {type(exc).__name__}: {exc}", "bold red"))
        return 1
    finally:
        stop_world(child)
    if result.build is None or not result.build.ok:
        console.print("The warehouse was not built; no totals to show.", style="bold red", markup=False)
        return result.exit_code
    from warehouse.build import totals

    figures = totals(config.warehouse.path, SYSTEM, YEAR)
    print_demo_totals(figures, console)
    report = write_demo_report(config.warehouse.path, data_dir)
    console.print(
        Panel.fit(
            f"Warehouse: {config.warehouse.path}\n"
            f"Report:    {report}\n"
            f'Query it:  {sys.executable} -c "import duckdb; '
            f"print(duckdb.connect('{config.warehouse.path}', read_only=True).sql('from fct_totals'))\"\n"
            f"Totals:    {_this_command()} totals --config {config_path} --system {SYSTEM} --year {YEAR} --json\n"
            f"Finished in {time.monotonic() - started:.1f} s",
            title="done",
            border_style="green" if result.ok else "red",
        )
    )
    return result.exit_code


def import_demo_register(config, config_path: Path, console: Console) -> None:
    """Import the world's applications register (written beside its config), as a unit would
    with `xxgk applications import`, so the report has its sections 三 and 四."""
    from flows.cli.applications import import_register

    register = config_path.with_name("applications.csv")
    if register.exists():
        result = import_register(config, register)
        console.print(
            f"Imported the applications register: {result.kept} application(s), {len(result.refused)} refused",
            markup=False,
        )


def write_demo_report(published: Path, data_dir: Path) -> Path:
    """The offline HTML report of the demo's system and year, in the demo's folder."""
    from reports.write import write_report

    return write_report(published, SYSTEM, YEAR, data_dir / "report", formats=("html",))["html"][0]


def _this_command() -> str:
    """How the user called xxgk (`.venv/bin/xxgk` when it is not on their PATH)."""
    invoked = Path(sys.argv[0])
    if invoked.name == "xxgk" and shutil.which("xxgk") != str(invoked.resolve()):
        return str(invoked)
    return "xxgk"


def print_demo_totals(figures: dict, console: Console) -> None:
    """龙岩市工商行政管理局, 2012: held and new per level, then the city level's categories."""
    unit_name = "龙岩市工商行政管理局"
    console.print(f"\n{unit_name} ({SYSTEM}) and its system, {YEAR}", style="bold", markup=False)
    console.print(levels_table(figures))
    console.print(f"\ncity level (市局机关): new documents of {YEAR} by category", style="bold", markup=False)
    for table in category_tables(figures, "city"):
        console.print(table)
    console.print("\nas the report groups them (city level, new in 2012):", style="bold", markup=False)
    for scheme, names, n, total in report_groups(figures):
        share = f"{n / total:.2%}" if total else "-"
        console.print(f"  {scheme:<8} {' + '.join(names)} = {n} of {total} = {share}", markup=False)
