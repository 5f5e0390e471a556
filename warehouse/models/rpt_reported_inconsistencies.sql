-- materialized: table
-- grain: one row per unit × year × position: each sum of the unit's annual report for the year
-- that the report's own figures do not give (a stated share its counts do not give, levels
-- that do not add up, table 三's columns …: docs/reports.md, The report's own arithmetic), as
-- the reader found them in the source fct_reported_figures holds. Never corrected: reported.
WITH sources AS (
    SELECT DISTINCT f.unit_id, f.year, f.doc_id, f.source_url, a.read_run_id
    FROM fct_reported_figures AS f
    JOIN fct_annual_reports AS a ON a.doc_id = f.doc_id
),
listed AS (
    SELECT s.unit_id, s.year, s.doc_id, s.source_url, CAST(json(r.inconsistencies) AS JSON[]) AS items
    FROM sources AS s
    JOIN stg_reported_reads AS r
        ON r.doc_id = s.doc_id AND r.run_id = s.read_run_id AND r.source_url = s.source_url
    WHERE r.inconsistencies IS NOT NULL
),
items AS (
    SELECT unit_id, year, doc_id, source_url, unnest(items) AS item, unnest(range(1, len(items) + 1)) AS position
    FROM listed
)
SELECT
    unit_id,
    year,
    position,
    doc_id,
    source_url,
    item ->> 'check' AS check_name,
    CAST(item ->> 'left' AS DOUBLE) AS own_value,
    CAST(item ->> 'right' AS DOUBLE) AS stated_value,
    json_keys(item -> 'figures') AS figures
FROM items
