-- materialized: temp
-- grain: one row per unit × title key × published year whose title identifies nothing on its own
-- (docs/matching.md, generic titles): a title the seed generic_titles names (通知, 工作动态,
-- 行政处罚决定书 …, read like int_sightings.title_key), or one the unit uses for 3 or more
-- items of one portal published in the year (items sharing an index_no counted once): a
-- title a unit gives that often is the name of a kind of document, not of one. reason says
-- which. Such a title still joins sightings through a 文号 or an 索引号, never through the
-- title rules.
WITH stoplist AS (
    SELECT DISTINCT nullif(regexp_replace(nfkc(title), '[\s\p{Z}\p{P}\p{S}]', '', 'g'), '') AS title_key
    FROM seed_generic_titles
),
portal_items AS (
    -- per unit, title key, year and portal: its items, those sharing an index_no counted once
    SELECT
        s.unit_id,
        s.title_key,
        year(s.published_date) AS year,
        count(DISTINCT coalesce(k.index_key, CAST(s.sighting_id AS VARCHAR))) AS n_items
    FROM int_sightings AS s
    LEFT JOIN int_index_keys AS k ON k.sighting_id = s.sighting_id
    WHERE s.unit_id IS NOT NULL AND s.title_key IS NOT NULL AND s.published_date IS NOT NULL
    GROUP BY s.unit_id, s.title_key, year(s.published_date), s.portal_id
),
uses AS (
    SELECT unit_id, title_key, year, max(n_items) AS n_items
    FROM portal_items
    GROUP BY ALL
)
SELECT
    u.unit_id,
    u.title_key,
    CAST(u.year AS INTEGER) AS year,
    CASE WHEN l.title_key IS NOT NULL THEN 'generic title' ELSE 'title repeated by its unit' END AS reason
FROM uses AS u
LEFT JOIN stoplist AS l ON l.title_key = u.title_key
WHERE l.title_key IS NOT NULL OR u.n_items >= 3
