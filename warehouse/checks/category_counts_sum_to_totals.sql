-- Each scheme's category counts sum to the new documents of its system, level and year.
WITH sums AS (
    SELECT system_id, level, year, scheme, sum(n) AS n
    FROM fct_category_counts
    GROUP BY ALL
),
schemes AS (
    SELECT unnest(['topic', 'function', 'audience']) AS scheme
)
SELECT t.system_id, t.level, t.year, s.scheme, t.new, coalesce(c.n, 0) AS category_sum
FROM fct_totals AS t
CROSS JOIN schemes AS s
LEFT JOIN sums AS c
    ON c.system_id = t.system_id AND c.level = t.level AND c.year = t.year AND c.scheme = s.scheme
WHERE t.new <> coalesce(c.n, 0)
UNION ALL
SELECT c.system_id, c.level, c.year, c.scheme, NULL, c.n
FROM sums AS c
ANTI JOIN fct_totals AS t ON c.system_id = t.system_id AND c.level = t.level AND c.year = t.year
