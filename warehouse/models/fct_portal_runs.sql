-- materialized: table
-- grain: one row per portal × run: how the harvest went and what it brought.
-- is_quarantined: a complete full listing that would have withdrawn more than 10% of the
-- portal's listed sightings; it withdraws nothing and is reported here.
WITH new_sightings AS (
    SELECT portal_id, first_run_id AS run_id, count(*) AS n_new_sightings
    FROM int_sightings
    GROUP BY ALL
)
SELECT
    r.portal_id,
    r.run_id,
    r.mode,
    r.status,
    r.reason,
    r.started_at,
    r.finished_at,
    r.n_pages,
    r.n_rows,
    r.advertised_total,
    r.n_details_fetched,
    r.n_requests,
    r.n_retries,
    r.n_bytes,
    r.is_complete,
    coalesce(e.is_eligible, false) AS is_withdrawal_listing,
    coalesce(e.is_quarantined, false) AS is_quarantined,
    e.n_would_withdraw,
    e.n_listed_before,
    coalesce(n.n_new_sightings, 0) AS n_new_sightings,
    len(r.errors) AS n_errors,
    r.errors
FROM stg_runs AS r
LEFT JOIN int_run_eligibility AS e ON e.portal_id = r.portal_id AND e.run_id = r.run_id
LEFT JOIN new_sightings AS n ON n.portal_id = r.portal_id AND n.run_id = r.run_id
