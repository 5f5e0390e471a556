-- materialized: table
-- grain: one row per system × level × year × scheme × category: the new documents of the year by
-- classification scheme (topic, function, audience); a document without a value counts as
-- 未分类, so each scheme's counts sum to fct_totals.new. The year is that of counted_date, as in
-- fct_totals.
WITH new_documents AS (
    SELECT unit_id, level, year(counted_date) AS year, topic, "function", audience
    FROM fct_documents
    WHERE disclosure = '主动公开' AND unit_id IS NOT NULL
      AND (withdrawn_date IS NULL OR year(withdrawn_date) > year(counted_date))
),
classified AS (
    SELECT unit_id, level, year, 'topic' AS scheme, coalesce(topic, '未分类') AS category
    FROM new_documents
    UNION ALL
    SELECT unit_id, level, year, 'function', coalesce("function", '未分类') FROM new_documents
    UNION ALL
    SELECT unit_id, level, year, 'audience', coalesce(audience, '未分类') FROM new_documents
),
by_level AS (
    SELECT a.ancestor_id AS system_id, c.level, c.year, c.scheme, c.category, count(*) AS n
    FROM classified AS c
    JOIN int_unit_ancestry AS a ON a.unit_id = c.unit_id
    GROUP BY ALL
)
SELECT system_id, level, CAST(year AS INTEGER) AS year, scheme, category, CAST(n AS BIGINT) AS n
FROM by_level
UNION ALL
SELECT system_id, 'all', CAST(year AS INTEGER), scheme, category, CAST(sum(n) AS BIGINT)
FROM by_level
GROUP BY ALL
