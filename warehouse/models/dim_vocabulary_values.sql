-- materialized: table
-- grain: one row per vocabulary field × value some sighting holds: its key, the seed row it maps
-- to and that row's code and label, or NULL code when no seed row does (then it is in
-- rpt_unknown_vocabulary). A value maps through its longest leading path the seed knows: the
-- full path, else without its last level, and so on down to the first level, so 综合政务\其他
-- maps to 综合政务 unless the seed has 综合政务/其他 itself.
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
matched AS (
    SELECT
        p.field,
        p.value,
        arg_max(v.value_key, p.depth) AS matched_key,
        arg_max(v.code, p.depth) AS code,
        arg_max(v.label, p.depth) AS label
    FROM prefixes AS p
    JOIN dim_vocabulary AS v ON v.field = p.field AND v.value_key = p.prefix
    GROUP BY p.field, p.value
)
SELECT
    k.field,
    k.value,
    k.value_key,
    m.matched_key,
    m.code,
    m.label,
    CAST(k.n_sightings AS BIGINT) AS n_sightings,
    CAST(k.n_portals AS BIGINT) AS n_portals
FROM keyed AS k
LEFT JOIN matched AS m ON m.field = k.field AND m.value = k.value
