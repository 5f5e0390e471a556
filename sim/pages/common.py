"""Pieces every family's pages share: the document body and the pages faults put up."""

from __future__ import annotations

from html import escape

from sim.model import Doc
from sim.shown import cn_short, cut

HOSTILE_PREFIXES = (
    '<script>alert("xss")</script>',
    '=HYPERLINK("http://evil.example/","点此")',
    "'; DROP TABLE fct_documents; --",
)
CHALLENGE_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head><body>'
    '<div class="verify"><h3>安全验证</h3><p>您的访问过于频繁，正在进行安全验证，请稍候……</p></div>'
    '<script>var _0x3f=["cookie","__jsl_clearance=","reload"];(function(){var t=Math.floor('
    'Date.now()/1000);document[_0x3f[0]]=_0x3f[1]+t+"|0|"+(Math.random()+"").slice(2)+'
    '";max-age=3600;path=/";setTimeout(function(){location[_0x3f[2]]()},1500);})();</script>'
    "<noscript>请开启浏览器的JavaScript功能后刷新本页面。</noscript></body></html>"
)


def body_html(doc: Doc, publisher: str, attachment_href: str) -> str:
    """A compact body: a few paragraphs, an attachment, or both (an annual report: sim.annual)."""
    if doc.content == "report":
        from sim.annual.serve import report_body  # lazy: sim.annual imports the pages

        return report_body(doc, attachment_href)
    parts = []
    if doc.content in ("text", "both"):
        parts.append(
            f"<p>各有关单位：</p><p>为认真贯彻落实上级有关部署，进一步做好相关工作，现就《{escape(doc.title)}》"
            "有关事项通知如下：</p><p>一、提高认识，加强领导。各单位要把此项工作列入重要议事日程，明确责任分工。</p>"
            "<p>二、突出重点，狠抓落实。要结合本地实际，制定具体措施，确保各项任务落到实处。</p>"
            "<p>三、加强督查，确保实效。工作中遇到的问题请及时报告。</p>"
            f'<p style="text-align:right">{escape(publisher)}<br/>{cn_short(doc.written)}</p>'
        )
    editor = f'<div class="TRS_Editor">{"".join(parts)}\n</div>'
    if doc.content in ("attachment", "both"):
        editor += f'<div class="fj"><p>附件：<a href="{attachment_href}">{escape(cut(doc.title, 30))}.doc</a></p></div>'
    return editor
