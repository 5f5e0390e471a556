-- materialized: table
-- grain: one row per document that no sighting gives a published date (none printed, or none
-- readable). Such a document is counted under an inferred date, the China-time (UTC+8) date
-- it was first seen on any portal (fct_documents.counted_date, is_date_inferred;
-- docs/counting.md); listed here so its portals can be fixed. is_counted: it enters the
-- counts (主动公开 and a unit), else it is also in rpt_uncounted_documents.
WITH undated AS (
    SELECT doc_id, title, unit_id, publisher_name, disclosure, n_sightings, first_seen_at,
        counted_date
    FROM fct_documents
    WHERE is_date_inferred
),
portals AS (
    SELECT s.doc_id, list(DISTINCT s.portal_id ORDER BY s.portal_id) AS portal_ids
    FROM fct_sightings AS s
    SEMI JOIN undated AS u ON u.doc_id = s.doc_id
    GROUP BY s.doc_id
)
SELECT
    u.doc_id,
    u.title,
    u.unit_id,
    u.publisher_name,
    p.portal_ids,
    u.n_sightings,
    u.first_seen_at,
    u.counted_date AS inferred_date,
    u.disclosure = '主动公开' AND u.unit_id IS NOT NULL AS is_counted
FROM undated AS u
JOIN portals AS p ON p.doc_id = u.doc_id
