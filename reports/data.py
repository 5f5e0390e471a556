"""Everything a report shows, read once from the published warehouse (read-only).

`load(published_path, system_id, year)` returns a `ReportData`: the figures of
`xxgk totals --json` (warehouse/totals.py, the same function), and the rows behind the
tables and charts, each query scoped to the system (the unit and its descendants in
dim_units) and the year. Counted documents are those of docs/counting.md: 主动公开 with a
unit; new in Y = counted_date in Y and not withdrawn by Y-12-31.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import duckdb

from reports.applications import APPLICATION_QUERIES
from reports.reported import REPORTED_QUERIES
from warehouse.totals import totals

#: The system's units: the unit and all its descendants (dim_units.parent_unit_id).
_SYSTEM = """
WITH RECURSIVE sys(unit_id) AS (
    SELECT unit_id FROM dim_units WHERE unit_id = $system
    UNION
    SELECT u.unit_id FROM dim_units AS u JOIN sys ON u.parent_unit_id = sys.unit_id
)"""
_COUNTED = "d.disclosure = '主动公开' AND d.unit_id IN (SELECT unit_id FROM sys)"
_HELD = f"""{_COUNTED} AND year(d.counted_date) <= $year
    AND (d.withdrawn_date IS NULL OR year(d.withdrawn_date) > $year)"""
_NEW = f"{_HELD} AND year(d.counted_date) = $year"

QUERIES: dict[str, str] = {
    "unit": "SELECT unit_id, unit_name, level FROM dim_units WHERE unit_id = $system",
    "monthly": f"""{_SYSTEM}
        SELECT month(d.counted_date) AS month, d.level, count(*) AS n
        FROM fct_documents AS d WHERE {_NEW} GROUP BY ALL ORDER BY month, level""",
    "units": f"""{_SYSTEM}
        SELECT u.unit_id, u.unit_name, u.level,
               count(d.doc_id) FILTER (WHERE {_HELD}) AS held,
               count(d.doc_id) FILTER (WHERE {_HELD} AND d.is_official) AS official_held,
               count(d.doc_id) FILTER (WHERE {_NEW}) AS new
        FROM dim_units AS u LEFT JOIN fct_documents AS d ON d.unit_id = u.unit_id
        WHERE u.unit_id IN (SELECT unit_id FROM sys)
        GROUP BY ALL ORDER BY u.level, u.unit_id""",
    "portals": f"""{_SYSTEM}, held AS (SELECT d.doc_id FROM fct_documents AS d WHERE {_HELD}),
        lists AS (SELECT s.portal_id, s.doc_id, s.is_origin,
                         count(*) OVER (PARTITION BY s.doc_id) AS n_portals
                  FROM fct_sightings AS s JOIN held USING (doc_id) WHERE NOT s.is_withdrawn)
        SELECT p.portal_id, p.portal_name, count(l.doc_id) AS n_rows,
               count(DISTINCT l.doc_id) AS n_documents,
               count(*) FILTER (WHERE l.is_origin) AS n_origin,
               count(*) FILTER (WHERE l.n_portals = 1) AS n_only_here
        FROM dim_portals AS p JOIN lists AS l USING (portal_id)
        GROUP BY ALL ORDER BY p.portal_id""",
    "overlap": f"""{_SYSTEM}
        SELECT d.unit_id, s.portal_id, count(DISTINCT d.doc_id) AS n
        FROM fct_documents AS d JOIN fct_sightings AS s USING (doc_id)
        WHERE {_HELD} AND NOT s.is_withdrawn GROUP BY ALL ORDER BY d.unit_id, s.portal_id""",
    "runs": """
        WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY portal_id ORDER BY run_id DESC) AS k
                        FROM fct_portal_runs)
        SELECT portal_id, run_id, mode, status, coalesce(reason, '') AS reason, n_rows,
               n_new_sightings, is_quarantined
        FROM ranked WHERE k <= $nights ORDER BY portal_id, run_id""",
    # every published night's figures of the system's year (fct_totals_history)
    "history": """SELECT run_id, level, held, new, official_held, fulltext_held FROM fct_totals_history
        WHERE system_id = $system AND year = $year ORDER BY run_id, level""",
    "regulations": """SELECT kind, kind_label, issued, marked_repealed, valid FROM fct_regulation_counts
        WHERE system_id = $system AND year = $year ORDER BY kind DESC""",
    "scorecards": f"""{_SYSTEM}
        SELECT u.unit_name, c.* FROM fct_unit_scorecards AS c JOIN dim_units AS u USING (unit_id)
        WHERE c.unit_id IN (SELECT unit_id FROM sys) AND c.year = $year ORDER BY c.unit_id""",
    "documents": f"""{_SYSTEM}
        SELECT d.doc_id, d.unit_id, d.level, d.title, d.index_no, d.doc_no, d.publisher_name,
               d.published_date, d.written_date, d.topic, d."function", d.audience, d.genre,
               d.validity, d.disclosure, d.is_official, d.has_fulltext, d.origin_portal_id,
               d.n_sightings, array_to_string(d.disagreeing_fields, ',') AS disagreeing_fields,
               d.withdrawn_date, d.counted_date, d.is_date_inferred
        FROM fct_documents AS d
        WHERE d.unit_id IN (SELECT unit_id FROM sys) AND year(d.counted_date) = $year
        ORDER BY d.counted_date, d.doc_id""",
    **APPLICATION_QUERIES,  # sections 三 and 四 from the applications registers
    **REPORTED_QUERIES,  # the units' own annual reports against the catalog
}


@dataclass
class ReportData:
    """A system's year as the report shows it; each table is a list of dicts."""

    system_id: str
    year: int
    unit_name: str
    unit_level: str
    figures: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    names = {name for name in params if f"${name}" in sql}
    cursor = con.execute(sql, {name: params[name] for name in names})
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def load(published_path: str | os.PathLike, system_id: str, year: int, nights: int = 7) -> ReportData:
    """The report's data; KeyError when the system is not a unit of the published file."""
    figures = totals(published_path, system_id, year)  # raises KeyError for an unknown unit
    params = {"system": system_id, "year": year, "nights": nights}
    con = duckdb.connect(str(published_path), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        tables = {name: _rows(con, sql, params) for name, sql in QUERIES.items()}
    finally:
        con.close()
    unit = tables.pop("unit")[0]
    return ReportData(system_id, year, unit["unit_name"], unit["level"], figures, tables)
