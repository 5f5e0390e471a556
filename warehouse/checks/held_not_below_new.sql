-- Held is never below new, and no part exceeds its whole.
SELECT *
FROM fct_totals
WHERE held < new
   OR official_held > held
   OR official_new > new
   OR official_new > official_held
   OR fulltext_held > held
   OR new < 0
