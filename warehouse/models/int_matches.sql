-- One row per matched pair of sightings, with the rule that matched them (DESIGN section 6):
-- index_no (equal index_no), doc_no (same unit and doc_no, and the same published year when
-- the doc_no has no 〔year〕) and title (same unit and title key, published within 3 days).
-- index_no and doc_no pairs join every sighting of a key to the key's first sighting; title
-- pairs join each sighting to the previous one by published date. A pair whose two
-- sightings carry different index_no is recorded with is_rejected: it never merges.
WITH index_groups AS (
    SELECT
        sighting_no,
        index_no,
        published_date,
        min(sighting_no) OVER (PARTITION BY index_no) AS anchor_no,
        count(*) OVER (PARTITION BY index_no) AS n_members
    FROM int_sightings
    WHERE index_no IS NOT NULL
),
index_pairs AS (
    SELECT anchor_no AS sighting_no_a, sighting_no AS sighting_no_b, 'index_no' AS rule,
        'i|' || index_no AS match_key
    FROM index_groups
    WHERE n_members > 1 AND sighting_no <> anchor_no
),
doc_pairs AS (
    SELECT anchor_no AS sighting_no_a, sighting_no AS sighting_no_b, rule, group_key AS match_key
    FROM (
        SELECT *, min(sighting_no) OVER (PARTITION BY group_key) AS anchor_no
        FROM int_match_groups
        WHERE rule = 'doc_no'
    )
    WHERE sighting_no <> anchor_no
),
title_pairs AS (
    SELECT previous_no AS sighting_no_a, sighting_no AS sighting_no_b, rule, group_key AS match_key
    FROM (
        SELECT
            *,
            lag(sighting_no) OVER (
                PARTITION BY group_key ORDER BY published_date, sighting_no
            ) AS previous_no
        FROM int_match_groups
        WHERE rule = 'title'
    )
    WHERE previous_no IS NOT NULL
),
pairs AS (
    SELECT * FROM index_pairs
    UNION ALL
    SELECT * FROM doc_pairs
    UNION ALL
    SELECT * FROM title_pairs
)
SELECT
    p.sighting_no_a,
    a.portal_id AS portal_id_a,
    a.item_key AS item_key_a,
    p.sighting_no_b,
    b.portal_id AS portal_id_b,
    b.item_key AS item_key_b,
    p.rule,
    p.match_key,
    abs(date_diff('day', a.published_date, b.published_date)) AS day_gap,
    coalesce(a.index_no <> b.index_no, false) AS is_rejected
FROM pairs AS p
JOIN int_sightings AS a ON a.sighting_no = p.sighting_no_a
JOIN int_sightings AS b ON b.sighting_no = p.sighting_no_b
