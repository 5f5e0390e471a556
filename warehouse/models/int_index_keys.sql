-- materialized: temp
-- grain: one row per sighting with index_no: the key of the index_no document it belongs to.
-- An index_no is scoped by the units its sightings name (docs/matching.md, rule index_no).
-- A sighting names the unit of its printed publisher (publisher_unit_id); one whose page
-- prints no publisher names its portal's unit, for a portal lists documents of its own
-- ancestry line (its unit's, its ancestors' and descendants'), never a sibling's; one on a
-- portal without a unit, or whose printed name resolves to no unit, names none.
-- An index_no is one document, 'i|<index_no>', unless two of the units its sightings name
-- are in no one ancestry line (neither is the other's ancestor, int_unit_ancestry): then it
-- is not one publication's number but a short number each unit counts on its own, each
-- unit's sightings are a document of their own, 'i|<index_no>|<unit_id>', and those naming
-- no unit, which cannot tell which, one more, 'i|<index_no>|'. A parent and its department
-- are one line: portals print a department's document under its parent's name.
-- Re-indexed: index_no documents whose sightings share a unit, a 文号 key with its year and a
-- title key are one publication a portal numbered again; they take the smallest of their
-- keys (reindex_key). An index_no document in two such groups joins none (no chains).
WITH named AS (
    SELECT
        *,
        CASE WHEN publisher_name IS NULL THEN portal_unit_id ELSE publisher_unit_id END AS scope_unit_id
    FROM int_sightings
    WHERE index_no IS NOT NULL
),
index_units AS (
    SELECT DISTINCT index_no, scope_unit_id AS unit_id
    FROM named
    WHERE scope_unit_id IS NOT NULL
),
split_index_nos AS (
    -- two named units of which neither is an ancestor of the other
    SELECT DISTINCT a.index_no
    FROM index_units AS a
    JOIN index_units AS b ON b.index_no = a.index_no AND b.unit_id > a.unit_id
    ANTI JOIN int_unit_ancestry AS up ON up.unit_id = a.unit_id AND up.ancestor_id = b.unit_id
    ANTI JOIN int_unit_ancestry AS down ON down.unit_id = b.unit_id AND down.ancestor_id = a.unit_id
),
scoped AS (
    SELECT
        s.sighting_id,
        s.index_no,
        s.unit_id,
        s.doc_no_key,
        s.doc_no_year,
        s.title_key,
        s.scope_unit_id,
        CASE
            WHEN x.index_no IS NULL THEN 'i|' || s.index_no
            ELSE 'i|' || s.index_no || '|' || coalesce(s.scope_unit_id, '')
        END AS index_key
    FROM named AS s
    LEFT JOIN split_index_nos AS x ON x.index_no = s.index_no
),
reindex_links AS (
    -- one publication (unit, doc_no with its year, title) under several index_no keys
    SELECT DISTINCT
        unit_id || '|' || doc_no_key || '|' || title_key AS reindex_group,
        index_key
    FROM scoped
    WHERE unit_id IS NOT NULL AND doc_no_key IS NOT NULL AND doc_no_year = '' AND title_key IS NOT NULL
),
single_links AS (
    SELECT * FROM reindex_links
    QUALIFY count(*) OVER (PARTITION BY index_key) = 1
),
reindex_targets AS (
    SELECT index_key, min(index_key) OVER (PARTITION BY reindex_group) AS reindex_key
    FROM single_links
    QUALIFY count(*) OVER (PARTITION BY reindex_group) > 1
)
SELECT
    s.sighting_id,
    s.index_no,
    s.scope_unit_id,
    coalesce(t.reindex_key, s.index_key) AS index_key,
    t.reindex_key IS NOT NULL AS is_reindexed
FROM scoped AS s
LEFT JOIN reindex_targets AS t ON t.index_key = s.index_key
