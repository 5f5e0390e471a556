-- The vocabulary seed means one thing for every value: no two of its values of a field that
-- read as one key map to different codes, nor a label and a value or two labels (a value
-- printed as a label maps to the label's code), a code has one label and a label one code per
-- field, no value reads as nothing, no label is 未分类 or 未识别 (the counts' own categories),
-- and every code of seed_official_genres is a genre code.
SELECT field, value_key AS what, 'values read as one key map to codes ' || string_agg(DISTINCT code, ', ') AS problem
FROM dim_vocabulary
GROUP BY field, value_key
HAVING count(DISTINCT code) > 1
UNION ALL
SELECT field, value_key, 'labels and values read as one key map to codes ' || string_agg(DISTINCT code, ', ')
FROM (
    SELECT field, value_key, code FROM dim_vocabulary
    UNION
    SELECT field, label_key, code FROM dim_vocabulary
)
GROUP BY field, value_key
HAVING count(DISTINCT code) > 1
UNION ALL
SELECT field, code, 'code has labels ' || string_agg(DISTINCT label, ', ')
FROM dim_vocabulary
GROUP BY field, code
HAVING count(DISTINCT label) > 1
UNION ALL
SELECT field, label, 'label has codes ' || string_agg(DISTINCT code, ', ')
FROM dim_vocabulary
GROUP BY field, label
HAVING count(DISTINCT code) > 1
UNION ALL
SELECT field, value, 'value reads as nothing, or has no code or label'
FROM dim_vocabulary
WHERE value_key IS NULL OR code IS NULL OR label IS NULL
UNION ALL
SELECT field, value, 'label ' || label || ' is reserved for values the counts cannot classify'
FROM dim_vocabulary
WHERE label IN ('未分类', '未识别')
UNION ALL
SELECT 'genre', o.code, 'official genre code no genre value maps to'
FROM seed_official_genres AS o
WHERE NOT EXISTS (SELECT 1 FROM dim_vocabulary AS v WHERE v.field = 'genre' AND v.code = o.code)
