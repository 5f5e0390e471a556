-- materialized: table
-- grain: one row per published night × system × level × year: the figures of fct_totals as
-- each night published them (docs/counting.md, "The figures' history"). The night is the
-- latest run the state database holds; rebuilding the same night replaces its rows, so the
-- history holds each night once. Earlier nights come from the previous published file
-- (prev_totals_history, warehouse/history.py).
WITH tonight AS (
    SELECT run_id, started_at AS published_at
    FROM state.raw_runs
    ORDER BY run_id DESC, started_at DESC
    LIMIT 1
),
earlier AS (
    SELECT *
    FROM prev_totals_history
    WHERE run_id NOT IN (SELECT run_id FROM tonight)
),
current AS (
    SELECT
        n.run_id,
        n.published_at,
        t.system_id,
        t.level,
        t.year,
        t.held,
        t.official_held,
        t.new,
        t.official_new,
        t.fulltext_held
    FROM fct_totals AS t
    CROSS JOIN tonight AS n
)
SELECT * FROM earlier
UNION ALL
SELECT * FROM current
