-- materialized: table
-- grain: one row per document the counts (fct_totals, fct_category_counts) leave out, with
-- the first reason that applies: 'no unit' (no sighting resolved to a unit, so it is in no
-- system; its publishers are in rpt_unmatched_publishers), then 'not 主动公开' (its
-- disclosure is another). A document without a published date is not left out (it counts
-- under its inferred date, rpt_undated_documents); a withdrawn one counts until withdrawn.
WITH uncounted AS (
    SELECT
        doc_id, title, unit_id, publisher_name, disclosure, n_sightings, first_seen_at,
        counted_date, is_date_inferred,
        CASE WHEN unit_id IS NULL THEN 'no unit' ELSE 'not 主动公开' END AS reason
    FROM fct_documents
    WHERE unit_id IS NULL OR disclosure <> '主动公开'
),
portals AS (
    SELECT s.doc_id, list(DISTINCT s.portal_id ORDER BY s.portal_id) AS portal_ids
    FROM fct_sightings AS s
    SEMI JOIN uncounted AS u ON u.doc_id = s.doc_id
    GROUP BY s.doc_id
)
SELECT
    u.doc_id,
    u.reason,
    u.title,
    u.unit_id,
    u.publisher_name,
    u.disclosure,
    p.portal_ids,
    u.n_sightings,
    u.first_seen_at,
    u.counted_date,
    u.is_date_inferred
FROM uncounted AS u
JOIN portals AS p ON p.doc_id = u.doc_id
