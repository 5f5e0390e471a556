-- materialized: temp
-- grain: one row per distinct name a unit or a sighting gives (the forms of unit names,
-- int_unit_name_forms, and printed publishers): the keys publisher resolution compares (docs/matching.md, Publisher resolution).
-- exact_key: NFKC without white space. loose_key: also without punctuation and symbols,
-- traditional characters made simplified (int_simplified_chars), and a trailing 机关 or
-- 本级 (局机关 → 局, 工商局局机关 → 工商局) removed. dropped_key: loose_key without the first 省/市/县/区 that
-- follows at least two Han characters (the place name's level: 龙岩市工商局 → 龙岩工商局),
-- NULL when there is none. Keys are whole names: nothing here is a prefix or a substring.
WITH names AS (
    SELECT name FROM int_unit_name_forms
    UNION
    SELECT publisher_name FROM stg_sightings
    UNION
    SELECT publisher_name FROM stg_sighting_details
),
cleaned AS (
    SELECT
        n.name,
        regexp_replace(nfkc(n.name), '[\s\p{Z}]', '', 'g') AS exact_key,
        regexp_replace(
            regexp_replace(
                translate(regexp_replace(nfkc(n.name), '[\s\p{Z}\p{P}\p{S}]', '', 'g'), c.traditional, c.simplified),
                '局局机关$',  -- 工商局局机关: the bureau's own 局 said twice
                '局机关'
            ),
            '(机关|本级)+$',
            ''
        ) AS loose_key
    FROM names AS n
    CROSS JOIN int_simplified_chars AS c
    WHERE n.name IS NOT NULL
)
SELECT
    name,
    nullif(exact_key, '') AS exact_key,
    nullif(loose_key, '') AS loose_key,
    nullif(regexp_replace(loose_key, '^(\p{Han}{2,}?)[省市县区]', '\1'), loose_key) AS dropped_key
FROM cleaned
