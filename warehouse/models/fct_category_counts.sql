-- materialized: table
-- grain: one row per system × level × year × scheme × category: the new documents of the year by
-- classification scheme (topic, function, audience). The category is the canonical label the
-- document's value maps to through the vocabulary seed (dim_vocabulary_values,
-- docs/vocabularies.md), category_code its code. Categories are open: a value the seed does not
-- know counts under its own normalized label (dim_vocabulary_values.category, without a code;
-- the value is in rpt_unknown_vocabulary for review). Only a document without a value (or
-- with one that reads as nothing) counts as 未分类, so each scheme's counts sum to
-- fct_totals.new. The year is that of
-- counted_date, as in fct_totals.
WITH new_documents AS (
    SELECT unit_id, level, year(counted_date) AS year, topic, "function", audience
    FROM fct_documents
    WHERE disclosure = '主动公开' AND unit_id IS NOT NULL
      AND (withdrawn_date IS NULL OR year(withdrawn_date) > year(counted_date))
),
classified AS (
    SELECT unit_id, level, year, 'topic' AS scheme, topic AS value FROM new_documents
    UNION ALL
    SELECT unit_id, level, year, 'function', "function" FROM new_documents
    UNION ALL
    SELECT unit_id, level, year, 'audience', audience FROM new_documents
),
categorized AS (
    SELECT
        c.unit_id,
        c.level,
        c.year,
        c.scheme,
        v.code AS category_code,
        coalesce(v.category, '未分类') AS category
    FROM classified AS c
    LEFT JOIN dim_vocabulary_values AS v ON v.field = c.scheme AND v.value = c.value
),
by_level AS (
    SELECT a.ancestor_id AS system_id, c.level, c.year, c.scheme, c.category, c.category_code, count(*) AS n
    FROM categorized AS c
    JOIN int_unit_ancestry AS a ON a.unit_id = c.unit_id
    GROUP BY ALL
)
SELECT system_id, level, CAST(year AS INTEGER) AS year, scheme, category, category_code, CAST(n AS BIGINT) AS n
FROM by_level
UNION ALL
SELECT system_id, 'all', CAST(year AS INTEGER), scheme, category, category_code, CAST(sum(n) AS BIGINT)
FROM by_level
GROUP BY ALL
