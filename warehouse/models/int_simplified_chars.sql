-- materialized: temp
-- grain: one row: every traditional character of seed_traditional_chars and its simplified form,
-- as the two strings translate() takes (the n-th character of one is replaced by the n-th of
-- the other). Publisher names and 文号 are read with traditional characters made simplified
-- (docs/matching.md).
SELECT
    coalesce(string_agg(traditional, '' ORDER BY traditional), '') AS traditional,
    coalesce(string_agg(simplified, '' ORDER BY traditional), '') AS simplified
FROM seed_traditional_chars
