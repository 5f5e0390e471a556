-- materialized: temp
-- grain: one row per vocabulary field × value × portal: how many sightings hold that value in
-- that field. The vocabulary fields are the ones seed_vocabulary maps to codes: topic,
-- function, audience (the classification schemes), genre and disclosure (docs/vocabularies.md).
-- Values as the sightings' states hold them (already clean_text'ed by the connectors); a
-- field a sighting lacks is no row.
WITH held AS (
    UNPIVOT (SELECT portal_id, topic, "function", audience, genre, disclosure FROM int_sightings)
    ON topic, "function", audience, genre, disclosure
    INTO NAME field VALUE value
)
SELECT field, value, portal_id, count(*) AS n_sightings
FROM held
GROUP BY ALL
