"""Words that more than one stage reads: what an organisation's or a publisher's name ends in, and
the dateline a news report opens with. Defined here once so that clean, the line-role features
and the metadata extractor cannot drift apart.

No entry names an outlet or a place: these are the endings of Chinese organisation and
publication names in general.
"""

from __future__ import annotations

import re

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# What the name of an organisation ends in (某区委组织部, 某街道党工委, 某社区党委, 某市委党校).
ORG_SUFFIXES = (
    "组织部|宣传部|统战部|政法委|委员会|党委|党工委|党组|工委|党总支|党支部|支部|办公室|办公厅|研究室|研究院|研究所|"
    "研究中心|人民政府|政府|街道办事处|办事处|街道|管委会|党校|局|厅|委|社区|学院|大学|学校|中心|协会|学会"
)
ORG_SUFFIX_RE = re.compile(f"(?:{ORG_SUFFIXES})$")
# An organisation's name inside a byline: 某某区委组织部 in （文字：某某区委组织部 张三）; the longest
# run that ends in a suffix, so that 作者系某市委党校教授 gives 某市委党校, not 某市委.
ORG_NAME_RE = re.compile(f"[{CJK}]{{2,28}}(?:{ORG_SUFFIXES})")

# What the name of a publisher ends in: 北京日报, 荆楚网, 中央广播电视总台, 新华社, 求是杂志, 某某客户端.
PUBLISHER_ENDINGS = "日报|晚报|晨报|时报|周报|报|网|在线|新闻|电视台|广播电台|台|通讯社|社|杂志|期刊|刊|客户端|融媒体中心|发布"
# A news dateline: the publisher, then perhaps a place and a date, then 讯 / 消息 / 电
# (荆楚网消息, 某某文明网讯, 某某晚报掌上某某3月2日讯, 新华社北京3月5日电). 本报讯 names no one.
# The publisher is the longest name that still leaves a dateline after it (某某新闻网讯, not 某某新闻).
DATELINE_RE = re.compile(
    f"^(?P<publisher>[{CJK}]{{1,12}}(?:{PUBLISHER_ENDINGS}))(?:[（(][^（）()]{{1,12}}[）)])?(?:[{CJK}]{{0,8}}?)"
    r"(?:\d{1,2}月\d{1,2}日)?(?:讯|消息|电)(?![" + CJK + "])"
)
SELF_REFERENCE = ("本报", "本网", "本刊", "本台", "本站", "本社")

# How a line is numbered, by style, tried in this order at the start of a line (1.1.1 before 1.1
# before 1.; 第一 before 一、). Each pattern takes the number and the spaces after it, so that what
# follows is the heading's text. The outline stages (roles' features, mechanisms' headings, clean's
# heading test) all read this one table.
_CN = "一二三四五六七八九十"
NUMBERING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dotted3", re.compile(r"^\d{1,2}\s*[.．]\s*\d{1,2}\s*[.．]\s*\d{1,2}(?![\d.．%％])\s*")),
    # 1.1 健全… but not 3.5个百分点 or 1.2万: a decimal figure is followed by its unit
    ("dotted2", re.compile(rf"^\d{{1,2}}\s*[.．]\s*\d{{1,2}}(?![\d.．%％万亿千百个元名])(?=\s|[{CJK}])\s*")),
    ("ordinal", re.compile(rf"^第[{_CN}\d]+(?:[，,、：:\s]|是|个|章|节|部分|条)\s*")),
    ("enumeration", re.compile(rf"^[{_CN}]是\s*[，,：:]?\s*")),
    ("cn", re.compile(rf"^[{_CN}]{{1,3}}\s*[、.．]\s*")),
    ("cn_paren", re.compile(rf"^[(（〔【]\s*[{_CN}]{{1,3}}\s*[)）〕】]\s*[、.．]?\s*")),
    ("arabic_paren", re.compile(r"^(?:[(（〔【]\s*\d{1,2}\s*[)）〕】]|\d{1,2}\s*[)）])\s*")),
    ("arabic", re.compile(r"^\d{1,2}\s*[、.．](?!\d)\s*")),
    ("circled", re.compile(r"^[①-⑳]\s*")),
    ("bullet", re.compile(r"^(?:[•·●○◆◇■□▪▶►➤√*]|[-—](?![-—]))\s*")),  # not the —— of a kicker
)
# The styles that number a section heading (an ordinal, an enumeration and a bullet open list
# entries or sentences as often as headings).
HEADING_NUMBERING = tuple((s, p) for s, p in NUMBERING if s not in ("ordinal", "enumeration", "bullet"))


def numbering(line: str) -> str:
    """The numbering style a line opens with (``dotted3`` ``cn`` ``cn_paren`` … ``bullet``), or ''."""
    for style, pattern in NUMBERING:
        if pattern.match(line):
            return style
    return ""
