-- materialized: table
-- grain: one row per unit × year × figure of the unit's annual report for the year, as read
-- (docs/reports.md, Nightly reconciliation). The report is the unit's latest published report
-- document of the year whose latest reading read (fct_annual_reports, read_status 'read'), then
-- its doc_id; its figures are those of one source of that reading: the one stating the most
-- figures, then DOCX, PDF, the detail page, then the URL. A blank cell is a row with
-- is_stated false and no value; `/` is kept as printed (value_text), with no value.
WITH reports AS (
    SELECT
        doc_id,
        unit_id,
        year,
        read_run_id,
        row_number() OVER (PARTITION BY unit_id, year ORDER BY published_date DESC NULLS LAST, doc_id) AS pick
    FROM fct_annual_reports
    WHERE read_status = 'read' AND unit_id IS NOT NULL AND year IS NOT NULL
),
sources AS (
    SELECT
        s.doc_id,
        s.run_id,
        s.source_url,
        row_number() OVER (
            PARTITION BY s.doc_id
            ORDER BY s.n_stated DESC, CASE s.source_kind WHEN 'docx' THEN 0 WHEN 'pdf' THEN 1 WHEN 'page' THEN 2 ELSE 3 END,
                s.source_url
        ) AS pick
    FROM stg_reported_reads AS s
    JOIN reports AS r ON r.doc_id = s.doc_id AND r.read_run_id = s.run_id AND r.pick = 1
    WHERE s.status = 'read'
),
figures AS (
    SELECT
        r.unit_id,
        r.year,
        f.*,
        row_number() OVER (PARTITION BY r.unit_id, r.year, f.figure ORDER BY f.is_stated DESC, f.location) AS once
    FROM stg_reported_figures AS f
    JOIN sources AS s ON s.doc_id = f.doc_id AND s.run_id = f.run_id AND s.source_url = f.source_url AND s.pick = 1
    JOIN reports AS r ON r.doc_id = f.doc_id AND r.pick = 1
)
SELECT
    unit_id,
    year,
    figure,
    doc_id,
    value,
    value_text,
    is_stated AND value_text IS DISTINCT FROM '/' AS is_stated,
    is_approximate,
    printed,
    source_url,
    location,
    level,
    measure,
    scheme,
    category
FROM figures
WHERE once = 1
