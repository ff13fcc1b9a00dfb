"""Words that more than one stage reads: what an organisation's or a publisher's name ends in, the
dateline a news report opens with, and the qualifiers of a figure. Defined here once so that clean,
the line-role features, the extractors and the site's display cannot drift apart.

No entry names an outlet or a place: these are the endings of Chinese organisation and
publication names in general.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN_RE = re.compile(f"[{CJK}]+")
# A search term: a run of CJK characters or a run of other letters and digits (never punctuation);
# what the search index holds and what a reader's query is split into.
SEARCH_TERM_RE = re.compile(f"[{CJK}]+|[^\\W_{CJK}]+")

# What the name of an organisation ends in (某区委组织部, 某街道党工委, 某社区党委, 某市委党校).
ORG_SUFFIXES = (
    "组织部|宣传部|统战部|政法委|委员会|党委|党工委|党组|工委|党总支|党支部|支部|办公室|办公厅|研究室|研究院|研究所|"
    "研究中心|人民政府|政府|街道办事处|办事处|街道|管委会|党校|局|厅|委|社区|学院|大学|学校|中心|协会|学会"
)
ORG_SUFFIX_RE = re.compile(f"(?:{ORG_SUFFIXES})$")
# What the name of a university or a research body ends in: where its scholars work, not the place
# they write about (天津某某大学, 某省城市社区建设研究中心). A party school is not among them: it
# studies its own city.
ACADEMIC_SUFFIXES = "大学|学院|研究院|研究所|研究中心|研究基地|社会科学院"
# A name of a local street, road, estate or building that opens with a city's short form (某山社区, 某京路).
LOCAL_NAME_ENDINGS = "路|街|大街|大道|巷|社区|小区|新村|花园|广场|公园|大厦|大楼|公寓"
# An organisation's name inside a byline: 某某区委组织部 in （文字：某某区委组织部 张三）; the longest
# run that ends in a suffix, so that 作者系某市委党校教授 gives 某市委党校, not 某市委. A name does not
# describe: 凉亭下面的党支部 is a headline, not an organisation.
ORG_NAME_RE = re.compile(f"(?:(?!的)[{CJK}]){{2,28}}(?:{ORG_SUFFIXES})")

# The label of a paper's author note ([作者简介], 【作者简介】, 作者简介：): who wrote it, where born, where employed.
AUTHOR_NOTE_LABEL = r"[\[［【〔]?作者简介[\]］】〕]?"

# What the name of a publisher ends in: 北京日报, 荆楚网, 中央广播电视总台, 新华社, 求是杂志, 某某客户端.
PUBLISHER_ENDINGS = "日报|晚报|晨报|时报|周报|报|网|在线|新闻|电视台|广播电台|台|通讯社|社|杂志|期刊|刊|客户端|融媒体中心|发布"
# A news dateline: the publisher, then perhaps a place and a date, then 讯 / 消息 / 电
# (荆楚网消息, 某某文明网讯, 某某晚报掌上某某3月2日讯, 新华社北京3月5日电). 本报讯 names no one.
# The publisher is the longest name that still leaves a dateline after it (某某新闻网讯, not 某某新闻).
DATELINE_RE = re.compile(
    f"^(?P<publisher>[{CJK}]{{1,12}}(?:{PUBLISHER_ENDINGS}))(?:[（(][^（）()]{{1,12}}[）)])?(?:[{CJK}]{{0,8}}?)"
    r"(?:\d{1,2}月\d{1,2}日)?(?:讯|消息|电)(?![" + CJK + "])"
)
# What ends a sentence (。！？), and a clause that stands as one (；): where a figure's sentence, a
# heading's first sentence and a sentence in the body end. Every stage that cuts sentences builds
# on these, adding only what its own question needs (a line "closes" also on ：…).
FULL_STOPS = "。！？!?"
CLAUSE_STOPS = "；;"
SENTENCE_ENDS = FULL_STOPS + CLAUSE_STOPS
SELF_REFERENCE = ("本报", "本网", "本刊", "本台", "本站", "本社")

# Multipliers a report writes after Arabic digits (2.1万, 3千). In base units they are multiplied out;
# the site shows a figure in the one its text counts in (Metric.magnitude).
MAGNITUDES: dict[str, int] = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

# --- how exact a figure is -------------------------------------------------------------------------
# The qualifiers of a figure, each with where a report writes it: before the number (近2.1万名,
# 不超过3名), after the number and its 万/亿 (1120余个, 8.9万余人次), or after the unit (40%左右,
# 95%以内). Extraction finds them from this table, the site shows a figure with the word in the
# same place, and the exports carry the word: one table, so the three cannot drift apart.
# 达, 共 and 累计 say nothing about exactness and are not qualifiers.
BEFORE_NUMBER, AFTER_NUMBER, AFTER_UNIT = "before-number", "after-number", "after-unit"


@dataclass(frozen=True)
class Qualifier:
    word: str
    position: str  # BEFORE_NUMBER, AFTER_NUMBER or AFTER_UNIT
    # characters that, right before the word, make it the end of another word: 最近 (recently),
    # 附近, 预约 (to book), 签约, 赶超 — not 近, 约, 超 before a number
    not_after: str = ""


QUALIFIERS: tuple[Qualifier, ...] = (
    Qualifier("不少于", BEFORE_NUMBER), Qualifier("不低于", BEFORE_NUMBER), Qualifier("不超过", BEFORE_NUMBER),
    Qualifier("不多于", BEFORE_NUMBER), Qualifier("将近", BEFORE_NUMBER), Qualifier("接近", BEFORE_NUMBER),
    Qualifier("大约", BEFORE_NUMBER), Qualifier("超过", BEFORE_NUMBER), Qualifier("高于", BEFORE_NUMBER),
    Qualifier("多于", BEFORE_NUMBER), Qualifier("至少", BEFORE_NUMBER), Qualifier("最多", BEFORE_NUMBER),
    Qualifier("不足", BEFORE_NUMBER), Qualifier("不到", BEFORE_NUMBER),
    Qualifier("约", BEFORE_NUMBER, not_after="预签履节制特公契邀相合违守践赴应失条"),
    Qualifier("近", BEFORE_NUMBER, not_after="最附临靠亲邻"),
    Qualifier("逾", BEFORE_NUMBER),
    Qualifier("超", BEFORE_NUMBER, not_after="赶高"),
    Qualifier("余", AFTER_NUMBER), Qualifier("多", AFTER_NUMBER),
    Qualifier("左右", AFTER_UNIT), Qualifier("以上", AFTER_UNIT), Qualifier("以下", AFTER_UNIT),
    Qualifier("以内", AFTER_UNIT),
)  # fmt: skip
QUALIFIER_POSITION: dict[str, str] = {q.word: q.position for q in QUALIFIERS}
# What a qualified figure says of the true number: at least it (1,120余个 is a lower bound, drawn as
# one), at most it (近2.1万名, 不超过3名), or about it (约, 左右). An unqualified figure is exact.
LOWER_BOUND, UPPER_BOUND, APPROXIMATE = "lower", "upper", "approximate"
QUALIFIER_BOUND: dict[str, str] = {
    **dict.fromkeys(("不少于", "不低于", "超过", "高于", "多于", "至少", "逾", "超", "余", "多", "以上"), LOWER_BOUND),
    **dict.fromkeys(("不超过", "不多于", "最多", "不足", "不到", "将近", "接近", "近", "以下", "以内"), UPPER_BOUND),
    **dict.fromkeys(("大约", "约", "左右"), APPROXIMATE),
}
# A range (3至5名) is stored as its lower bound with this qualifier.
RANGE_QUALIFIER = "不少于"


def qualifier_words(position: str) -> tuple[str, ...]:
    """The words written at ``position``, longest first (不超过 is tried before 超)."""
    return tuple(sorted((q.word for q in QUALIFIERS if q.position == position), key=len, reverse=True))


# Characters that are no text: C0 and C1 controls (ESC, BEL …; tab and line breaks are whitespace,
# handled where lines are split) and the bidirectional overrides that reorder what a reader sees.
CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"

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
