-- materialized: temp
-- grain: one row per document × doc_id that some of its sightings held in the previous build
-- (prev_sighting_doc_ids, read from the published file by warehouse/registry.py).
-- keeps_id: of the documents holding sightings of that previous id, this is the one that
-- keeps it: the most of the id's sightings, then the earliest first run (not the time within
-- a run, which follows the harvest's order), then the smallest sighting_id (a split leaves
-- the id with its largest part).
-- is_survivor: of the previous ids a document keeps, the one it goes on with: the oldest
-- (earliest issued_run_id), then the one holding most of its sightings, then the smallest
-- id. The other ids it keeps are retired into it (a merge; dim_doc_ids, fct_doc_id_aliases).
-- docs/matching.md, "Document ids".
WITH held AS (
    SELECT
        k.doc_key,
        p.doc_id AS previous_doc_id,
        count(*) AS n_sightings,
        min(k.first_run_id) AS first_run_id,
        min(k.sighting_id) AS first_sighting_id
    FROM int_document_keys AS k
    JOIN prev_sighting_doc_ids AS p ON p.portal_id = k.portal_id AND p.item_key = k.item_key
    GROUP BY k.doc_key, p.doc_id
),
kept AS (
    SELECT
        h.*,
        row_number() OVER (
            PARTITION BY h.previous_doc_id
            ORDER BY h.n_sightings DESC, h.first_run_id, h.first_sighting_id
        ) = 1 AS keeps_id,
        i.issued_run_id
    FROM held AS h
    LEFT JOIN prev_doc_ids AS i ON i.doc_id = h.previous_doc_id
)
SELECT
    *,
    keeps_id AND row_number() OVER (
        PARTITION BY doc_key, keeps_id
        ORDER BY issued_run_id NULLS LAST, n_sightings DESC, previous_doc_id
    ) = 1 AS is_survivor
FROM kept
