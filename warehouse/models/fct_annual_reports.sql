-- materialized: table
-- grain: one row per document that is an annual report on disclosure (int_annual_reports), with
-- what its latest reading gave (docs/reports.md, Nightly reconciliation). A reading is one
-- night's try of all its sources (the detail page and its attachments): read when some source
-- gave a report, fetch failed when none did and some could not be fetched, failed otherwise.
-- The night reads a report (needs_read) when no reading has its current fingerprint, or when
-- every reading of that fingerprint was fetch failed and there were fewer than 3 of them; so
-- a report is read on the night it first appears or changes, not every night.
WITH attempts AS (
    SELECT
        doc_id,
        run_id,
        fingerprint,
        max(read_at) AS read_at,
        CASE
            WHEN bool_or(status = 'read') THEN 'read'
            WHEN bool_or(status = 'fetch failed') THEN 'fetch failed'
            ELSE 'failed'
        END AS outcome,
        string_agg(source_kind || ' ' || source_url || ': ' || coalesce(reason, status), '; ' ORDER BY source_url)
            FILTER (WHERE status <> 'read') AS reasons,
        count(*) FILTER (WHERE status = 'read') AS n_sources_read,
        count(*) AS n_sources,
        max(report_year) FILTER (WHERE status = 'read') AS report_year
    FROM stg_reported_reads
    GROUP BY doc_id, run_id, fingerprint
),
current_attempts AS (
    SELECT
        a.*,
        row_number() OVER (PARTITION BY a.doc_id ORDER BY a.read_at DESC, a.run_id DESC) AS latest,
        count(*) OVER (PARTITION BY a.doc_id) AS n_readings,
        bool_and(a.outcome = 'fetch failed') OVER (PARTITION BY a.doc_id) AS only_fetch_failed
    FROM attempts AS a
    JOIN int_annual_reports AS r ON r.doc_id = a.doc_id AND r.fingerprint = a.fingerprint
),
last_attempts AS (
    SELECT *, row_number() OVER (PARTITION BY doc_id ORDER BY read_at DESC, run_id DESC) AS latest
    FROM attempts
)
SELECT
    r.doc_id,
    r.unit_id,
    coalesce(r.year, c.report_year) AS year,
    CASE WHEN r.year IS NOT NULL THEN r.year_source WHEN c.report_year IS NOT NULL THEN 'report' END AS year_source,
    r.title,
    r.published_date,
    r.portal_id,
    r.url,
    r.fingerprint,
    CASE
        WHEN r.url IS NULL THEN 'no source'
        WHEN c.outcome IS NOT NULL THEN c.outcome
        WHEN l.outcome IS NOT NULL THEN 'changed'
        ELSE 'not read yet'
    END AS read_status,
    CASE
        WHEN r.url IS NULL THEN 'no sighting on a configured portal that reads detail pages'
        ELSE coalesce(c.reasons, l.reasons)
    END AS reason,
    coalesce(c.run_id, l.run_id) AS read_run_id,
    coalesce(c.read_at, l.read_at) AS read_at,
    coalesce(c.n_sources, 0) AS n_sources,
    coalesce(c.n_sources_read, 0) AS n_sources_read,
    coalesce(c.n_readings, 0) AS n_readings,
    r.url IS NOT NULL AND (c.doc_id IS NULL OR (c.only_fetch_failed AND c.n_readings < 3)) AS needs_read
FROM int_annual_reports AS r
LEFT JOIN current_attempts AS c ON c.doc_id = r.doc_id AND c.latest = 1
LEFT JOIN last_attempts AS l ON l.doc_id = r.doc_id AND l.latest = 1
