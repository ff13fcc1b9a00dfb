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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..report import MechanismData, MetricData
from ..segment import cut
from .numbers import (
    ARABIC,
    CHINESE,
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
    (?P<approx>余|多)?
    (?P<mag2>[万亿]?)
    \ ?
    (?P<unit>{"|".join(map(re.escape, UNITS_LONGEST_FIRST))})?
    (?P<post>左右|以上|以下|以内)?
    """,
    re.VERBOSE,
)

# Words before a number that say how exact it is. Longest first. 达/共/累计 say nothing about it.
PREFIX_QUALIFIERS = (
    "不少于", "不低于", "不超过", "不多于", "将近", "接近", "大约", "超过", "高于", "多于", "至少",
    "最多", "不足", "不到", "约", "近", "逾", "超",
)  # fmt: skip
# 近 and 约 end ordinary words too: 最近 (recently), 附近, 预约, 签约, 节约 …
NOT_QUALIFIER_AFTER = {"近": "最附临靠亲邻", "约": "预签履节制特公契邀相合违守践赴应失条", "超": "赶高"}

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
BARE_MAGNITUDES = {"百": 100, "千": 1000, "万": 10_000, "百万": 1_000_000, "千万": 10_000_000, "亿": 100_000_000}

_STOP = frozenset(",，。;；:：!！?？、()（）“”\"《》〈〉「」【】[]\n\r\t …")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LISTED_NOUN = re.compile(r"[\u4e00-\u9fff]{0,8}、")  # 三个镇、五个街道: the noun, then the list mark

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
    bare_magnitude: bool = False  # 百, 千 or 万 alone: a figure only as 百余, 近千
    ranged: bool = False
    prefixed: bool = False  # the qualifier is a word before the number


def protected_spans(body: str) -> list[tuple[int, int]]:
    """Spans of quoted names and titles: ``“1+6”文件`` → [(0, 5)]."""
    return [m.span() for m in _PROTECTED.finditer(body)]


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


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
    spans = protected_spans(body)
    figures: list[Figure] = []
    for m in _FIGURE.finditer(body):
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
        figures.append(
            Figure(
                start=start,
                end=end,
                value=scale(value, magnitude),
                unit=unit,
                qualifier=m.group("approx") or post,
                chinese=chinese,
                single_digit=is_single_chinese_digit(raw) and not m.group("approx") and not m.group("pct"),
                has_magnitude=any(c in "万亿" for c in magnitude),
                bare_magnitude=raw in BARE_MAGNITUDES,
                ranged=ranged,
            )
        )
    return figures


def attach_prefix(body: str, figure: Figure) -> Figure:
    """Take in a qualifier word written before the number: 近2.1万名 → 近, span from 近."""
    word = prefix_qualifier(body, figure.start)
    if figure.ranged:
        figure.qualifier = "不少于"
    elif word:
        figure.qualifier = word
        figure.start -= len(word)
        figure.prefixed = True
    return figure


def _listed_after(body: str, first: Figure, second: Figure) -> bool:
    """``second`` follows ``first`` in a list: 3万元、10万元 / 3万和5万元 (a comma ends a clause)."""
    return body[first.end : second.start] in ("、", "和", "或", "及")


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


def _kept(body: str, figures: list[Figure]) -> list[Figure]:
    kept: list[Figure] = []
    for figure in figures:
        if keep(body, figure, kept[-1] if kept else None):
            kept.append(figure)
    return kept


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Subjects are found without POS tags: jieba's tags for these words are too noisy (诉求, 组织
# and 率 come out as verbs). A noun phrase is the run of words between the figure and the
# nearest action verb, preposition or scope word, read off jieba's words.
ACTION_VERBS = _word_set(
    """建立 建设 建成 新建 设立 设置 成立 组建 打造 培育 开展 举办 签订 签署 收集 受理 办理 办结 解决
    化解 调处 排查 走访 慰问 培训 招聘 招募 选派 选聘 配备 选树 评选 表彰 认领 确定 划分 取消 保留
    清理 精简 整合 吸纳 安排 争取 投入 划拨 落实 发放 提供 推动 实现 覆盖 带动 吸引 参与 参加 改造
    提升 完善 创建 聚焦 打通 挂牌 孵化 帮扶 联系 结对 入驻 进驻 下沉 报到 接收 印发 出台 制定 完成
    安装 建有 设有 拥有 下辖 包括 涉及 惠及 服务于 共有 现有 达 达到 为 是 有 超过 提出 召开 组织开展
    累计 推出 发布 征集 梳理 帮助 救助 下设 成为 形成 获得 荣获 开放 办 进 加入 纳入 列入 获评 享受 受益
    提高 降低 下降 增加 减少 增长 提高到 提升到 下降到 增加到 降低到 提高至 提升至 下降至 降至 增至 减至 联合 共同 积极 主动
    深入 持续 定期 广泛 改建 扩建 修建 翻建"""
)
# Words that end a noun phrase on either side without being part of it.
BOUNDARY_WORDS = _word_set(
    """在 对 向 为 将 把 从 由 与 共 已 已经 均 都 全部 所有 其中 每周 每月 每年 每天 每季度 以及 并 并且
    又 还 也 就 到 于 以 按 按照 通过 之前 之后 以来 目前 截至 其 等 的 了 和 及 或 同时 分别 各类 各级 中 年 年底 年初 月 日 底"""
)
# Units of events: with a verb right before the number, the verb names the thing counted.
EVENT_UNITS = frozenset(("次", "场次", "人次", "户次", "件次", "批次", "学时", "课时", "场", "期", "轮"))
# Verbs that only link a subject to its number (受众达8.9万人次); they are never the subject.
LINKING_VERBS = _word_set("达 达到 为 是 有 超过 累计 共有 现有 建有 设有 拥有 下辖 包括 涉及 惠及 成为 形成 进 办")
RATE_SUFFIXES = frozenset("率度量额数")  # 办结率: a rate takes its verb along
PHRASE_BREAKS = frozenset("到向对在")  # prepositions that rarely sit inside a counted noun
SCOPE_WORDS = ("全市", "全区", "全县", "全省", "全镇", "全街道", "全国", "各类", "各级", "全年")


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
        if word[i] in PHRASE_BREAKS:
            return [word[:i], word[i], *_split_phrase(word[i + 1 :])]
    return [word]


def _stops(word: str) -> bool:
    return word in ACTION_VERBS or word in BOUNDARY_WORDS or word[:1].isdigit()


def _trim(words: list[str]) -> str:
    """Drop list glue and scope words at the edges: ``[全市, 社区, 和]`` → 社区."""
    while words and (words[-1] in ("和", "与", "及", "、") or words[-1] in BOUNDARY_WORDS):
        words.pop()
    while words and (words[0] in SCOPE_WORDS or words[0] in ("和", "与", "及", "、")):
        words.pop(0)
    return "".join(words)


def subject_after(window: str) -> str:
    """The noun phrase right after a figure: ``"在职党员到社区报到"`` → 在职党员."""
    words = _words(window)
    if "的" in words[:3]:
        words = words[words.index("的") + 1 :]  # 6个纵向的社区党建融合体: the head after 的
    phrase: list[str] = []
    for i, word in enumerate(words):
        joins = word in ("和", "与", "及") and i + 1 < len(words) and not _stops(words[i + 1])
        if _stops(word) and not joins:
            break
        phrase.append(word)
    return _trim(phrase)


def subject_before(window: str) -> str:
    """The noun phrase right before a figure: ``"签订共建协议"`` → 共建协议, ``"削减率达到"`` → 削减率."""
    if window.endswith(("”", "》", "」")):
        opener = {"”": "“", "》": "《", "」": "「"}[window[-1]]
        inner = window[window.rfind(opener) + 1 : -1]
        if inner:
            return inner  # a quoted name right before the number is the thing counted
    words = _words(window)
    while words and _stops(words[-1]):
        words.pop()
    phrase: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        joins = word in ("和", "与", "及") and phrase and i > 0 and not _stops(words[i - 1])
        rate = len(phrase) == 1 and phrase[0] in RATE_SUFFIXES and word in ACTION_VERBS  # 办结率, 覆盖率
        if _stops(word) and not joins and not rate:
            break
        phrase.insert(0, word)
        if rate:
            break
    return _trim(phrase)


def _clause_before(body: str, start: int, floor: int) -> str:
    window = body[max(floor, start - 30) : start]
    if window.endswith(("”", "》", "」")):
        opener = window.rfind({"”": "“", "》": "《", "」": "「"}[window[-1]])
        return window[opener:] if opener >= 0 else window
    for i in range(len(window) - 1, -1, -1):
        if window[i] in _STOP:
            return window[i + 1 :]
    return window


def _clause_after(body: str, end: int) -> str:
    window = body[end : end + 16]
    for i, char in enumerate(window):
        if char in _STOP or char.isdigit():
            return window[:i]
    return window


def subject_of(body: str, figure: Figure, floor: int, after_end: int | None = None) -> str:
    """What the figure counts: the noun phrase after its unit, else the one before it."""
    if figure.unit not in ("%", "倍", "个百分点"):  # a share is of what precedes it: 削减率达到76%
        found = subject_after(_clause_after(body, after_end if after_end is not None else figure.end))
        if found:
            return found
    window = _clause_before(body, figure.start, floor)
    if figure.unit in EVENT_UNITS:
        words = _words(window[-6:])
        if words and words[-1] in ACTION_VERBS and words[-1] not in LINKING_VERBS:
            return words[-1]  # 培训不少于40学时, 走访1200余户次: the activity is what is counted
    return subject_before(window)[-20:]


# --- mechanisms -----------------------------------------------------------------------


def mechanism_of(position: int, mechanisms: Sequence[MechanismData], body_length: int) -> int | None:
    """Index of the innermost mechanism whose section [start, body_end) holds ``position``.

    A mechanism without a section end (body_end not after start) runs to the next heading of
    the same or a higher level, or to the end of the body.
    """
    best: int | None = None
    for index, mechanism in enumerate(mechanisms):
        end = mechanism.body_end
        if end <= mechanism.start:
            later = [m.start for m in mechanisms[index + 1 :] if m.level <= mechanism.level and m.start > mechanism.start]
            end = min(later, default=body_length)
        if mechanism.start <= position < end and (best is None or mechanism.start >= mechanisms[best].start):
            best = index
    return best


# --- the whole pass -------------------------------------------------------------------


def _infer_unit(subject: str) -> str:
    for marker, unit in UNIT_FROM_SUBJECT:
        if subject.endswith(marker):
            return unit
    return ""


def extract_metrics(body: str, mechanisms: list[MechanismData]) -> list[MetricData]:
    """Every quantity the case reports, in order of appearance (see the module docstring)."""
    figures = [attach_prefix(body, f) for f in find_figures(body)]
    figures = _kept(body, share_in_lists(body, figures))
    metrics: list[MetricData] = []
    floor = 0
    for i, figure in enumerate(figures):
        # 185处1101万平方米公园绿地: the first figure counts what the second one's noun names.
        after_end = None
        nxt = figures[i + 1] if i + 1 < len(figures) else None
        if nxt is not None and nxt.start == figure.end:
            after_end = nxt.end
        subject = subject_of(body, figure, floor, after_end)
        unit = figure.unit or _infer_unit(subject)
        metrics.append(
            MetricData(
                value=figure.value,
                unit=unit,
                qualifier=figure.qualifier,
                subject=subject,
                text=body[figure.start : figure.end],
                start=figure.start,
                end=figure.end,
                mechanism=mechanism_of(figure.start, mechanisms, len(body)),
            )
        )
        floor = figure.end
    return metrics
