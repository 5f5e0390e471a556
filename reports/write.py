"""`write_report`: every output of one system and year into a folder."""

from __future__ import annotations

import os
from pathlib import Path

from reports.applications import section_three
from reports.data import ReportData, load
from reports.export import markdown, write_csv, write_xlsx
from reports.html import write_html
from reports.tables import report_tables
from reports.text import section_two

FORMATS = ("html", "xlsx", "csv", "md")


def stem(data: ReportData) -> str:
    return f"xxgk-report-{data.system_id}-{data.year}"


def write_report(
    published_path: str | os.PathLike, system_id: str, year: int, out_dir: Path, formats: tuple[str, ...] = FORMATS
) -> dict[str, list[Path]]:
    """Write the asked formats; return the files written per format.

    csv writes one file per table (`STEM-KEY.csv`). Raises KeyError for an unknown system and
    ValueError for an unknown format.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)} (formats: {', '.join(FORMATS)})")
    data = load(published_path, system_id, year)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / stem(data)
    tables = report_tables(data)
    written: dict[str, list[Path]] = {}
    if "html" in formats:
        written["html"] = [write_html(data, base.with_suffix(".html"), source=Path(published_path).name)]
    if "xlsx" in formats:
        written["xlsx"] = [write_xlsx(tables, base.with_suffix(".xlsx"))]
    if "csv" in formats:
        written["csv"] = [write_csv(t, out_dir / f"{base.name}-{t.key}.csv") for t in tables]
    if "md" in formats:
        path = base.with_suffix(".md")
        paragraphs = section_two(data) + section_three(data.year, data.unit_name, data.tables)
        path.write_text(markdown(paragraphs, tables[:-1]), encoding="utf-8")
        written["md"] = [path]
    return written
