-- materialized: table
-- grain: one row per retired doc_id that leads to a document of this build: an id whose
-- document was merged into another (docs/matching.md, "Document ids"). doc_id is the
-- current id, chains resolved (A merged into B, then B into C: A -> C), so a saved link to a
-- retired id needs one lookup.
SELECT
    doc_id AS retired_doc_id,
    current_doc_id AS doc_id,
    retired_run_id,
    retired_reason AS reason
FROM dim_doc_ids
WHERE retired_run_id IS NOT NULL AND current_doc_id IS NOT NULL
