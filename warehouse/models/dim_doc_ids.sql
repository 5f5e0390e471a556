-- materialized: table
-- grain: one row per doc_id ever issued: the ids of this build's documents, and every id
-- retired before or tonight, so that no id is ever issued twice (docs/matching.md,
-- "Document ids"). Carried from build to build through the published file (prev_doc_ids).
-- current_doc_id: the id itself while it is a document's id; the id of the document it was
-- merged into when retired (chains resolved: A into B, then B into C gives A -> C); NULL
-- when the document it leads to has no sighting left ('gone').
WITH tonight AS (
    SELECT max(run_id) AS run_id FROM stg_runs
),
now_known_as AS (
    -- every id that leads somewhere tonight: the documents' ids, and the ids merged tonight
    SELECT doc_id AS id, doc_id AS now_id FROM int_doc_ids
    UNION ALL
    SELECT c.previous_doc_id, d.doc_id
    FROM int_doc_id_claims AS c
    JOIN int_doc_ids AS d ON d.doc_key = c.doc_key
    WHERE c.keeps_id AND NOT c.is_survivor
),
previous AS (
    SELECT p.*, n.now_id, m.id IS NOT NULL AS is_merged_tonight
    FROM prev_doc_ids AS p
    LEFT JOIN now_known_as AS n ON n.id = p.current_doc_id
    LEFT JOIN (
        SELECT previous_doc_id AS id FROM int_doc_id_claims WHERE keeps_id AND NOT is_survivor
    ) AS m ON m.id = p.doc_id
)
SELECT
    p.doc_id,
    p.issued_run_id,
    p.issued_doc_key,
    p.now_id AS current_doc_id,
    CASE
        WHEN p.retired_run_id IS NOT NULL THEN p.retired_run_id
        WHEN p.now_id IS NULL OR p.now_id <> p.doc_id THEN t.run_id
    END AS retired_run_id,
    CASE
        WHEN p.retired_reason IS NOT NULL THEN p.retired_reason
        WHEN p.is_merged_tonight THEN 'merged'
        WHEN p.now_id IS NULL THEN 'gone'
    END AS retired_reason
FROM previous AS p
CROSS JOIN tonight AS t
UNION ALL
SELECT doc_id, issued_run_id, issued_doc_key, doc_id, NULL, NULL
FROM int_doc_ids
WHERE is_new
