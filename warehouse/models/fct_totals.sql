-- materialized: table
-- grain: one row per system × level × year (docs/counting.md). A system is a unit and all its
-- descendants; level is 'all' or the level of the documents' units. Every configured unit is
-- a system; the years run from the first counted year to the last counted year or the year
-- (China time) of the latest run, whichever is later: on the first nights of a year no
-- document may be dated in it yet, and what is held still is. 'all' rows are always there;
-- a level row when the level holds documents that year.
-- The date counted is fct_documents.counted_date: the published date, or for a document no
-- portal dates, the date it was first seen (is_date_inferred); written_date never counts.
--   held: 主动公开, published on or before Y-12-31, not withdrawn by Y-12-31
--   new: held and published in Y; official_*: of those, 公文 (fct_documents.is_official)
--   fulltext_held: held documents some detail page of which had a body or an attachment
WITH years AS (
    SELECT range AS year
    FROM range(
        (SELECT min(year(counted_date)) FROM fct_documents),
        greatest(
            (SELECT max(year(counted_date)) FROM fct_documents),
            (SELECT year(max(started_at) + INTERVAL 8 HOUR) FROM stg_runs)
        ) + 1
    )
),
counted AS (
    -- documents folded to what decides the counts, so the year expansion stays small
    SELECT
        unit_id,
        level,
        year(counted_date) AS counted_year,
        year(withdrawn_date) AS withdrawn_year,
        is_official,
        has_fulltext,
        count(*) AS n
    FROM fct_documents
    WHERE disclosure = '主动公开' AND unit_id IS NOT NULL
    GROUP BY ALL
),
by_level AS (
    SELECT
        a.ancestor_id AS system_id,
        c.level,
        y.year,
        sum(c.n) FILTER (WHERE c.counted_year <= y.year
            AND (c.withdrawn_year IS NULL OR c.withdrawn_year > y.year)) AS held,
        sum(c.n) FILTER (WHERE c.counted_year <= y.year
            AND (c.withdrawn_year IS NULL OR c.withdrawn_year > y.year) AND c.is_official)
            AS official_held,
        sum(c.n) FILTER (WHERE c.counted_year = y.year
            AND (c.withdrawn_year IS NULL OR c.withdrawn_year > y.year)) AS new,
        sum(c.n) FILTER (WHERE c.counted_year = y.year
            AND (c.withdrawn_year IS NULL OR c.withdrawn_year > y.year) AND c.is_official)
            AS official_new,
        sum(c.n) FILTER (WHERE c.counted_year <= y.year
            AND (c.withdrawn_year IS NULL OR c.withdrawn_year > y.year) AND c.has_fulltext)
            AS fulltext_held
    FROM counted AS c
    JOIN int_unit_ancestry AS a ON a.unit_id = c.unit_id
    CROSS JOIN years AS y
    GROUP BY ALL
),
systems_years AS (
    SELECT u.unit_id AS system_id, y.year FROM stg_units AS u CROSS JOIN years AS y
),
all_levels AS (
    SELECT
        sy.system_id,
        'all' AS level,
        sy.year,
        sum(b.held) AS held,
        sum(b.official_held) AS official_held,
        sum(b.new) AS new,
        sum(b.official_new) AS official_new,
        sum(b.fulltext_held) AS fulltext_held
    FROM systems_years AS sy
    LEFT JOIN by_level AS b ON b.system_id = sy.system_id AND b.year = sy.year
    GROUP BY ALL
)
SELECT
    system_id,
    level,
    CAST(year AS INTEGER) AS year,
    CAST(coalesce(held, 0) AS BIGINT) AS held,
    CAST(coalesce(official_held, 0) AS BIGINT) AS official_held,
    CAST(coalesce(new, 0) AS BIGINT) AS new,
    CAST(coalesce(official_new, 0) AS BIGINT) AS official_new,
    CAST(coalesce(fulltext_held, 0) AS BIGINT) AS fulltext_held
FROM (
    SELECT * FROM all_levels
    UNION ALL
    SELECT * FROM by_level WHERE held > 0
)
