-- materialized: table
-- grain: one row per vocabulary field × value some sighting holds: its key, the seed row it maps
-- to and that row's code and label, or NULL code when no seed row does (then it is in
-- rpt_unknown_vocabulary). A value maps through its longest leading path the seed knows, as a
-- value or as a label: the full path, else without its last level, and so on down to the
-- first level, so 综合政务\其他 maps to 综合政务 unless the seed has 综合政务/其他 itself.
-- category: the label the category counts use: the canonical label, else the value's own key
-- (categories are open: a value the seed does not know is a category of its own, listed for
-- review); NULL when the value reads as nothing.
WITH held AS (
    SELECT field, value, sum(n_sightings) AS n_sightings, count(*) AS n_portals
    FROM int_vocabulary_sightings
    GROUP BY ALL
),
keyed AS (
    SELECT h.*, k.levels, k.value_key
    FROM held AS h
    JOIN int_vocabulary_keys AS k ON k.source = 'sighting' AND k.field = h.field AND k.value = h.value
),
prefixes AS (
    SELECT field, value, depth, array_to_string(levels[1:depth], '/') AS prefix
    FROM (SELECT field, value, levels, unnest(generate_series(1, len(levels))) AS depth FROM keyed)
),
known AS (
    -- every key the seed maps: its values, and its labels (a value printed as the canonical
    -- label is that category; vocabulary_consistent keeps the two from disagreeing)
    SELECT DISTINCT field, value_key, code, label FROM dim_vocabulary WHERE value_key IS NOT NULL
    UNION
    SELECT DISTINCT field, label_key, code, label FROM dim_vocabulary WHERE label_key IS NOT NULL
),
matched AS (
    SELECT
        p.field,
        p.value,
        arg_max(v.value_key, p.depth) AS matched_key,
        arg_max(v.code, p.depth) AS code,
        arg_max(v.label, p.depth) AS label
    FROM prefixes AS p
    JOIN known AS v ON v.field = p.field AND v.value_key = p.prefix
    GROUP BY p.field, p.value
)
SELECT
    k.field,
    k.value,
    k.value_key,
    m.matched_key,
    m.code,
    m.label,
    coalesce(m.label, k.value_key) AS category,
    CAST(k.n_sightings AS BIGINT) AS n_sightings,
    CAST(k.n_portals AS BIGINT) AS n_portals
FROM keyed AS k
LEFT JOIN matched AS m ON m.field = k.field AND m.value = k.value
