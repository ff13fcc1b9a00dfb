"""clean: set the article apart from the page around it.

Input is normalised text (simplified script, Chinese full-width punctuation beside Chinese),
so every pattern here is written once; ASCII variants are still accepted where a page keeps
them (``来源:`` between ASCII, a ``>`` breadcrumb).

Which line is what is decided by the line-role model (``ingest.roles``): a CRF over features of each
line and its neighbours, trained on labelled pages of many outlets. The rules below (chrome_kind,
meta_kind, is_heading, is_caption, is_headline, closes…) are its features, not verdicts: alone they
fit the pages they were written against and fail elsewhere (a short first line is not always a
headline; a short unclosed line may be a heading or a caption). Output is a ``Layout``:

- ``title`` (a headline broken over two lines joined) and ``subtitle``;
- ``meta_lines``: dateline, source, author, reporter, byline and author-unit lines: the
  metadata extractor reads them, the body does not carry them; ``bylines`` those that name who
  wrote the report;
- ``captions``: photo captions;
- ``paragraphs``: the body, headings included, with ``paragraph_roles`` (h1/h2/h3/item/body);
- ``dropped``: page chrome and footer (breadcrumbs, tool and share lines, copyright notices, editor
  credits, previous/next links, related-article lists, counters) and a repeated copy of the article.

What lies inside a line stays rule-based: a wire dateline opening the first paragraph, a credit
bracket closing the last one. No rule names a site or a city: the patterns are the page furniture
of Chinese news and party-building sites in general.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from .report import MAX_EXAMPLES, Change, Layout
from .vocabulary import (
    CJK,
    CJK_RUN_RE,
    CONTROL_CHARS,
    DATELINE_RE,
    NUMBERING,
    ORG_SUFFIX_RE,
    ORG_SUFFIXES,
    SENTENCE_ENDS,
)

CJK_RE = re.compile(f"[{CJK}]")
COLON = "[:：]"
OPEN = "[（(【\\[〔]"
CLOSE = "[）)】\\]〕]"

# A line "closes" when its last mark (closing quotes and brackets aside) ends a sentence or a clause
# that leads into a list (主要是三个方面：).
SENTENCE_END = SENTENCE_ENDS + "：…:"
TRAILING_CLOSERS = "”’」』）)》】 "

DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:年\s*|[-/.])(?P<m>\d{1,2})\s*(?:月\s*|[-/.])(?P<d>\d{1,2})日?"
    r"(?:\s*(?:上午|下午|晚上)?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)

# ---- page chrome -----------------------------------------------------------------------------------

BREADCRUMB_LEAD_RE = re.compile(f"^(当前位置|您的位置|您现在的位置|您当前的位置|所在位置|现在位置|位置){COLON}")
BREADCRUMB_SEP_RE = re.compile(r"\s*(?:>>|»|›|＞|>|→)\s*")
HOME_RE = re.compile(r"^(首页|主页|网站首页|返回首页)")

# "论文部分内容阅读", "阅读全文", "正文": a page's label for the article box, not the article.
PAGE_HEADER_RE = re.compile(
    r"^(?:(?:论文|文章|全文|正文|期刊)?(?:部分)?(?:内容)?(?:阅读|预览)|阅读全文|展开全文|全文阅读|查看全文|"
    r"阅读原文|查看原文|点击阅读|在线阅读|下载全文|全文下载|正文|内容摘要|文章正文|收起)$"
)

# Words that make up a tool bar: font size, print, close, share targets, QR-code prompts.
TOOL_WORDS = (
    "字号", "字体", "默认", "放大", "缩小", "大", "中", "小", "打印本页", "打印", "关闭窗口", "关闭", "收藏本页", "收藏",
    "加入收藏", "分享到", "分享", "复制链接", "纠错", "返回顶部", "回到顶部", "返回", "顶部", "微信", "微博", "新浪微博",
    "腾讯微博", "QQ空间", "QQ", "朋友圈", "人人网", "豆瓣", "扫一扫", "二维码", "手机看", "手机版", "点赞", "在看", "评论",
    "转发", "举报", "我要", "选择", "阅读模式", "听新闻", "语音播报", "无障碍", "长者助手", "长者模式", "关怀模式", "关怀版",
    "我的收藏",
)  # fmt: skip
TOOL_WORDS_RE = re.compile("|".join(sorted(map(re.escape, TOOL_WORDS), key=len, reverse=True)))
TOOL_LEAD_RE = re.compile(
    r"^(?:分享到|分享至|微信[“\"]?扫一扫|扫一扫|扫描二维码|用微信扫描|长按(?:识别)?二维码|长按关注|"
    r"点击(?:上方|下方|右上角)?(?:蓝字|关注)|关注(?:我们|公众号)|欢迎关注|打开微信|手机扫描|手机阅读)"
)

COPYRIGHT_LEAD_RE = re.compile(f"^{OPEN}?(?:版权声明|免责声明|特别声明|郑重声明|声明|版权所有|本站声明|转载声明|原创声明)")
COPYRIGHT_RE = re.compile(
    r"(?:版权(?:归|所有|问题)|转载请注明|未经(?:书面)?(?:许可|授权)|不得(?:转载|复制)|如有侵权|侵权(?:请|必究|删除)|"
    r"仅(?:限|供)学习|仅供参考|联系(?:我们|本站|小编)?(?:及时)?删除|本站(?:仅提供|不拥有|不承担)|"
    r"Copyright|©|ICP备|ICP证|公网安备|网站地图|技术支持[:：]|主办单位[:：]|承办单位[:：]|联系我们)",
    re.IGNORECASE,
)

EDITOR_KEYS = (
    "责编|责任编辑|值班编辑|网络编辑|来源编辑|编辑|主编|审核|审校|校对|终审|初审|复审|一审|二审|三审|编审|美编|"
    "监制|出品人|出品|统筹|策划|排版|制作|校审"
)
EDITOR_RE = re.compile(f"^{OPEN}?\\s*(?:{EDITOR_KEYS})\\s*[:：丨|/]")

PREV_NEXT_RE = re.compile(f"^{OPEN}?(?:上一篇|下一篇|上一条|下一条|上篇|下篇|前一篇|后一篇|上一页|下一页|上一个|下一个){CLOSE}?")

RELATED_HEAD_RE = re.compile(
    f"^{OPEN}?(?:相关推荐|相关阅读|相关文章|相关新闻|相关链接|相关报道|相关稿件|热门文章|热门推荐|热门阅读|热文推荐|"
    r"推荐阅读|推荐文章|延伸阅读|猜你喜欢|你可能还喜欢|你可能感兴趣|往期回顾|往期推荐|往期精选|精彩推荐|更多阅读|"
    r"更多精彩|更多新闻|最新文章|最新推荐|最新资讯|热点推荐|阅读排行|点击排行|排行榜|热门排行|精选推荐|今日推荐|"
    f"大家都在看|喜欢此内容的人还喜欢){CLOSE}?\\s*(?:{COLON}|更多.{{0,4}})?$"
)

COUNTER_RE = re.compile(
    r"^(?:[（(\[【]?\d{1,7}[)）\]】]?|(?:阅读|浏览|点击|访问|点赞|评论|收藏)(?:量|数|次数)?\s*[:：]?\s*\d+\s*(?:次|人)?|"
    r"\d+\s*(?:次阅读|人阅读|次浏览|阅读|浏览|赞|评论|人看过))$"
)

# An editor's note framing a repost (编者按：…) speaks about the report, it is not the report.
EDITOR_NOTE_RE = re.compile(f"^{OPEN}?(?:编者按|编者的话|编后语|编后){CLOSE}?{COLON}")
BRACKET_GROUP_RE = re.compile(r"【[^【】]*】|\[[^\[\]]*\]")
BRACKET_LINE_RE = re.compile(r"^(?:\s*(?:【[^【】]*】|\[[^\[\]]*\]))+\s*$")

# A journal archive's catalogue fields around a paper.
PAPER_FIELD_RE = re.compile(f"^{OPEN}?(?:中图分类号|文献标识码|文章编号|DOI|收稿日期|基金项目|引用本文|下载次数){COLON}?", re.I)

# An aggregator's own note (not a publisher): 来源：网络整理 / 互联网 / 网友投稿.
AGGREGATOR_RE = re.compile(f"^{OPEN}?(?:稿件|文章|本文|信息)?来源{COLON}\\s*(?:网络|互联网|网友|本站|转载|综合|整理|网络整理)")

# ---- metadata lines ----------------------------------------------------------------------------------

META_KEYS = (
    "来源|稿件来源|文章来源|本文来源|信息来源|新闻来源|出处|转自|转载自|作者|文|撰稿|撰文|执笔|供稿|通讯员|记者|"
    "摄影|摄|图|图文|发布时间|发表时间|更新时间|时间|日期|发布日期|发布|浏览次数|点击数|阅读|字号|关键词|关键字|作者简介"
)
AUTHOR_KEYS = "作者|文|撰稿|撰文|执笔|供稿|通讯员|记者|摄影|摄|图|图文"
META_FIELD_RE = re.compile(f"^{OPEN}?\\s*(?:{META_KEYS})\\s*{COLON}")
WECHAT_HEADER_RE = re.compile(r"^(?:原创\s|.{0,40}(?:发表于|发布于)\S{0,10}$)")
AUTHOR_SLASH_RE = re.compile(r"^(?:文|图|图文|文图|作者|撰稿)\s*[/丨|]\s*\S")  # 文/张三, 图丨李四
AUTHOR_UNIT_RE = re.compile(f"^{OPEN}(?:作者单位|作者系|作者为|作者是|作者分别系|单位){COLON}?.{{2,60}}{CLOSE}$")
BYLINE_RE = re.compile(f"^{OPEN}[^（）()]{{0,12}}(?:供稿|来稿|记者|通讯员|撰稿|撰文|执笔)[^（）()]{{0,40}}{CLOSE}$")
REPORTER_RE = re.compile(f"^[^，。！？；：,]{{0,20}}(?:记者|通讯员|特约撰稿人)\\s*[{CJK}·]{{2,4}}(?:[\\s、，,]+(?:记者|通讯员)?\\s*[{CJK}·]{{2,4}})*$")
# A wire or paper dateline that opens the first paragraph: 新华社北京3月5日电（记者 张三）,
# 本报讯（记者 李四）, 人民网某市9月9日电（通讯员 王五）.
NEWS_LEAD_RE = re.compile(
    f"^(?:{DATELINE_RE.pattern[1:]}|[{CJK}]{{0,12}}\\d{{1,2}}月\\d{{1,2}}日电|本报讯|本网讯)\\s*"
    f"(?:{OPEN}[^（）()]{{0,40}}{CLOSE})?\\s*[:：]?\\s*"
)

# Inline, at the end of the last paragraph: （当地供稿 张三 李四） or （责编：王五）.
TRAILING_BRACKET_RE = re.compile(f"^(?P<body>.*[。！？!?”’])\\s*(?P<tail>{OPEN}[^（）()]{{1,50}}{CLOSE})\\s*$")

# ---- headings and captions ---------------------------------------------------------------------------

# A line that opens with a section or list number (一、 （一） 1. 1.1 第一， 一是 ①), from the one numbering table.
NUMBERED_HEADING_RE = re.compile("|".join(f"(?:{p.pattern})" for style, p in NUMBERING if style != "bullet"))
# Verbs that open a practice heading (坚持…, 聚焦…, 打造…): a long line led by one is a heading.
HEADING_VERB_RE = re.compile(
    r"^(?:坚持|聚焦|强化|推进|推动|健全|打造|构建|完善|创新|深化|突出|注重|加强|实施|建立|建强|建设|提升|"
    r"发挥|做实|做强|做优|织密|激活|夯实|筑牢|深入|全面|探索|以|用|抓|下好|画好|当好|念好|答好|走好|"
    r"凝聚|整合|优化|压实|规范|培育|搭建|拓展|延伸|围绕|立足|着力|着眼|紧扣|聚力|赋能)"
)
CAPTION_SIGNAL_RE = re.compile(
    r"^(?:资料(?:照片|图片?)|图片|配图|组图|视频截图|截图)$|"  # a picture's label standing for its caption
    r"^(?:图为|图[:：]|图片[:：]|图\d|上图|下图|左图|右图|▲|△|■)|(?:[（(](?:[^（）()]{0,10}摄|[^（）()]{0,10}供图|资料图|图片来源[^（）()]*)[)）]|"
    r"摄影?[:：]?\s*[{CJK}]{{2,4}}|供图)$".replace("{CJK}", CJK)
)
DATE_LEAD_RE = re.compile(r"^(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日|^(?:19|20)\d{2}年")
CLAUSE_SPLIT_RE = re.compile(r"[，,]|\s+")

MAX_TITLE = 80
MAX_CAPTION = 70
SHORT_HEADING = 16


def cjk_count(text: str) -> int:
    # the lengths of the runs: a third of the time of a list of every character
    return sum(map(len, CJK_RUN_RE.findall(text)))


def closes(line: str) -> bool:
    """True when the line ends a sentence: 。！？；：… (closing quotes and brackets aside)."""
    core = line.rstrip(TRAILING_CLOSERS)
    return bool(core) and core[-1] in SENTENCE_END


# ---- line classifiers: each returns a kind or None ---------------------------------------------------


def _is_breadcrumb(line: str) -> bool:
    if BREADCRUMB_LEAD_RE.match(line):
        return True
    if any(ch in line for ch in "。！？") or len(line) > 100:
        return False
    parts = [p for p in BREADCRUMB_SEP_RE.split(line)]
    seps = len(parts) - 1
    if seps == 0:
        return False
    if any(len(p) > 40 for p in parts):
        return False
    # A>>B>>C, 首页 > 党建, 党建 » 理论, or a trail that ends in its separator (首页 > 党建 >)
    return ">>" in line or "»" in line or seps >= 2 or bool(HOME_RE.match(line)) or parts[-1] == ""


def _is_tools(line: str) -> bool:
    if len(line) > 60:  # a tool bar is short (both tests below ask it)
        return False
    if TOOL_LEAD_RE.match(line):
        return True
    rest = TOOL_WORDS_RE.sub("", line)
    rest = re.sub(r"[\s【】\[\]|｜/:：、，,·•()（）<>“”\"]+", "", rest)
    return rest == "" and TOOL_WORDS_RE.search(line) is not None


def chrome_kind(line: str) -> str | None:
    """The kind of page chrome a whole line is, or None."""
    if PAGE_HEADER_RE.match(line) or PAPER_FIELD_RE.match(line):
        return "page-header"
    if EDITOR_NOTE_RE.match(line):
        return "editor-note"
    groups = BRACKET_GROUP_RE.findall(line)
    if len(groups) >= 2 and BRACKET_LINE_RE.match(line):
        # 【纠错】【责任编辑：王五】: a bar of bracketed items is chrome when every item is
        kinds = [chrome_kind(g) for g in groups]
        if all(kinds):
            return next((k for k in kinds if k != "tools"), "tools")
    if AGGREGATOR_RE.match(line):
        return "aggregator-note"
    if COPYRIGHT_LEAD_RE.match(line) or (len(line) <= 200 and COPYRIGHT_RE.search(line)):
        return "copyright"
    if PREV_NEXT_RE.match(line):
        return "prev-next"
    if EDITOR_RE.match(line) and len(line) <= 60:
        return "editor"
    if COUNTER_RE.match(line):
        return "counter"
    if _is_breadcrumb(line):
        return "breadcrumb"
    if _is_tools(line):
        return "tools"
    if not CJK_RE.search(line) and not DATE_RE.search(line):
        return "no-text"  # a line with no Chinese and no date: URLs, separators, stray symbols
    return None


def meta_kind(line: str) -> str | None:
    """The kind of metadata line a whole line is (it leaves the body for the extractor), or None."""
    if len(line) > 120 or AGGREGATOR_RE.match(line):
        return None  # 来源：网络整理 names no publisher: it is the aggregator's note, chrome
    m = DATE_RE.match(line)
    if m:
        rest = line[m.end() :].strip()
        # 2018年10月30日15:43 来源：… is a dateline; 2020年6月15日，某市召开… is a sentence or caption
        if not rest or META_FIELD_RE.match(rest) or _is_tools(rest) or rest.startswith(("【", "[")):
            return "dateline"
        return None
    if WECHAT_HEADER_RE.match(line) and DATE_RE.search(line) and not re.search("[，。！？；]", line):
        return "dateline"  # 原创 某某 某某发布 2023-01-01 10:00 发表于北京
    if META_FIELD_RE.match(line) or AUTHOR_SLASH_RE.match(line):
        if re.match(f"^{OPEN}?\\s*(?:稿件|文章|本文|信息|新闻)?(?:来源|出处|转自|转载自)", line):
            return "source"
        if re.match(f"^{OPEN}?\\s*(?:发布|发表|更新)?(?:时间|日期)", line):
            return "dateline"
        return "author" if AUTHOR_SLASH_RE.match(line) or re.match(f"^{OPEN}?\\s*(?:{AUTHOR_KEYS})", line) else "field"
    if AUTHOR_UNIT_RE.match(line):
        return "author-unit"
    if BYLINE_RE.match(line):
        return "byline"
    if len(line) <= 40 and REPORTER_RE.match(line):
        return "reporter"
    return None


def is_org_line(line: str) -> bool:
    """A line that is only an organisation's name (贵州省贵阳市某区委组织部): an author unit under a headline."""
    return 4 <= len(line) <= 30 and not re.search(r"[，。！？；：、“”\s（）()]", line) and bool(ORG_SUFFIX_RE.search(line))


def is_heading(line: str) -> bool:
    """A section or practice heading (kept in the body), as opposed to a photo caption."""
    if closes(line):
        return False
    if NUMBERED_HEADING_RE.match(line):
        return True
    if DATE_LEAD_RE.match(line):
        return False  # 2020年6月15日，某市召开推进会: a photo's date and event, never a heading
    if cjk_count(line) <= SHORT_HEADING:
        return True
    clauses = [c for c in CLAUSE_SPLIT_RE.split(line) if c]
    # “一核”引领，画好共建共治共享“同心圆”: two or three balanced clauses make a slogan heading
    if 2 <= len(clauses) <= 3 and all(2 <= len(c) <= 20 for c in clauses):
        return True
    return len(line) <= 30 and bool(HEADING_VERB_RE.match(line))


def is_caption(line: str) -> bool:
    """A photo caption: a short line that does not close and is not a heading (or says it is a picture)."""
    if len(line) <= MAX_CAPTION + 20 and CAPTION_SIGNAL_RE.search(line):
        return True
    return len(line) <= MAX_CAPTION and not closes(line) and not is_heading(line)


def is_headline(line: str) -> bool:
    """The first line reads like a headline: no closing punctuation, a headline's length, not a section number."""
    return (
        not closes(line)
        and 5 <= len(line) <= MAX_TITLE
        and cjk_count(line) >= 4
        and not NUMBERED_HEADING_RE.match(line)
        and not DATE_LEAD_RE.match(line)
    )


# ---- repeated article --------------------------------------------------------------------------------

_KEY_STRIP_RE = re.compile(r"[\s，。、：；！？“”‘’（）《》,.:;!?\"'()\-—…·]+")


def line_key(text: str) -> str:
    return _KEY_STRIP_RE.sub("", text)


def _near(a: str, b: str) -> bool:
    """Equal, or nearly (a copy that lost or changed a few characters)."""
    if a == b:
        return True
    if not a or not b or abs(len(a) - len(b)) > 0.1 * max(len(a), len(b)):
        return False
    if a[:6] != b[:6] and a[-6:] != b[-6:]:
        return False
    if not _could_be_near(a, b):
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9


# Earlier items compared with each item: the first few sharing its opening or its end. A report
# pasted twice has one earlier copy of each line; comparing every pair of lines would make a long
# page's clean quadratic in its lines.
MAX_COPY_CANDIDATES = 8


@lru_cache(maxsize=4096)
def _char_counts(key: str) -> Counter:
    """Each key is compared with several others: its characters are counted once."""
    return Counter(key)


def _could_be_near(a: str, b: str) -> bool:
    """A bound on ``_near`` that costs no alignment: the characters the two share, counted with their
    multiplicity, bound what any alignment matches (difflib's ratio never exceeds it)."""
    shared = sum((_char_counts(a) & _char_counts(b)).values())
    return 2 * shared >= 0.9 * (len(a) + len(b))


def repeated_items(texts: list[str]) -> set[int]:
    """Indices of items that repeat an earlier run of items (the second copy of a report).

    A run must be at least two items, or one long paragraph, so a heading that legitimately
    recurs (一、基本情况 in two parts of a report) is not taken for a copy.
    """
    keys = [line_key(t) for t in texts]
    drop: set[int] = set()
    # _near needs the same first or last six characters: an item's candidates are looked up by them
    by_head: dict[str, list[int]] = {}
    by_tail: dict[str, list[int]] = {}

    def remember(i: int) -> None:
        if keys[i]:  # an empty key (punctuation only) is no evidence of a copy
            for index, part in ((by_head, keys[i][:6]), (by_tail, keys[i][-6:])):
                seen = index.setdefault(part, [])
                if len(seen) < MAX_COPY_CANDIDATES:
                    seen.append(i)

    if keys:
        remember(0)
    j = 1
    while j < len(keys):
        best = 0
        candidates = sorted({*by_head.get(keys[j][:6], ()), *by_tail.get(keys[j][-6:], ())})
        for i in candidates:
            if i in drop or not _near(keys[i], keys[j]):
                continue
            k = 1
            while j + k < len(keys) and i + k < j and _near(keys[i + k], keys[j + k]):
                k += 1
            best = max(best, k)
        chars = sum(len(keys[j + t]) for t in range(best))
        if best and chars >= 60 and (best >= 2 or chars >= 100):
            drop.update(range(j, j + best))
            j += best
        else:
            remember(j)
            j += 1
    return drop


# ---- the stage -------------------------------------------------------------------------------------


@dataclass
class _Log:
    """Counts and examples per kind, in the order kinds were first seen."""

    kinds: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, line: str) -> None:
        self.kinds.setdefault(kind, []).append(line if len(line) <= 40 else line[:39] + "…")

    def changes(self) -> list[Change]:
        return [Change("clean", kind, len(lines), tuple(lines[:MAX_EXAMPLES])) for kind, lines in self.kinds.items()]


# A terminal escape sequence goes whole (ESC [ 31 m, ESC ] 0 ; title BEL), else its tail stays as text.
CONTROL_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,200}(?:\x07|\x1b\\)?|" + f"[{CONTROL_CHARS}]"
)


def without_controls(text: str) -> str:
    """``text`` without control characters and terminal escape sequences: an ESC or BEL in a report (or a
    file name) must not reach a title, a page or a terminal."""
    return CONTROL_RE.sub("", text)


def page_lines(text: str) -> list[str]:
    return [
        ln for ln in (re.sub(r"[ \t\u3000\u00a0]+", " ", without_controls(raw)).strip() for raw in text.splitlines()) if ln
    ]


def related_list_end(lines: Sequence[str], head: int) -> int:
    """Where a related-articles list that starts at ``head`` ends (exclusive).

    When no full paragraph follows, the list is the page's tail: everything after it goes
    (item titles, excerpts cut with …, site names and dates, view counts). Otherwise only the
    list-like lines up to the next full paragraph go (a list in the middle of the page).
    """

    def full_paragraph(line: str) -> bool:
        return cjk_count(line) >= 30 and closes(line) and not line.rstrip(TRAILING_CLOSERS).endswith(("…", "..."))

    for k in range(head + 1, len(lines)):
        if full_paragraph(lines[k]):
            return k
    return len(lines)


def _split_news_lead(line: str) -> tuple[str | None, str]:
    """``新华社北京3月5日电（记者 张三）近年来…`` → (the wire dateline, the paragraph after it)."""
    m = NEWS_LEAD_RE.match(line)
    if not m or not line[m.end() :].strip():
        return None, line
    return m.group().strip(), line[m.end() :].lstrip()


def _split_trailing_bracket(line: str) -> tuple[str, str | None]:
    """``…的服务。（当地供稿 张三）`` → (``…的服务。``, ``（当地供稿 张三）``) when the bracket is a byline or credit."""
    m = TRAILING_BRACKET_RE.match(line)
    if not m:
        return line, None
    tail = m.group("tail")
    if meta_kind(tail) or EDITOR_RE.match(tail):
        return m.group("body").rstrip(), tail
    return line, None


def _join(first: str, rest: str) -> str:
    """A line broken in two, joined: no space between Chinese characters, one between other words."""
    if CJK_RE.match(first[-1:]) or CJK_RE.match(rest[:1]):
        return first + rest
    return f"{first} {rest}"


PARAGRAPH_ROLES = ("h1", "h2", "h3", "item", "body")  # the line roles that are the article's paragraphs
# Meta lines that say who wrote the report (they go to ``Layout.bylines`` too).
BYLINE_KINDS = ("author", "author-unit", "byline", "reporter")


def clean(text: str, tagger=None) -> tuple[Layout, list[Change]]:
    """Split a normalised report into title, body paragraphs, captions, meta lines and dropped chrome.

    Each line's role comes from the line-role model (``ingest.roles``); ``tagger`` is a RoleTagger or
    the path of a model, and the shipped model when None.
    """
    # Imported here: roles builds its features from the rules of this module.
    from . import roles

    lines = page_lines(text)
    return layout_from_roles(lines, roles.tagger(tagger).tag(lines))


def layout_from_roles(lines: list[str], labels: list[str]) -> tuple[Layout, list[Change]]:
    """Build the Layout from each line's role (corpus/README.md).

    title (+ title+) → title; subtitle → subtitle; meta and byline → meta_lines (bylines also →
    bylines); chrome and footer → dropped, logged by the kind of chrome they are; caption →
    captions; h1/h2/h3/item/body → paragraphs, with their role in ``paragraph_roles`` (h1+ joined to
    its h1). What lies inside a line stays rule-based: a wire dateline opening a paragraph and a
    credit bracket closing one. A copy of the article pasted twice is dropped after that.
    """
    log = _Log()
    layout = Layout()
    items: list[tuple[str, str]] = []  # (role, text): "title", "caption" or a paragraph role
    in_related = False
    body_seen = False
    title_at: int | None = None  # where the first title is in items

    def meta(line: str, byline: bool) -> None:
        log.add("meta", line)
        layout.meta_lines.append(line)
        if byline:
            layout.bylines.append(line)

    for line, label in zip(lines, labels, strict=True):
        role = label.removesuffix("+")
        continued = label != role and bool(items) and items[-1][0] == role
        if role in ("chrome", "footer"):
            # the items of a related-articles list are logged with their head, whatever they look like
            in_related = bool(RELATED_HEAD_RE.match(line)) or in_related
            kind = None if in_related else meta_kind(line)
            if kind is None:
                log.add("related-list" if in_related else chrome_kind(line) or role, line)
                layout.dropped.append(line)
                continue
            # A whole-line source, author or author-unit line after the article (作者：…, （作者单位：…）)
            # is the report's metadata, not furniture; few training pages put one at the foot, so the
            # model's footer verdict is not trusted for it.
            role = "byline" if kind in BYLINE_KINDS else "meta"
        in_related = False
        if role in ("meta", "byline"):
            meta(line, role == "byline" or meta_kind(line) in BYLINE_KINDS)
        elif role == "subtitle":
            layout.subtitle = line if layout.subtitle is None else _join(layout.subtitle, line)
        elif role == "title":
            title = items[title_at][1] if title_at is not None else None
            if continued:
                items[-1] = ("title", _join(items[-1][1], line))
            elif title is None:
                title_at = len(items)
                items.append(("title", line))
            elif line_key(line) == line_key(title):
                log.add("repeated", line)  # the headline printed again above the article
                layout.dropped.append(line)
            elif not body_seen and layout.subtitle is None:
                layout.subtitle = line
            else:
                items.append(("h1" if body_seen else "body", line))
        elif role == "caption":
            items.append(("caption", line))
        elif continued:
            items[-1] = (role, _join(items[-1][1], line))
        else:
            lead, line = _split_news_lead(line)
            if lead:
                meta(lead, False)
            line, tail = _split_trailing_bracket(line)
            items.append((role if role in PARAGRAPH_ROLES else "body", line))
            body_seen = True
            if tail is not None:
                if EDITOR_RE.match(tail):
                    log.add("editor", tail)
                    layout.dropped.append(tail)
                else:
                    meta(tail, meta_kind(tail) in BYLINE_KINDS)

    # A report pasted twice: keep the first copy.
    repeated = repeated_items([t for _, t in items])
    for n, (role, line) in enumerate(items):
        if n in repeated:
            log.add("repeated", line)
            layout.dropped.append(line)
        elif role == "title":
            layout.title = layout.title or line
        elif role == "caption":
            log.add("caption", line)
            layout.captions.append(line)
        else:
            layout.paragraphs.append(line)
            layout.paragraph_roles.append(role)
    if repeated:
        layout.meta_lines = list(dict.fromkeys(layout.meta_lines))
        layout.bylines = list(dict.fromkeys(layout.bylines))
    return layout, log.changes()


def has_article(layout: Layout, min_cjk: int = 50) -> bool:
    """False when what is left is not a Chinese article: all chrome, no Chinese, or a few words only."""
    return bool(layout.paragraphs) and cjk_count(layout.body) >= min_cjk


__all__: list[str] = [
    "clean", "layout_from_roles", "has_article", "chrome_kind", "meta_kind", "is_caption", "is_heading", "is_headline",
    "ORG_SUFFIXES",  # re-exported: the metadata extractor reads it from here
]
