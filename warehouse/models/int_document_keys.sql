-- materialized: view
-- grain: one row per sighting: the sighting (every int_sightings column) with the key of the
-- document it belongs to and how it got there, so later models need no join back.
-- A sighting with an index_no belongs to that index_no's document (int_index_keys: scoped
-- by unit; index_scope_unit_id: the unit it is scoped by); one in a component takes its
-- component's key (int_component_keys); any other
-- is a document of its own.
SELECT
    s.*,
    CASE
        WHEN s.index_no IS NOT NULL THEN i.index_key
        WHEN k.doc_key IS NOT NULL THEN k.doc_key
        ELSE 's|' || s.portal_id || '|' || s.item_key
    END AS doc_key,
    CASE WHEN s.index_no IS NOT NULL THEN 'index_no' ELSE k.match_rule END AS match_rule,
    i.scope_unit_id AS index_scope_unit_id,
    coalesce(k.is_index_conflict, false) AS is_index_conflict,
    k.candidate_index_nos
FROM int_sightings AS s
LEFT JOIN int_index_keys AS i ON i.sighting_id = s.sighting_id
LEFT JOIN int_component_keys AS k ON k.sighting_id = s.sighting_id
