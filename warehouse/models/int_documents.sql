-- One row per document (a cluster of sightings of one publication).
-- Its unit: the first publisher-resolved unit among its sightings, else the first portal
-- unit, in the order most fields, earliest first seen, portal_id.
-- Its fields, field by field: the first non-NULL value in the ranking origin first (a
-- portal whose unit is the document's unit, else its nearest ancestor), then most non-NULL
-- fields, then earliest first_seen_at, then portal_id (then item_key's hash, so the order is
-- total). The ranking is packed into one integer, rank_key, from the top: distance to the
-- origin (64 = not an origin; 2^120) | 12 - n_fields (2^112) | first_seen_at in µs (2^60) |
-- the portal's place in portal_id order (2^44) | 32 bits of the item_key's hash (2^12) | the
-- field mask (which only breaks a tie of all the rest). The best sighting's rank_key so
-- tells its origin distance, portal and field mask without an aggregate of each.
-- Only keys, masks and ranks go through the per-document aggregates; the texts are joined
-- back once per value chosen. The best-ranked sighting gives every field it holds (for
-- those it is the first non-NULL value). A field it lacks but another sighting holds (a bit
-- of the document's field_mask missing from the best one's) comes from the best-ranked
-- sighting holding it, an integer arg_min over just those sightings and fields. (A field by
-- field arg_min over the texts carries a copy of every text per document: at ten million
-- sightings it outgrew memory and spilled.)
-- disagreeing_fields is filled in by fct_documents, from fct_sightings.differing_fields.
WITH portal_order AS MATERIALIZED (
    SELECT portal_id, row_number() OVER (ORDER BY portal_id) AS portal_rank
    FROM (SELECT DISTINCT portal_id FROM int_sightings)
),
keyed AS NOT MATERIALIZED (
    SELECT
        k.doc_key,
        k.sighting_id,
        k.portal_unit_id,
        k.publisher_unit_id,
        k.field_mask,
        k.has_fulltext,
        k.is_index_conflict,
        k.first_seen_at,
        k.last_seen_at,
        k.withdrawn_date,
        (
            (
                (CAST(12 - bit_count(k.field_mask) AS HUGEINT) * 4503599627370496
                    + epoch_us(k.first_seen_at)) * 65536 + o.portal_rank
            ) * 4294967296 + hash(k.item_key) % 4294967296
        ) * 4096 + k.field_mask AS order_key
    FROM int_document_keys AS k
    JOIN portal_order AS o ON o.portal_id = k.portal_id
),
document_units AS (
    SELECT
        doc_key,
        coalesce(
            arg_min(publisher_unit_id, order_key) FILTER (WHERE publisher_unit_id IS NOT NULL),
            arg_min(portal_unit_id, order_key) FILTER (WHERE portal_unit_id IS NOT NULL)
        ) AS unit_id
    FROM keyed
    GROUP BY doc_key
),
ranked AS MATERIALIZED (
    SELECT
        k.*,
        u.unit_id AS document_unit_id,
        CAST(coalesce(a.depth, 64) AS HUGEINT) * 1329227995784915872903807060280344576
            + k.order_key AS rank_key
    FROM keyed AS k
    JOIN document_units AS u ON u.doc_key = k.doc_key
    LEFT JOIN int_unit_ancestry AS a
        ON a.unit_id = u.unit_id AND a.ancestor_id = k.portal_unit_id
),
documents AS MATERIALIZED (
    SELECT
        doc_key,
        any_value(document_unit_id) AS unit_id,
        min(rank_key) AS best_rank_key,
        arg_min(sighting_id, rank_key) AS best_sighting_id,
        bit_or(field_mask) AS field_mask,
        bool_or(has_fulltext) AS has_fulltext,
        bool_or(is_index_conflict) AS has_index_conflict,
        count(*) AS n_sightings,
        min(first_seen_at) AS first_seen_at,
        max(last_seen_at) AS last_seen_at,
        -- withdrawn when every sighting is withdrawn, on the day the last of them went
        CASE WHEN bool_and(withdrawn_date IS NOT NULL) THEN max(withdrawn_date) END AS withdrawn_date
    FROM ranked
    GROUP BY doc_key
),
unfilled AS (
    -- the fields some sighting holds and the best one lacks
    SELECT doc_key, field_mask & ~CAST(best_rank_key % 4096 AS INTEGER) AS missing_mask
    FROM documents
    WHERE field_mask <> CAST(best_rank_key % 4096 AS INTEGER)
),
fill_candidates AS (
    -- one row per (sighting, field it holds that its document's best sighting lacks)
    SELECT
        r.doc_key,
        r.sighting_id,
        unnest(list_filter(range(12), lambda i: (r.field_mask & u.missing_mask) >> i & 1 = 1))
            AS field_no,
        r.rank_key
    FROM ranked AS r
    JOIN unfilled AS u ON u.doc_key = r.doc_key
    WHERE r.field_mask & u.missing_mask <> 0
),
winning_sightings AS (
    -- (document, sighting, the fields that sighting gives it)
    SELECT doc_key, sighting_id, bit_or(CAST(1 AS INTEGER) << CAST(field_no AS INTEGER)) AS won_mask
    FROM (
        SELECT doc_key, field_no, arg_min(sighting_id, rank_key) AS sighting_id
        FROM fill_candidates
        GROUP BY doc_key, field_no
    )
    GROUP BY doc_key, sighting_id
),
best_fields AS (
    -- every document with its best sighting's values
    SELECT d.*, s.* EXCLUDE (sighting_id)
    FROM documents AS d
    JOIN (
        SELECT
            sighting_id, title, index_no, doc_no, publisher_name, published_date, written_date,
            topic, "function", audience, genre, validity, disclosure
        FROM int_sightings
    ) AS s ON s.sighting_id = d.best_sighting_id
),
fill_fields AS (
    SELECT
        w.doc_key,
        any_value(s.title) FILTER (WHERE w.won_mask & 1 <> 0) AS title,
        any_value(s.index_no) FILTER (WHERE w.won_mask & 2 <> 0) AS index_no,
        any_value(s.doc_no) FILTER (WHERE w.won_mask & 4 <> 0) AS doc_no,
        any_value(s.publisher_name) FILTER (WHERE w.won_mask & 8 <> 0) AS publisher_name,
        any_value(s.published_date) FILTER (WHERE w.won_mask & 16 <> 0) AS published_date,
        any_value(s.written_date) FILTER (WHERE w.won_mask & 32 <> 0) AS written_date,
        any_value(s.topic) FILTER (WHERE w.won_mask & 64 <> 0) AS topic,
        any_value(s."function") FILTER (WHERE w.won_mask & 128 <> 0) AS "function",
        any_value(s.audience) FILTER (WHERE w.won_mask & 256 <> 0) AS audience,
        any_value(s.genre) FILTER (WHERE w.won_mask & 512 <> 0) AS genre,
        any_value(s.validity) FILTER (WHERE w.won_mask & 1024 <> 0) AS validity,
        any_value(s.disclosure) FILTER (WHERE w.won_mask & 2048 <> 0) AS disclosure
    FROM winning_sightings AS w
    JOIN int_sightings AS s ON s.sighting_id = w.sighting_id
    GROUP BY w.doc_key
)
SELECT
    substr(md5(b.doc_key), 1, 16) AS doc_id,
    b.doc_key,
    b.unit_id,
    coalesce(b.title, f.title) AS title,
    coalesce(b.index_no, f.index_no) AS index_no,
    coalesce(b.doc_no, f.doc_no) AS doc_no,
    coalesce(b.publisher_name, f.publisher_name) AS publisher_name,
    coalesce(b.published_date, f.published_date) AS published_date,
    coalesce(b.written_date, f.written_date) AS written_date,
    coalesce(b.topic, f.topic) AS topic,
    coalesce(b."function", f."function") AS "function",
    coalesce(b.audience, f.audience) AS audience,
    coalesce(b.genre, f.genre) AS genre,
    coalesce(b.validity, f.validity) AS validity,
    coalesce(b.disclosure, f.disclosure) AS disclosure,
    CASE WHEN b.best_rank_key // 1329227995784915872903807060280344576 < 64
        THEN CAST(b.best_rank_key // 1329227995784915872903807060280344576 AS INTEGER)
    END AS origin_distance,
    CASE WHEN b.best_rank_key // 1329227995784915872903807060280344576 < 64
        THEN o.portal_id
    END AS origin_portal_id,
    b.has_fulltext,
    b.has_index_conflict,
    b.n_sightings,
    b.first_seen_at,
    b.last_seen_at,
    b.withdrawn_date
FROM best_fields AS b
LEFT JOIN fill_fields AS f ON f.doc_key = b.doc_key
LEFT JOIN portal_order AS o ON o.portal_rank = b.best_rank_key // 17592186044416 % 65536
