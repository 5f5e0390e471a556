-- materialized: table
-- grain: one row per matched pair of sightings, with the rule that matched them (docs/matching.md):
-- index_no (equal index_no), doc_no (same unit and doc_no, and the same published year when
-- the doc_no has no 〔year〕) and title (same unit and title key, published within 3 days).
-- index_no and doc_no pairs join every sighting of a key to the key's anchor, its sighting
-- with the smallest sighting_id (a hash of portal_id and item_key: the same sighting every
-- night it is listed); title pairs join each sighting to the previous one by published
-- date. A pair whose sightings carry different index_no is recorded with is_rejected: it
-- never merges. Pairs are formed on sighting ids alone and named once, at the end.
WITH star_keyed AS (
    SELECT 'index_no' AS rule, 'i|' || index_no AS match_key, sighting_id
    FROM int_sightings
    WHERE index_no IS NOT NULL
    UNION ALL
    SELECT rule, group_key, sighting_id
    FROM int_match_groups
    WHERE rule = 'doc_no'
),
anchors AS (
    SELECT match_key, min(sighting_id) AS anchor_id
    FROM star_keyed
    GROUP BY match_key
    HAVING count(*) > 1
),
star_pairs AS (
    SELECT k.rule, k.match_key, a.anchor_id AS sighting_id_a, k.sighting_id AS sighting_id_b
    FROM star_keyed AS k
    JOIN anchors AS a ON a.match_key = k.match_key
    WHERE k.sighting_id <> a.anchor_id
),
chain_pairs AS (
    SELECT rule, match_key, sighting_id_a, sighting_id_b
    FROM (
        SELECT
            g.rule,
            g.group_key AS match_key,
            lag(g.sighting_id) OVER (
                PARTITION BY g.group_key ORDER BY g.published_date, g.sighting_id
            ) AS sighting_id_a,
            g.sighting_id AS sighting_id_b
        FROM int_match_groups AS g
        WHERE g.rule = 'title'
    )
    WHERE sighting_id_a IS NOT NULL
),
pairs AS (
    SELECT * FROM star_pairs
    UNION ALL
    SELECT * FROM chain_pairs
)
SELECT
    a.portal_id AS portal_id_a,
    a.item_key AS item_key_a,
    b.portal_id AS portal_id_b,
    b.item_key AS item_key_b,
    p.rule,
    p.match_key,
    abs(date_diff('day', a.published_date, b.published_date)) AS day_gap,
    coalesce(a.index_no <> b.index_no, false) AS is_rejected
FROM pairs AS p
JOIN int_sightings AS a ON a.sighting_id = p.sighting_id_a
JOIN int_sightings AS b ON b.sighting_id = p.sighting_id_b
