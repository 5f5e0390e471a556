-- materialized: table
-- grain: one row per sighting: one portal's listing of one document (portal × item_key).
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
    s.withdrawn_reason,
    -- the document's value is the first non-NULL one, so a non-NULL value differs only
    -- where the sightings disagree; most sightings differ in nothing (an empty list, without
    -- building one)
    CASE
        WHEN
        {{ fields OR: s.{field} <> d.{field} }}
        THEN list_filter(
            [
                {{ fields: CASE WHEN s.{field} <> d.{field} THEN '{name}' END }}
            ],
            lambda field: field IS NOT NULL
        )
        ELSE CAST([] AS VARCHAR[])
    END AS differing_fields
FROM int_document_keys AS s
JOIN int_documents AS d ON d.doc_key = s.doc_key
LEFT JOIN int_unit_ancestry AS a ON a.unit_id = d.unit_id AND a.ancestor_id = s.portal_unit_id
