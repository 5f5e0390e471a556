-- materialized: temp
-- grain: one row per sighting without index_no that is in a component (int_components, computed in
-- Python over the doc_no and title groups that are not refused): the key of the document it
-- belongs to and how it got there. int_document_keys gives every other sighting its key.
-- A component that reaches sightings of exactly one index_no document joins it; one that
-- reaches several would tie different index_no together, so it joins the closest (doc_no
-- before title, then the smallest date gap, then the smallest key) and the conflict is kept.
-- The key is the cluster's strongest key; the doc_id a document keeps is int_doc_ids'.
WITH merging_groups AS (
    SELECT * FROM int_match_groups WHERE refusal IS NULL
),
group_components AS (
    SELECT DISTINCT g.group_key, g.rule, c.component_id
    FROM merging_groups AS g
    JOIN int_components AS c ON c.sighting_id = g.sighting_id
),
core_links AS (
    SELECT
        gc.component_id,
        core.index_key,
        core.index_no,
        gc.rule,
        min(abs(date_diff('day', core.published_date, free.published_date))) AS day_gap
    FROM group_components AS gc
    JOIN merging_groups AS core
        ON core.group_key = gc.group_key AND core.index_no IS NOT NULL
    JOIN merging_groups AS free
        ON free.group_key = gc.group_key AND free.index_no IS NULL
    GROUP BY ALL
),
preferred_links AS (
    -- the order a component chooses its index_no document in: doc_no before title, then
    -- the smallest date gap, then the smallest key
    SELECT
        *,
        struct_pack(
            rule_rank := CASE rule WHEN 'doc_no' THEN 0 ELSE 1 END,
            day_gap := coalesce(day_gap, 2147483647),
            index_key := index_key
        ) AS preference
    FROM core_links
),
chosen_cores AS (
    SELECT
        component_id,
        arg_min(index_key, preference) AS index_key,
        arg_min(rule, preference) AS rule,
        count(DISTINCT index_key) AS n_candidates,
        list(DISTINCT index_no ORDER BY index_no) AS candidate_index_nos
    FROM preferred_links
    GROUP BY component_id
),
component_keys AS (
    -- 'd|' sorts before 't|': a doc_no key is stronger than a title key
    SELECT component_id, min(group_key) AS group_key, arg_min(rule, group_key) AS rule
    FROM group_components
    GROUP BY component_id
)
SELECT
    c.sighting_id,
    coalesce(cc.index_key, ck.group_key) AS doc_key,
    coalesce(cc.rule, ck.rule) AS match_rule,
    coalesce(cc.n_candidates > 1, false) AS is_index_conflict,
    cc.candidate_index_nos
FROM int_components AS c
LEFT JOIN chosen_cores AS cc ON cc.component_id = c.component_id
LEFT JOIN component_keys AS ck ON ck.component_id = c.component_id
