"""The figures of the Longyan City AIC 2012 annual disclosure report the world is built to.

The report (龙岩市工商行政管理局2012年度政府信息公开年度报告) is quoted as it reads, in
traditional characters. Every number the generator allocates to make a report figure
hold is named here; docs/sim.md says how the figures hold by construction and
docs/counting.md gives the counting rules they are counted by.
"""

from __future__ import annotations

from typing import NamedTuple

#: The report's year: "held" means held at its end, "new" published during it.
REPORT_YEAR = 2012

# -- 二、1.: the documents held and new at the end of 2012 (system ly-aic)

#: 二、1. "整合主動公開的政府信息2887條"
HELD_ALL = 2887
#: 二、1. "市局各科室、直屬單位梳理、整合主動公開885條"
HELD_CITY = 885
#: 二、1. "(公文類756條)" (of the city level's 885)
OFFICIAL_CITY = 756
#: 二、1. "縣(市、區)工商局梳理、整合主動公開2002條"
HELD_COUNTY = 2002
#: 二、1. "(公文類1977條)" (of the county level's 2002)
OFFICIAL_COUNTY = 1977
#: 二、1. "全市工商系統新增發布主動公開信息725條"
NEW_ALL = 725
#: 二、3. "本局在全省工商系統政府信息公開大平台新增發布主動公開信息235條"
NEW_CITY = 235
#: Not printed: the county level's new documents are the system's less the bureau's.
NEW_COUNTY = NEW_ALL - NEW_CITY  # 490
#: 二、1. "歷年處理依申請公開政府信息4條" (三、1. "歷年來共受理依申請公開申請4件"):
#: the city bureau's 依申请公开 entries, never held.
APPLICATIONS_CITY = 4

assert HELD_ALL == HELD_CITY + HELD_COUNTY

#: The figures the truth must give for system ly-aic, year 2012 (all = city + county).
SEED_FIGURES = {
    "held": {"all": HELD_ALL, "city": HELD_CITY, "county": HELD_COUNTY},
    "official_held": {"all": OFFICIAL_CITY + OFFICIAL_COUNTY, "city": OFFICIAL_CITY, "county": OFFICIAL_COUNTY},
    "new": {"all": NEW_ALL, "city": NEW_CITY, "county": NEW_COUNTY},
}

# -- 二、3.: the city level's 235 new documents per classification scheme. Each column
# holds exactly these counts (None = no value on any portal); the report's named
# categories come first, then our own split of the rest (the report leaves them out).

#: 二、3. "從主題分類情況看,組織機構類信息24條,規範性檔案信息類26條,規劃計畫類信息23條,
#: 統計信息26條,工商動態及其他類工商業務信息88條,以上信息占主動公開信息的79.57%"
CITY_NEW_TOPICS_REPORTED = {"组织机构": 24, "规范性文件": 26, "规划计划": 23, "统计信息": 26, "工商动态及其他": 88}
#: The other 48 of the 235 (not in the report; 6 without a topic).
CITY_NEW_TOPICS_OTHER = {"行政许可": 17, "行政执法": 14, "人事信息": 6, "财务信息": 5, None: 6}
CITY_NEW_TOPICS = {**CITY_NEW_TOPICS_REPORTED, **CITY_NEW_TOPICS_OTHER}

#: 二、3. "從業務職能分類情況看,內資企業註冊信息31條、消費維權信息30條,商標廣告監管信息
#: 27條,政務公開信息及其他綜合類69條,占主動公開信息的66.81%"
CITY_NEW_FUNCTIONS_REPORTED = {"内资企业注册": 31, "消费维权": 30, "商标广告监管": 27, "政务公开及其他综合": 69}
#: The other 78 of the 235 (not in the report; 10 without a function).
CITY_NEW_FUNCTIONS_OTHER = {"外资企业注册": 11, "市场规范管理": 21, "经济检查": 19, "个体私营经济监管": 17, None: 10}
CITY_NEW_FUNCTIONS = {**CITY_NEW_FUNCTIONS_REPORTED, **CITY_NEW_FUNCTIONS_OTHER}

#: 二、3. "服務企業經濟戶口信息46條、服務消費者信息39條,占主動公開信息的36.17%,
#: 服務其他群體信息141條,占主動公開信息的60%"
CITY_NEW_AUDIENCES_REPORTED = {"服务企业": 46, "服务消费者": 39, "服务其他群体": 141}
#: The 9 the report's audience figures leave unaccounted for: no audience on any portal.
CITY_NEW_AUDIENCES_OTHER = {None: 9}
CITY_NEW_AUDIENCES = {**CITY_NEW_AUDIENCES_REPORTED, **CITY_NEW_AUDIENCES_OTHER}

for _column in (CITY_NEW_TOPICS, CITY_NEW_FUNCTIONS, CITY_NEW_AUDIENCES):
    assert sum(_column.values()) == NEW_CITY


class Picks(NamedTuple):
    """How many documents of one batch take each branch of the official-document rule
    (docs/counting.md): `official` of `count` are official, `genre_missing_official` of
    those by their 文号 alone; `genre_missing_other` have neither genre nor 文号 and
    `other_with_doc_no` carry a 文号 under a non-official genre (the genre decides)."""

    count: int
    official: int
    genre_missing_official: int
    genre_missing_other: int
    other_with_doc_no: int


#: The report does not split the city level's 756 official documents by year: our split
#: is 200 of the 235 new and the rest (556) of the 650 held from before 2012.
NEW_CITY_OFFICIAL = 200
#: Likewise for the county level's 1977: 484 of the 490 new, 1493 of the 1512 older.
NEW_COUNTY_OFFICIAL = 484

#: The city level's documents new in 2012.
CITY_NEW_PICKS = Picks(
    count=NEW_CITY, official=NEW_CITY_OFFICIAL, genre_missing_official=12, genre_missing_other=7, other_with_doc_no=5
)
#: The city level's documents held from before 2012 (885 - 235 = 650).
CITY_OLD_PICKS = Picks(
    count=HELD_CITY - NEW_CITY,
    official=OFFICIAL_CITY - NEW_CITY_OFFICIAL,
    genre_missing_official=30,
    genre_missing_other=10,
    other_with_doc_no=8,
)
#: The county level's documents new in 2012 (490).
COUNTY_NEW_PICKS = Picks(
    count=NEW_COUNTY,
    official=NEW_COUNTY_OFFICIAL,
    genre_missing_official=20,
    genre_missing_other=2,
    other_with_doc_no=3,
)
#: The county level's documents held from before 2012 (2002 - 490 = 1512).
COUNTY_OLD_PICKS = Picks(
    count=HELD_COUNTY - NEW_COUNTY,
    official=OFFICIAL_COUNTY - NEW_COUNTY_OFFICIAL,
    genre_missing_official=40,
    genre_missing_other=4,
    other_with_doc_no=3,
)

#: How the county level's documents spread over the seven county bureaus (in the order
#: of sim.catalog.COUNTY_UNITS: 新罗, 永定, 长汀, 上杭, 武平, 连城, 漳平); not in the report.
COUNTY_WEIGHTS = (0.22, 0.14, 0.14, 0.15, 0.12, 0.11, 0.12)
