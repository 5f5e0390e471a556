"""The words of the catalog: genres, classification schemes, and what documents are about."""

from __future__ import annotations

#: The genres (公文种类) of official documents (docs/counting.md): a document of one of
#: these genres, or of no genre but with a 文号, is official (公文类).
OFFICIAL_GENRES = (
    "决议",
    "决定",
    "命令",
    "令",
    "公报",
    "公告",
    "通告",
    "意见",
    "通知",
    "通报",
    "报告",
    "请示",
    "批复",
    "议案",
    "函",
    "纪要",
)
#: Genres of documents that are not official, 文号 or not (the genre decides).
OTHER_GENRES = ("其他", "规定", "办法", "总结", "计划", "简报")
TOPICS = (
    "组织机构",
    "规范性文件",
    "规划计划",
    "统计信息",
    "工商动态及其他",
    "行政许可",
    "行政执法",
    "人事信息",
    "财务信息",
)
FUNCTIONS = (
    "内资企业注册",
    "外资企业注册",
    "消费维权",
    "商标广告监管",
    "市场规范管理",
    "经济检查",
    "个体私营经济监管",
    "政务公开及其他综合",
)
AUDIENCES = ("服务企业", "服务消费者", "服务其他群体")

#: Which department of the city bureau publishes a document of a given business function.
FUNCTION_DEPARTMENT = {
    "内资企业注册": "ly-aic-qyzc",
    "外资企业注册": "ly-aic-qyzc",
    "消费维权": "ly-aic-xfwq",
    "商标广告监管": "ly-aic-sbgg",
    "市场规范管理": "ly-aic-scgf",
    "个体私营经济监管": "ly-aic-scgf",
    "经济检查": "ly-aic-jjjc",
}

#: What a document of a given business function is about (titles are made of these).
SUBJECTS = {
    "内资企业注册": [
        "企业年度检验",
        "内资企业登记注册",
        "企业名称预先核准",
        "农民专业合作社登记",
        "企业登记管理",
        "股权出质登记",
        "企业信用分类监管",
        "注册资本登记",
    ],
    "外资企业注册": ["外商投资企业年度检验", "外资企业登记管理", "外商投资合伙企业登记", "台资企业登记服务"],
    "消费维权": [
        "“3·15”国际消费者权益日活动",
        "12315消费者申诉举报受理",
        "消费维权网络建设",
        "流通环节商品质量监测",
        "消费者权益保护",
        "农村消费维权站点建设",
    ],
    "商标广告监管": [
        "驰名商标认定推荐",
        "户外广告登记",
        "商标专用权保护",
        "虚假违法广告整治",
        "地理标志商标培育",
        "广告经营单位年检",
    ],
    "市场规范管理": ["合同格式条款监管", "商品交易市场规范", "经纪人管理", "合同帮农", "拍卖活动监管", "市场名称规范"],
    "经济检查": [
        "打击传销规范直销",
        "无照经营查处",
        "“红盾护农”行动",
        "打击侵犯知识产权和制售假冒伪劣商品",
        "商业贿赂专项治理",
        "网络商品交易监管",
    ],
    "个体私营经济监管": ["个体工商户登记", "私营企业发展服务", "个私协会建设", "小微企业扶持"],
    "政务公开及其他综合": [
        "政府信息公开",
        "机关效能建设",
        "党风廉政建设",
        "文明单位创建",
        "安全生产",
        "干部教育培训",
        "档案管理",
        "财务预算管理",
        "信访工作",
    ],
}

#: Company names gb2312 cannot encode (镕), in some 长汀 titles.
GBK_ONLY_NAMES = ("长汀县镕达商贸有限公司", "长汀县金镕建材有限公司")
