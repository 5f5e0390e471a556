-- materialized: table
-- grain: one row per vocabulary field × value × portal where the value maps to no code
-- (dim_vocabulary_values): what to review, and to add to warehouse/seeds/vocabulary.csv when
-- it is a spelling or a synonym of a known category. Until then fct_category_counts counts it
-- under its own normalized label, a genre that maps to nothing is not official, a disclosure
-- that maps to nothing is not 主动公开.
SELECT s.field, s.value, v.value_key, s.portal_id, CAST(s.n_sightings AS BIGINT) AS n_sightings
FROM int_vocabulary_sightings AS s
JOIN dim_vocabulary_values AS v ON v.field = s.field AND v.value = s.value
WHERE v.code IS NULL
