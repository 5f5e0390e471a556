"""Annual-report outputs from the published warehouse: the 主动公开 section as text and tables,
the 2021 national template's section 二 table, an offline HTML report, xlsx/CSV/markdown
exports, and the reconciliation of a unit's reported figures (docs/reports.md).

Reads only the published DuckDB file, opened read-only; never imports connectors, flows or sim.
"""
