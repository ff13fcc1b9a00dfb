"""kind: is the report a case (a place telling what it did) or a non-case (a paper, a
commentary, a speech, a how-to or template essay)?

A non-case still talks about party building, often with the same words and headings, so no
single word decides. Each signal below adds to a score (what a paper, commentary, speech or
template has) or takes from it (what a case's narrative has: a named place that did
something, a news dateline, figures of results, headings that name what was done); a score
of ``THRESHOLD`` or more is a non-case. The signals are generic (the apparatus of a paper, a
speech's salutation, a template site's words), never an outlet, a place or a person.

The weights are set by hand, not fitted; ``explain`` lists the signals that fired, so a
curator (or a test) can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..report import Layout
from ..vocabulary import CJK, SENTENCE_ENDS

CASE, NON_CASE = "case", "non-case"
THRESHOLD = 3.0

_OPEN = r"^[\s〔［\[【(（]*"
_LABEL_END = r"[\s〕］\]】)）:：]"


def _label(words: str) -> re.Pattern:
    """A line that opens with one of ``words`` as a label: 〔摘要〕…, [摘要]…, 摘 要：…, or the word alone."""
    return re.compile(f"{_OPEN}(?:{words}){_LABEL_END}|{_OPEN}(?:{words})$", re.M)


@dataclass(frozen=True)
class Signal:
    name: str
    weight: float
    # where it is looked for: "text" (every line), "title" (title, subtitle, meta lines),
    # "headings" (the paragraphs the clean stage took for headings), "lead" (title and the first lines)
    where: str
    pattern: re.Pattern
    cap: int = 1  # how many matches count


def _re(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.M)


_SPACED = r"\s?"  # 摘 要 / 关 键 词 as a PDF copy spaces them

SIGNALS = (
    # a paper's apparatus
    Signal("paper:abstract", 2.0, "text", _label(f"摘{_SPACED}要|内容摘要|内容提要|提{_SPACED}要")),
    Signal("paper:keywords", 1.5, "text", _label(f"关{_SPACED}键{_SPACED}[词字]")),
    Signal("paper:classification", 4.0, "text", _re(r"中图分类号|文献标识码|文献标志码|文章编号")),
    Signal("paper:front-matter", 3.0, "text", _re(r"基金项目|收稿日期|录用日期|作者简介|DOI\s*[:：]|doi\s*[:：]")),
    Signal("paper:references", 3.0, "text", _re(r"^[\s\[【〔]*(?:参考文献|主要参考文献|注释|注\s*释)[\s\]】〕:：]*$")),
    Signal("paper:english", 3.0, "text", _re(r"^\s*(?:Abstract|ABSTRACT|Key\s?words|KEYWORDS|Keywords)\b")),
    Signal("paper:issue", 1.5, "title", _re(r"(?:19|20)\d{2}\s*年\s*(?:第\s*)?\d{1,2}\s*期|第\s*\d+\s*卷")),
    # note markers after a sentence: 〔1〕 [2] ［3］ ①, several of them
    Signal("paper:notes", 1.0, "text", _re(rf"[{CJK}。，”][〔\[［]\d{{1,2}}[〕\]］]|[{CJK}。，”][①②③④⑤⑥]"), cap=2),
    Signal("paper:voice", 1.0, "text", _re(r"本文|笔者|文章(?:以|从|认为|指出|通过)|本研究"), cap=2),
    # analytical headings: the parts of an argument, not the things a place did
    Signal("analysis:problems", 1.0, "headings", _re(r"问题|困境|不足|短板|原因|对策|建议|现状"), cap=2),
    Signal("analysis:survey", 2.0, "text", _re(r"问卷调查|调查显示|调研发现|抽样|调查问卷|调查样本|样本社区|回归(?:模型|分析)"), cap=2),
    Signal(
        "analysis:heading", 1.0, "headings",
        _re(r"问题导向|实践逻辑|内在逻辑|逻辑|路径|对策|理论|内涵|意蕴|价值|困境|缘起|原因|启示|建议|现状|主要问题|存在的问题|"
            r"思考|研究|分析|必要性|重要性|紧迫性|认识|意义|挑战|经验与|反思"),
        cap=3,
    ),
    Signal("analysis:title", 2.0, "title",
           _re(r"^.{0,40}(?:逻辑|路径|研究|探析|浅析|浅谈|刍议|思考|对策|建议|机制与|困境|探索与实践|的启示|论析|述评|"
               r"模式选择|怎么[选定办]|如何[选定]|[:：].{0,12}怎么)"),
           cap=2),
    # commentary
    Signal("commentary", 3.0, "lead", _re(r"评论(?!\s*[:：(（]?\s*\d|数|区|框)|短评|时评|编者的话|编者按|社论|评论员|观点|观察\s*[)）]|论坛|^论")),
    # the news a commentary hangs on, cited in brackets: （5月9日《某某日报》）
    Signal("commentary:news-hook", 3.0, "lead", _re(r"[（(]\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*《[^》]{2,20}》[^）)]{0,10}[)）]")),
    # a lecture or explainer: 下面从…几个角度…展开讨论, headings that ask 什么是 / 为什么 / 怎样
    Signal("lecture", 3.0, "text",
           _re(r"下面(?:从|就|我)|几个(?:角度|方面)(?:谈|讲|展开)|(?:展开|深入)(?:讨论|探讨)|和大家(?:交流|分享|讨论)|"
               r"(?:我们|本文|下面)将?从.{2,60}(?:出发|入手|展开|谈起|讲起)")),
    Signal("analysis:question", 1.0, "headings", _re(r"什么是|是什么|为什么|怎样|如何|怎么"), cap=2),
    # a speech
    Signal("speech:salutation", 5.0, "text", _re(r"^\s*(?:同志们|各位领导|各位同志|女士们、先生们)[：:，,!！]?\s*$|同志们[：:]")),
    Signal("speech:title", 4.0, "top", _re(r"在.{2,40}(?:会议?|仪式|座谈会|开班式|推进会|动员会)上的(?:讲话|发言|致辞|报告)|讲话稿|发言稿|致辞")),
    Signal("speech:address", 1.0, "text", _re(r"^刚才|讲得(?:都)?很好|下面，?我(?:讲|再讲|强调)|我讲(?:几|三|两)点")),
    # a how-to or a template
    Signal("template:site", 4.0, "text", _re(r"小编|范文|模板|模版|下面是.{0,30}(?:整理|收集|搜集)|为您(?:搜集|整理|收集)|仅供(?:阅读)?参考")),
    Signal("template:kind", 3.0, "top", _re(r"心得体会|体会|如何写|怎么写|怎样写|写作|范文|\d+\s*篇")),
    Signal("template:how-to", 1.5, "text", _re(r"如何写|怎么写|怎样写|写得|动笔|文风"), cap=2),
    # a template's blanks are written XX or ××; a redacted copy of a real report hides its names
    # with a lower-case x (x区, xxx), which is not a template's mark
    Signal("template:placeholder", 2.0, "text", _re(r"XX|××|ＸＸ|某(?:市|区|县|街道|社区|镇|村)"), cap=2),
    Signal("template:material", 1.0, "top", _re(r"交流材料|经验材料|汇报材料|发言材料|工作总结|述职|调研报告|调查与思考")),
    # a case's narrative
    Signal("case:place-did", -2.0, "text",
           _re(rf"(?:近年来|近些年|今年以来|去年以来|近期|日前|近日|目前)[，,]?\s*[{CJK}]{{0,10}}?"
               rf"(?:省|市|区|县|街道|镇|乡|社区|村)[{CJK}]{{0,6}}?(?:以|把|坚持|聚焦|围绕|探索|创新|推行|推进|建立|开展|积极|深入|大力)"),
           cap=2),
    Signal("case:dateline", -3.0, "lead", _re(r"本报讯|本报记者|记者\s*\S{2,4}\s*(?:报道|通讯员)|新华社.{0,10}电|通讯员|消息[)）]?$|^\S{2,10}网讯")),
    Signal("case:figures", -0.25, "text",
           _re(r"\d+(?:\.\d+)?\s*(?:万|亿)?\s*(?:余|多)?\s*(?:个|名|人|项|件|户|次|场|支|家|条|处|平方米|元|栋|间|台)"),
           cap=12),
    Signal("case:done-heading", -1.0, "headings", _re(r"做法|经验|成效|举措|实践探索"), cap=2),
    # a practice's slogan in a heading: 下好“一盘棋”, 当好“领头雁”
    Signal("case:slogan-heading", -1.0, "headings", _re(r"“[^”]{1,6}”"), cap=3),
    # a title that opens on a place doing something: ——北京以党建引领…, 某某区：…
    Signal("case:place-title", -2.0, "headline",
           _re(rf"^[—\-\s“]*(?:[{CJK}]{{1,10}}(?:省|市|区|县|州|旗|街道|镇|乡|社区|村)[{CJK}]{{0,6}}?"
               rf"(?:[:：]|以(?!来)|用|把|让|推行|探索|打造|构建)|[{CJK}]{{2,8}}[:：]|[{CJK}]{{2,3}}(?:以(?!来)|用|把))"
               r"(?![^：:]{0,30}(?:逻辑|路径|研究|机制与))")),
)

_HEADING_END = re.compile(r"[。！？；]")
HEADING_MAX = 40
LEAD_LINES = 3  # "lead": the title, subtitle and meta lines, and the first lines of the body
NO_PLACE = 2.0  # added when the place finder found no place anywhere in the report


@dataclass(frozen=True)
class Fired:
    name: str
    count: int
    score: float


def _where(layout: Layout) -> dict[str, list[str]]:
    roles = layout.paragraph_roles or ["body"] * len(layout.paragraphs)
    top = [t for t in (layout.title, layout.subtitle) if t]
    head = top + list(layout.meta_lines) + list(layout.bylines)
    return {
        "text": head + list(layout.paragraphs),
        "title": head,
        # a heading's own words: a paragraph that opens with its heading sentence is cut at the first 。
        "headings": [
            _HEADING_END.split(p, maxsplit=1)[0][:HEADING_MAX]
            for p, role in zip(layout.paragraphs, roles, strict=False) if role in ("h1", "h2", "h3")
        ],
        "lead": head + list(layout.paragraphs[:LEAD_LINES]),
        # the title (or, when the page lost it, the first line), subtitle and meta lines
        "top": head + ([] if layout.title else list(layout.paragraphs[:1])),
        "headline": top or list(layout.paragraphs[:1]),
    }


def explain(layout: Layout, named_place: bool | None = None) -> list[Fired]:
    """Every signal that fired on the report, with how often (up to its cap) and what it added.

    ``named_place`` is whether the place finder found a place in the report (``None``: not
    asked). A case is about a place; a paper, commentary or template often names none."""
    where = _where(layout)
    fired = [Fired("no-place", 1, NO_PLACE)] if named_place is False else []
    fired += _voice(layout.paragraphs)
    for signal in SIGNALS:
        count = 0
        for line in where[signal.where]:
            count += len(signal.pattern.findall(line))
            if count >= signal.cap:
                break  # counted up to its cap: the lines after it change nothing
        count = min(count, signal.cap)
        if count:
            fired.append(Fired(signal.name, count, signal.weight * count))
    return fired


_SENTENCE = re.compile(f"[^{SENTENCE_ENDS}\\n]{{9,}}")
# what a commentary, paper or speech tells its reader to do, rather than what a place did
_PRESCRIPTIVE = re.compile(r"必须|(?<![需主重只])要(?!求|素|点|害|闻|案)|应当|应该|唯有|只有.{0,20}才|务必|切实|不断|进一步|坚持")
_WE = re.compile(r"我们|我国|我党")
MIN_SENTENCES = 8  # shares of a shorter text say little


def _voice(paragraphs: list[str]) -> list[Fired]:
    """The share of sentences that prescribe (必须, 要, 应当…) or speak as 我们: high in a
    commentary or a paper's argument, low in a case's account of what was done."""
    sentences = [s for p in paragraphs for s in _SENTENCE.findall(p)]
    if len(sentences) < MIN_SENTENCES:
        return []
    fired = []
    prescriptive = sum(1 for s in sentences if _PRESCRIPTIVE.search(s)) / len(sentences)
    if prescriptive >= 0.3:
        fired.append(Fired("commentary:prescriptive", 1, 2.0 if prescriptive >= 0.45 else 1.0))
    if sum(1 for s in sentences if _WE.search(s)) / len(sentences) >= 0.2:
        fired.append(Fired("voice:we", 1, 1.0))
    return fired


def score(layout: Layout, named_place: bool | None = None) -> float:
    return sum(f.score for f in explain(layout, named_place))


def decide_kind(layout: Layout, named_place: bool | None = None) -> str:
    """``"non-case"`` when the paper / commentary / speech / template signals outweigh the case's narrative."""
    return NON_CASE if score(layout, named_place) >= THRESHOLD else CASE
