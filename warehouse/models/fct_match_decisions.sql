-- materialized: table
-- grain: one row per pair of sightings a matching rule considered (docs/matching.md): within
-- each key of a rule (an index_no; the index_no of a re-indexed publication, one sighting
-- each; a doc_no group; a title group), the key's anchor paired
-- with every other sighting of the key. The anchor is the sighting with the smallest
-- sighting_id (a hash of portal_id and item_key: the same sighting every night it is listed),
-- for a title group its earliest-dated member (then the smallest sighting_id). Pairs are
-- formed only within keys, never across them: as many rows as sightings in keys.
-- decision: merged when the two sightings ended in one document, refused otherwise, with
-- the first reason that applies: the title group was refused (int_match_groups.refusal), the
-- two carry different index_no, the index_no is printed under units of several ancestry lines (int_index_keys),
-- else the sighting without index_no joined another index_no's document
-- (int_component_keys). confidence: how strongly the rule's evidence alone says "one
-- publication", fixed per rule and evidence (docs/matching.md), whatever the decision.
WITH keyed AS (
    SELECT
        'index_no' AS rule,
        'i|' || index_no AS match_key,
        sighting_id,
        CAST(NULL AS DATE) AS anchor_date,
        CAST(NULL AS VARCHAR) AS refusal
    FROM int_sightings
    WHERE index_no IS NOT NULL
    UNION ALL
    -- re-indexed: one sighting of each index_no that joined another's document (int_index_keys)
    SELECT 'reindexed', 'r|' || index_key, min(sighting_id), CAST(NULL AS DATE), CAST(NULL AS VARCHAR)
    FROM int_index_keys
    WHERE is_reindexed
    GROUP BY index_key, index_no
    UNION ALL
    SELECT
        rule,
        group_key,
        sighting_id,
        CASE WHEN rule = 'title' THEN published_date END,
        refusal
    FROM int_match_groups
),
anchors AS (
    SELECT match_key, arg_min(sighting_id, struct_pack(d := anchor_date, id := sighting_id)) AS anchor_id
    FROM keyed
    GROUP BY match_key
    HAVING count(*) > 1
),
pairs AS (
    SELECT k.rule, k.match_key, k.refusal, a.anchor_id AS sighting_id_a, k.sighting_id AS sighting_id_b
    FROM keyed AS k
    JOIN anchors AS a ON a.match_key = k.match_key
    WHERE k.sighting_id <> a.anchor_id
),
pair_sightings AS MATERIALIZED (
    -- the few columns the decisions show, once per sighting in a pair
    SELECT
        s.sighting_id,
        s.portal_id,
        s.item_key,
        s.unit_id,
        s.publisher_unit_id,
        s.index_scope_unit_id,
        s.title,
        s.index_no,
        s.doc_no,
        s.doc_no_year,
        s.published_date,
        s.doc_key
    FROM int_document_keys AS s
    WHERE s.sighting_id IN (SELECT sighting_id_a FROM pairs UNION SELECT sighting_id_b FROM pairs)
),
compared AS (
    SELECT
        p.rule,
        p.match_key,
        p.refusal,
        a.doc_key AS doc_key_a,
        b.doc_key AS doc_key_b,
        a.doc_no_year = '' AS has_doc_no_year,
        a.portal_id AS portal_id_a,
        b.portal_id AS portal_id_b,
        a.item_key AS item_key_a,
        b.item_key AS item_key_b,
        a.unit_id AS unit_id_a,
        b.unit_id AS unit_id_b,
        a.publisher_unit_id AS publisher_unit_id_a,
        b.publisher_unit_id AS publisher_unit_id_b,
        a.index_scope_unit_id AS scope_unit_id_a,
        b.index_scope_unit_id AS scope_unit_id_b,
        a.index_no AS index_no_a,
        b.index_no AS index_no_b,
        a.doc_no AS doc_no_a,
        b.doc_no AS doc_no_b,
        a.title AS title_a,
        b.title AS title_b,
        a.published_date AS published_date_a,
        b.published_date AS published_date_b
    FROM pairs AS p
    JOIN pair_sightings AS a ON a.sighting_id = p.sighting_id_a
    JOIN pair_sightings AS b ON b.sighting_id = p.sighting_id_b
),
decided AS (
    SELECT
        *,
        doc_key_a = doc_key_b AS is_merged,
        EXISTS (
            -- the two units the index_no is scoped by are one ancestry line (a unit and its
            -- department)
            SELECT 1 FROM int_unit_ancestry AS u
            WHERE (u.unit_id = scope_unit_id_a AND u.ancestor_id = scope_unit_id_b)
               OR (u.unit_id = scope_unit_id_b AND u.ancestor_id = scope_unit_id_a)
        ) AS is_one_line,
        abs(date_diff('day', published_date_a, published_date_b)) AS day_gap
    FROM compared
)
SELECT
    c.rule,
    c.match_key,
    c.portal_id_a,
    c.item_key_a,
    c.portal_id_b,
    c.item_key_b,
    da.doc_id AS doc_id_a,
    db.doc_id AS doc_id_b,
    c.unit_id_a,
    c.unit_id_b,
    c.publisher_unit_id_a,
    c.publisher_unit_id_b,
    c.index_no_a,
    c.index_no_b,
    c.doc_no_a,
    c.doc_no_b,
    c.title_a,
    c.title_b,
    c.published_date_a,
    c.published_date_b,
    c.day_gap,
    CASE WHEN c.is_merged THEN 'merged' ELSE 'refused' END AS decision,
    CASE
        WHEN c.is_merged THEN NULL
        WHEN c.refusal IS NOT NULL THEN c.refusal
        WHEN c.index_no_a <> c.index_no_b THEN 'different index_no'
        WHEN c.rule = 'index_no' THEN 'index_no printed under several units'
        ELSE 'joined another index_no document'
    END AS refusal_reason,
    CAST(
        CASE c.rule
            WHEN 'index_no' THEN
                CASE
                    WHEN c.scope_unit_id_a IS NULL OR c.scope_unit_id_b IS NULL THEN 0.9
                    WHEN c.scope_unit_id_a = c.scope_unit_id_b THEN 1.0
                    WHEN c.is_one_line THEN 0.95
                    ELSE 0.0
                END
            WHEN 'doc_no' THEN CASE WHEN c.has_doc_no_year THEN 0.95 ELSE 0.85 END
            WHEN 'reindexed' THEN 0.95
            WHEN 'unique_title' THEN 0.5
            ELSE CASE WHEN c.day_gap = 0 THEN 0.7 ELSE 0.6 END
        END AS DOUBLE
    ) AS confidence
FROM decided AS c
JOIN fct_documents AS da ON da.doc_key = c.doc_key_a
JOIN fct_documents AS db ON db.doc_key = c.doc_key_b
