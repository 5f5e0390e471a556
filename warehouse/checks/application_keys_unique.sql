-- The keys of the applications marts are unique (system × year × template row; system × year ×
-- proceeding; system × year).
SELECT 'fct_application_counts' AS table_name, system_id || ' ' || year || ' ' || row_key AS key, count(*) AS n
FROM fct_application_counts GROUP BY system_id, year, row_key HAVING count(*) > 1
UNION ALL
SELECT 'fct_review_litigation_counts', system_id || ' ' || year || ' ' || proceeding, count(*)
FROM fct_review_litigation_counts GROUP BY system_id, year, proceeding HAVING count(*) > 1
UNION ALL
SELECT 'fct_application_summary', system_id || ' ' || year, count(*)
FROM fct_application_summary GROUP BY system_id, year HAVING count(*) > 1
