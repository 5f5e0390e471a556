"""The Longyan AIC system as the tests state it by hand (the city bureau, its six departments
and its seven county bureaus), independent of the simulator's own list, so a test that
counts the system's documents checks the world rather than repeating it."""

from __future__ import annotations

LONGYAN_UNITS = frozenset(
    {
        "ly-aic",
        "ly-aic-bgs",
        "ly-aic-qyzc",
        "ly-aic-xfwq",
        "ly-aic-sbgg",
        "ly-aic-scgf",
        "ly-aic-jjjc",
        "ly-xl-aic",
        "ly-yd-aic",
        "ly-ct-aic",
        "ly-sh-aic",
        "ly-wp-aic",
        "ly-lc-aic",
        "ly-zp-aic",
    }
)

#: The fifteen kinds of 公文 (and 命令 beside its short form 令), stated by hand: a document
#: of one of these genres, or of no genre but with a 文号, is official.
OFFICIAL = frozenset(
    {
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
    }
)
