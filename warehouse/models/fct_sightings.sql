-- One row per sighting: one portal's listing of one document (portal × item_key).
-- is_origin: the portal's unit is the document's unit or the nearest ancestor of it that
-- any of the document's portals belongs to. differing_fields: the fields where it holds a
-- value other than the document's (fct_documents folds them into disagreeing_fields).
SELECT
    d.doc_id,
    s.portal_id,
    s.item_key,
    s.url,
    s.list_url,
    coalesce(a.depth = d.origin_distance, false) AS is_origin,
    s.match_rule,
    s.unit_id,
    s.unit_source,
    s.portal_unit_id,
    s.title,
    s.index_no,
    s.doc_no,
    s.publisher_name,
    s.published_date,
    s.is_detail_fetched,
    s.has_fulltext,
    s.first_seen_at,
    s.last_seen_at,
    s.first_run_id,
    s.last_run_id,
    s.n_missed_listings,
    s.withdrawn_date,
    s.withdrawn_date IS NOT NULL AS is_withdrawn,
    -- the document's value is the first non-NULL one, so a non-NULL value differs only
    -- where the sightings disagree; most sightings differ in nothing (an empty list, without
    -- building one)
    CASE
        WHEN
        s.title <> d.title
        OR s.index_no <> d.index_no
        OR s.doc_no <> d.doc_no
        OR s.publisher_name <> d.publisher_name
        OR s.published_date <> d.published_date
        OR s.written_date <> d.written_date
        OR s.topic <> d.topic
        OR s."function" <> d."function"
        OR s.audience <> d.audience
        OR s.genre <> d.genre
        OR s.validity <> d.validity
        OR s.disclosure <> d.disclosure
        THEN list_filter(
            [
                CASE WHEN s.title <> d.title THEN 'title' END,
                CASE WHEN s.index_no <> d.index_no THEN 'index_no' END,
                CASE WHEN s.doc_no <> d.doc_no THEN 'doc_no' END,
                CASE WHEN s.publisher_name <> d.publisher_name THEN 'publisher_name' END,
                CASE WHEN s.published_date <> d.published_date THEN 'published_date' END,
                CASE WHEN s.written_date <> d.written_date THEN 'written_date' END,
                CASE WHEN s.topic <> d.topic THEN 'topic' END,
                CASE WHEN s."function" <> d."function" THEN 'function' END,
                CASE WHEN s.audience <> d.audience THEN 'audience' END,
                CASE WHEN s.genre <> d.genre THEN 'genre' END,
                CASE WHEN s.validity <> d.validity THEN 'validity' END,
                CASE WHEN s.disclosure <> d.disclosure THEN 'disclosure' END
            ],
            lambda field: field IS NOT NULL
        )
        ELSE CAST([] AS VARCHAR[])
    END AS differing_fields
FROM int_document_keys AS s
JOIN int_documents AS d ON d.doc_key = s.doc_key
LEFT JOIN int_unit_ancestry AS a ON a.unit_id = d.unit_id AND a.ancestor_id = s.portal_unit_id
