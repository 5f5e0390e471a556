-- materialized: temp
-- grain: one row per document whose title names an annual report on disclosure
-- (docs/reports.md, Nightly reconciliation). The title is compared without white space,
-- NFKC, traditional characters made simplified (seed_traditional_chars): it holds
-- 政府信息公开 or 政务公开, then optionally 工作, optionally 年度 or 年, optionally 工作 again, and
-- 报告 or 年报 (政府信息公开工作年度报告, 政务公开年度报告, 政府信息公开年报 …). A notice about a report
-- is not one: 关于, 图解 or 解读 before those words, or after them 的, 解读, 图解, 通知, 通报, 说明, 函, 公告,
-- 意见, 批复 or 报送. year: a year printed in the title (19xx/20xx before 年, in Arabic or
-- Chinese numerals 二〇一二, 二零一二, 二○一二), else the published year minus one for a report
-- published in January to March, else NULL (the report's own year then, fct_annual_reports).
-- The source read is the document's sighting on a configured portal that reads detail pages,
-- not withdrawn, the origin first, then one whose detail page was read, then portal_id and
-- item_key. fingerprint changes when that URL, its detail page's body (detail_sha256), the
-- title or the published date changes: then the report is read again.
WITH chars AS (
    SELECT
        coalesce(string_agg(traditional, '' ORDER BY traditional), '') AS traditional,
        coalesce(string_agg(simplified, '' ORDER BY traditional), '') AS simplified
    FROM seed_traditional_chars
),
keyed AS (
    SELECT
        d.doc_id,
        d.unit_id,
        d.title,
        d.published_date,
        translate(regexp_replace(nfkc(d.title), '[\s\p{Z}]', '', 'g'), c.traditional, c.simplified) AS title_key
    FROM fct_documents AS d
    CROSS JOIN chars AS c
    WHERE d.title IS NOT NULL
),
matched AS (
    SELECT
        *,
        regexp_extract(title_key, '^(.*?)(政府信息公开|政务公开)(工作)?(年度|年)?(工作)?(报告|年报)(.*)$', 1) AS head,
        regexp_extract(title_key, '^(.*?)(政府信息公开|政务公开)(工作)?(年度|年)?(工作)?(报告|年报)(.*)$', 7) AS tail
    FROM keyed
    WHERE regexp_matches(title_key, '(政府信息公开|政务公开)(工作)?(年度|年)?(工作)?(报告|年报)')
),
reports AS (
    SELECT
        *,
        regexp_extract(title_key, '((?:19|20)[0-9]{2})年', 1) AS arabic_year,
        translate(regexp_extract(title_key, '([〇零○一二三四五六七八九]{4})年', 1), '〇零○一二三四五六七八九', '000123456789')
            AS chinese_year
    FROM matched
    WHERE NOT regexp_matches(head, '关于|图解|解读')
      AND NOT regexp_matches(tail, '的|解读|图解|通知|通报|说明|函|公告|意见|批复|报送')
),
sightings AS (
    SELECT
        s.doc_id,
        s.portal_id,
        s.item_key,
        s.url,
        row_number() OVER (
            PARTITION BY s.doc_id
            ORDER BY s.is_origin DESC, s.is_detail_fetched DESC, s.portal_id, s.item_key
        ) AS pick
    FROM fct_sightings AS s
    JOIN dim_portals AS p ON p.portal_id = s.portal_id
    WHERE p.is_configured AND p.details <> 'never' AND NOT s.is_withdrawn AND s.url IS NOT NULL
)
SELECT
    r.doc_id,
    r.unit_id,
    CASE
        WHEN r.arabic_year <> '' THEN CAST(r.arabic_year AS INTEGER)
        WHEN regexp_matches(r.chinese_year, '^(19|20)[0-9]{2}$') THEN CAST(r.chinese_year AS INTEGER)
        WHEN month(r.published_date) <= 3 THEN year(r.published_date) - 1
    END AS year,
    CASE
        WHEN r.arabic_year <> '' OR regexp_matches(r.chinese_year, '^(19|20)[0-9]{2}$') THEN 'title'
        WHEN month(r.published_date) <= 3 THEN 'published date'
    END AS year_source,
    r.title,
    r.published_date,
    s.portal_id,
    s.item_key,
    s.url,
    md5(concat_ws('|', s.url, coalesce(d.detail_sha256, ''), r.title, coalesce(CAST(r.published_date AS VARCHAR), '')))
        AS fingerprint
FROM reports AS r
LEFT JOIN sightings AS s ON s.doc_id = r.doc_id AND s.pick = 1
LEFT JOIN stg_sighting_details AS d ON d.portal_id = s.portal_id AND d.item_key = s.item_key
