"""The report's charts, as Plotly figures.

Why Plotly: its Python package carries plotly.js, so the page inlines it (no CDN, no network,
works from a USB stick) without a second runtime; Altair would need vl-convert (a bundled
JavaScript engine) or the three Vega bundles copied by hand. Chart text that came from the
warehouse (unit names, categories, portal ids) is HTML-escaped before Plotly sees it:
Plotly renders a few tags in labels (<b>, <a>), and escaped text is shown literally
(Plotly turns &lt; back into a visible "<").

Every chart is bars or markers, one mark per data point, so a test can count what was drawn.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

from reports.data import ReportData
from reports.text import LEVEL_WORDS, SCHEME_WORDS

STATUS_COLOURS = {"ok": "#2e7d32", "partial": "#f9a825", "failed": "#c62828"}
SCORE_COLUMNS = (
    ("share_within_20_workdays", "20个工作日内发布率"),
    ("completeness", "要素完整度"),
    ("share_on_own_portal", "本单位平台发布率"),
    ("share_disagreeing", "平台间不一致率"),
)


def label(value: Any) -> str:
    """Warehouse text made literal for a Plotly label."""
    return html.escape("" if value is None else str(value), quote=False)


def _layout(fig: go.Figure, title: str, height: int = 360, **more: Any) -> go.Figure:
    fig.update_layout(
        title=label(title),
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        template="plotly_white",
        font={"family": "sans-serif"},
        **more,
    )
    return fig


def monthly(data: ReportData) -> go.Figure:
    """New items per month, one bar series per level (12 bars each)."""
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for row in data.tables["monthly"]:
        counts[row["level"]][row["month"]] = row["n"]
    fig = go.Figure(
        [
            go.Bar(
                name=label(LEVEL_WORDS.get(level, level)),
                x=list(range(1, 13)),
                y=[by_month.get(m, 0) for m in range(1, 13)],
            )
            for level, by_month in sorted(counts.items())
        ]
    )
    return _layout(
        fig, f"{data.year}年各月新增主动公开信息（按层级）", barmode="stack", xaxis={"title": "月", "dtick": 1}
    )


def categories(data: ReportData, scheme: str) -> go.Figure:
    """One scheme's new items by category, one bar series per level."""
    traces = []
    for level, schemes in data.figures["categories"].items():
        if level == "all" or not schemes.get(scheme):
            continue
        items = sorted(schemes[scheme].items(), key=lambda kv: kv[1])
        traces.append(
            go.Bar(
                name=label(LEVEL_WORDS.get(level, level)),
                orientation="h",
                x=[n for _, n in items],
                y=[label(c) for c, _ in items],
            )
        )
    return _layout(go.Figure(traces), f"新增信息{SCHEME_WORDS[scheme]}", height=420, barmode="group")


def units(data: ReportData) -> go.Figure:
    """Held and new per unit of the system."""
    rows = data.tables["units"]
    names = [label(row["unit_name"]) for row in rows]
    fig = go.Figure(
        [
            go.Bar(name="年末累计", y=names, x=[row["held"] for row in rows], orientation="h"),
            go.Bar(name="本年新增", y=names, x=[row["new"] for row in rows], orientation="h"),
        ]
    )
    return _layout(fig, "各单位主动公开信息", height=max(360, 28 * len(rows)), barmode="group")


def portals(data: ReportData) -> go.Figure:
    """Per portal: listing rows against distinct documents, and those only it lists."""
    rows = data.tables["portals"]
    ids = [label(row["portal_id"]) for row in rows]
    fig = go.Figure(
        [
            go.Bar(name=title, x=ids, y=[row[key] for row in rows])
            for key, title in (("n_rows", "列表条目"), ("n_documents", "不重复文件"), ("n_only_here", "仅此平台"))
        ]
    )
    return _layout(fig, "各平台：列表条目与不重复文件（不同渠道公开相同信息计1条）", barmode="group")


def overlap(data: ReportData) -> go.Figure:
    """Which portals carry each unit's documents: one stacked bar series per portal."""
    names = {row["unit_id"]: label(row["unit_name"]) for row in data.tables["units"]}
    by_portal: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in data.tables["overlap"]:
        by_portal[row["portal_id"]].append(row)
    fig = go.Figure(
        [
            go.Bar(
                name=label(portal),
                orientation="h",
                x=[r["n"] for r in rows],
                y=[names.get(r["unit_id"], label(r["unit_id"])) for r in rows],
            )
            for portal, rows in sorted(by_portal.items())
        ]
    )
    return _layout(
        fig, "各单位文件由哪些平台发布（每个平台的不重复文件数）", height=max(380, 28 * len(names)), barmode="stack"
    )


def runs(data: ReportData) -> go.Figure:
    """The last nights per portal: one marker per run, coloured by status."""
    by_status: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in data.tables["runs"]:
        by_status[row["status"]].append(row)
    fig = go.Figure(
        [
            go.Scatter(
                name=label(status),
                mode="markers",
                x=[label(r["run_id"]) for r in rows],
                y=[label(r["portal_id"]) for r in rows],
                marker={"size": 14, "color": STATUS_COLOURS.get(status, "#555")},
                text=[label(r["reason"]) for r in rows],
            )
            for status, rows in sorted(by_status.items())
        ]
    )
    return _layout(fig, "近期各平台运行状况", height=max(360, 30 * len({r["portal_id"] for r in data.tables["runs"]})))


def history(data: ReportData) -> go.Figure:
    """The year's held figure as each published night counted it, one line per level."""
    by_level: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in data.tables["history"]:
        by_level[row["level"]].append(row)
    fig = go.Figure(
        [
            go.Scatter(
                name=label(LEVEL_WORDS.get(level, "全系统")),
                mode="lines+markers",
                x=[label(r["run_id"]) for r in rows],
                y=[r["held"] for r in rows],
            )
            for level, rows in sorted(by_level.items())
        ]
    )
    return _layout(fig, f"{data.year}年末累计主动公开：各晚发布的数字", height=360)


def scorecards(data: ReportData) -> go.Figure:
    """Four scores per unit (0-1); a missing score is drawn as 0."""
    rows = data.tables["scorecards"]
    names = [label(row["unit_name"]) for row in rows]
    fig = go.Figure(
        [
            go.Bar(name=title, y=names, x=[row[key] or 0 for row in rows], orientation="h")
            for key, title in SCORE_COLUMNS
        ]
    )
    return _layout(
        fig,
        f"单位评分（{data.year}年文件）",
        height=max(380, 60 * len(rows)),
        barmode="group",
        xaxis={"tickformat": ".0%", "range": [0, 1]},
    )


def all_charts(data: ReportData) -> list[tuple[str, go.Figure]]:
    """(id, figure) in page order."""
    charts = [("chart-monthly", monthly(data))]
    charts += [(f"chart-{scheme}", categories(data, scheme)) for scheme in SCHEME_WORDS]
    charts += [
        ("chart-units", units(data)),
        ("chart-portals", portals(data)),
        ("chart-overlap", overlap(data)),
        ("chart-scorecards", scorecards(data)),
        ("chart-runs", runs(data)),
        ("chart-history", history(data)),
    ]
    return charts
