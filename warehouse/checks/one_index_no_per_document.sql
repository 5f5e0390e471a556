-- No document holds two different index_no, unless they are one publication numbered again
-- (a merged re-indexed row of fct_match_decisions names them). Compared by hash first (two integers per
-- document instead of a distinct list of texts); only a document that fails is listed whole.
WITH suspects AS (
    SELECT doc_id
    FROM fct_sightings
    WHERE index_no IS NOT NULL
    GROUP BY doc_id
    HAVING min(hash(index_no)) <> max(hash(index_no))
),
reindexed AS (
    -- a publication numbered again joins its index_no by a merged re-indexed decision
    SELECT doc_id_a AS doc_id, list_value(index_no_a, index_no_b) AS index_nos
    FROM fct_match_decisions
    WHERE rule = 'reindexed' AND decision = 'merged'
),
explained AS (
    SELECT doc_id, list_distinct(flatten(list(index_nos))) AS index_nos FROM reindexed GROUP BY doc_id
)
SELECT doc_id, list(DISTINCT index_no ORDER BY index_no) AS index_nos
FROM (
    SELECT s.doc_id, s.index_no, coalesce(list_contains(e.index_nos, s.index_no), false) AS is_explained
    FROM fct_sightings AS s
    SEMI JOIN suspects AS p ON p.doc_id = s.doc_id
    LEFT JOIN explained AS e ON e.doc_id = s.doc_id
    WHERE s.index_no IS NOT NULL
)
GROUP BY doc_id
HAVING NOT bool_and(is_explained)  -- an index_no no re-indexed decision merged
