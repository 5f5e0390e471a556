-- materialized: table
-- grain: one row per system × level × year whose held figure fell tonight, from the previous
-- published night, by more than the configured share (cfg_settings.max_held_drop). A held
-- figure only falls when documents are withdrawn, re-dated or no longer counted (a portal
-- removed from the config, a unit moved): rarely all at once, so a large fall is published
-- with a warning for an operator to look at (docs/withdrawal.md, "Falls of the held figure").
WITH nights AS (
    SELECT run_id, row_number() OVER (ORDER BY run_id DESC) AS back
    FROM (SELECT DISTINCT run_id FROM fct_totals_history)
),
tonight AS (
    SELECT h.* FROM fct_totals_history AS h JOIN nights AS n USING (run_id) WHERE n.back = 1
),
previous AS (
    SELECT h.* FROM fct_totals_history AS h JOIN nights AS n USING (run_id) WHERE n.back = 2
),
limit_share AS (
    SELECT max_held_drop FROM cfg_settings
)
SELECT
    n.run_id,
    p.run_id AS previous_run_id,
    p.system_id,
    p.level,
    p.year,
    p.held AS previous_held,
    coalesce(t.held, 0) AS held,
    round((p.held - coalesce(t.held, 0)) / p.held, 4) AS drop_share
FROM previous AS p
LEFT JOIN tonight AS t USING (system_id, level, year)
CROSS JOIN limit_share AS s
-- a level or year that has gone altogether fell to 0
CROSS JOIN (SELECT run_id FROM nights WHERE back = 1) AS n
WHERE p.held > 0
  AND (p.held - coalesce(t.held, 0)) > s.max_held_drop * p.held
ORDER BY p.system_id, p.level, p.year
