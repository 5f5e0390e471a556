-- One row per document (a cluster of sightings of one publication).
-- Its unit: the first publisher-resolved unit among its sightings, else the first portal
-- unit, in the order most fields, earliest first seen, portal_id, item_key.
-- Its fields, field by field: the first non-NULL value in the ranking origin first (a
-- portal whose unit is the document's unit, else its nearest ancestor), then most non-NULL
-- fields, then earliest first_seen_at, then portal_id (then item_key, so the choice is total).
-- disagreeing_fields names the fields on which its sightings hold different values.
WITH keyed AS (
    SELECT * FROM int_document_keys
),
document_units AS (
    SELECT
        doc_key,
        coalesce(
            arg_min(
                publisher_unit_id,
                struct_pack(f := -n_fields, t := first_seen_at, p := portal_id, i := item_key)
            ) FILTER (WHERE publisher_unit_id IS NOT NULL),
            arg_min(
                portal_unit_id,
                struct_pack(f := -n_fields, t := first_seen_at, p := portal_id, i := item_key)
            ) FILTER (WHERE portal_unit_id IS NOT NULL)
        ) AS unit_id
    FROM keyed
    GROUP BY doc_key
),
ranked AS (
    SELECT
        k.*,
        u.unit_id AS document_unit_id,
        a.depth AS origin_distance,
        struct_pack(
            o := coalesce(a.depth, 2147483647),
            f := -k.n_fields,
            t := k.first_seen_at,
            p := k.portal_id,
            i := k.item_key
        ) AS rank_key
    FROM keyed AS k
    JOIN document_units AS u ON u.doc_key = k.doc_key
    LEFT JOIN int_unit_ancestry AS a
        ON a.unit_id = u.unit_id AND a.ancestor_id = k.portal_unit_id
)
SELECT
    substr(md5(doc_key), 1, 16) AS doc_id,
    doc_key,
    any_value(document_unit_id) AS unit_id,
    arg_min(title, rank_key) FILTER (WHERE title IS NOT NULL) AS title,
    arg_min(index_no, rank_key) FILTER (WHERE index_no IS NOT NULL) AS index_no,
    arg_min(doc_no, rank_key) FILTER (WHERE doc_no IS NOT NULL) AS doc_no,
    arg_min(publisher_name, rank_key) FILTER (WHERE publisher_name IS NOT NULL) AS publisher_name,
    arg_min(published_date, rank_key) FILTER (WHERE published_date IS NOT NULL) AS published_date,
    arg_min(written_date, rank_key) FILTER (WHERE written_date IS NOT NULL) AS written_date,
    arg_min(topic, rank_key) FILTER (WHERE topic IS NOT NULL) AS topic,
    arg_min("function", rank_key) FILTER (WHERE "function" IS NOT NULL) AS "function",
    arg_min(audience, rank_key) FILTER (WHERE audience IS NOT NULL) AS audience,
    arg_min(genre, rank_key) FILTER (WHERE genre IS NOT NULL) AS genre,
    arg_min(validity, rank_key) FILTER (WHERE validity IS NOT NULL) AS validity,
    arg_min(disclosure, rank_key) FILTER (WHERE disclosure IS NOT NULL) AS disclosure,
    min(origin_distance) AS origin_distance,
    arg_min(portal_id, rank_key) FILTER (WHERE origin_distance IS NOT NULL) AS origin_portal_id,
    list_filter(
        [
            CASE WHEN min(title) <> max(title) THEN 'title' END,
            CASE WHEN min(index_no) <> max(index_no) THEN 'index_no' END,
            CASE WHEN min(doc_no) <> max(doc_no) THEN 'doc_no' END,
            CASE WHEN min(publisher_name) <> max(publisher_name) THEN 'publisher_name' END,
            CASE WHEN min(published_date) <> max(published_date) THEN 'published_date' END,
            CASE WHEN min(written_date) <> max(written_date) THEN 'written_date' END,
            CASE WHEN min(topic) <> max(topic) THEN 'topic' END,
            CASE WHEN min("function") <> max("function") THEN 'function' END,
            CASE WHEN min(audience) <> max(audience) THEN 'audience' END,
            CASE WHEN min(genre) <> max(genre) THEN 'genre' END,
            CASE WHEN min(validity) <> max(validity) THEN 'validity' END,
            CASE WHEN min(disclosure) <> max(disclosure) THEN 'disclosure' END
        ],
        lambda field: field IS NOT NULL
    ) AS disagreeing_fields,
    bool_or(has_fulltext) AS has_fulltext,
    bool_or(is_index_conflict) AS has_index_conflict,
    count(*) AS n_sightings,
    count(DISTINCT portal_id) AS n_portals,
    min(first_seen_at) AS first_seen_at,
    max(last_seen_at) AS last_seen_at,
    -- withdrawn when every sighting is withdrawn, on the day the last of them went
    CASE WHEN bool_and(withdrawn_date IS NOT NULL) THEN max(withdrawn_date) END AS withdrawn_date
FROM ranked
GROUP BY doc_key
