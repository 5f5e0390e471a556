-- materialized: table
-- grain: one row per loaded portal run (portal × run), renamed to the warehouse's conventions.
SELECT
    portal_id,
    run_id,
    mode,
    status,
    reason,
    started_at,
    finished_at,
    pages AS n_pages,
    rows AS n_rows,
    coalesce(unreadable_rows, 0) AS n_unreadable_rows,
    advertised_total,
    details_fetched AS n_details_fetched,
    coalesce(details_owed, 0) AS n_details_owed,
    coalesce(details_paid, 0) AS n_details_paid,
    coalesce(details_given_up, 0) AS n_details_given_up,
    coalesce(details_gone, 0) AS n_details_gone,
    requests AS n_requests,
    retries AS n_retries,
    bytes AS n_bytes,
    complete AS is_complete,
    errors
FROM state.raw_runs
