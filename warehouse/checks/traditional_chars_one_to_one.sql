-- The traditional-characters seed maps one character to one other, and never rewrites a
-- character another row produces (translate() would otherwise depend on the rows' order).
SELECT traditional, simplified
FROM seed_traditional_chars
WHERE length(traditional) <> 1
   OR length(simplified) <> 1
   OR traditional = simplified
   OR simplified IN (SELECT traditional FROM seed_traditional_chars)
