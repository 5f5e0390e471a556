-- materialized: table
-- grain: one row per row of seed_vocabulary (field × value as the analyst wrote it): the key
-- the value is compared by (int_vocabulary_keys), its canonical code and label.
SELECT v.field, v.value, k.value_key, v.code, v.label
FROM seed_vocabulary AS v
LEFT JOIN int_vocabulary_keys AS k ON k.source = 'seed' AND k.field = v.field AND k.value = v.value
