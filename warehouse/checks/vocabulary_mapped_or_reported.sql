-- Every value a sighting holds in a vocabulary field either maps to a code or is listed in
-- rpt_unknown_vocabulary with all its sightings, and nothing that maps is listed there; every
-- classification and genre value of a document is one the sightings hold (docs/vocabularies.md).
WITH reported AS (
    SELECT field, value, sum(n_sightings) AS n FROM rpt_unknown_vocabulary GROUP BY ALL
),
documents AS (
    UNPIVOT (SELECT topic, "function", audience, genre FROM fct_documents)
    ON topic, "function", audience, genre
    INTO NAME field VALUE value
)
SELECT v.field, v.value, 'maps to nothing and is not reported with its sightings' AS problem
FROM dim_vocabulary_values AS v
LEFT JOIN reported AS r ON r.field = v.field AND r.value = v.value
WHERE v.code IS NULL AND r.n IS DISTINCT FROM v.n_sightings
UNION ALL
SELECT r.field, r.value, 'reported though it maps to a code'
FROM reported AS r
JOIN dim_vocabulary_values AS v ON v.field = r.field AND v.value = r.value
WHERE v.code IS NOT NULL
UNION ALL
SELECT DISTINCT d.field, d.value, 'a document value no sighting holds'
FROM documents AS d
WHERE NOT EXISTS (SELECT 1 FROM dim_vocabulary_values AS v WHERE v.field = d.field AND v.value = d.value)
