"""The offline HTML report: one self-contained file (plotly.js inlined, no request leaves it).

Every text from the warehouse goes through `esc` (html.escape) before it reaches the page, so
a title `<script>…` or `<img onerror=…>` is shown as text. A Content-Security-Policy meta
tag is the second wall: it forbids every network source, forms and `<base>`, and lets run
only the scripts the page was written with, each named by its SHA-256 (plotly.js and one
script per chart; no `unsafe-inline`, no `unsafe-eval`), so even a missed escape could
neither run nor load anything. Figures from `totals()` carry `data-figure`
attributes (`levels.city.held`, `categories.city.topic.组织机构`) so that a test or a reader
can check them against `xxgk totals --json`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import plotly.offline

from reports.applications import applications_html, section_three
from reports.charts import all_charts
from reports.data import ReportData
from reports.tables import Table, report_tables
from reports.template import NOT_DERIVABLE, section_two_tables
from reports.text import LEVEL_WORDS, SCHEME_WORDS, section_two

#: The policy's fixed part; `policy()` adds the hashes of the page's own scripts and style.
CSP_FIXED = (
    "default-src 'none'; img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)
#: The style attributes plotly writes on a chart's divs; moved into the page's style sheet.
_DIV_STYLE = re.compile(r'<div ([^<>]*?)style="([^"<>]*)"')
#: plotly.js injects the map library's style sheet unless an element with this id exists; the
#: report draws no maps, so a placeholder keeps the sheet (and its refusal by the policy) out.
_MAP_STYLE_ID = re.compile(r'getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)')
MEASURES = (
    ("held", "年末累计"),
    ("official_held", "其中公文类"),
    ("new", "本年新增"),
    ("official_new", "新增公文类"),
    ("fulltext_held", "全文电子化"),
)
STYLE = """
body{font-family:sans-serif;margin:2em auto;max-width:1200px;color:#222;line-height:1.5}
h1{font-size:1.5em}h2{border-bottom:2px solid #335;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#e8eef4}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.nd{color:#a33;font-style:italic}p.note{color:#555;font-size:.85em}
.scroll{max-height:32em;overflow:auto}.chart{margin:1em 0}
.tables-row{display:flex;flex-wrap:wrap;gap:1em}
"""


def esc(value: Any) -> str:
    """Any value as HTML text (quotes escaped too, for attributes)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value), quote=True)


def _cell(value: Any, attrs: str = "") -> str:
    cls = "num" if isinstance(value, int | float) and not isinstance(value, bool) else ""
    cls = "nd" if value == NOT_DERIVABLE else cls
    return f'<td class="{cls}"{attrs}>{esc(value)}</td>'


def table_html(table: Table, scroll: bool = False) -> str:
    if not table.rows:
        return f"<h3>{esc(table.title)}</h3><p>（无）</p>"
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(_cell(row[c]) for c in table.columns) + "</tr>" for row in table.rows)
    inner = f'<table id="table-{esc(table.key)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return f"<h3>{esc(table.title)}</h3>" + (f'<div class="scroll">{inner}</div>' if scroll else inner)


def figures_html(data: ReportData) -> str:
    """The levels of `totals()`, every cell marked with its JSON path."""
    head = "<th>层级</th>" + "".join(f"<th>{esc(title)}</th>" for _, title in MEASURES)
    rows = []
    for level, row in data.figures["levels"].items():
        cells = "".join(_cell(row[key], f' data-figure="levels.{esc(level)}.{key}"') for key, _ in MEASURES)
        rows.append(f"<tr><td>{esc(LEVEL_WORDS.get(level, '全系统'))}</td>{cells}</tr>")
    return f'<table id="figures"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def categories_html(data: ReportData) -> str:
    parts = []
    for level, schemes in data.figures["categories"].items():
        for scheme, counts in schemes.items():
            rows = "".join(
                f"<tr><td>{esc(category)}</td>"
                + _cell(n, f' data-figure="categories.{esc(level)}.{scheme}.{esc(category)}"')
                + "</tr>"
                for category, n in counts.items()
            )
            title = f"{LEVEL_WORDS.get(level, '全系统')} · {SCHEME_WORDS[scheme]}"
            parts.append(
                f"<table><thead><tr><th>{esc(title)}</th><th>新增条数</th></tr></thead><tbody>{rows}</tbody></table>"
            )
    return '<div class="tables-row">' + "".join(parts) + "</div>"


def template_html(data: ReportData) -> str:
    parts = []
    for table in section_two_tables(data):
        head = "<th>信息内容</th>" + "".join(f"<th>{esc(c)}</th>" for c in table.columns)
        body = "".join(
            f"<tr><td>{esc(label)}</td>" + "".join(_cell(c) for c in cells) + "</tr>" for label, cells in table.rows
        )
        notes = "".join(f'<p class="note">{esc(n)}</p>' for n in table.notes)
        parts.append(
            f'<h3>{esc(table.title)}</h3><table id="template-{table.key}"><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table>{notes}"
        )
    return "".join(parts)


def _chart(chart_id: str, figure: Any, scripts: list[str], styles: list[str]) -> str:
    """A chart's div and script. The script's text is added to `scripts` for the policy, the
    div's size to `styles` as a rule of the page's style sheet (the policy allows no style
    attribute). The fragment is plotly's own output, whose data is JSON with `<` escaped, so
    the only script in it is the one plotly wrote."""
    fragment = figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=chart_id, config={"displaylogo": False, "responsive": True}
    )
    scripts.extend(_SCRIPT.findall(fragment))
    divs, script = fragment.split("<script", 1)
    sized: list[str] = []

    def to_class(match: re.Match) -> str:
        name = f"{chart_id}-div{len(sized)}"
        sized.append(name)
        styles.append(f".{name}{{{match.group(2)}}}")
        attrs = match.group(1)
        if 'class="' in attrs:
            return "<div " + attrs.replace('class="', f'class="{name} ', 1)
        return f'<div class="{name}" {attrs}'

    return '<div class="chart">' + _DIV_STYLE.sub(to_class, divs) + "<script" + script + "</div>"


def _source_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(scripts: list[str], styles: list[str]) -> str:
    """The page's Content-Security-Policy: only these exact inline scripts and styles run."""
    script_src = " ".join(dict.fromkeys(_source_hash(s) for s in scripts))
    style_src = " ".join(dict.fromkeys(_source_hash(s) for s in styles))
    # plotly.js keeps its own rules in an empty <style> it fills through the CSSOM: the hash of
    # the empty text lets that element be, and nothing else.
    return f"{CSP_FIXED}; script-src {script_src}; style-src {style_src} {_source_hash('')}"


def render(data: ReportData, source: str = "") -> str:
    """The whole page as a string."""
    scripts: list[str] = []
    styles: list[str] = []
    tables = {t.key: t for t in report_tables(data)}
    charts = dict(all_charts(data))
    title = f"{data.unit_name}（{data.system_id}）{data.year}年度政府信息公开 主动公开情况"
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in section_two(data))
    portals = data.tables["portals"]
    coverage = (
        f'<p>列表条目 <b id="n-listing-rows">{sum(r["n_rows"] for r in portals)}</b> 条，'
        f'对应不重复文件 <b id="n-distinct">{data.figures["levels"]["all"]["held"]}</b> 件'
        "（不同渠道和方式公开相同信息计1条）。</p>"
    )
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="note">{f"数据来源：{esc(source)}；" if source else ""}生成于 {datetime.now(UTC):%Y-%m-%d %H:%M} UTC</p>',
        '<h2 id="section-two">二、主动公开情况</h2>',
        f'<div id="report-text">{paragraphs}</div>',
        figures_html(data),
        table_html(tables["groups"]),
        categories_html(data),
        *(_chart(f"chart-{s}", charts[f"chart-{s}"], scripts, styles) for s in SCHEME_WORDS),
        "<h2>2021年格式 二、主动公开政府信息情况</h2>",
        template_html(data),
        '<h2 id="section-three">三、依申请公开、收费与复议诉讼</h2>',
        '<div id="applications-text">'
        + "".join(f"<p>{esc(p)}</p>" for p in section_three(data.year, data.unit_name, data.tables))
        + "</div>",
        applications_html(data.tables),
        '<h2 id="reported">年度报告与目录核对</h2>',
        *(
            f"<h3>{esc(t.title)}</h3>" + table_html(t, scroll=True)
            for k, t in tables.items()
            if k.startswith("reported")
        ),
        "<h2>各月新增</h2>",
        _chart("chart-monthly", charts["chart-monthly"], scripts, styles),
        "<h2>各单位</h2>",
        table_html(tables["units"]),
        _chart("chart-units", charts["chart-units"], scripts, styles),
        "<h2>平台覆盖与重叠</h2>",
        coverage,
        table_html(tables["portals"]),
        _chart("chart-portals", charts["chart-portals"], scripts, styles),
        _chart("chart-overlap", charts["chart-overlap"], scripts, styles),
        '<h2 id="scorecards">单位评分</h2>',
        _scorecard_note(),
        table_html(tables["scorecards"], scroll=True),
        _chart("chart-scorecards", charts["chart-scorecards"], scripts, styles),
        "<h2>近期运行状况</h2>",
        table_html(tables["runs"], scroll=True),
        _chart("chart-runs", charts["chart-runs"], scripts, styles),
        "<h2>各晚发布的数字</h2>",
        _chart("chart-history", charts["chart-history"], scripts, styles),
        "<h2>本年文件</h2>",
        table_html(tables["documents"], scroll=True),
    ]
    plotly_js = plotly.offline.get_plotlyjs()
    style = STYLE + "\n".join(styles)
    map_style = "".join(f'<template id="{esc(i)}"></template>' for i in _MAP_STYLE_ID.findall(plotly_js))
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(policy([plotly_js, *scripts], [style]))}">'
        f"<title>{esc(title)}</title><style>{style}</style>{map_style}"
        f'<script type="text/javascript">{plotly_js}</script></head>'
        f"<body>{''.join(body)}</body></html>"
    )


def _scorecard_note() -> str:
    return (
        '<p class="note">及时性：成文日期至发布日期的工作日数（按周一至周五近似，不计节假日调休）；'
        "完整度：索引号、发布机构、发布日期、成文日期、三种分类、体裁（公文另加文号）齐全的比例；"
        "覆盖：本单位平台发布的比例；一致性：各平台字段不一致的比例。公式见 docs/reports.md。</p>"
    )


def write_html(data: ReportData, path: Path, source: str = "") -> Path:
    path.write_text(render(data, source), encoding="utf-8")
    return path
