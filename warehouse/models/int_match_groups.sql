-- materialized: temp
-- grain: one row per (match group, sighting): the sightings that share a unit + doc_no key
-- (rule doc_no) or a unit + title key within a run of published dates spanning at most 3
-- days from its first (rule title, runs from int_title_runs). Only groups that hold at least
-- one sighting without index_no are kept: sightings that all carry an index_no are already
-- clustered (or kept apart) by it. A title group is keyed by its run's first date, so the
-- key does not depend on row order and stays the same from night to night.
-- refusal: why a title group merges nothing (NULL: it merges). A title is weak evidence, so
-- a run that shows it to be ambiguous is refused whole: it holds two different doc_no, or
-- two items of one portal that no index_no makes one (one portal listing one title twice
-- within days: two documents, and the other portals' copies cannot be told apart).
WITH keyed AS (
    SELECT s.*, k.index_key
    FROM int_sightings AS s
    LEFT JOIN int_index_keys AS k ON k.sighting_id = s.sighting_id
),
free_doc_keys AS (
    SELECT DISTINCT unit_id, doc_no, doc_no_year
    FROM keyed
    WHERE index_no IS NULL AND unit_id IS NOT NULL AND doc_no IS NOT NULL
      AND doc_no_year IS NOT NULL
),
doc_members AS (
    SELECT
        s.*,
        'doc_no' AS rule,
        'd|' || s.unit_id || '|' || s.doc_no || '|' || s.doc_no_year AS group_key
    FROM keyed AS s
    SEMI JOIN free_doc_keys AS k
        ON k.unit_id = s.unit_id AND k.doc_no = s.doc_no AND k.doc_no_year = s.doc_no_year
),
title_members AS (
    SELECT
        s.*,
        'title' AS rule,
        't|' || s.unit_id || '|' || s.title_key || '|' || CAST(r.run_start AS VARCHAR) AS group_key
    FROM keyed AS s
    JOIN int_title_runs AS r
        ON r.unit_id = s.unit_id AND r.title_key = s.title_key AND r.published_date = s.published_date
),
members AS (
    SELECT sighting_id, portal_id, index_no, index_key, doc_no, published_date, rule, group_key
    FROM doc_members
    UNION ALL
    SELECT sighting_id, portal_id, index_no, index_key, doc_no, published_date, rule, group_key
    FROM title_members
),
groups AS (
    SELECT
        group_key,
        any_value(rule) AS rule,
        count(DISTINCT doc_no) AS n_doc_nos,
        -- the items of each portal, those sharing an index_no counted once
        count(DISTINCT portal_id || '|' || coalesce(index_key, CAST(sighting_id AS VARCHAR)))
            > count(DISTINCT portal_id) AS has_portal_twice
    FROM members
    GROUP BY group_key
    HAVING count(*) >= 2 AND count(*) FILTER (WHERE index_no IS NULL) >= 1
)
SELECT
    m.group_key,
    m.rule,
    m.sighting_id,
    m.index_no,
    m.index_key,
    m.published_date,
    CASE
        WHEN g.rule <> 'title' THEN NULL
        WHEN g.n_doc_nos > 1 THEN 'title run holds different doc_no'
        WHEN g.has_portal_twice THEN 'title run holds several items of one portal'
    END AS refusal
FROM members AS m
JOIN groups AS g ON g.group_key = m.group_key
