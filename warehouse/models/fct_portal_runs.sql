-- materialized: table
-- grain: one row per portal × run: how the harvest went and what it brought.
-- quarantine_state (docs/withdrawal.md): 'quarantined' - a complete full listing that would
-- have withdrawn more than 10% of the portal's listed sightings; it withdraws nothing (yet).
-- 'released' - quarantined, then made eligible by enough quarantined listings in a row
-- missing the same sightings; 'approved' - made eligible by an operator's approval of it or
-- of a later listing of its quarantine; 'rejected' - an operator rejected it: never eligible.
-- Pending: a quarantined listing of a configured portal with no eligible listing after it,
-- waiting for its release or a decision. The decision columns are the latest decision
-- recorded for the run (state.raw_quarantine_decisions), whether or not it changed anything.
WITH new_sightings AS (
    SELECT portal_id, first_run_id AS run_id, count(*) AS n_new_sightings
    FROM int_sightings
    GROUP BY ALL
),
decisions AS (
    SELECT
        portal_id,
        run_id,
        arg_max(decision, seq) AS decision,
        arg_max(reason, seq) AS decision_reason,
        arg_max(decided_by, seq) AS decided_by,
        arg_max(decided_at, seq) AS decided_at
    FROM state.raw_quarantine_decisions
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
    r.n_unreadable_rows,
    r.advertised_total,
    r.n_details_fetched,
    r.n_details_owed,
    r.n_details_paid,
    r.n_details_given_up,
    r.n_requests,
    r.n_retries,
    r.n_bytes,
    r.is_complete,
    coalesce(e.is_eligible, false) AS is_withdrawal_listing,
    coalesce(e.quarantine_state = 'quarantined', false) AS is_quarantined,
    coalesce(e.quarantine_state, 'none') AS quarantine_state,
    coalesce(e.is_pending AND p.portal_id IS NOT NULL, false) AS is_quarantine_pending,
    e.n_confirmations,
    e.first_missed_run_id,
    e.n_would_withdraw,
    e.n_listed_before,
    d.decision,
    d.decision_reason,
    d.decided_by,
    d.decided_at,
    coalesce(n.n_new_sightings, 0) AS n_new_sightings,
    len(r.errors) AS n_errors,
    r.errors,
    r.n_details_gone
FROM stg_runs AS r
LEFT JOIN int_run_eligibility AS e ON e.portal_id = r.portal_id AND e.run_id = r.run_id
LEFT JOIN new_sightings AS n ON n.portal_id = r.portal_id AND n.run_id = r.run_id
LEFT JOIN decisions AS d ON d.portal_id = r.portal_id AND d.run_id = r.run_id
LEFT JOIN stg_portals AS p ON p.portal_id = r.portal_id
