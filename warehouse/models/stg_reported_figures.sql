-- materialized: view
-- grain: one row per figure (or blank cell) of a report source read in a night (run × doc_id ×
-- source_url × figure), with where it was read and the catalog figure it is, if any
-- (warehouse/reported_store.py).
SELECT
    run_id,
    doc_id,
    source_url,
    figure,
    value,
    value_text,
    is_stated,
    is_approximate,
    printed,
    location,
    level,
    measure,
    scheme,
    category
FROM state.raw_reported_figures
