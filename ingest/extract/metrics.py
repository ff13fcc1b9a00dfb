"""metrics: every quantity a case reports, as value (base units), unit, qualifier, subject and span.

``extract_metrics(body, mechanisms)`` scans the clean simplified body once with one
compiled pattern for "number + magnitude + 余/多 + unit + 左右/以上", then keeps a
candidate only if it reads as a figure of the case. The rules, and why:

- **a unit from a closed list** (个 名 人次 项 元 平方米 % …). Dates (2019年, 12月21日),
  times (22:34), generations (80后, 90年代), levels (四级联动, 十八级) and phone
  numbers (8890) carry no counting unit, so the list rejects them without a rule of
  their own. A bare number is kept only with 万/亿 (常住总人口超过51万), where the
  magnitude shows it is a quantity; its unit is inferred from the subject (人口 → 人).
- **not inside quotes or titles**: “1+6”文件, “五个一”, “1315”工作法 and
  《…四项清单的通知》 name things; they do not count them.
- **Chinese digits only as real numerals**: official writing (GB/T 15835) puts counted
  statistics in Arabic digits and keeps bare Chinese digits for set phrases and
  enumerations (三项机制, 两个清单, 一个账号, 五位一体, 一站式). So a bare Chinese
  digit counts only after a verb of holding (下辖三个镇, 设有两个党支部); compound
  numerals (十二, 一百二十七, 两千余) and 十余/三十多 always count.
- **not glued to letters, +, /, : or 第**: 5G, 7 N, 6+1, 2020/9/9, 第12位.

Ranges (``3至5个``, ``2-3次``) give one figure: the lower bound, qualified 不少于, with
the whole range as its text. Figures in a list share what is written once:
``每年不低于3万元、10万元`` gives 30000 元 and 100000 元, both 不低于, and ``3万、5万元``
gives both the unit 元.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .. import gazetteer
from ..report import MechanismData, MetricData
from ..segment import cut, tokenizer
from ..vocabulary import (
    AFTER_NUMBER,
    AFTER_UNIT,
    BEFORE_NUMBER,
    CJK,
    QUALIFIERS,
    RANGE_QUALIFIER,
    qualifier_words,
)
from .numbers import (
    ARABIC,
    CHINESE,
    CHINESE_NUMERALS,
    UNITS_LONGEST_FIRST,
    is_single_chinese_digit,
    parse_arabic,
    parse_chinese,
    scale,
    unit_or_word,
)

RANGE_JOINERS = "至到~～-—–"

_FIGURE = re.compile(
    rf"""
    (?<![0-9０-９.．,A-Za-z])                 # not the tail of a longer number or a code (G20)
    (?:(?P<pct>百分之)(?P<pnum>{ARABIC}|{CHINESE})
      |(?P<num>{ARABIC}|{CHINESE})
       (?:(?P<join>[{re.escape(RANGE_JOINERS)}])(?P<num2>{ARABIC}|{CHINESE}))?)
    (?P<mag>[百千万亿]*)
    (?P<approx>{"|".join(qualifier_words(AFTER_NUMBER))})?
    (?P<mag2>[万亿]?)
    \ ?
    (?P<unit>{"|".join(map(re.escape, UNITS_LONGEST_FIRST))})?
    (?P<post>{"|".join(qualifier_words(AFTER_UNIT))})?
    """,
    re.VERBOSE,
)

# The characters a figure starts with: 百 (of 百分之), a digit, a Chinese numeral.
_FIGURE_START = re.compile(f"[0-9０-９{CHINESE_NUMERALS}]")


def _figure_matches(body: str) -> Iterator[re.Match]:
    """``_FIGURE.finditer(body)``, with the pattern asked only where a figure can start: its leading
    lookbehind keeps the engine from skipping ahead by the first character."""
    resume = 0
    for start in _FIGURE_START.finditer(body):
        if start.start() < resume:
            continue
        m = _FIGURE.match(body, start.start())
        if m:
            yield m
            resume = m.end()


# Words before a number that say how exact it is (vocabulary.QUALIFIERS), longest first.
PREFIX_QUALIFIERS = qualifier_words(BEFORE_NUMBER)
# 近 and 约 end ordinary words too: 最近 (recently), 附近, 预约, 签约, 节约 …
NOT_QUALIFIER_AFTER = {q.word: q.not_after for q in QUALIFIERS if q.not_after}

# Verbs of jurisdiction that make a bare Chinese digit a count: 下辖三个镇, 设有两个党支部.
# Broader ones (共有, 拥有) also introduce enumerations (共有三个方面的问题), so they do not.
HOLDING_VERBS = ("辖", "辖有", "设有", "下设")

# Quoted names and titles: numbers inside them name things. Bounded so that a stray quote
# mark cannot swallow a paragraph of real figures.
_PROTECTED = re.compile(r"“[^”\n]{1,30}”|「[^」\n]{1,30}」|\"[^\"\n]{1,30}\"|《[^》\n]{1,80}》|〈[^〉\n]{1,40}〉")

# Characters that glue a number to a code or a formula rather than a count.
_GLUE_BEFORE = frozenset("第+＋/／:：∶#№xX×*")
_GLUE_AFTER = frozenset("+＋/／:：∶#xX×*")
# A figure this close to a plus sign is a term of a formula: 1个中心+N个站点.
FORMULA_REACH = 4
# Page chrome that counts readers, not the case's work: 阅读 3.2万, 浏览量:1.2万次.
_CHROME_BEFORE = re.compile(r"(?:浏览|阅读|点击|访问|点赞|评论|转发|分享|收藏)(?:量|数|次数)?[:：\s]*$")
# Headings of a structure, not things done: 从3个方面入手.
STRUCTURAL_HEADS = ("方面", "层面", "维度")
# Units that, after Chinese numerals, number a session rather than count: 十九届, 二十届.
ORDINAL_IN_WORDS = frozenset(("届",))
BARE_MAGNITUDES = {"百": 100, "千": 1000, "万": 10_000, "百万": 1_000_000, "千万": 10_000_000, "亿": 100_000_000}

_STOP = frozenset(",，。;；:：!！?？、()（）“”\"《》〈〉「」【】[]\n\r\t …")
_CJK = re.compile(rf"[{CJK}]")
_LISTED_NOUN = re.compile(rf"[{CJK}]{{0,8}}、")  # 三个镇、五个街道: the noun, then the list mark

UNIT_FROM_SUBJECT = (("人口", "人"),)


@dataclass
class Figure:
    """One candidate figure before it is judged."""

    start: int  # of the number (or of a prefix qualifier, once one is attached)
    end: int
    value: Decimal
    unit: str
    qualifier: str
    chinese: bool  # written in Chinese numerals
    single_digit: bool  # a bare Chinese digit (三, 两)
    has_magnitude: bool  # 万/亿 written after the number
    magnitude: str = ""  # the multiplier as written after the number (1101万 → 万): the text counts in it
    bare_magnitude: bool = False  # 百, 千 or 万 alone: a figure only as 百余, 近千
    ranged: bool = False
    prefixed: bool = False  # the qualifier is a word before the number


def protected_spans(body: str) -> list[tuple[int, int]]:
    """Spans of quoted names and titles: ``“1+6”文件`` → [(0, 5)]."""
    return [m.span() for m in _PROTECTED.finditer(body)]


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    """``pos`` lies in one of ``spans`` (in order and apart, as ``protected_spans`` gives them): a
    binary search, so a body of many quotes and many figures costs n log n, not n²."""
    k = bisect_right(spans, (pos, float("inf"))) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]


def _number_value(text: str) -> Decimal | None:
    if not text:
        return None
    if text[0] in "0123456789０１２３４５６７８９":
        return parse_arabic(text)
    if text in BARE_MAGNITUDES:  # 百余名, 近千人; keep() asks for the qualifier that makes them figures
        return Decimal(BARE_MAGNITUDES[text])
    if text[0] not in "一二三四五六七八九两十零〇":  # 千家万户, 百花齐放: not numerals
        return None
    return parse_chinese(text)


def prefix_qualifier(body: str, start: int) -> str:
    """The qualifier word right before ``start``: ``("常住人口超过51万", 6)`` → ``"超过"``."""
    for word in PREFIX_QUALIFIERS:
        begin = start - len(word)
        if begin >= 0 and body.startswith(word, begin):
            banned = NOT_QUALIFIER_AFTER.get(word, "")
            if banned and begin > 0 and body[begin - 1] in banned:
                return ""
            return word
    return ""


def _glued(body: str, start: int, number_end: int) -> bool:
    """A number that is part of a code, a formula, a time or an ordinal: 5G, 6+1, 22:34, 第12位."""
    before = body[start - 1] if start > 0 else ""
    after = body[number_end] if number_end < len(body) else ""
    if before in _GLUE_BEFORE or after in _GLUE_AFTER:
        return True
    if after == " " and number_end + 1 < len(body) and body[number_end + 1].isascii() and body[number_end + 1].isalnum():
        return True  # "7 N", "1 3 N": a formula spelt with spaces
    return after.isascii() and after.isalpha()


def _unit_of(match: re.Match, body: str) -> str:
    unit = match.group("unit")
    return unit_or_word(body, match.start("unit"), unit) if unit else ""


def find_figures(body: str) -> list[Figure]:
    """Every number in the body that could be a figure, with its unit and qualifiers, in order.

    Context rules that need the whole body (quotes, glue) apply here; judging the figure
    itself (unit present, Chinese digits) is ``keep``'s job, after list sharing.
    """
    return list(iter_figures(body))


def iter_figures(body: str) -> Iterator[Figure]:
    """``find_figures`` one at a time, so that a pass that has enough can stop reading the body."""
    spans = protected_spans(body)
    for m in _figure_matches(body):
        start = m.start()
        if _inside(start, spans):
            continue
        if m.group("pct"):
            raw, unit = m.group("pnum"), "%"
            number_end = m.end("pnum")
        else:
            raw, unit = m.group("num"), _unit_of(m, body)
            number_end = m.end("num2") if m.group("num2") else m.end("num")
        if _glued(body, start, number_end if not m.group("mag") else m.end("mag")):
            continue
        value = _number_value(raw)
        if value is None:
            continue
        chinese = raw[0] not in "0123456789０１２３４５６７８９"
        ranged = bool(m.group("num2"))
        if ranged and _number_value(m.group("num2")) is None:
            continue
        magnitude = m.group("mag") + m.group("mag2")
        if chinese and m.group("mag"):
            continue  # 三百 is one numeral: CHINESE already took it; a leftover means a malformed run
        if m.group("unit") and not unit:  # the unit character starts a word (处理, 名单): no unit
            end, post = m.start("unit"), ""
        else:
            end, post = m.end(), m.group("post") or ""
        while body[end - 1] == " ":  # "1120 个" may carry a space; the span does not end on one
            end -= 1
        yield (
            Figure(
                start=start,
                end=end,
                value=scale(value, magnitude),
                unit=unit,
                qualifier=m.group("approx") or post,
                chinese=chinese,
                single_digit=is_single_chinese_digit(raw) and not m.group("approx") and not m.group("pct"),
                has_magnitude=any(c in "万亿" for c in magnitude),
                magnitude=magnitude,
                bare_magnitude=raw in BARE_MAGNITUDES,
                ranged=ranged,
            )
        )


def attach_prefix(body: str, figure: Figure) -> Figure:
    """Take in a qualifier word written before the number: 近2.1万名 → 近, span from 近."""
    word = prefix_qualifier(body, figure.start)
    if figure.ranged:
        figure.qualifier = RANGE_QUALIFIER
    elif word:
        figure.qualifier = word
        figure.start -= len(word)
        figure.prefixed = True
    return figure


def _listed_after(body: str, first: Figure, second: Figure) -> bool:
    """``second`` follows ``first`` in a list: 3万元、10万元 / 3万和5万元 (a comma ends a clause)."""
    return body[first.end : second.start] in ("、", "和", "或", "及")


def _shared_in_lists(body: str, figures: Iterable[Figure]) -> Iterator[Figure]:
    """``share_in_lists`` one figure at a time: a figure is final once the one after it has been seen."""
    previous: Figure | None = None
    for figure in figures:
        if previous is not None:
            share_in_lists(body, [previous, figure])
            yield previous
        previous = figure
    if previous is not None:
        yield previous


def share_in_lists(body: str, figures: list[Figure]) -> list[Figure]:
    """What a list writes once applies to every item: the last unit, the first prefix qualifier."""
    for first, second in zip(figures, figures[1:], strict=False):
        if not _listed_after(body, first, second):
            continue
        in_sentence = first.start > 0 and bool(_CJK.match(body[first.start - 1]))  # not a "1、" list marker
        if not first.unit and second.unit and in_sentence:
            first.unit = second.unit
        if first.prefixed and not second.qualifier and second.unit == first.unit and body[first.end : second.start] == "、":
            second.qualifier = first.qualifier
    return figures


def keep(body: str, figure: Figure, previous: Figure | None = None) -> bool:
    """Is this candidate a figure of the case (see the module docstring for the rules)?

    ``previous`` is the last figure kept: a bare Chinese digit listed right after a kept
    one counts too (下辖三个镇、五个街道).
    """
    if figure.chinese and figure.single_digit and not _counted_in_words(body, figure, previous):
        return False
    if figure.chinese and figure.unit in ORDINAL_IN_WORDS:
        return False  # 十九届六中全会: a session's ordinal, not a count
    if figure.bare_magnitude and not figure.qualifier:
        return False  # 千家万户, 万名党员连心: a manner of speaking, not a count
    if _CHROME_BEFORE.search(body, max(0, figure.start - 8), figure.start):
        return False
    near = body[max(0, figure.start - FORMULA_REACH) : figure.end + FORMULA_REACH]
    if "+" in near or "＋" in near:
        return False
    if body.startswith(STRUCTURAL_HEADS, figure.end):
        return False
    if figure.unit:
        return True
    # A bare number is a quantity only with a magnitude, written after a word (人口51万),
    # not alone on a line like a view counter (阅读 3.2万).
    before = body[figure.start - 1] if figure.start > 0 else ""
    return figure.has_magnitude and bool(_CJK.match(before))


def _counted_in_words(body: str, figure: Figure, previous: Figure | None) -> bool:
    if any(body.endswith(verb, 0, figure.start) for verb in HOLDING_VERBS):
        return True
    return (
        previous is not None
        and previous.chinese
        and _LISTED_NOUN.fullmatch(body, previous.end, figure.start) is not None
    )


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Subjects are found without POS tags: jieba's tags for these words are too noisy (诉求, 组织
# and 率 come out as verbs, 议事 and 办理 carry none), and jieba.posseg costs four times a cut.
# A noun phrase is the run of words between the figure and the nearest action verb,
# preposition, time word or scope word, read off jieba's words.
ACTION_VERBS = _word_set(
    """建立 建设 建成 新建 设立 设置 成立 组建 打造 培育 开展 举办 签订 签署 收集 受理 办理 办结 解决
    化解 调处 排查 走访 慰问 培训 招聘 招募 选派 选聘 配备 选树 评选 表彰 认领 确定 划分 取消 保留
    清理 精简 整合 吸纳 安排 争取 投入 划拨 落实 发放 提供 推动 实现 覆盖 带动 吸引 参与 参加 改造
    提升 完善 创建 聚焦 打通 挂牌 孵化 帮扶 联系 结对 入驻 进驻 下沉 报到 接收 印发 出台 制定 完成
    安装 建有 设有 拥有 下辖 包括 涉及 惠及 服务于 共有 现有 达 达到 为 是 有 超过 提出 召开 组织开展
    累计 推出 发布 征集 梳理 帮助 救助 下设 成为 形成 获得 荣获 开放 办 进 加入 纳入 列入 获评 享受 受益
    提高 降低 下降 增加 减少 增长 提高到 提升到 下降到 增加到 降低到 提高至 提升至 下降至 降至 增至 减至 联合 共同 积极 主动
    深入 持续 定期 广泛 改建 扩建 修建 翻建 签约 分配 命名 细化 担任 选取 选配 接待 收到 进入 充实 新增
    组织 动员 引导 邀请 聘请 聘任 推荐 发展 培养 召集 举行 举办了 开设 设 建 建起 建好 配齐 配强 选优
    已有 已建 已有的 拥有了 共计 合计 总计 约有 佩戴 担当 筹集 募集 捐赠 捐款 发动 集中
    推行 推广 实施 试行 启动 探索
    开通 上线 录入 采集 登记 核查 摸排 摸清 调解 处置 处理 回应 答复 反馈 督办 转办 交办 承接 对接
    牵头 带头 领衔 种植 补植 栽植 栽种 用 用了 只用 仅用 用时 历时 耗时 花 花了 只花 仅花 开讲 宣讲 授课 讲授 演出 放映 展播 结成 挂出 推进 安置 来自 完成 参加了 参与了"""
)
# Words that end a noun phrase on either side without being part of it.
BOUNDARY_WORDS = _word_set(
    """在 对 向 为 将 把 从 由 与 共 已 已经 均 都 全部 所有 其中 每周 每月 每年 每天 每季度 以及 并 并且
    又 还 也 就 到 于 以 按 按照 通过 之前 之后 以来 目前 截至 其 等 的 了 和 及 或 同时 分别 各类 各级 中 年 年底 年初 月 日 底
    至 被 赴 各种 各 近 来 当前 现 现已 如今 今年 去年 全年 累计达 先后 陆续 相继 一共 总共 达到了 达成 后 前 内 上 下
    里 间 个 名 让 使 给 经 及其 其余 另 另有 此外 还有 仅 只 就是 则 即 前后 总共 逐一 逐个 一一 从中 最近 近日
    一起 共同 其 约 逾 超 多 余 即可 可 就能 便 即 先行 率先 优先 当即 随即 立即"""
)
# Units of events: with a verb right before the number, the verb names the thing counted.
EVENT_UNITS = frozenset(("次", "场次", "人次", "户次", "件次", "批次", "学时", "课时", "场", "期", "轮", "届"))
# People or households counted as times served: the activity is part of what is counted
# (培训街道社区党组织书记430人次 counts training, not secretaries).
TIMES_UNITS = frozenset(("人次", "户次"))
# Verbs that only link a subject to its number (受众达8.9万人次); they are never the subject.
LINKING_VERBS = _word_set(
    "达 达到 为 是 有 超过 累计 共有 现有 建有 设有 拥有 下辖 包括 涉及 惠及 成为 形成 进 办 已有 共计 合计 总计 约有"
    " 用 用了 只用 仅用 用时 历时 耗时 花 花了 只花 仅花 来自"
)
RATE_SUFFIXES = frozenset("率度量额数")  # 办结率: a rate takes its verb along
SHARE_UNITS = ("%", "‰", "倍", "个百分点")  # a share is of what precedes it: 削减率达到76%
PHRASE_BREAKS = frozenset("到向对在")  # prepositions that rarely sit inside a counted noun
# One-character verbs that a domain phrase may hold after its noun: 在职党员进社区.
PHRASE_VERBS = frozenset("进入赴驻")
SCOPE_WORDS = ("全市", "全区", "全县", "全省", "全镇", "全街道", "全国", "各类", "各级", "全年", "全体", "全部")
# A one-character word can end a counted noun (覆盖|率, 服务|站); any other one is a verb or a
# particle that jieba left alone (在职党员|报|到, 梳理|出).
NOUN_TAILS = frozenset("率比度量额数站点组队户所处室部会村街院区园岗角家屋群员者人师长费款金房楼栋网格栏台桩箱车书证卡册单表库镇乡店厂校")
# One-character verb complements jieba cuts off a verb: 梳理|出|服务资源清单.
COMPLEMENTS = frozenset("出入上下好成完到进起来去给了着过")
# Time words: 近一年来, 今年, 上半年, 三年来.
_TIME_WORD = re.compile(r"^[今去明全当近上下本前此多]?[零〇一二三四五六七八九十两几半]*(?:年|月|季度|周)(?:来|内|底|初|度|以来)?$")
# A modifier clause before 的 in the noun phrase after a figure: 1055名有威信、有能力的小区党员.
_MODIFIER_START = ("有", "不", "具有", "具备", "来自")
_OPENERS = {"”": "“", "》": "《", "」": "「", "’": "‘"}
_LIST_GLUE = ("和", "与", "及", "、", "以及")
_CHINESE_NUMERAL = re.compile(r"[零〇一二三四五六七八九十两百千万]+[个名位项家支人户次场]?$")


def _words(text: str) -> list[str]:
    return [part for word in (cut(text) if text else []) for part in _split_phrase(word)]


def _split_phrase(word: str) -> list[str]:
    """Open up a whole-phrase dictionary entry: ``在职党员到社区报到`` → [在职党员, 到, 社区报到].

    The domain dictionary keeps practice names whole for search; around a figure the
    phrase's own verb or preposition is where the counted noun ends.
    """
    if len(word) < 5:
        return [word]
    if word[:2] in ACTION_VERBS:
        return [word[:2], *_split_phrase(word[2:])]
    for i in range(2, len(word) - 1):
        if word[i] in PHRASE_BREAKS or (word[i] in PHRASE_VERBS and tokenizer().FREQ.get(word[:i])):
            return [word[:i], word[i], *_split_phrase(word[i + 1 :])]
    return [word]


def _stops(word: str) -> bool:
    return (
        word in ACTION_VERBS
        or _verb_with_complement(word)
        or word in BOUNDARY_WORDS
        or word[:1].isdigit()
        or not _CJK.match(word[:1])
        or bool(_TIME_WORD.match(word))
    )


def _verb_with_complement(word: str) -> bool:
    """A verb jieba cut with its complement: 摸排出, 梳理出, 归为, 评为 (行为 and 作为 are nouns)."""
    if len(word) >= 3 and word[-1] in COMPLEMENTS:
        return word[:-1] in ACTION_VERBS
    return len(word) == 2 and word[1] == "为" and word not in ("行为", "作为", "因为", "认为", "成为")


def _place_names() -> frozenset[str]:
    global _PLACES
    if _PLACES is None:
        _PLACES = frozenset(n for d in gazetteer.divisions() for n in (d.name, d.short_name) if len(n) >= 2)
    return _PLACES


_PLACES: frozenset[str] | None = None


def _trim(words: list[str]) -> str:
    """Drop list glue, scope words and place names at the edges: ``[全市, 社区, 和]`` → 社区.

    A one-character word other than a noun's tail is dropped from the end too (在职党员|报),
    and a verb complement from the start (出|服务资源清单).
    """
    while True:
        before = len(words)
        while words and (words[-1] in _LIST_GLUE or words[-1] in BOUNDARY_WORDS):
            words.pop()
        while len(words) > 1 and len(words[-1]) == 1 and words[-1] not in NOUN_TAILS:
            words.pop()
        while words and (words[0] in SCOPE_WORDS or words[0] in _LIST_GLUE):
            words.pop(0)
        while len(words) > 1 and (words[0] in COMPLEMENTS or words[0] in _place_names()):
            words.pop(0)
        if len(words) == before:
            break
    if len(words) == 1 and words[0] in _place_names():
        return ""  # a place is where, not what, is counted
    return "".join(words)


def subject_after(window: str) -> str:
    """The noun phrase right after a figure: ``"在职党员到社区报到"`` → 在职党员."""
    quoted = _quoted(window)
    if quoted:
        return quoted
    words = _words(window)
    k = next((i for i, w in enumerate(words[:5]) if w == "的" or _stops(w)), -1)
    if k >= 0 and words[k] == "的":
        # 6个纵向的社区党建融合体: a modifier, then the head; 183个超大社区的治理中: the noun, then a frame
        pre, post = words[:k], words[k + 1 :]
        head = _noun_run(post)
        framed = len(post) > len(head) and post[len(head)] in _LOCATIVES
        noun_before = bool(pre) and (
            pre[-1][-1] in NOUN_TAILS or (len(pre) > 1 and pre[-1] in _LOCATIVES and pre[-2][-1] in NOUN_TAILS)
        )
        if head and not framed and not noun_before:
            return _trim(head)
        if noun_before or not head:
            return _trim(_noun_run(pre))
        return _trim(head)
    return _trim(_noun_run(words))


_LOCATIVES = frozenset(("中", "上", "里", "内", "下", "方面", "过程", "工作"))


def _quoted(window: str) -> str:
    """A quoted name at the start, with the noun it may lead: “口袋式”绿地公园 → 口袋式绿地公园."""
    closer = {"“": "”", "「": "」", "《": "》"}.get(window[:1])
    close = window.find(closer, 1, 20) if closer else -1
    if close < 0:
        return ""
    rest = window[close + 1 :]
    for i, char in enumerate(rest):
        if char in _STOP:
            rest = rest[:i]
            break
    return window[1:close] + _trim(_noun_run(_words(rest)))


def _noun_run(words: list[str]) -> list[str]:
    phrase: list[str] = []
    for i, word in enumerate(words):
        joins = word in ("和", "与", "及") and i + 1 < len(words) and not _stops(words[i + 1])
        if (_stops(word) and not joins) or _CHINESE_NUMERAL.match(word):
            break
        phrase.append(word)
    return phrase


def _phrase_before(words: list[str]) -> tuple[list[str], int]:
    """The noun phrase ending ``words`` and the index of the word before it (-1 when none)."""
    words = list(words)
    while words and _stops(words[-1]):
        words.pop()
    phrase: list[str] = []
    i = len(words) - 1
    while i >= 0:
        word = words[i]
        joins = word in ("和", "与", "及") and phrase and i > 0 and not _stops(words[i - 1])
        rate = len(phrase) == 1 and phrase[0] in RATE_SUFFIXES and word in ACTION_VERBS  # 办结率, 覆盖率
        if _stops(word) and not joins and not rate:
            break
        phrase.insert(0, word)
        i -= 1
        if rate:
            break
    return phrase, i


def subject_before(window: str, with_verb: bool = False) -> str:
    """The noun phrase right before a figure: ``"签订共建协议"`` → 共建协议, ``"削减率达到"`` → 削减率.

    ``with_verb`` keeps the action verb that governs the phrase: 培训党员 for a count of times.
    """
    if window.endswith(tuple(_OPENERS)):
        inner = window[window.rfind(_OPENERS[window[-1]]) + 1 : -1]
        if inner:
            return inner  # a quoted name right before the number is the thing counted
    words = _words(window)
    phrase, i = _phrase_before(words)
    subject = _trim(phrase)
    if with_verb and subject and i >= 0 and words[i] in ACTION_VERBS and words[i] not in LINKING_VERBS:
        subject = words[i] + subject
    return subject


def _clause_before(body: str, start: int, floor: int) -> str:
    window = body[max(floor, start - 30) : start]
    if window.endswith(tuple(_OPENERS)):
        opener = window.rfind(_OPENERS[window[-1]])
        return window[opener:] if opener >= 0 else window
    for i in range(len(window) - 1, -1, -1):
        if window[i] in _STOP:
            return window[i + 1 :]
    return window


def _clause_after(body: str, end: int, stops: frozenset[str] = _STOP) -> str:
    window = body[end : end + 24]
    for i, char in enumerate(window):
        if char in stops or char.isdigit():
            return window[:i]
    return window


_SENTENCE_STOP = frozenset(",，。;；:：!！?？()（）\n\r\t")  # a clause, with its lists and quotes


def _quoted_after(body: str, end: int) -> str:
    """A quoted name right after the unit, with the noun it may lead: 3个“微网格” → 微网格."""
    return _quoted(body[end : end + 40])


def _modified_head(body: str, end: int) -> str:
    """The head noun after a modifier clause: 1055名有威信、有能力的小区党员 → 小区党员; else ""."""
    clause = _clause_after(body, end, _SENTENCE_STOP)
    k = clause.find("的")
    if k <= 0:
        return ""
    pre, post = clause[:k], clause[k + 1 :]
    listed_then_kind = "等" in pre and "、" in pre
    items = pre.split("、")
    qualities = len(items) > 1 and all(2 <= len(item) <= 4 and item[-1] not in NOUN_TAILS for item in items)
    modifier = (
        qualities
        or pre.startswith(_MODIFIER_START)
        or any(w in ACTION_VERBS and w not in LINKING_VERBS for w in _words(pre))
    )
    if listed_then_kind:
        return subject_after(pre[pre.rindex("等") + 1 :])  # 综合治理、青少年教育等活动
    if not modifier:
        return ""
    pre_words = _words(pre)
    if len(pre_words) == 2 and pre_words[1] in ACTION_VERBS and not _stops(pre_words[0]):
        return pre_words[0]  # 5名群众参加的志愿服务队: the people who joined are counted
    if "等" in post and "、" in post:
        return subject_after(post[post.index("等") + 1 :])
    return _quoted(post) or _trim(_noun_run(_words(post)))


def _kind_after_list(body: str, end: int) -> str:
    """After a figure, a list of kinds closed by 等 names what is counted: 的A、B、C等活动 → 活动."""
    clause = _clause_after(body, end, _SENTENCE_STOP)
    if "、" not in clause or "等" not in clause or clause.index("、") > clause.index("等"):
        return ""
    return subject_after(clause[clause.index("等") + 1 :])


def subject_of(body: str, figure: Figure, floor: int, after_end: int | None = None) -> str:
    """What the figure counts: the noun phrase after its unit, else the one before it."""
    end = after_end if after_end is not None else figure.end
    share = figure.unit in SHARE_UNITS
    if share and body.startswith(("的", "以上的", "左右的"), figure.end):
        found = subject_after(_clause_after(body, body.index("的", figure.end) + 1))  # 90%以上的支部书记
        if found:
            return found
    if not share:
        found = _quoted_after(body, end) or _modified_head(body, end) or _kind_after_list(body, end)
        found = found or subject_after(_clause_after(body, end))
        if found:
            return found[:20]
    window = _clause_before(body, figure.start, floor)
    words = _words(window)
    verb = words[-1] if words and words[-1] in ACTION_VERBS and words[-1] not in LINKING_VERBS else ""
    if verb and figure.unit in EVENT_UNITS | MONEY_UNITS:
        # 走访1200余户次, 投入1300万元: the activity is what is counted, or spent; 道德讲堂已开讲22场:
        # with its topic before it
        topic, _ = _phrase_before([w for w in words[:-1] if w not in _ASPECT])
        topic_text = _trim(topic)
        if figure.unit in MONEY_UNITS:  # 从市管党费划拨500万元: the fund; 街道投入1300万元: the spending
            return topic_text if len(topic_text) > 1 and topic_text[-1] in FUND_TAILS else verb
        if topic and words[-2] in _ASPECT and len(topic_text) > 1:
            return topic_text + verb
        return verb
    found = subject_before(window, with_verb=figure.unit in TIMES_UNITS)[-20:]
    clause_start = figure.start - len(window)
    if not found and body[clause_start - 1 : clause_start] in _OPENERS:  # “万人小区”就有200多个
        found = subject_before(body[max(floor, clause_start - 20) : clause_start])
    if not found and verb and figure.unit not in SHARE_UNITS:
        return verb  # 已解决13个: what was done is what is counted
    if len(found) <= 1 and figure.unit in PERSON_UNITS | DURATION_UNITS:
        # 151人参与疫情防控: the people who did it; 用时3天完成排查: the work that took the time
        return _predicate_after(body, figure.end)
    return found if len(found) > 1 else ""  # one character before a number is a fragment (市, 至)


MONEY_UNITS = frozenset(("元",))
FUND_TAILS = frozenset("费金款资算")  # 党费, 资金, 专项款, 投资, 预算
PERSON_UNITS = frozenset(("人", "名", "位", "人次"))
DURATION_UNITS = frozenset(("天", "小时", "分钟"))
_ASPECT = frozenset(("已", "已经", "共", "累计", "先后", "共计", "均", "都", "还", "又", "再"))


def _predicate_after(body: str, end: int) -> str:
    """What a count of people did, when no noun names them: 300余人从中受益 → 从中受益."""
    clause = _clause_after(body, end)
    words = [w for w in _words(clause) if w not in ("等", "的")]
    return "".join(words)[:10] if words and words[0] not in BOUNDARY_WORDS - {"从中"} else ""


# --- figures that share a subject -----------------------------------------------------

# Between two figures of one quantity changing: 由45%提高到90%, 从35%提升至92.6%.
_CHANGE = re.compile(r"(?:[^，。；、,;\d]{0,4}?(?:提高|提升|增加|增长|上升|下降|降低|减少|缩短|压缩|扩大|增|降|升|减))?(?:到|至|为)了?")
_RESPECTIVELY = re.compile(r"分别(?:为|是|达到|达|有|占|建成|建立|达到了)?$")
_ITEM_SPLIT = re.compile(r"、|和|及|与")


def _sentence_before(body: str, start: int, floor: int) -> str:
    """The clause before ``start`` with its lists: 建立A、B、C分别为 (a comma or a stop ends it)."""
    window = body[max(floor, start - 40) : start]
    cut_at = max((i for i, char in enumerate(window) if char in _SENTENCE_STOP), default=-1)
    return window[cut_at + 1 :]


def _groups(body: str, figures: list[Figure]) -> list[list[int]]:
    """Runs of figures written as one list (3万元、10万元; 120个、360个和1500个)."""
    groups: list[list[int]] = []
    for i, figure in enumerate(figures):
        if i and _listed_after(body, figures[i - 1], figure):
            groups[-1].append(i)
        else:
            groups.append([i])
    return [g for g in groups if len(g) > 1]


def _noun_items(text: str) -> list[str]:
    return [item for item in _ITEM_SPLIT.split(text) if item]


def share_subjects(body: str, figures: list[Figure], subjects: list[str], floors: list[int]) -> list[str]:
    """Subjects written once for several figures.

    - a change: 由45%提高到90% — the second figure is the first one's quantity;
    - respectively: 建立A、B、C分别为120个、360个、1500个 — item by item;
    - a list of figures, then the list of what they count: 3万元、10万元的标准落实A和B;
    - a list of figures sharing one noun: 分别奖励3万、5万元.
    """
    subjects = list(subjects)
    for i in range(1, len(figures)):
        a, b = figures[i - 1], figures[i]
        if a.unit == b.unit and subjects[i - 1] and _CHANGE.fullmatch(body, a.end, b.start):
            subjects[i] = subjects[i - 1]
    for group in _groups(body, figures):
        first, last = figures[group[0]], figures[group[-1]]
        before = _sentence_before(body, first.start, floors[group[0]])
        respectively = _RESPECTIVELY.search(before)
        if respectively:
            items = _noun_items(before[: respectively.start()])
            if len(items) == len(group):
                for index, item in zip(group, items, strict=True):
                    subjects[index] = subject_before(item) or subjects[index]
                continue
        if not subjects[group[0]]:
            after = _clause_after(body, last.end, _SENTENCE_STOP)
            words = _words(after)
            verbs = [k for k, w in enumerate(words) if w in ACTION_VERBS and w not in LINKING_VERBS]
            if verbs:
                items = _noun_items("".join(words[verbs[-1] + 1 :]))
                if len(items) == len(group):
                    for index, item in zip(group, items, strict=True):
                        subjects[index] = subject_after(item) or subjects[index]
                    continue
        known = [subjects[index] for index in group if subjects[index]]
        if known:
            for index in group:
                subjects[index] = subjects[index] or known[0]
    return subjects


# --- mechanisms -----------------------------------------------------------------------


def mechanism_of(position: int, mechanisms: Sequence[MechanismData], body_length: int) -> int | None:
    """Index of the innermost mechanism whose section [start, body_end) holds ``position``.

    A mechanism without a section end (body_end not after start) runs to the next heading of
    the same or a higher level, or to the end of the body.
    """
    return mechanisms_of([position], mechanisms, body_length)[0]


def section_ends(mechanisms: Sequence[MechanismData], body_length: int) -> list[int]:
    """Where each mechanism's section ends (see ``mechanism_of``): its body_end, else the start of the
    next later heading of the same or a higher level, found with one pass over the headings by start.
    The mechanisms are in body order, as ``extract_mechanisms`` gives them."""
    ends = [m.body_end for m in mechanisms]
    open_ones = [i for i, m in enumerate(mechanisms) if m.body_end <= m.start]
    if not open_ones:
        return ends
    # By start; among equal starts a heading never ends another. For each open heading the first
    # later heading at its level or above: a sweep from the end keeping, per level, the nearest start.
    order = sorted(range(len(mechanisms)), key=lambda i: mechanisms[i].start)
    nearest: dict[int, int] = {}  # level → the smallest start seen so far (later headings)
    pending = set(open_ones)
    k = len(order) - 1
    while k >= 0:
        start = mechanisms[order[k]].start
        group = []
        while k >= 0 and mechanisms[order[k]].start == start:
            group.append(order[k])
            k -= 1
        for i in group:
            if i in pending:
                level = mechanisms[i].level
                later = [s for lv, s in nearest.items() if lv <= level]
                ends[i] = min(later, default=body_length)
        for i in group:
            level = mechanisms[i].level
            nearest[level] = min(nearest.get(level, body_length), start)
    return ends


def mechanisms_of(positions: Sequence[int], mechanisms: Sequence[MechanismData], body_length: int) -> list[int | None]:
    """``mechanism_of`` for many positions at once, in n log n: a sweep over the positions in order
    with the sections begun so far in a heap, latest start on top (the innermost), and those ended
    before the position dropped (a later position cannot lie in them either)."""
    ends = section_ends(mechanisms, body_length)
    by_start = sorted(range(len(mechanisms)), key=lambda i: (mechanisms[i].start, i))
    found: list[int | None] = [None] * len(positions)
    heap: list[tuple[int, int]] = []  # (-start, -index): the latest start, then the latest index, first
    k = 0
    for p in sorted(range(len(positions)), key=positions.__getitem__):
        position = positions[p]
        while k < len(by_start) and mechanisms[by_start[k]].start <= position:
            i = by_start[k]
            heapq.heappush(heap, (-mechanisms[i].start, -i))
            k += 1
        while heap and ends[-heap[0][1]] <= position:
            heapq.heappop(heap)
        if heap:
            found[p] = -heap[0][1]
    return found


# --- the whole pass -------------------------------------------------------------------


def _infer_unit(subject: str) -> str:
    for marker, unit in UNIT_FROM_SUBJECT:
        if subject.endswith(marker):
            return unit
    return ""


# A case reports tens of figures, a long one a few hundred. Past this many the text is no report a
# curator could review (a table dump, a generated file), and finding each figure's subject is the
# costliest work per character of the pipeline: the first ones are kept and the report says so.
MAX_FIGURES = 1000


def extract_metrics(body: str, mechanisms: list[MechanismData]) -> list[MetricData]:
    """Every quantity the case reports, in order of appearance (see the module docstring), at most
    ``MAX_FIGURES`` of them."""
    figures: list[Figure] = []
    for figure in _shared_in_lists(body, (attach_prefix(body, f) for f in iter_figures(body))):
        if keep(body, figure, figures[-1] if figures else None):
            figures.append(figure)
            if len(figures) == MAX_FIGURES:
                break  # the rest of a body this dense in figures is not read
    subjects: list[str] = []
    floors: list[int] = []
    floor = 0
    for i, figure in enumerate(figures):
        # 185处1101万平方米公园绿地: the first figure counts what the second one's noun names.
        after_end = None
        nxt = figures[i + 1] if i + 1 < len(figures) else None
        if nxt is not None and nxt.start == figure.end:
            after_end = nxt.end
        subjects.append(subject_of(body, figure, floor, after_end))
        floors.append(floor)
        floor = figure.end
    subjects = share_subjects(body, figures, subjects, floors)
    sections = mechanisms_of([figure.start for figure in figures], mechanisms, len(body))
    return [
        MetricData(
            value=figure.value,
            unit=figure.unit or _infer_unit(subject),
            qualifier=figure.qualifier,
            magnitude=figure.magnitude,
            subject=subject,
            text=body[figure.start : figure.end],
            start=figure.start,
            end=figure.end,
            mechanism=section,
        )
        for figure, subject, section in zip(figures, subjects, sections, strict=True)
    ]
