-- materialized: table
-- grain: one row per row of seed_vocabulary (field × value as the analyst wrote it): the key
-- the value is compared by (int_vocabulary_keys), its canonical code and label, and the key
-- the label reads as (a value printed as the label maps to its code too).
SELECT v.field, v.value, k.value_key, v.code, v.label, l.value_key AS label_key
FROM seed_vocabulary AS v
LEFT JOIN int_vocabulary_keys AS k ON k.source = 'seed' AND k.field = v.field AND k.value = v.value
LEFT JOIN int_vocabulary_keys AS l ON l.source = 'label' AND l.field = v.field AND l.value = v.label
