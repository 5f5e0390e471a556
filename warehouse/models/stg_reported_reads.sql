-- materialized: view
-- grain: one row per source of an annual-report document tried in a night (run × doc_id ×
-- source_url): its detail page or an attachment, what became of it and why, as the nights
-- landed them (warehouse/reported_store.py; docs/reports.md, Nightly reconciliation).
SELECT
    run_id,
    doc_id,
    unit_id,
    year,
    fingerprint,
    doc_url,
    source_url,
    source_kind,
    status,
    reason,
    sha256,
    report_kind,
    report_unit,
    report_year,
    n_stated,
    inconsistencies,
    read_at
FROM state.raw_reported_reads
