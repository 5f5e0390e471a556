"""Traditional characters, as mirrors print annual reports, read as the simplified ones.

Only for matching: every figure keeps the text it was printed with (a category named 概況類
stays 概況類). The table covers the traditional forms of the characters the readers' words
use (row labels, the prose's verbs and nouns, category and level words); a character it
does not know is left as it is, which can only make a word fail to match, never match
another. Taiwan-localised mirrors also swap a few words (檔案 for 文件, 計畫 for 计划):
`WORDS` turns those back.
"""

from __future__ import annotations

_PAIRS = (
    "開开動动條条請请複复覆复訟讼議议費费數数類类計计劃划規规範范檔档務务統统況况機机構构"
    "關关據据處处應应辦办縣县區区鄉乡鎮镇級级電电達达萬万餘余與与態态經经濟济戶户內内註注"
    "冊册維维權权標标廣广監监體体總总結结轉转續续繼继審审決决糾纠屬属國国祕秘險险衛卫護护"
    "為为門门網网點点擊击瀏浏覽览諮咨詢询問问導导組组織织際际發发營营項项個个負负責责從从"
    "對对獲获報报紙纸錄录實实歷历來来圍围減减檢检郵邮訴诉單单於于無无沒没現现還还這这時时"
    "間间們们會会員员並并將将畫画產产業业財财預预題题準准則则細细綜综資资場场頁页訊讯絡络"
    "舉举號号執执穩稳確确過过區区縣县廳厅黨党務务辦办築筑諮咨詢询眾众稱称種种異异證证驗验"
    "齊齐邊边樣样帶带優优覽览處处專专項项經经費费撥拨減减讓让認认識识參参與与員员職职責责"
    "設设陽阳龍龙巖岩閩闽紅红盾盾裡里裏里億亿額额條条兩两區区週周匯汇總总庫库鏈链據据線线疇畴歸归壹一貳二參参"
)
CHARS: dict[str, str] = {_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2) if _PAIRS[i] != _PAIRS[i + 1]}
_TABLE = str.maketrans(CHARS)
WORDS: dict[str, str] = {"档案": "文件", "计画": "计划", "资讯": "信息", "网路": "网络", "程式": "程序"}


def simplified(text: str) -> str:
    """The text with the table's traditional characters and localised words replaced."""
    out = text.translate(_TABLE)
    for word, plain in WORDS.items():
        if word in out:
            out = out.replace(word, plain)
    return out
