-- Every public table's key is unique.
SELECT 'dim_units' AS table_name, unit_id AS key, count(*) AS n FROM dim_units GROUP BY ALL HAVING n > 1
UNION ALL
SELECT 'dim_portals', portal_id, count(*) FROM dim_portals GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'fct_documents', doc_id, count(*) FROM fct_documents GROUP BY ALL HAVING count(*) > 1
UNION ALL
-- grouped on the key's columns, joined into text only for the rows reported
SELECT 'fct_sightings', portal_id || ' ' || item_key, n
FROM (
    SELECT portal_id, item_key, count(*) AS n
    FROM fct_sightings GROUP BY portal_id, item_key HAVING count(*) > 1
)
UNION ALL
SELECT 'fct_totals', system_id || ' ' || level || ' ' || year, count(*)
FROM fct_totals GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'fct_category_counts', system_id || ' ' || level || ' ' || year || ' ' || scheme || ' ' || category,
    count(*)
FROM fct_category_counts GROUP BY ALL HAVING count(*) > 1
UNION ALL
SELECT 'fct_portal_runs', portal_id || ' ' || run_id, count(*)
FROM fct_portal_runs GROUP BY ALL HAVING count(*) > 1
