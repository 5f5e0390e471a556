"""The HTML report in a real browser: Debian's chromium driven by Playwright, offline.

Checks: no console error, every chart drew one mark per data point, the figures in the page
equal `xxgk totals --json`, hostile titles are shown as text and never run, nothing is
requested but the file itself, and the page's Content-Security-Policy refuses every script
and style it was not written with (not one violation on the report as written; a script or
inline handler spliced in past the escaping does not run). Without chromium this FAILS (install it: apt-get install
chromium); it never skips.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers.report_world import HOSTILE_IMG, HOSTILE_SCRIPT, build_report_world

from reports.data import load
from reports.html import write_html
from reports.write import write_report
from warehouse.totals import totals

#: The demo world is harvested once per worker: its tests go to one worker.
pytestmark = pytest.mark.xdist_group("demo-world")
CHARTS = (
    "chart-monthly",
    "chart-topic",
    "chart-function",
    "chart-audience",
    "chart-units",
    "chart-portals",
    "chart-overlap",
    "chart-scorecards",
    "chart-runs",
    "chart-history",
)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("chromium is needed for the browser tests: apt-get update && apt-get install -y chromium")
    return path


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests drive chromium through playwright: pip install -e '.[browser]'")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield browser
        browser.close()


def open_offline(browser, path: Path):
    """The page loaded with the network off and every non-file request aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_offline(True)
    requested: list[str] = []

    def route(r):
        requested.append(r.request.url)
        r.continue_() if r.request.url.startswith("file://") else r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective))"
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === {len(CHARTS)}")
    return page, errors, requested


def test_demo_report_renders_offline_with_its_figures(browser, demo_copy, tmp_path) -> None:
    _, published = demo_copy
    path = write_html(load(published, "ly-aic", 2012), tmp_path / "report.html")
    page, errors, requested = open_offline(browser, path)
    assert errors == []
    assert requested == [path.resolve().as_uri()]
    for chart in CHARTS:
        points = page.evaluate(f"document.getElementById('{chart}').data.reduce((s, t) => s + t.x.length, 0)")
        drawn = page.locator(f"#{chart} .point").count()
        assert points > 0 and drawn == points, chart
    figures = totals(published, "ly-aic", 2012)
    shown = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('[data-figure]')]"
        ".map(e => [e.dataset.figure, e.textContent]))"
    )
    expected = {f"levels.{lv}.{k}": str(v) for lv, row in figures["levels"].items() for k, v in row.items()}
    expected |= {
        f"categories.{lv}.{s}.{c}": str(n)
        for lv, schemes in figures["categories"].items()
        for s, counts in schemes.items()
        for c, n in counts.items()
    }
    assert shown == expected
    text = page.locator("#report-text").inner_text()
    for figure in ("2887", "885", "756", "2002", "1977", "725", "235", "79.57%", "66.81%", "36.17%", "60.00%", "100%"):
        assert figure in text
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hostile_titles_show_as_text_and_never_run(browser, tmp_path) -> None:
    published = build_report_world(tmp_path / "world")
    path = write_html(load(published, "ly-aic", 2012), tmp_path / "hostile.html")
    page, errors, _ = open_offline(browser, path)
    assert errors == []
    assert page.evaluate("window.__pwned === undefined")
    cells = page.locator("#table-documents td").all_inner_texts()
    assert HOSTILE_SCRIPT in cells and HOSTILE_IMG in cells
    assert page.locator("#table-documents img, #table-documents script").count() == 0


def csp_of(html_text: str) -> dict[str, list[str]]:
    """The page's Content-Security-Policy, directive -> sources."""
    content = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', html_text).group(1)
    return {d.split()[0]: d.split()[1:] for d in content.replace("&#x27;", "'").split(";") if d.strip()}


def test_the_policy_allows_no_inline_code_no_eval_no_forms_and_no_base(tmp_path) -> None:
    published = build_report_world(tmp_path / "world")
    policy = csp_of(write_html(load(published, "ly-aic", 2012), tmp_path / "r.html").read_text("utf-8"))
    sources = [source for sources in policy.values() for source in sources]
    assert not any(s in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*") for s in sources), policy
    assert policy["form-action"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["default-src"] == ["'none'"] and policy["connect-src"] == ["'none'"]
    assert policy["script-src"] and all(s.startswith("'sha256-") for s in policy["script-src"])
    # plotly.js and one script per chart: each allowed by its own hash
    assert len(policy["script-src"]) == 1 + len(CHARTS)


def test_a_script_spliced_in_past_the_escaping_does_not_run(browser, tmp_path) -> None:
    published = build_report_world(tmp_path / "world")
    path = write_html(load(published, "ly-aic", 2012), tmp_path / "r.html")
    text = path.read_text("utf-8")
    missed = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><p onclick=x>y</p>'
    path.write_text(text.replace('<h2 id="section-two">', missed + '<h2 id="section-two">', 1), "utf-8")
    page, errors, _ = open_offline(browser, path)
    assert page.evaluate("window.__pwned === undefined")
    refused = [e for e in errors if e.startswith("CSP violation")]
    assert refused.count("CSP violation: script-src-elem") == 1 and "CSP violation: script-src-attr" in refused


def test_the_report_names_no_local_path(tmp_path) -> None:
    published = build_report_world(tmp_path / "world")
    written = write_report(published, "ly-aic", 2012, tmp_path / "out", ("html",))
    text = written["html"][0].read_text("utf-8")
    assert str(tmp_path) not in text and "/world/" not in text
    assert published.name in text  # the file is named, not where it lives
