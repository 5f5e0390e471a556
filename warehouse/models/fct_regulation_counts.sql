-- materialized: table
-- grain: one row per system × year × kind (rules 规章 | normative_files 行政规范性文件): the
-- 2021 national annual-report template's table 第二十条第（一）项 as far as the catalog can fill
-- it (docs/reports.md). Counted documents only (主动公开, with a unit), as in fct_totals; every
-- configured unit is a system and every year of fct_totals is present, zeros included.
--   kind rules: genre 规章 (also 政府规章, 部门规章, 地方政府规章)
--   kind normative_files: genre 规范性文件 or 行政规范性文件, or topic 规范性文件
--   marked repealed: validity (有效性) says 废止 or 失效
--   issued: new in Y (counted_date in Y, not withdrawn by Y-12-31)
--   valid: held at the end of Y (as fct_totals.held) and not marked repealed
--   marked_repealed: published on or before Y-12-31 and marked repealed (the catalog keeps no
--     repeal date, so this is not the template's 本年废止件数; the report says so)
WITH kinds AS (
    SELECT
        unit_id,
        year(counted_date) AS counted_year,
        year(withdrawn_date) AS withdrawn_year,
        coalesce(validity LIKE '%废止%' OR validity LIKE '%失效%', false) AS is_repealed,
        CASE
            WHEN genre IN ('规章', '政府规章', '部门规章', '地方政府规章') THEN 'rules'
            WHEN genre IN ('规范性文件', '行政规范性文件') OR topic = '规范性文件' THEN 'normative_files'
        END AS kind
    FROM fct_documents
    WHERE disclosure = '主动公开' AND unit_id IS NOT NULL
),
years AS (
    SELECT DISTINCT year FROM fct_totals
),
grid AS (
    SELECT u.unit_id AS system_id, y.year, k.kind
    FROM stg_units AS u
    CROSS JOIN years AS y
    CROSS JOIN (VALUES ('rules'), ('normative_files')) AS k(kind)
),
counted AS (
    SELECT
        a.ancestor_id AS system_id,
        y.year,
        k.kind,
        count(*) FILTER (WHERE k.counted_year = y.year
            AND (k.withdrawn_year IS NULL OR k.withdrawn_year > y.year)) AS issued,
        count(*) FILTER (WHERE k.counted_year <= y.year
            AND (k.withdrawn_year IS NULL OR k.withdrawn_year > y.year)
            AND NOT k.is_repealed) AS valid,
        count(*) FILTER (WHERE k.counted_year <= y.year AND k.is_repealed) AS marked_repealed
    FROM kinds AS k
    JOIN int_unit_ancestry AS a ON a.unit_id = k.unit_id
    CROSS JOIN years AS y
    WHERE k.kind IS NOT NULL
    GROUP BY ALL
)
SELECT
    g.system_id,
    CAST(g.year AS INTEGER) AS year,
    g.kind,
    CASE g.kind WHEN 'rules' THEN '规章' ELSE '行政规范性文件' END AS kind_label,
    CAST(coalesce(c.issued, 0) AS BIGINT) AS issued,
    CAST(coalesce(c.marked_repealed, 0) AS BIGINT) AS marked_repealed,
    CAST(coalesce(c.valid, 0) AS BIGINT) AS valid
FROM grid AS g
LEFT JOIN counted AS c USING (system_id, year, kind)
