"""Metadata of a report: title, published date, source (publisher), author unit, summary.

Reads the ``Layout`` that clean made. The date and the author unit come from the meta lines
only: a date in the page chrome (上一篇 2023年1月29日) was dropped by clean, and a date in the
body (2016年底以来) is what the report talks about, not when it was published. The source comes
from the meta lines first; failing those, from what the headline, the credits and the page's own
furniture say of the publisher (版权归某某日报社所有).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise, takewhile

from ..clean import DATE_RE, ORG_SUFFIXES, cjk_count, closes, is_heading
from ..report import Layout
from ..vocabulary import (
    AUTHOR_NOTE_LABEL,
    CJK,
    DATELINE_RE,
    FULL_STOPS,
    ORG_NAME_RE,
    PUBLISHER_ENDINGS,
    SELF_REFERENCE,
)

MAX_TITLE = 40
MAX_SUMMARY = 120

# A sentence ends at 。！？ or at an ellipsis (……), with the closing quotes that follow it.
SENTENCE_RE = re.compile(f"[^{FULL_STOPS}…]*[{FULL_STOPS}…]+[”’」』）]*|[^{FULL_STOPS}…]+$")

# Keys of the other fields that may share a meta line with the source (来源：人民网 作者：某某 时间：…).
FIELD_KEYS = r"作者|编辑|责编|记者|通讯员|发布|时间|日期|浏览|点击|阅读|字号|免责|声明|版权|【|\[|\d{4}[年\-/.]"
SOURCE_RE = re.compile(
    r"(?:稿件|文章|本文|信息|新闻)?(?:来源|出处|转自|转载自|发布机构|发文机关|来源单位)\s*[:：]\s*(?P<source>.+?)\s*"
    r"(?=\s(?:" + FIELD_KEYS + r")|\s*[|｜]|[）)]?$)"
)
# A publisher is not 网络整理 / 互联网 / 本站: those are an aggregator's notes (clean drops them too).
NOT_A_PUBLISHER_RE = re.compile(r"^(?:网络|互联网|网友|本站|转载|综合|整理|原创)")
# The publication a page names without 来源: 当前报纸名称：某某报, 刊名：某某.
PUBLICATION_RE = re.compile(r"(?:报纸|报刊|刊物|期刊|杂志)?(?:名称|刊名)\s*[:：]\s*(?P<source>[^\s:：]+)")
# A journal's issue line: 某某研究 2019年4期, 《某某》2019年第4期.
ISSUE_RE = re.compile(
    f"^《?(?P<source>[{CJK}]{{2,16}}?)》?\\s*(?:19|20)\\d{{2}}\\s*年\\s*(?:第\\s*)?\\d{{1,2}}\\s*期"
)
# A meta line that gives the publisher bare, beside the date: 光明日报 2022-12-03 10:42,
# 2025-04-28 08:55 海报新闻, 2019-01-21 10:53 | 某省某厅 |. The name is a cell of its own.
META_CELL_SPLIT_RE = re.compile(r"\s*[|｜]\s*|\s{2,}|(?<=[\d:])\s+|\s+(?=\d)")
PUBLISHER_NAME_RE = re.compile(f"^《?[{CJK}]{{2,16}}(?:{PUBLISHER_ENDINGS}|{ORG_SUFFIXES})》?$")
WORD_SPLIT_RE = re.compile(r"\s+|[|｜]")  # furniture's cells: 2020-09-29 2 2 某某日报 content_1.html
PUBLISHER_ONLY_NAME_RE = re.compile(f"^《?[{CJK}]{{2,16}}(?:{PUBLISHER_ENDINGS})》?$")
# A publication named in guillemets or brackets inside a meta line: 《某某日报》（…03版）, 【某某网】.
QUOTED_PUBLISHER_RE = re.compile(f"[《【](?P<source>[{CJK}]{{2,16}}(?:{PUBLISHER_ENDINGS}))[》】]")
# A labelled source with a space for a colon, at the head of a catalogue's line: 母体文献 某某, 出处 《某某》.
LABELLED_SOURCE_RE = re.compile(r"^(?:出处|母体文献|来源期刊|来源报纸|刊载于|来源)\s+《?(?P<source>[^\s《》]{2,30})》?")
# A publisher named at the head of the headline: 【某某网】某某街道…, 《某某日报》头版关注…, or a programme with its air date: 《某某》 20181209 ….
PROGRAMME_RE = re.compile(f"^《(?P<source>[{CJK}]{{2,12}})》\\s*(?:19|20)\\d{{6}}(?!\\d)\\s*(?P<rest>.*)$")
TITLE_PUBLISHER_RES = (
    re.compile(f"^[【《](?P<source>[{CJK}]{{2,16}}(?:{PUBLISHER_ENDINGS}))[】》]"),
    PROGRAMME_RE,
)
# Who reported it, in a byline, a credit or a caption: 某某日报社全媒体记者 张三, 某某晚报通讯员,
# （某某周刊采编 张三 摄影报道）. It opens the line or follows a bracket, a space or a stop.
CREDIT_RE = re.compile(
    f"(?:^|(?<=[^{CJK}]))(?P<source>[{CJK}]{{2,12}}?(?:{PUBLISHER_ENDINGS}))社?"
    "(?:全媒体|融媒体|首席|特约|见习)?(?:记者|通讯员|采编|摄影记者)"
)
# A journal's volume line (Vol. 11 No. 05 (2022), 第11卷第5期): the meta line just before it names the journal.
VOLUME_LINE_RE = re.compile(r"^(?:Vol\.?\s*\d+|第\s*\d+\s*卷)")
# What a page's furniture says of its publisher: 版权归某某报社所有, 不代表某某网立场, 某某日报社严正声明,
# 某某网首页, 您当前的位置：某某网 > …. Only names with a publisher's ending count.
_PUBLISHER = f"[{CJK}]{{2,16}}?(?:{PUBLISHER_ENDINGS})"
FURNITURE_PUBLISHER_RES = (
    re.compile(f"版权(?:一律)?(?:均)?归(?P<source>{_PUBLISHER})所有"),
    re.compile(f"不代表(?P<source>{_PUBLISHER})的?(?:观点|立场)"),
    re.compile(f"^(?P<source>{_PUBLISHER})严正声明"),
    re.compile(f"(?:^|[|｜\\s])(?P<source>{_PUBLISHER})首页(?:$|[|｜\\s])"),
    re.compile(f"位置\\s*[:：]\\s*(?P<source>{_PUBLISHER})\\s*[>＞»]"),
)
# The next field's key, where a page left this one empty (来源: 作者: 浏览:72次).
EMPTY_FIELD_RE = re.compile(f"^(?:{FIELD_KEYS})\\s*[:：]")
# People, not a publisher: 来源：张三 李四.
PERSON_NAMES_RE = re.compile(rf"^[{CJK}]{{2,3}}(?:[\s、，,]+[{CJK}]{{2,3}})+$")
# Dates a paper's apparatus gives besides its publication: received, revised, accepted, written.
SECONDARY_DATE_RE = re.compile(r"(?:收稿|修回|录用|成文|写作|印发)(?:日期|时间)")
CONTRIBUTED_RE = re.compile(r"[（(]\s*(?P<who>[^\s（）()]{0,8}供稿)")  # （当地供稿 张三）→ 当地供稿
# （作者单位：…）, 作者系…, and a government page's 发布机构：… (the issuing body wrote it)
AUTHOR_UNIT_RE = re.compile(
    r"(?:[（(]?\s*作者(?:单位\s*[:：]|系|为|是|分别系)|发布机构\s*[:：]|发文机关\s*[:：])\s*(?P<unit>[^）)|｜]+?)\s*(?:[）)|｜]|$)"
)
# A paper's author note: [作者简介]张某（1988— ），男，某省某市人，某某大学某学院讲师 → the first
# organisation it names (a birthplace is not one).
AUTHOR_NOTE_RE = re.compile(f"{AUTHOR_NOTE_LABEL}\\s*[:：]?\\s*(?P<note>.+)")
# An organisation's name standing alone as a line, perhaps with its town after a comma (某某大学，天津).
# A name does not describe: 凉亭下面的党支部 is a headline.
ORG_LINE_RE = re.compile(f"^(?P<org>[^，。！？；：、“”的\\s（）()]{{4,30}}?(?:{ORG_SUFFIXES}))(?:[，,]\\s*[{CJK}]{{2,4}})?$")
# A publisher's own desk (某某日报社编发中心) publishes the report; it is not the unit that wrote it.
PUBLISHER_DESK_RE = re.compile(f"^[{CJK}]{{2,12}}?(?:{PUBLISHER_ENDINGS})社")
# A grassroots unit named as the source wrote the report itself (来源：某某街道某某社区); a department
# or a media centre named so is its publisher.
GRASSROOTS_UNIT_RE = re.compile(f"^[{CJK}]{{2,}}(?:社区|街道|街道办事处|党委|党工委|党总支|党支部|居委会|村委会)$")
# A credit opening the article: 本网讯（某某党支部 张三）, （某某街道供稿）.
OPENING_CREDIT_RE = re.compile(r"^(?:本报|本网|本刊|本台|本站)?讯?\s*[（(](?P<credit>[^（）()]{2,30})[）)]")
PREAMBLE_RE = re.compile(
    r"^(?:近年来|近年|近些年|今年以来|近期|近日|日前|目前|当前|同时|此外|另外|据悉|"
    r"(?:根据|按照|依据|为了|围绕|结合).*|在.{0,30}(?:下|中|上|期间|之际)|"
    # when it happened: 1月15日下午, 3月31日上午11时, 2022年夏天
    r"(?:\d{4}年)?(?:\d{1,2}月(?:\d{1,2}日)?|[春夏秋冬]天|年初|年底)(?:上午|下午|晚上|晚|傍晚)?(?:\d{1,2}时(?:许)?)?)[，,]$"
)
# A line holding several fields (收稿日期：…；录用日期：…；发布日期：…): each is read on its own.
FIELD_SEPARATOR_RE = re.compile(r"[；;]")
# A date written as eight digits, standing alone: 20181209.
COMPACT_DATE_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
NAVIGATION_RE = re.compile(r"^\s*(?:上一篇|下一篇|上一条|下一条|上篇|下篇|相关阅读|相关文章|相关新闻|推荐阅读)")
# A citation of where the report appeared: 《某某日报》（2023年12月8日10版）, 《某某》2019年第4期.
CITATION_RE = re.compile(r"^《[^》]{2,20}》\s*[（(]?\s*(?:19|20)\d{2}\s*年")
TITLE_KEY_CHARS = 8  # how much of the headline a furniture line must repeat to be about this article
CN_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
CN_DATE_RE = re.compile(r"(?P<y>[〇零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日")


@dataclass
class Metadata:
    title: str
    published_on: date | None
    source: str
    author_org: str
    summary: str


def _cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 三十一 → 31 (the numbers of a month or a day)."""
    if "十" not in text:
        return int("".join(CN_DIGITS[ch] for ch in text))
    tens, _, units = text.partition("十")
    return (int(CN_DIGITS[tens]) if tens else 1) * 10 + (int(CN_DIGITS[units]) if units else 0)


def parse_date(text: str) -> date | None:
    """The first valid date in a meta line: 2018年10月30日15:43, 2020-09-09, 2020/9/9, 二〇二〇年九月九日."""
    for m in DATE_RE.finditer(text):
        try:
            return date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
    for m in CN_DATE_RE.finditer(text):
        try:
            return date(_cn_number(m["y"]), _cn_number(m["m"]), _cn_number(m["d"]))
        except (ValueError, KeyError):
            continue
    return None


def find_date(meta_lines: list[str], title: str = "", furniture: Sequence[str] = ()) -> date | None:
    """The publication date: a paper's received / accepted / written dates only when no other is given.

    Failing the meta lines: a date stamped in the headline (《某某》 20181209 …), then a line of the
    page's furniture that records this article (an e-paper's index row: 1324887 2022-07-25 00:00:00
    一 <the headline>…). Other furniture dates (上一篇 2023-04-27) belong to other articles.
    """
    secondary = None
    # 上一篇 2023-04-27: a link to another article, with its date, is no date of this one; nor is
    # any date after it (a related article's 某某百科 2024年7月31日): the article has ended
    meta_lines = list(takewhile(lambda line: not NAVIGATION_RE.match(line), meta_lines))
    for part in (p for line in meta_lines for p in FIELD_SEPARATOR_RE.split(line)):
        found = parse_date(part)
        if found and SECONDARY_DATE_RE.search(part):
            secondary = secondary or found
        elif found:
            return found
    if secondary:
        return secondary
    if CITATION_RE.match(title) and (found := parse_date(title)):
        return found  # a citation line read as the headline: 《某某日报》（2023年12月8日10版）
    for m in (m for text in (title, *meta_lines) for m in COMPACT_DATE_RE.finditer(text)):
        with contextlib.suppress(ValueError):
            return date(int(m["y"]), int(m["m"]), int(m["d"]))
    key = re.sub(r"\s+", "", title)[:TITLE_KEY_CHARS]
    if len(key) == TITLE_KEY_CHARS:
        for line in furniture:
            if key in re.sub(r"\s+", "", line) and (found := parse_date(line)):
                return found
    return None


def _publisher(name: str) -> str:
    """A publisher is a name: not an aggregator's note, not a sentence, not 本报."""
    if EMPTY_FIELD_RE.match(name.strip()):
        return ""
    # a damaged tail (人民网-人民日？?) is dropped with the marks around a name
    name = name.strip(" ：:，,[]【】|｜◆◇●•■□▲△").rstrip("?？\ufffd")
    if (
        not name or len(name) > 30 or NOT_A_PUBLISHER_RE.match(name) or closes(name) or name in SELF_REFERENCE
        or PERSON_NAMES_RE.match(name)
    ):
        return ""
    return name


def find_source(
    meta_lines: list[str], title: str = "", credits: Sequence[str] = (), furniture: Sequence[str] = (),
    elsewhere: Sequence[str] = (),
) -> str:
    """The publisher the page names, in the order of how plainly it says so.

    In the meta lines: 来源：… first; then the publication's name (当前报纸名称：…, 母体文献 …), a
    journal's issue line (某某研究 2019年4期), a news dateline (某某网讯, 某某日报…电) and a bare
    publisher beside a date. Then the headline (【某某网】…, 《某某》 20181209 …); then who reported it
    (某某日报社全媒体记者 in a byline, a credit or a caption: ``credits``); then what the page's
    furniture says of itself (版权归某某报社所有, 某某网首页, an e-paper footer's 2020-09-29 … 某某日报:
    ``furniture``, the chrome and footer lines; its statements are plain enough to be read
    ``elsewhere`` too, wherever such a line landed); last a contributed-by byline (（当地供稿 张三）).
    """
    return next((source for source in _sources(meta_lines, title, credits, furniture, elsewhere) if source), "")


def _sources(
    meta_lines: list[str], title: str, credits: Sequence[str], furniture: Sequence[str], elsewhere: Sequence[str]
) -> Iterator[str]:
    """find_source's candidates, plainest first ("" where a form is absent); lazily, so a later tier is read
    only when every earlier one found nothing."""
    head = (*meta_lines, title)  # a field row or a dateline read as the headline still names the publisher
    yield _named(SOURCE_RE, head)
    for pattern, group in ((PUBLICATION_RE, "source"), (LABELLED_SOURCE_RE, "source"), (ISSUE_RE, "source"),
                           (DATELINE_RE, "publisher")):
        yield _named(pattern, head, group)
    yield _dated_publisher(meta_lines)
    yield _journal_before_volume(meta_lines)
    for line in meta_lines:
        # 某某网 打印 纠错: the name among a toolbar's words (a line of one word is a dateline's business)
        if len(WORD_SPLIT_RE.split(line.strip())) > 1:
            yield _bare_publisher(line, endings_only=True)
    yield _named(QUOTED_PUBLISHER_RE, meta_lines)
    for pattern in TITLE_PUBLISHER_RES:
        yield _named(pattern, [title or ""])
    yield _named(PROGRAMME_RE, meta_lines)  # a programme's headline read as a meta line (《某某》 20181209 …)
    for line in (*meta_lines, *credits):
        for m in CREDIT_RE.finditer(line):
            yield _publisher(m["source"])
    for pattern in FURNITURE_PUBLISHER_RES:
        yield _named(pattern, (*furniture, *elsewhere, title))  # furniture read as the headline still says it
    yield _dated_publisher(furniture, endings_only=True)
    yield _named(QUOTED_PUBLISHER_RE, furniture)
    yield _journal_before_volume(furniture)  # a journal's name and volume lines taken for furniture
    # a labelled field the role model took for furniture (| 发布机构:某某街道 |, 母体文献 某某)
    for pattern in (SOURCE_RE, PUBLICATION_RE, LABELLED_SOURCE_RE):
        yield _named(pattern, furniture)
    for line in meta_lines:
        m = CONTRIBUTED_RE.match(line)
        if m and m["who"] != "供稿":
            yield m["who"]


def _named(pattern: re.Pattern, lines: Iterable[str], group: str = "source") -> str:
    """The first publisher ``pattern`` finds in ``lines`` (its ``group``), or ""."""
    for line in lines:
        m = pattern.search(line)
        if m and (source := _publisher(m[group])):
            return source
    return ""


def _dated_publisher(lines: Iterable[str], endings_only: bool = False) -> str:
    """The first publisher standing beside a date in ``lines`` (光明日报 2022-12-03 10:42), or ""."""
    for line in lines:
        if DATE_RE.search(line) and (source := _bare_publisher(line, endings_only)):
            return source
    return ""


def _journal_before_volume(lines: Sequence[str]) -> str:
    """A journal's name: the line before its volume line (Vol. 11 No. 05, 第11卷第5期), or ""."""
    for line, after in pairwise(lines):
        if VOLUME_LINE_RE.match(after) and (source := _publisher(line)):
            return source
    return ""


def _bare_publisher(line: str, endings_only: bool = False) -> str:
    """The publisher standing as a cell of a dated line (光明日报 2022-12-03 10:42), or "".

    ``endings_only``: the name must end as a publisher's does (某某日报), not as any organisation's; for
    the furniture of a page, where an organisation's name is as likely its menu as its author.
    """
    pattern = PUBLISHER_ONLY_NAME_RE if endings_only else PUBLISHER_NAME_RE
    split = WORD_SPLIT_RE if endings_only else META_CELL_SPLIT_RE
    for cell in split.split(DATE_RE.sub(" ", line)):
        cell = cell.strip()
        if pattern.match(cell) and (source := _publisher(cell.strip("《》"))):
            return source
    return ""


def find_author_org(meta_lines: list[str], bylines: list[str] | None = None, paragraphs: Sequence[str] = ()) -> str:
    """The unit that wrote the report: （作者单位：…） or 作者系…; a paper's author note, in the meta
    lines or as a paragraph of its own; an organisation's name standing alone (the unit under the
    headline); else the first organisation named in a byline (（文字：某某街道 张三））."""
    for line in meta_lines:
        m = AUTHOR_UNIT_RE.search(line)
        if m:
            org = ORG_NAME_RE.search(m["unit"])
            return org.group() if org else m["unit"].strip("◆◇●•■□▲△ ")
    # a paragraph that opens with the label is the note whatever role the line was given
    notes = [m for m in map(AUTHOR_NOTE_RE.search, meta_lines) if m]
    notes += [m for p in paragraphs if (m := AUTHOR_NOTE_RE.match(p.lstrip()))]
    for m in notes:
        if org := ORG_NAME_RE.search(m["note"]):
            return org.group()
    for line in meta_lines:
        m = ORG_LINE_RE.match(line.lstrip("◆◇●•■□▲△ "))
        if m and not PUBLISHER_DESK_RE.match(m["org"]):
            return m["org"]
    for line in bylines or ():
        org = ORG_NAME_RE.search(_strip_keys(line))
        if org and not PUBLISHER_DESK_RE.match(org.group()):
            return org.group()
    return ""


# The key before a byline's names (文字： 作者： 供稿： 文/): not part of an organisation's name.
BYLINE_KEY_RE = re.compile(r"(?:^|[（(\[【\s])(?:文字|作者|撰稿|撰文|执笔|供稿|来稿|文图|图文|文|图|摄影|摄|通讯员|记者)\s*[:：/丨|]?")


def _strip_keys(line: str) -> str:
    return BYLINE_KEY_RE.sub(" ", line)


def clauses(text: str) -> list[str]:
    """Split after ，；：, never inside quotes or brackets (“加快建设国家中心城市、致力打造…” is one piece)."""
    pieces, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "“《（(「『【":
            depth += 1
        elif ch in "”》）)」』】":
            depth = max(0, depth - 1)
        elif ch in "，；：,;:" and depth == 0:
            pieces.append(text[start : i + 1])
            start = i + 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _cut(text: str, limit: int, split) -> str:
    """As many whole pieces (sentences or clauses) of ``text`` as fit in ``limit`` characters."""
    out = ""
    for piece in split(text):
        if out and len(out) + len(piece) > limit:
            break
        out += piece
        if len(out) > limit:
            break
    return out


def make_title(paragraphs: list[str]) -> str:
    """A title for a report without a headline: a heading-like first paragraph, else its lead sentence cut short.

    The lead sentence of a report says who did what (某市牢固树立…理念), so its first clauses name
    the place and the practice; cut at a clause boundary, never mid-word.
    """
    if not paragraphs:
        return ""
    first = paragraphs[0].strip()
    if not closes(first) and len(first) <= MAX_TITLE:
        return first
    sentence = SENTENCE_RE.findall(first)[0] if SENTENCE_RE.findall(first) else first
    sentence = sentence.rstrip("。！？!?”’」』） ")
    if len(sentence) <= MAX_TITLE:
        return sentence
    pieces = clauses(sentence)
    # 近年来，/ 根据《…》要求，/ 在区委的领导下，: a lead's opening clauses set the scene; the
    # subject and what it did come after them, and make the better title.
    while len(pieces) > 1 and PREAMBLE_RE.match(pieces[0]):
        pieces.pop(0)
    title = _cut("".join(pieces), MAX_TITLE, clauses)
    if len(title) > MAX_TITLE:  # one clause longer than a title: cut it at the limit
        title = _balanced(title[:MAX_TITLE])
    return title.rstrip("，；：、,;: ")


def _balanced(text: str) -> str:
    """Cut before a quote or bracket left open by a hard cut (…开展“加快建设 → …开展)."""
    for opening, closing in ("“”", "《》", "（）", "「」"):
        if text.count(opening) > text.count(closing):
            text = text[: text.rindex(opening)]
    return text


def make_summary(paragraphs: list[str]) -> str:
    """The lead (the first body paragraph that is not a heading), cut at a sentence boundary to ~120 characters."""
    lead = next((p for p in paragraphs if not is_heading(p) and cjk_count(p) >= 10), "")
    if len(lead) <= MAX_SUMMARY:
        return lead
    summary = _cut(lead, MAX_SUMMARY, SENTENCE_RE.findall)
    if len(summary) > MAX_SUMMARY:  # the first sentence alone is longer: cut it at a clause
        summary = _cut(summary, MAX_SUMMARY, clauses)
        summary = summary[:MAX_SUMMARY].rstrip("，；：、,;: ") + "…"
    return summary


# A credit in brackets closing the article: …的“东江经验”。（某某周刊采编 张三 摄影报道）
CLOSING_BRACKET_RE = re.compile(r"[（(][^（）()]{2,40}[）)]$")


def extract_metadata(layout: Layout) -> Metadata:
    closing = [m.group() for m in [CLOSING_BRACKET_RE.search(layout.paragraphs[-1])] if m] if layout.paragraphs else []
    # 本网讯（某某党支部 张三）: split off the first paragraph as a meta line, or still opening it
    heads = [*layout.meta_lines, *layout.paragraphs[:1]]
    opening = [m["credit"] for m in map(OPENING_CREDIT_RE.match, heads) if m]
    source = find_source(
        layout.meta_lines, title=layout.title or "", credits=[*layout.bylines, *layout.captions, *opening, *closing],
        furniture=layout.dropped, elsewhere=[*layout.captions, *layout.paragraphs],
    )
    # a labelled field row read as the headline (| 发布机构：某某街道 |), or a unit's name standing
    # alone there (某省某市某区委组织部, the byline under the real headline), still names the unit
    title = layout.title or ""
    labelled_title = [title] if AUTHOR_UNIT_RE.search(title) or ORG_LINE_RE.match(title) else []
    author_org = find_author_org([*layout.meta_lines, *labelled_title], [*layout.bylines, *opening], layout.paragraphs)
    if not author_org and GRASSROOTS_UNIT_RE.search(source):
        author_org = source  # 来源：某某街道某某社区: the community published what it wrote
    # a programme's headline read as a meta line (《某某》 20181209 街乡一“吹哨” 难事有人管) is the title
    programme = next((m["rest"] for m in map(PROGRAMME_RE.match, layout.meta_lines) if m and m["rest"]), "")
    return Metadata(
        title=layout.title or programme or make_title(layout.paragraphs),
        published_on=find_date(layout.meta_lines, title=layout.title or "", furniture=layout.dropped),
        source=source,
        author_org=author_org,
        summary=make_summary(layout.paragraphs),
    )
