"""mechanisms: the report's named practices, in order, with their nesting.

Reports mark their practices in many ways: numbered headings (``一、`` ``(一)``
``1.`` ``(1)``), a short line standing alone, or a short slogan sentence that opens
a paragraph (``下好“一盘棋”,建立城市基层党建领导新机制。坚持…``). The work is done
in four small steps:

1. ``find_headings``: every line that looks like a heading, with its style;
2. ``outline``: a tree, a style's level being the order in which styles first
   appear (as a reader of the page infers it): ``一、`` then ``(一)`` nests the
   second under the first, and a style seen again closes what was opened after it;
3. pruning: an unnumbered style counts only as a series (one short sentence that
   opens a paragraph is prose, two or more in a row are a list); a section about
   background, effects, lessons, problems or suggestions is dropped with all it
   holds; a heading that only groups others (``二、主要做法``) gives way to its
   children;
4. ``MechanismData`` at levels 1 and 2, with the slogan and the spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..clean import CAPTION_SIGNAL_RE
from ..report import MechanismData
from ..vocabulary import CJK, HEADING_NUMBERING, SENTENCE_ENDS, numbering

CN_DIGITS = "一二三四五六七八九十"

NUMBERED = HEADING_NUMBERING  # numbered heading styles, tried in this order at the start of a line
UNNUMBERED = ("line", "lead")
# 一是…；二是…: an enumeration of practices inside a paragraph or as list items. Two in sequence
# make a list; each entry runs to the end of its first sentence or clause group (。 or ；).
ENUMERATION_RE = re.compile(rf"(?:^|(?<=[。；;！!]))\s*(?P<n>[{CN_DIGITS}])是\s*[，,：:]?")
ENUMERATION_END = "。；;！!"
ENUMERATION = "enumeration"  # the style of its entries
# Roles the clean stage gives heading lines (see ingest/roles.py): the page's own outline levels.
HEADING_ROLES = ("h1", "h2", "h3")

SENTENCE_END = SENTENCE_ENDS
CLAUSE_SPLIT = re.compile(r"[,，\s]+")
MAX_CLAUSE = 18  # a heading's clause is a short phrase; a caption or a prose sentence runs longer
MAX_CLAUSES = 3
MAX_PLAIN = 16  # a heading without a comma is one short phrase (基层治理网格化)
MAX_ROLE_PLAIN = 20  # a heading the page sets apart may run longer than one in a paragraph, not longer than this
MAX_NUMBERED = 60  # a numbered heading whose first sentence runs on is cut here

# Prose, not a heading: narrative openers, enumerations inside a paragraph, labels and bylines.
PROSE_OPENERS = re.compile(
    r"^(?:[一二三四五六七八九十]是|首先|其次|再次|最后|同时|此外|另外|目前|当前|近年来|近年|今年|去年|据|例如|比如|其中|"
    r"如今|为此|因此|对此|截至|截止|自从|通过|经过|随着|根据|按照)"
)
# narrative words, and words of results rather than of practices (群众满意度明显提升)
NARRATIVE = re.compile(r"[了是说据我他她已吗呢吧]|记者|表示|明显|显著|大幅|日益|越来越|得到|有所|焕然|\d")
LABEL = re.compile(r"^[^:：]{1,6}[:：]")  # 来源: 作者: 责编: …
NOT_A_LINE = re.compile(r"^[(（\[【].*[)）\]】]$|^[•·●▪■◆□\-*>]|[:：]$")

# Section titles that are not practices. Checked on headings with no comma: a practice heading
# is usually two clauses (织密“一张网”,提升城市基层治理新成效) and may end with the same words.
GROUP_ENDINGS = ("做法", "举措", "措施", "实践", "探索", "路径", "做法和成效", "做法与成效", "做法及成效")
GROUP_WORDS = ("做法", "举措", "措施")
SKIP_ENDINGS = (
    "背景", "基本情况", "概况", "简介", "情况介绍", "成效", "效果", "启示", "经验", "体会", "问题和不足",
    "问题与不足", "存在问题", "存在的问题", "主要问题", "困难和问题", "不足", "下一步打算", "下一步工作",
    "下一步", "今后打算", "打算", "意见建议", "对策建议", "建议", "对策", "思考", "展望", "结语", "总结",
    "点评", "评价", "反思",
    "相关推荐", "相关阅读", "推荐阅读", "延伸阅读", "相关文章",  # page chrome the clean stage may leave
)
SKIP_WORDS = ("背景", "情况", "成效", "效果", "启示", "经验", "体会", "问题", "不足", "打算", "建议", "思考", "点评")
SHORT_TITLE = 8

QUOTED = re.compile(r"[“\"「『‘]([^”\"」』’]{1,12})[”\"」』’]")
PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】,，.。、;；:：!！?？·…—\-]+")


@dataclass(frozen=True)
class Heading:
    style: str
    text: str  # without its number or final punctuation
    start: int  # span of ``text`` in the body
    end: int
    line_start: int  # where the heading's line begins: the previous section ends just before it


@dataclass
class Node:
    heading: Heading
    depth: int
    children: list[Node] = field(default_factory=list)
    section_end: int = 0


def lines(body: str) -> Iterator[tuple[int, str]]:
    """Each line with its offset in the body."""
    pos = 0
    for line in body.split("\n"):
        yield pos, line
        pos += len(line) + 1


def first_sentence(text: str) -> str:
    """Up to the first sentence end, outside quotes: ``下好“一盘棋”,建立…新机制。坚持…`` → ``下好“一盘棋”,建立…新机制``."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "“「『《(（":
            depth += 1
        elif ch in "”」』》)）":
            depth = max(0, depth - 1)
        elif ch in SENTENCE_END and depth == 0:
            return text[:i]
    return text


def norm(text: str) -> str:
    return PUNCT.sub("", text)


def is_heading_phrase(text: str) -> bool:
    """Short clauses, no narrative words: ``“一核”引领,画好共建共治共享“同心圆”`` yes; a photo caption no."""
    # a quoted name may hold figures or anything (推行“1+N”模式): judge the words around it
    if len(norm(text)) < 4 or NARRATIVE.search(QUOTED.sub("", text)) or LABEL.match(text):
        return False
    clauses = [c for c in CLAUSE_SPLIT.split(text) if c]
    if len(clauses) == 1:
        return len(norm(text)) <= MAX_PLAIN
    return len(clauses) <= MAX_CLAUSES and all(len(norm(c)) <= MAX_CLAUSE for c in clauses)


def numbered_heading(line: str) -> tuple[str, int, str] | None:
    """(style, offset of the heading text in the line, heading text) for a numbered line, else None."""
    stripped = line.lstrip()
    lead = len(line) - len(stripped)
    for style, pattern in NUMBERED:
        m = pattern.match(stripped)
        if m:
            rest = stripped[m.end() :]
            text = first_sentence(rest)[:MAX_NUMBERED].rstrip()
            if len(norm(text)) >= 2 and re.search(rf"[{CJK}]", text):
                return style, lead + m.end(), text
            return None
    return None


def classify(line: str) -> tuple[str, int, str] | None:
    """(style, offset, heading text) of a heading line, else None.

    >>> classify("（一）坚持提升组织力,凝聚力量。基层党建是…")
    ('cn_paren', 3, '坚持提升组织力,凝聚力量')
    """
    hit = numbered_heading(line)
    if hit:
        return hit
    stripped = line.strip()
    offset = line.find(stripped) if stripped else 0
    if not stripped or PROSE_OPENERS.match(stripped) or NOT_A_LINE.search(stripped):
        return None
    sentence = first_sentence(stripped)
    if sentence == stripped.rstrip(SENTENCE_END) and len(stripped) - len(sentence) <= 1:
        # the whole line is one phrase: a heading standing alone only if it has no final full stop
        if stripped[-1] in SENTENCE_END:
            return None
        return ("line", offset, sentence) if is_heading_phrase(sentence) else None
    rest = stripped[len(sentence) + 1 :]
    if len(norm(rest)) >= 10 and is_heading_phrase(sentence):
        return "lead", offset, sentence
    return None


def find_headings(body: str, roles: list[str] | None = None) -> list[Heading]:
    """Every heading candidate in order.

    With ``roles`` (one per body line, from the clean stage's line roles) a line the page sets as
    a heading is one at its role's level; a numbered or slogan lead-in of a paragraph and an
    enumeration (一是…；二是…) are read from the text. Without roles, a short line standing alone
    is judged by its words; lines before the first paragraph of prose are usually the title,
    byline and date block, and one counts there only when it has the two clauses of a slogan
    heading (``“一核”引领,画好…``) and prose follows it directly.
    """
    found = [(pos, line, classify(line)) for pos, line in lines(body)]
    if roles is not None and len(roles) == len(found):
        return _headings_by_role(found, roles)
    out: list[Heading] = []
    seen_prose = False
    for i, (pos, line, hit) in enumerate(found):
        if hit is None:
            if len(norm(line)) >= 30:
                seen_prose = True
            continue
        style, offset, text = hit
        if style == "line" and not seen_prose and not _opens_article(text, found[i + 1 :]):
            continue
        if style == "lead":
            seen_prose = True
        start = pos + offset
        out.append(Heading(style, text, start, start + len(text), pos))
    return _series_leads(sorted(out + enumerations(body) + run_in_numbered(body), key=lambda h: h.start))


def _headings_by_role(found: list[tuple[int, str, tuple[str, int, str] | None]], roles: list[str]) -> list[Heading]:
    out: list[Heading] = []
    for (pos, line, hit), role in zip(found, roles, strict=True):
        if role in HEADING_ROLES:
            hit = numbered_heading(line) or _role_heading(line, role)
        elif hit is not None and hit[0] == "line":
            hit = None  # a phrase standing alone that the page does not set as a heading
        if hit is None:
            continue
        style, offset, text = hit
        out.append(Heading(style, text, pos + offset, pos + offset + len(text), pos))
    body = "\n".join(line for _pos, line, _hit in found)
    return _series_leads(sorted(out + enumerations(body) + run_in_numbered(body), key=lambda h: h.start))


# 1 组织体系: a bare number before a heading, as papers number their sections; trusted only on a
# line the page sets as a heading (in a paragraph, 3 个社区 is a figure).
BARE_NUMBER_RE = re.compile(rf"^\d{{1,2}}\s+(?=[{CJK}])")


def _role_heading(line: str, role: str) -> tuple[str, int, str] | None:
    stripped = line.strip()
    offset = line.find(stripped)
    style = role
    if m := BARE_NUMBER_RE.match(stripped):
        style, offset, stripped = "arabic_bare", offset + m.end(), stripped[m.end() :]
    text = first_sentence(stripped).rstrip(SENTENCE_END + "：:")
    # a file name (640 (1).jpg), a marked caption (△…, 资料照片) or a bulleted list entry (• …) the page
    # set apart is no heading
    if (len(norm(text)) < 2 or not CJK_RE.search(text) or CAPTION_SIGNAL_RE.search(stripped)
            or numbering(stripped) == "bullet"):
        return None
    # one unbroken clause longer than a heading's phrase tells what someone in a photo does (某负责人给居民示范…);
    # a short label and a colon open a field (讲述人：…) or a headline (某市：…), not a practice
    if style == role and (
        (not CLAUSE_SPLIT.search(text) and len(norm(text)) > MAX_ROLE_PLAIN) or LABEL.match(text)
    ):
        return None
    return style, offset, text[:MAX_NUMBERED].rstrip()


CJK_RE = re.compile(rf"[{CJK}]")
# Two short phrases set apart by a space, the form of a news subheading (宣传“为基” 培育文明新风): prose never
# puts a space between Chinese words, so one such lead-in is a heading even without a sibling.
SPACED_COUPLET_RE = re.compile(r"^[^\s,，、]{2,12} [^\s,，、]{2,12}$")


def lead_shape(text: str) -> tuple[int, int, bool]:
    """(clauses, length of the first clause, whether it quotes): the shape a series of slogan lead-ins shares."""
    clauses = [c for c in CLAUSE_SPLIT.split(text) if norm(c)]
    if not clauses:
        return 0, 0, False
    return len(clauses), len(norm(clauses[0])), bool(QUOTED.search(clauses[0]))


def parallel(a: str, b: str) -> bool:
    """Two headings of one series: the same opening word (聚焦…, 聚焦…), or the same number of clauses with
    first clauses of one length, both quoting or neither (下好“一盘棋”,… / 聚到“一张桌”,…). Narrative sentences that open paragraphs
    (这样的动员能力，根子在… / 城市治理的“最后一公里”在社区，…) differ in shape from one to the next."""
    if norm(a)[:2] == norm(b)[:2]:
        return True
    (na, fa, qa), (nb, fb, qb) = lead_shape(a), lead_shape(b)
    return na == nb and abs(fa - fb) <= 1 and qa == qb


def _series_leads(headings: list[Heading]) -> list[Heading]:
    """A sentence that opens a paragraph is a heading only in a series of its shape, or as a spaced couplet."""
    leads = [h for h in headings if h.style == "lead"]
    keep = {
        id(h) for h in leads
        if SPACED_COUPLET_RE.match(h.text) or any(o is not h and parallel(h.text, o.text) for o in leads)
    }
    return [h for h in headings if h.style != "lead" or id(h) in keep]


# （一）…。（二）…: section numbers run into one paragraph (a document preview that lost its line breaks).
RUN_IN_RE = re.compile(rf"[(（]\s*(?P<n>[{CN_DIGITS}])\s*[)）]")


def run_in_numbered(body: str) -> list[Heading]:
    """Headings numbered （一）（二）… inside a line, counted from 一, two or more in one line.

    A number at the start of a line is read by ``classify``; these are the ones after it.
    """
    out: list[Heading] = []
    for pos, line in lines(body):
        run: list[Heading] = []
        for m in RUN_IN_RE.finditer(line):
            if m.start() == len(line) - len(line.lstrip()) or CN_DIGITS.index(m["n"]) != len(run):
                continue
            text = first_sentence(line[m.end() :])[:MAX_NUMBERED].rstrip()
            if len(norm(text)) < 2:
                continue
            start = pos + m.end()
            run.append(Heading("cn_paren", text, start, start + len(text), pos + m.start()))
        if len(run) >= 2:
            out.extend(run)
    return out


def enumerations(body: str) -> list[Heading]:
    """The entries of every 一是…；二是… enumeration (two or more, counted from 一), in order."""
    out: list[Heading] = []
    run: list[Heading] = []
    expected = 0
    for m in ENUMERATION_RE.finditer(body):
        n = CN_DIGITS.index(m["n"])
        if n != expected:
            if len(run) >= 2:
                out.extend(run)
            run, expected = [], 0
            if n != 0:
                continue
        text = _entry(body, m.end())
        if len(norm(text)) < 2:
            continue
        line_start = body.rfind("\n", 0, m.start()) + 1
        run.append(Heading(ENUMERATION, text, m.end(), m.end() + len(text), max(line_start, m.start())))
        expected = n + 1
    if len(run) >= 2:
        out.extend(run)
    return out


def _entry(body: str, start: int) -> str:
    """An enumeration entry: up to its first 。 or ；, outside quotes, within its line."""
    depth = 0
    for i in range(start, min(len(body), start + MAX_NUMBERED)):
        ch = body[i]
        if ch == "\n":
            return body[start:i].rstrip()
        if ch in "“「『《(（":
            depth += 1
        elif ch in "”」』》)）":
            depth = max(0, depth - 1)
        elif ch in ENUMERATION_END and depth == 0:
            return body[start:i].rstrip()
    return body[start : start + MAX_NUMBERED].rstrip()


def _opens_article(text: str, after: list[tuple[int, str, tuple[str, int, str] | None]]) -> bool:
    two_clauses = len([c for c in re.split(r"[,，]", text) if c.strip()]) == 2 and not re.search(r"[:：\s]", text)
    following = next(((line, hit) for _pos, line, hit in after if line.strip()), None)
    return two_clauses and following is not None and following[1] is None and len(norm(following[0])) >= 30


def outline(headings: list[Heading], body_len: int) -> list[Node]:
    """Nest headings by the order in which their styles first appear; fill in where each section ends."""
    roots: list[Node] = []
    stack: list[Node] = []
    flat: list[Node] = []
    for h in headings:
        # an enumeration lives inside its paragraph: it never holds the headings after it
        while h.style != ENUMERATION and stack and stack[-1].heading.style == ENUMERATION:
            stack.pop()
        styles = [n.heading.style for n in stack]
        if h.style in styles:
            del stack[styles.index(h.style) :]
        node = Node(h, len(stack))
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        flat.append(node)
    for i, node in enumerate(flat):
        later = (n.heading.line_start for n in flat[i + 1 :] if n.depth <= node.depth)
        node.section_end = max(node.heading.end, next(later, body_len + 1) - 1)
    return roots


def keep_series(nodes: list[Node]) -> list[Node]:
    """An unnumbered heading alone in its style among its siblings is prose (unless it has a news
    subheading's spaced form): its children take its place."""
    counts: dict[str, int] = {}
    for n in nodes:
        counts[n.heading.style] = counts.get(n.heading.style, 0) + 1
    out: list[Node] = []
    for n in nodes:
        n.children = keep_series(n.children)
        alone = counts[n.heading.style] < 2 and not SPACED_COUPLET_RE.match(n.heading.text)
        if n.heading.style in UNNUMBERED and alone:
            out.extend(n.children)
        else:
            out.append(n)
    return out


# A heading that is one quotation from end to end (“社区办得好，书记才选得上代表”) gives someone's words,
# as feature stories title their parts; a practice may quote a name, never consist of one.
QUOTATION_RE = re.compile(r"^[“「『\"][^“”「」『』\"]+[”」』\"]$")
QUOTED_CLAUSE = 6  # a quoted last clause this long is a sentence someone said (…获点赞 “居民的笑容藏不住”), not a name


def is_quotation(heading: str) -> bool:
    """The heading is someone's words: one quotation, or a last clause that is a quoted sentence."""
    parts = [p for p in CLAUSE_SPLIT.split(heading.strip()) if p]
    return bool(parts) and (
        bool(QUOTATION_RE.match(heading.strip())) or (QUOTATION_RE.match(parts[-1]) and len(norm(parts[-1])) >= QUOTED_CLAUSE)
    )


def section_kind(heading: str) -> str:
    """``group`` (二、主要做法), ``skip`` (背景, 成效, 问题和不足, 意见建议, a quotation…) or ``mechanism``."""
    text = norm(heading)
    if is_quotation(heading):
        return "skip"
    if CLAUSE_SPLIT.search(heading.strip()) or "," in heading:
        return "mechanism"
    if text.endswith(GROUP_ENDINGS) or (len(text) <= SHORT_TITLE and any(w in text for w in GROUP_WORDS)):
        return "group"
    if text.endswith(SKIP_ENDINGS) or (len(text) <= SHORT_TITLE and any(w in text for w in SKIP_WORDS)):
        return "skip"
    return "mechanism"


def slogan(heading: str) -> str:
    """The first quoted key phrase: ``下好“一盘棋”,建立…`` → ``一盘棋``; none → ``""``."""
    m = QUOTED.search(heading)
    return m.group(1).strip() if m else ""


def flatten(nodes: list[Node], level: int = 1, parent: int | None = None,
            out: list[MechanismData] | None = None) -> list[MechanismData]:
    """Mechanisms at levels 1 and 2: skipped sections dropped whole, grouping headings replaced by
    their children, a heading repeated under the same parent (a report pasted twice) kept once."""
    out = [] if out is None else out
    for node in nodes:
        h = node.heading
        kind = section_kind(h.text)
        if kind == "skip":
            continue
        if kind == "group":
            flatten(node.children, level, parent, out)
            continue
        # an enumeration inside a practice's section details that practice; alone, it names the practices
        if level > 2 or (level > 1 and h.style == ENUMERATION):
            continue
        key = norm(h.text)
        if any(norm(m.heading) == key and m.parent == parent for m in out):
            continue
        out.append(MechanismData(
            heading=h.text, slogan=slogan(h.text), level=level, parent=parent,
            start=h.start, end=h.end, body_end=node.section_end,
        ))
        flatten(node.children, level + 1, len(out) - 1, out)
    return out


def extract_mechanisms(body: str, roles: list[str] | None = None) -> list[MechanismData]:
    """``roles``: the role of each body line (Layout.paragraph_roles), when the clean stage gives them."""
    return flatten(keep_series(outline(find_headings(body, roles), len(body))))
