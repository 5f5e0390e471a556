-- materialized: table
-- grain: one row per system × year × template row (25): the 2021 national annual-report
-- template's table 三、收到和处理政府信息公开申请情况, wide over its applicant columns
-- (docs/applications.md). Every configured unit is a system (the unit and its descendants,
-- int_unit_ancestry); every year of int_application_years is present, zeros included.
--   new_received (一): received in Y
--   carry_over (二): received before Y and not closed before Y-01-01
--   outcome rows (三 (一)…(六)): closed in Y, by outcome code; result_total (三 (七)): closed in Y
--   carry_to_next (四): received by Y-12-31 and not closed by Y-12-31
-- so that 一 + 二 = 三(七) + 四 in every column (warehouse/checks/application_counts_balance.sql).
WITH template_rows(row_no, row_key, row_label, outcome) AS (
    VALUES
        (1, 'new_received', '一、本年新收政府信息公开申请数量', NULL),
        (2, 'carry_over', '二、上年结转政府信息公开申请数量', NULL),
        (3, 'result_open', '三、本年度办理结果 （一）予以公开', '1'),
        (4, 'result_partial', '三、本年度办理结果 （二）部分公开', '2'),
        (5, 'not_open_secret', '三、本年度办理结果 （三）不予公开 1.属于国家秘密', '3.1'),
        (6, 'not_open_other_law', '三、本年度办理结果 （三）不予公开 2.其他法律行政法规禁止公开', '3.2'),
        (7, 'not_open_3s1w', '三、本年度办理结果 （三）不予公开 3.危及“三安全一稳定”', '3.3'),
        (8, 'not_open_third_party', '三、本年度办理结果 （三）不予公开 4.保护第三方合法权益', '3.4'),
        (9, 'not_open_internal', '三、本年度办理结果 （三）不予公开 5.属于三类内部事务信息', '3.5'),
        (10, 'not_open_process', '三、本年度办理结果 （三）不予公开 6.属于四类过程性信息', '3.6'),
        (11, 'not_open_casefile', '三、本年度办理结果 （三）不予公开 7.属于行政执法案卷', '3.7'),
        (12, 'not_open_query', '三、本年度办理结果 （三）不予公开 8.属于行政查询事项', '3.8'),
        (13, 'cannot_provide_not_held', '三、本年度办理结果 （四）无法提供 1.本机关不掌握相关政府信息', '4.1'),
        (14, 'cannot_provide_need_make', '三、本年度办理结果 （四）无法提供 2.没有现成信息需要另行制作', '4.2'),
        (15, 'cannot_provide_unclear', '三、本年度办理结果 （四）无法提供 3.补正后申请内容仍不明确', '4.3'),
        (16, 'no_process_petition', '三、本年度办理结果 （五）不予处理 1.信访举报投诉类申请', '5.1'),
        (17, 'no_process_repeat', '三、本年度办理结果 （五）不予处理 2.重复申请', '5.2'),
        (18, 'no_process_publications', '三、本年度办理结果 （五）不予处理 3.要求提供公开出版物', '5.3'),
        (19, 'no_process_massive', '三、本年度办理结果 （五）不予处理 4.无正当理由大量反复申请', '5.4'),
        (20, 'no_process_confirm', '三、本年度办理结果 （五）不予处理 5.要求行政机关确认或重新出具已获取信息', '5.5'),
        (21, 'other_fix_timeout', '三、本年度办理结果 （六）其他处理 1.申请人无正当理由逾期不补正', '6.1'),
        (22, 'other_fee_unpaid', '三、本年度办理结果 （六）其他处理 2.申请人逾期未按收费通知要求缴纳费用', '6.2'),
        (23, 'other_other', '三、本年度办理结果 （六）其他处理 3.其他', '6.3'),
        (24, 'result_total', '三、本年度办理结果 （七）总计', NULL),
        (25, 'carry_to_next', '四、结转下年度继续办理', NULL)
),
apps AS (
    SELECT a.ancestor_id AS system_id, s.*
    FROM stg_applications AS s
    JOIN int_unit_ancestry AS a ON a.unit_id = s.unit_id
),
placed AS (
    SELECT p.system_id, y.year, p.applicant_type,
           CASE
               WHEN p.received_year = y.year THEN ['new_received']
               ELSE ['carry_over']
           END
           || CASE
               WHEN p.closed_year = y.year THEN [t.row_key, 'result_total']
               ELSE ['carry_to_next']
           END AS row_keys
    FROM apps AS p
    JOIN int_application_years AS y
        ON p.received_year <= y.year AND (p.closed_year IS NULL OR p.closed_year >= y.year)
    LEFT JOIN template_rows AS t ON t.outcome = p.outcome
),
counted AS (
    SELECT
        system_id, year, row_key,
        count(*) FILTER (WHERE applicant_type = 'natural_person') AS natural_person,
        count(*) FILTER (WHERE applicant_type = 'commercial_enterprise') AS commercial_enterprise,
        count(*) FILTER (WHERE applicant_type = 'research_institute') AS research_institute,
        count(*) FILTER (WHERE applicant_type = 'social_org') AS social_org,
        count(*) FILTER (WHERE applicant_type = 'legal_service') AS legal_service,
        count(*) FILTER (WHERE applicant_type = 'other') AS other,
        count(*) AS total
    FROM (SELECT system_id, year, applicant_type, unnest(row_keys) AS row_key FROM placed) AS k
    GROUP BY ALL
)
SELECT
    u.unit_id AS system_id,
    y.year,
    CAST(t.row_no AS INTEGER) AS row_no,
    t.row_key,
    t.row_label,
    CAST(coalesce(c.natural_person, 0) AS BIGINT) AS natural_person,
    CAST(coalesce(c.commercial_enterprise, 0) AS BIGINT) AS commercial_enterprise,
    CAST(coalesce(c.research_institute, 0) AS BIGINT) AS research_institute,
    CAST(coalesce(c.social_org, 0) AS BIGINT) AS social_org,
    CAST(coalesce(c.legal_service, 0) AS BIGINT) AS legal_service,
    CAST(coalesce(c.other, 0) AS BIGINT) AS other,
    CAST(coalesce(c.total, 0) AS BIGINT) AS total
FROM stg_units AS u
CROSS JOIN int_application_years AS y
CROSS JOIN template_rows AS t
LEFT JOIN counted AS c ON c.system_id = u.unit_id AND c.year = y.year AND c.row_key = t.row_key
