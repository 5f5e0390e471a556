-- materialized: temp
-- grain: one row per distinct doc_no a landing row holds: whether it says there is none, and the
-- key the doc_no rules compare (docs/matching.md, 文号).
-- doc_no_key: the 文号 in one canonical spelling when it has the shape of one, an issuer part
-- (some Han character or letter), a year and a serial ending in 号: 龙工商〔2012〕5号,
-- 国办发[2019]60号, 国家税务总局公告2012年第5号. Every bracket pair around the year (NFKC
-- folds ［］（）﹝﹞ into []()〔〕) becomes 〔〕, 年 after the year too; the serial loses an
-- optional 第 and its leading zeros; the issuer is upper case with simplified characters.
-- A 文号 without a year (国令第672号: an issuer without brackets or a trailing digit, then
-- the serial) keys the same way without it. has_year: the key holds its year (a doc_no with
-- it matches across published years; one without only within one).
-- is_placeholder: a value without that shape that, read with NFKC, lower case, traditional
-- characters made simplified and every white space, punctuation and symbol removed, is a
-- value of seed_doc_no_placeholders (无文号, 见附件, 0 …) or nothing at all: the page prints
-- no 文号. Anything else without the shape (见正文 if the seed lacks it, 〔2012〕5号 without
-- issuer) has no key: it is kept as printed but identifies nothing.
-- (translate() with every traditional character is slow per row, so it reads only the
-- distinct issuers and the values without the shape, a few in any catalog.)
WITH printed AS (
    SELECT doc_no FROM stg_sightings WHERE doc_no IS NOT NULL
    UNION
    SELECT doc_no FROM stg_sighting_details WHERE doc_no IS NOT NULL
),
cleaned AS (
    SELECT doc_no, nfkc(doc_no) AS text
    FROM printed
),
parsed AS (
    SELECT
        doc_no,
        text,
        regexp_extract(
            regexp_replace(text, '[\s\p{Z}\x{200B}-\x{200D}\x{2060}\x{FEFF}]', '', 'g'),
            '^(.*?)(?:[〔\[(【{]([0-9]{4})[〕\])】}]|([0-9]{4})年)第?0*([1-9][0-9]*)号$|^(.*?)第?0*([1-9][0-9]*)号$',
            ['year_issuer', 'bracketed_year', 'year', 'year_serial', 'issuer', 'serial']
        ) AS parts
    FROM cleaned
),
shaped AS MATERIALIZED (
    SELECT
        doc_no,
        text,
        CASE
            WHEN regexp_matches(parts.year_issuer, '[\p{Han}A-Za-z]') THEN parts.year_issuer
            WHEN regexp_matches(parts.issuer, '[\p{Han}A-Za-z]')
                AND NOT regexp_matches(parts.issuer, '[〔〕\[\]()【】{}]|[0-9]$')
            THEN parts.issuer
        END AS issuer,
        nullif(parts.bracketed_year || parts.year, '') AS year,
        nullif(parts.year_serial || parts.serial, '') AS serial
    FROM parsed
),
issuers AS (
    SELECT s.issuer, upper(translate(s.issuer, c.traditional, c.simplified)) AS issuer_key
    FROM (SELECT DISTINCT issuer FROM shaped WHERE issuer IS NOT NULL) AS s
    CROSS JOIN int_simplified_chars AS c
),
unshaped AS (
    SELECT
        s.doc_no,
        regexp_replace(lower(translate(s.text, c.traditional, c.simplified)), '[\s\p{Z}\p{P}\p{S}]', '', 'g')
            AS placeholder_key
    FROM shaped AS s
    CROSS JOIN int_simplified_chars AS c
    WHERE s.issuer IS NULL
),
placeholders AS (
    SELECT DISTINCT
        regexp_replace(lower(translate(nfkc(p.value), c.traditional, c.simplified)), '[\s\p{Z}\p{P}\p{S}]', '', 'g')
            AS placeholder_key
    FROM seed_doc_no_placeholders AS p
    CROSS JOIN int_simplified_chars AS c
)
SELECT
    s.doc_no,
    coalesce(u.placeholder_key = '' OR p.placeholder_key IS NOT NULL, false) AS is_placeholder,
    i.issuer_key || coalesce('〔' || s.year || '〕', '') || s.serial || '号' AS doc_no_key,
    s.issuer IS NOT NULL AND s.year IS NOT NULL AS has_year
FROM shaped AS s
LEFT JOIN issuers AS i ON i.issuer = s.issuer
LEFT JOIN unshaped AS u ON u.doc_no = s.doc_no
LEFT JOIN placeholders AS p ON p.placeholder_key = u.placeholder_key
