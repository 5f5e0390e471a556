-- materialized: temp
-- grain: one row per source (seed | label | sighting) × field × value: the levels the value is
-- read as and its key, the levels joined by '/' (NULL when nothing is left). The seed's values,
-- its labels and the printed values are normalized alike (docs/vocabularies.md), so an analyst may write a seed
-- value as a portal prints it: HTML space entities (&nbsp; &#160;) and every kind of white
-- space (U+3000, U+00A0, zero-width characters) removed, NFKC, the spellings of
-- seed_vocabulary_spellings made one (longest variant first), then split into levels at
-- \ / and > (their full-width forms fold to these under NFKC), empty levels dropped.
WITH spellings AS (
    SELECT list(
        {'variant': variant, 'canonical': coalesce(canonical, '')} ORDER BY length(variant) DESC, variant
    ) AS rules
    FROM seed_vocabulary_spellings
),
printed AS (
    SELECT 'seed' AS source, field, value FROM seed_vocabulary WHERE value IS NOT NULL
    UNION
    SELECT 'label', field, label FROM seed_vocabulary WHERE label IS NOT NULL
    UNION
    SELECT 'sighting', field, value FROM int_vocabulary_sightings
),
cleaned AS (
    SELECT
        source,
        field,
        value,
        regexp_replace(
            nfkc(regexp_replace(value, '&(nbsp|#160|#x0*a0);', ' ', 'gi')),
            '[\s\p{Z}\x{200B}-\x{200D}\x{2060}\x{FEFF}]', '', 'g'
        ) AS text
    FROM printed
),
spelled AS (
    SELECT
        c.source,
        c.field,
        c.value,
        CASE
            WHEN s.rules IS NULL THEN c.text
            ELSE list_reduce(s.rules, lambda acc, rule: replace(acc, rule.variant, rule.canonical), c.text)
        END AS text
    FROM cleaned AS c
    CROSS JOIN spellings AS s
),
leveled AS (
    SELECT
        source,
        field,
        value,
        list_filter(string_split(regexp_replace(text, '[\\/>]', '/', 'g'), '/'), lambda level: level <> '')
            AS levels
    FROM spelled
)
SELECT source, field, value, levels, nullif(array_to_string(levels, '/'), '') AS value_key
FROM leveled
