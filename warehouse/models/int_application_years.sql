-- materialized: temp
-- grain: one row per year a register or the catalog speaks of: every year of fct_totals, every
-- year an application was received or closed in, and the years between (so carried-over
-- applications are counted in every year they stay open).
WITH bounds AS (
    SELECT min(year) AS first_year, max(year) AS last_year
    FROM (
        SELECT year FROM fct_totals
        UNION ALL SELECT received_year FROM stg_applications
        UNION ALL SELECT closed_year FROM stg_applications
    ) AS y
)
SELECT CAST(range AS INTEGER) AS year
FROM bounds, range(bounds.first_year, bounds.last_year + 1)
WHERE bounds.first_year IS NOT NULL
