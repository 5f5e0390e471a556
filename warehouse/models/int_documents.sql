-- One row per document (a cluster of sightings of one publication).
-- Its unit: the first publisher-resolved unit among its sightings, else the first portal
-- unit, in the order most fields, earliest first seen, portal_id.
-- Its fields, field by field: the first non-NULL value in the ranking origin first (a
-- portal whose unit is the document's unit, else its nearest ancestor), then most non-NULL
-- fields, then earliest first_seen_at, then portal_id (then item_key's hash, so the order is
-- total). The ranking is packed into one integer (rank_key) so every field is a plain
-- arg_min, which passes over NULL values by itself (a FILTER per field costs a pass each):
-- distance to the origin (64 = not an origin) | 12 - n_fields | first_seen_at in
-- µs | the portal's place in portal_id order | 32 bits of the item_key's hash.
-- disagreeing_fields names the fields on which its sightings hold different values
-- (compared by hash, which is much cheaper than comparing the texts), in an aggregate of its
-- own: one aggregate holding both would carry twice the state per sighting and spill sooner.
-- Only the documents of one bucket (hash(doc_key) % document_buckets = document_bucket, both
-- session variables set by build.py): at scale the aggregates' state outgrows the memory
-- limit and spills, so fct_documents is built bucket by bucket, each fitting in memory. A
-- document's sightings all share its bucket. Portals are ranked over all of int_sightings
-- (the same portals as int_document_keys, without redoing its joins).
WITH bucket_keys AS (
    SELECT *
    FROM int_document_keys
    WHERE hash(doc_key) % getvariable('document_buckets') = getvariable('document_bucket')
),
portal_order AS (
    SELECT portal_id, row_number() OVER (ORDER BY portal_id) AS portal_rank
    FROM (SELECT DISTINCT portal_id FROM int_sightings)
),
keyed AS (
    SELECT
        k.*,
        o.portal_rank,
        (
            (CAST(12 - k.n_fields AS HUGEINT) * 4503599627370496 + epoch_us(k.first_seen_at))
            * 65536 + o.portal_rank
        ) * 4294967296 + hash(k.item_key) % 4294967296 AS order_key
    FROM bucket_keys AS k
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
ranked AS (
    SELECT
        k.*,
        u.unit_id AS document_unit_id,
        a.depth AS origin_distance,
        CAST(coalesce(a.depth, 64) AS HUGEINT) * 1329227995784915872903807060280344576
            + k.order_key AS rank_key
    FROM keyed AS k
    JOIN document_units AS u ON u.doc_key = k.doc_key
    LEFT JOIN int_unit_ancestry AS a
        ON a.unit_id = u.unit_id AND a.ancestor_id = k.portal_unit_id
),
disagreements AS (
    SELECT
        doc_key,
        list_filter(
            [
                CASE WHEN min(CASE WHEN title IS NOT NULL THEN hash(title) END)
                    <> max(CASE WHEN title IS NOT NULL THEN hash(title) END) THEN 'title' END,
                CASE WHEN min(CASE WHEN index_no IS NOT NULL THEN hash(index_no) END)
                    <> max(CASE WHEN index_no IS NOT NULL THEN hash(index_no) END) THEN 'index_no' END,
                CASE WHEN min(CASE WHEN doc_no IS NOT NULL THEN hash(doc_no) END)
                    <> max(CASE WHEN doc_no IS NOT NULL THEN hash(doc_no) END) THEN 'doc_no' END,
                CASE WHEN min(CASE WHEN publisher_name IS NOT NULL THEN hash(publisher_name) END)
                    <> max(CASE WHEN publisher_name IS NOT NULL THEN hash(publisher_name) END) THEN 'publisher_name' END,
                CASE WHEN min(CASE WHEN published_date IS NOT NULL THEN hash(published_date) END)
                    <> max(CASE WHEN published_date IS NOT NULL THEN hash(published_date) END) THEN 'published_date' END,
                CASE WHEN min(CASE WHEN written_date IS NOT NULL THEN hash(written_date) END)
                    <> max(CASE WHEN written_date IS NOT NULL THEN hash(written_date) END) THEN 'written_date' END,
                CASE WHEN min(CASE WHEN topic IS NOT NULL THEN hash(topic) END)
                    <> max(CASE WHEN topic IS NOT NULL THEN hash(topic) END) THEN 'topic' END,
                CASE WHEN min(CASE WHEN "function" IS NOT NULL THEN hash("function") END)
                    <> max(CASE WHEN "function" IS NOT NULL THEN hash("function") END) THEN 'function' END,
                CASE WHEN min(CASE WHEN audience IS NOT NULL THEN hash(audience) END)
                    <> max(CASE WHEN audience IS NOT NULL THEN hash(audience) END) THEN 'audience' END,
                CASE WHEN min(CASE WHEN genre IS NOT NULL THEN hash(genre) END)
                    <> max(CASE WHEN genre IS NOT NULL THEN hash(genre) END) THEN 'genre' END,
                CASE WHEN min(CASE WHEN validity IS NOT NULL THEN hash(validity) END)
                    <> max(CASE WHEN validity IS NOT NULL THEN hash(validity) END) THEN 'validity' END,
                CASE WHEN min(CASE WHEN disclosure IS NOT NULL THEN hash(disclosure) END)
                    <> max(CASE WHEN disclosure IS NOT NULL THEN hash(disclosure) END) THEN 'disclosure' END
            ],
            lambda field: field IS NOT NULL
        ) AS disagreeing_fields
    FROM keyed
    GROUP BY doc_key
),
chosen AS (
    SELECT
        substr(md5(doc_key), 1, 16) AS doc_id,
        doc_key,
        any_value(document_unit_id) AS unit_id,
        arg_min(title, rank_key) AS title,
        arg_min(index_no, rank_key) AS index_no,
        arg_min(doc_no, rank_key) AS doc_no,
        arg_min(publisher_name, rank_key) AS publisher_name,
        arg_min(published_date, rank_key) AS published_date,
        arg_min(written_date, rank_key) AS written_date,
        arg_min(topic, rank_key) AS topic,
        arg_min("function", rank_key) AS "function",
        arg_min(audience, rank_key) AS audience,
        arg_min(genre, rank_key) AS genre,
        arg_min(validity, rank_key) AS validity,
        arg_min(disclosure, rank_key) AS disclosure,
        min(origin_distance) AS origin_distance,
        arg_min(portal_id, rank_key) FILTER (WHERE origin_distance IS NOT NULL) AS origin_portal_id,

        bool_or(has_fulltext) AS has_fulltext,
        bool_or(is_index_conflict) AS has_index_conflict,
        count(*) AS n_sightings,
        min(first_seen_at) AS first_seen_at,
        max(last_seen_at) AS last_seen_at,
        -- withdrawn when every sighting is withdrawn, on the day the last of them went
        CASE WHEN bool_and(withdrawn_date IS NOT NULL) THEN max(withdrawn_date) END AS withdrawn_date
    FROM ranked
    GROUP BY doc_key
)
SELECT c.*, d.disagreeing_fields
FROM chosen AS c
JOIN disagreements AS d ON d.doc_key = c.doc_key
