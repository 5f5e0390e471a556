-- One row per matched pair of sightings, with the rule that matched them (DESIGN section 6):
-- index_no (equal index_no), doc_no (same unit and doc_no, and the same published year when
-- the doc_no has no 〔year〕) and title (same unit and title key, published within 3 days).
-- index_no and doc_no pairs join every sighting of a key to the key's first sighting (the
-- smallest portal_id, item_key); title pairs join each sighting to the previous one by
-- published date. A pair whose sightings carry different index_no is recorded with
-- is_rejected: it never merges.
WITH index_members AS (
    SELECT
        'index_no' AS rule,
        'i|' || index_no AS match_key,
        struct_pack(portal_id, item_key, index_no, published_date) AS sighting
    FROM int_sightings
    WHERE index_no IS NOT NULL
),
group_members AS (
    SELECT
        g.rule,
        g.group_key AS match_key,
        struct_pack(s.portal_id, s.item_key, s.index_no, s.published_date) AS sighting
    FROM int_match_groups AS g
    JOIN int_sightings AS s ON s.sighting_id = g.sighting_id
),
star_keyed AS (
    SELECT * FROM index_members
    UNION ALL
    SELECT * FROM group_members WHERE rule = 'doc_no'
),
anchors AS (
    -- an aggregate and a join, not a window: no sort of millions of wide rows
    SELECT match_key, min(sighting) AS anchor
    FROM star_keyed
    GROUP BY match_key
    HAVING count(*) > 1
),
star_members AS (
    SELECT k.*, a.anchor
    FROM star_keyed AS k
    JOIN anchors AS a ON a.match_key = k.match_key
),
chain_members AS (
    SELECT
        *,
        lag(sighting) OVER (
            PARTITION BY match_key ORDER BY sighting.published_date, sighting.portal_id,
                sighting.item_key
        ) AS anchor
    FROM group_members
    WHERE rule = 'title'
),
pairs AS (
    SELECT rule, match_key, anchor AS a, sighting AS b FROM star_members WHERE sighting <> anchor
    UNION ALL
    SELECT rule, match_key, anchor AS a, sighting AS b FROM chain_members WHERE anchor IS NOT NULL
)
SELECT
    a.portal_id AS portal_id_a,
    a.item_key AS item_key_a,
    b.portal_id AS portal_id_b,
    b.item_key AS item_key_b,
    rule,
    match_key,
    abs(date_diff('day', a.published_date, b.published_date)) AS day_gap,
    coalesce(a.index_no <> b.index_no, false) AS is_rejected
FROM pairs
