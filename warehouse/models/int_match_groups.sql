-- materialized: temp
-- grain: one row per (match group, sighting): the sightings that share a unit + 文号 key
-- (rule doc_no: doc_no_key, int_doc_no_keys) or a unit + title key within a run of published
-- dates, each at most 3 days after the one before (rule title, runs from int_title_runs).
-- Only groups that hold at least one sighting without index_no are kept: sightings that all
-- carry an index_no are already clustered (or kept apart) by it. A title group is keyed by
-- its run's first date, so the key does not depend on row order.
-- refusal: why a group merges nothing (NULL: it merges). A doc_no group is refused when one
-- portal lists two items of it (no index_no making them one) under different title keys:
-- one 文号 on two documents (a notice and its attachment list), so the other portals' copies
-- could be either. A title is weak evidence, so a run that shows it to be ambiguous is
-- refused whole: its title is generic (int_generic_titles: a kind of item, 通知 or 工作动态,
-- or a title its unit gives 3 items or more a year), it spans more than 7 days (a title
-- that recurs, not one publication reaching its portals), it holds two different doc_no, or
-- two items of one portal that no index_no makes one (one portal listing one title twice
-- within days: two documents, and the other portals' copies cannot be told apart), unless
-- no portal holds two free items and the free members' dates point to exactly one index_no
-- document (nearest day) that no portal lists beside a free item: then the free copies join
-- it (int_component_keys) and the conflict is kept.
-- Rule unique_title: a free sighting in no group, its title not generic, joins the one index_no document of its title
-- key and its unit's ancestry line dated within 28 days of it, when every other sighting of
-- that title and line in that span is of that document (carries its index_no or joined it),
-- none on its own portal and none with another 文号 key (a portal may print the 成文日期, up to
-- 20 working days before publication, as its date, and a department's document under its
-- parent's name).
WITH keyed AS (
    SELECT s.*, k.index_key
    FROM int_sightings AS s
    LEFT JOIN int_index_keys AS k ON k.sighting_id = s.sighting_id
),
free_doc_keys AS (
    SELECT DISTINCT unit_id, doc_no_key, doc_no_year
    FROM keyed
    WHERE index_no IS NULL AND unit_id IS NOT NULL AND doc_no_key IS NOT NULL
      AND doc_no_year IS NOT NULL
),
doc_members AS (
    SELECT
        s.*,
        'doc_no' AS rule,
        'd|' || s.unit_id || '|' || s.doc_no_key || '|' || s.doc_no_year AS group_key
    FROM keyed AS s
    SEMI JOIN free_doc_keys AS k
        ON k.unit_id = s.unit_id AND k.doc_no_key = s.doc_no_key AND k.doc_no_year = s.doc_no_year
),
title_members AS (
    SELECT
        s.*,
        'title' AS rule,
        't|' || s.unit_id || '|' || s.title_key || '|' || CAST(r.run_start AS VARCHAR) AS group_key,
        g.reason AS generic_reason
    FROM keyed AS s
    JOIN int_title_runs AS r
        ON r.unit_id = s.unit_id AND r.title_key = s.title_key AND r.published_date = s.published_date
    LEFT JOIN int_generic_titles AS g
        ON g.unit_id = s.unit_id AND g.title_key = s.title_key AND g.year = year(s.published_date)
),
members AS (
    SELECT
        sighting_id, portal_id, index_no, index_key, doc_no_key, title_key, published_date, rule, group_key,
        CAST(NULL AS VARCHAR) AS generic_reason
    FROM doc_members
    UNION ALL
    SELECT
        sighting_id, portal_id, index_no, index_key, doc_no_key, title_key, published_date, rule, group_key,
        generic_reason
    FROM title_members
),
portal_items AS (
    -- the items of each portal in a group, those sharing an index_no counted once, and the
    -- title keys they print
    SELECT
        group_key,
        portal_id,
        count(DISTINCT coalesce(index_key, CAST(sighting_id AS VARCHAR))) AS n_items,
        count(DISTINCT sighting_id) FILTER (WHERE index_no IS NULL) AS n_free,
        count(DISTINCT title_key) AS n_title_keys
    FROM members
    GROUP BY group_key, portal_id
),
index_gaps AS (
    -- each index_no document of a group, its nearest day to a free member of the group
    SELECT i.group_key, i.index_key, min(abs(date_diff('day', i.published_date, f.published_date))) AS gap
    FROM members AS i
    JOIN members AS f ON f.group_key = i.group_key AND f.index_no IS NULL
    WHERE i.index_no IS NOT NULL
    GROUP BY i.group_key, i.index_key
),
nearest AS (
    -- the index_no document nearest to the free members, when exactly one is
    SELECT group_key, any_value(index_key) AS index_key
    FROM (SELECT *, min(gap) OVER (PARTITION BY group_key) AS min_gap FROM index_gaps)
    WHERE gap = min_gap
    GROUP BY group_key
    HAVING count(*) = 1
),
nearest_beside_free AS (
    -- the nearest document is listed by a portal that also lists a free member: two items
    SELECT DISTINCT n.group_key
    FROM nearest AS n
    JOIN members AS i ON i.group_key = n.group_key AND i.index_key = n.index_key
    JOIN portal_items AS p ON p.group_key = n.group_key AND p.portal_id = i.portal_id AND p.n_free > 0
),
groups AS (
    SELECT
        m.group_key,
        any_value(m.rule) AS rule,
        -- 'generic title' (the seed names it) sorts before 'title repeated by its unit'
        min(m.generic_reason) AS generic_reason,
        count(DISTINCT m.doc_no_key) AS n_doc_nos,
        date_diff('day', min(m.published_date), max(m.published_date)) AS span_days,
        -- a portal holds two items of the 文号 under different titles (a notice and its
        -- attachment list): two documents, and the other portals' copies could be either
        bool_or(p.n_items > 1 AND p.n_title_keys > 1) AS has_portal_titles,
        -- a portal holds two free items, or several items the free members' dates do not
        -- tell apart: no single nearest index_no document, or the nearest is beside a free one
        bool_or(p.n_free > 1) OR (
            bool_or(p.n_items > 1)
            AND (any_value(n.group_key) IS NULL OR any_value(b.group_key) IS NOT NULL)
        ) AS has_portal_twice
    FROM members AS m
    JOIN portal_items AS p ON p.group_key = m.group_key AND p.portal_id = m.portal_id
    LEFT JOIN nearest AS n ON n.group_key = m.group_key
    LEFT JOIN nearest_beside_free AS b ON b.group_key = m.group_key
    GROUP BY m.group_key
    HAVING count(*) >= 2 AND count(*) FILTER (WHERE m.index_no IS NULL) >= 1
),
decided AS (
    SELECT
        m.group_key,
        m.rule,
        m.sighting_id,
        m.index_no,
        m.index_key,
        m.published_date,
        CASE
            WHEN g.rule = 'doc_no' AND g.has_portal_titles THEN 'doc_no group holds different titles of one portal'
            WHEN g.rule <> 'title' THEN NULL
            WHEN g.generic_reason IS NOT NULL THEN g.generic_reason
            WHEN g.span_days > 7 THEN 'title run spans more than 7 days'
            WHEN g.n_doc_nos > 1 THEN 'title run holds different doc_no'
            WHEN g.has_portal_twice THEN 'title run holds several items of one portal'
        END AS refusal
    FROM members AS m
    JOIN groups AS g ON g.group_key = m.group_key
),
alone AS (
    -- free sightings in no group (refused or not): nothing else within the title window; a
    -- generic title identifies nothing on its own
    SELECT s.*
    FROM keyed AS s
    ANTI JOIN decided AS d ON d.sighting_id = s.sighting_id
    ANTI JOIN int_generic_titles AS g
        ON g.unit_id = s.unit_id AND g.title_key = s.title_key AND g.year = year(s.published_date)
    WHERE s.index_no IS NULL AND s.unit_id IS NOT NULL AND s.title_key IS NOT NULL
      AND s.published_date IS NOT NULL
),
free_joined AS (
    -- the index_no document a free sighting joins through a merging group
    SELECT DISTINCT f.sighting_id, i.index_key
    FROM decided AS f
    JOIN decided AS i ON i.group_key = f.group_key AND i.index_key IS NOT NULL
    WHERE f.index_no IS NULL AND f.refusal IS NULL
),
unit_lines AS (
    -- two units of one ancestry line, each unit with itself too
    SELECT unit_id, ancestor_id AS line_unit_id FROM int_unit_ancestry
    UNION
    SELECT ancestor_id, unit_id FROM int_unit_ancestry
),
span_members AS (
    -- the other sightings of its title key and ancestry line dated within the span around it,
    -- each with the index_no document it is of (a free one: the one it joins, if any)
    SELECT
        f.sighting_id AS free_id,
        f.portal_id AS free_portal_id,
        f.doc_no_key AS free_doc_no_key,
        s.*,
        coalesce(s.index_key, j.index_key) AS span_key
    FROM alone AS f
    JOIN unit_lines AS l ON l.unit_id = f.unit_id
    JOIN keyed AS s
        ON s.unit_id = l.line_unit_id AND s.title_key = f.title_key AND s.sighting_id <> f.sighting_id
       AND abs(date_diff('day', s.published_date, f.published_date)) <= 28
    LEFT JOIN free_joined AS j ON j.sighting_id = s.sighting_id
),
unique_spans AS (
    -- exactly one index_no document, none on the free sighting's portal, no other doc_no
    SELECT free_id
    FROM span_members
    GROUP BY free_id
    HAVING bool_and(span_key IS NOT NULL) AND count(DISTINCT span_key) = 1
       AND NOT bool_or(portal_id = free_portal_id)
       AND NOT coalesce(bool_or(doc_no_key <> free_doc_no_key), false)
),
span_groups AS (
    SELECT
        'u|' || f.unit_id || '|' || f.title_key || '|' || CAST(f.published_date AS VARCHAR) AS group_key,
        f.sighting_id AS free_id
    FROM alone AS f
    SEMI JOIN unique_spans AS u ON u.free_id = f.sighting_id
)
SELECT * FROM decided
UNION ALL
SELECT g.group_key, 'unique_title', s.sighting_id, s.index_no, s.index_key, s.published_date, NULL
FROM span_groups AS g
JOIN (
    SELECT free_id, sighting_id, index_no, index_key, published_date FROM span_members
    UNION ALL
    SELECT sighting_id, sighting_id, index_no, index_key, published_date FROM alone
) AS s ON s.free_id = g.free_id
