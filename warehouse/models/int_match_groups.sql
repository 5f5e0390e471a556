-- materialized: temp
-- grain: one row per (match group, sighting): the sightings that share a unit + doc_no key
-- (rule doc_no) or a unit + title key within a run of published dates no more than 3 days
-- apart (rule title). Only groups that hold at least one sighting without index_no are kept:
-- sightings that all carry an index_no are already clustered (or kept apart) by it.
-- A title group is keyed by its earliest published date, so the key does not depend on
-- row order and stays the same from night to night.
WITH free_doc_keys AS (
    SELECT DISTINCT unit_id, doc_no, doc_no_year
    FROM int_sightings
    WHERE index_no IS NULL AND unit_id IS NOT NULL AND doc_no IS NOT NULL
      AND doc_no_year IS NOT NULL
),
doc_members AS (
    SELECT
        s.sighting_id,
        s.index_no,
        s.published_date,
        'doc_no' AS rule,
        'd|' || s.unit_id || '|' || s.doc_no || '|' || s.doc_no_year AS group_key
    FROM int_sightings AS s
    SEMI JOIN free_doc_keys AS k
        ON k.unit_id = s.unit_id AND k.doc_no = s.doc_no AND k.doc_no_year = s.doc_no_year
),
free_title_keys AS (
    SELECT DISTINCT unit_id, title_key
    FROM int_sightings
    WHERE index_no IS NULL AND unit_id IS NOT NULL AND title_key IS NOT NULL
      AND published_date IS NOT NULL
),
title_candidates AS (
    SELECT
        s.sighting_id,
        s.index_no,
        s.published_date,
        s.unit_id,
        s.title_key,
        date_diff(
            'day',
            lag(s.published_date) OVER (
                PARTITION BY s.unit_id, s.title_key ORDER BY s.published_date, s.sighting_id
            ),
            s.published_date
        ) AS day_gap
    FROM int_sightings AS s
    SEMI JOIN free_title_keys AS k ON k.unit_id = s.unit_id AND k.title_key = s.title_key
    WHERE s.published_date IS NOT NULL
),
title_runs AS (
    SELECT
        *,
        sum(CASE WHEN day_gap IS NULL OR day_gap > 3 THEN 1 ELSE 0 END) OVER (
            PARTITION BY unit_id, title_key ORDER BY published_date, sighting_id
            ROWS UNBOUNDED PRECEDING
        ) AS run_no
    FROM title_candidates
),
title_members AS (
    SELECT
        sighting_id,
        index_no,
        published_date,
        'title' AS rule,
        't|' || unit_id || '|' || title_key || '|'
            || CAST(min(published_date) OVER (PARTITION BY unit_id, title_key, run_no) AS VARCHAR)
            AS group_key
    FROM title_runs
),
members AS (
    SELECT * FROM doc_members
    UNION ALL
    SELECT * FROM title_members
)
SELECT group_key, rule, sighting_id, index_no, published_date
FROM members
WHERE group_key IN (
    SELECT group_key
    FROM members
    GROUP BY group_key
    HAVING count(*) >= 2 AND count(*) FILTER (WHERE index_no IS NULL) >= 1
)
