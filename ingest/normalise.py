"""normalise: one script (simplified), one width, one punctuation convention.

Runs after repair and before clean, so every later pattern is written once, in
simplified script with Chinese full-width punctuation.

- ``t2s``: OpenCC traditional → simplified, through OpenCC's own library (the
  ``opencc`` package) and its public ``convert`` only. The converter is built once
  per process, lazily (loading its dictionaries is most of its cost), and a report is
  converted once: ``detect_script`` and ``normalise`` share the result.
- ``zhe``: OpenCC's t2s keeps 著 as 著 (its phrase table is small),
  so a traditional 著眼於 / 圍繞著 comes out 著眼于 / 围绕著 where natural simplified
  writes 着眼于 / 围绕着. Only for text that was not already simplified: there 著
  is the 著名/显著 character and must stay.
- ``width``: full-width ASCII forms (Ａ１％) → ASCII (A1%), as NFKC does, except
  the Chinese punctuation kept full-width below.
- ``punctuation``: Chinese full-width ，：；（）！？ beside Chinese text, ASCII
  between ASCII letters and digits, so ``2.1万``, ``1+6``, ``7 N``, ``22:34`` and
  ``1,000`` stay as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache
from itertools import compress
from operator import ne

from .report import Change, Fixed, apply_fixers, fixer
from .vocabulary import CJK

CJK_RANGES = CJK  # the name other stages import from here
CJK_RE = re.compile(f"[{CJK_RANGES}]")

# Punctuation that belongs to Chinese text: a neighbour of this kind makes ASCII ,:;()!? Chinese too.
CHINESE_PUNCT = "，。、：；（）！？“”‘’《》〈〉「」『』【】〔〕…—·"

# ASCII mark → its Chinese full-width form; only these are switched by context.
TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}

# Small and vertical presentation forms (Big5 and some CMS output) → the ordinary Chinese mark.
# Big5 text converted by old tools often has ︰ for ：and ﹔ for ；.
PRESENTATION_FORMS = {
    "﹐": "，", "﹑": "、", "﹒": ".", "﹔": "；", "﹕": "：", "﹖": "？", "﹗": "！",
    "﹙": "（", "﹚": "）", "︰": "：", "︐": "，", "︑": "、", "︒": "。", "︓": "：", "︔": "；",
    "︕": "！", "︖": "？",
}  # fmt: skip


def is_cjk(ch: str) -> bool:
    return bool(CJK_RE.match(ch))


# --- OpenCC ---------------------------------------------------------------------------------------


@cache
def _converter(config: str = "t2s"):
    """OpenCC's converter for ``config`` (t2s, s2t), built once per process: loading its dictionaries
    is most of its cost."""
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=4)
def t2s(text: str) -> str:
    """OpenCC t2s of the whole text; cached so detect_script and normalise convert a report once."""
    return _converter("t2s").convert(text)


@lru_cache(maxsize=65536)
def _changed_alone(ch: str, config: str) -> bool:
    """Does OpenCC change this character on its own (its character table, no phrase around it)?"""
    return _converter(config).convert(ch) != ch


def _traditional(ch: str) -> bool:
    """A character t2s always changes (寶, 網); 么, changed only inside the phrase 么麼, is not one."""
    return _changed_alone(ch, "t2s")


def _simplified_only(ch: str) -> bool:
    """A character s2t changes and t2s keeps (网, 这): simplified script's own."""
    return _changed_alone(ch, "s2t") and not _changed_alone(ch, "t2s")


# What a character says of the script (detect_script): not a CJK character, a traditional one, one of
# simplified script's own, or one both scripts share. Remembered per character, as a report has about a
# thousand distinct ones and the archive a few thousand.
_NOT_CJK, _TRADITIONAL, _SIMPLIFIED_ONLY, _SHARED = 0, 1, 2, 3
_script_marks: dict[str, int] = {}


def _script_mark(ch: str) -> int:
    if not CJK_RE.match(ch):
        mark = _NOT_CJK
    elif _traditional(ch):
        mark = _TRADITIONAL
    elif _simplified_only(ch):
        mark = _SIMPLIFIED_ONLY
    else:
        mark = _SHARED
    if len(_script_marks) >= 65536:  # bounded as the character tables' cache is
        _script_marks.clear()
    _script_marks[ch] = mark
    return mark


@lru_cache(maxsize=4)
def detect_script(text: str) -> str:
    """simplified / traditional / mixed / unknown, from the characters OpenCC t2s changes.

    Cached (like ``t2s``): the pipeline judges the repaired text and ``normalise`` the same text again.

    A simplified report with one stray traditional character (a 網 from a copy-paste) is still
    simplified: what counts is the share of traditional characters against simplified-only ones.
    Counted per distinct character (a report has about a thousand), which keeps it to a millisecond.
    """
    traditional = simplified = 0
    chinese = False
    for ch, n in Counter(text).items():
        mark = _script_marks.get(ch)
        if mark is None:
            mark = _script_mark(ch)
        if mark != _NOT_CJK:
            chinese = True
            if mark == _TRADITIONAL:
                traditional += n
            elif mark == _SIMPLIFIED_ONLY:
                simplified += n
    if not chinese:
        return "unknown"
    if traditional + simplified == 0:
        return "simplified"  # only characters both scripts share: nothing to convert either way
    share = traditional / (traditional + simplified)
    if share < 0.2:
        return "simplified"
    if share > 0.8:
        return "traditional"
    return "mixed"


def _pairs(before: str, after: str) -> tuple[list[str], int]:
    """Examples ``寶→宝`` (distinct, in order) and the number of characters changed."""
    if before == after:  # a simplified report: nothing converted, no pass over its characters
        return [], 0
    seen: dict[str, None] = {}
    count = 0
    if len(before) == len(after):
        # counted and located by C loops: a traditional report changes a character in three
        differs = list(map(ne, before, after))
        count = sum(differs)
        for at in compress(range(len(before)), differs):
            seen.setdefault(f"{before[at]}→{after[at]}")
            if len(seen) == 3:
                break  # the examples kept (the first three distinct changes)
    else:
        count = sum(1 for a, b in zip(before, after, strict=False) if a != b) or 1
    return list(seen)[:3], count


@fixer("normalise", "t2s")
def fix_t2s(text: str) -> Fixed:
    converted = t2s(text)
    examples, count = _pairs(text, converted)
    return Fixed(converted, tuple(examples), count)


# 著 is the zhù of 著名/显著/名著 before or after these; everywhere else in converted traditional
# text it is the particle or verb that simplified script writes 着 (着眼, 着力, 围绕着, 本着).
_ZHU_AFTER = "名作称述录者书"
_ZHU_BEFORE = "显卓昭土原名论专编合巨遗拙译新大"
_ZHE_RE = re.compile(f"(?<![{_ZHU_BEFORE}])著(?![{_ZHU_AFTER}])")


@fixer("normalise", "zhe")
def fix_zhe(text: str) -> Fixed:
    if "著" not in text:  # the pattern's lookbehind would make it try every position to find none
        return Fixed(text)
    examples = [text[max(0, m.start() - 1) : m.end() + 1] for m in _ZHE_RE.finditer(text)]
    if not examples:
        return Fixed(text)
    return Fixed(_ZHE_RE.sub("着", text), tuple(f"{e}→{e.replace('著', '着')}" for e in examples[:3]), len(examples))


# --- width ----------------------------------------------------------------------------------------

# Full-width forms U+FF01..FF5E fold to ASCII by subtracting 0xFEE0, as NFKC does; the Chinese
# punctuation is left for the punctuation fixer to judge. U+3000 (ideographic space) → space.
_KEEP_FULL = set("，：；（）！？")
# the forms folded: the Chinese punctuation kept is left out, so the pattern does not stop at every comma
_FULLWIDTH_RE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(0xFF01, 0xFF5F) if chr(c) not in _KEEP_FULL) + "\u3000]"
)


@fixer("normalise", "width")
def fix_width(text: str) -> Fixed:
    examples: list[str] = []
    count = 0

    def fold(m: re.Match) -> str:
        nonlocal count
        ch = m.group()
        if ch in _KEEP_FULL:
            return ch
        out = " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)
        count += 1
        if len(examples) < 3 and ch != "\u3000":
            examples.append(f"{ch}→{out}")
        return out

    folded = _FULLWIDTH_RE.sub(fold, text)
    return Fixed(folded, tuple(examples), count)


# Invisible characters that scraped pages (WeChat especially) scatter through the text: they split
# words for every later pattern. A no-break space is a space (as NFKC has it).
_INVISIBLE_RE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")


@fixer("normalise", "spaces")
def fix_spaces(text: str) -> Fixed:
    invisible = len(_INVISIBLE_RE.findall(text))
    nbsp = text.count("\u00a0")
    if not invisible and not nbsp:
        return Fixed(text)
    examples = (["zero-width character removed"] if invisible else []) + (["no-break space→space"] if nbsp else [])
    return Fixed(_INVISIBLE_RE.sub("", text).replace("\u00a0", " "), tuple(examples), invisible + nbsp)


# --- punctuation ----------------------------------------------------------------------------------

_HSPACE = " \t"


def _neighbour(line: str, i: int, step: int) -> str:
    """The nearest character that is not a horizontal space, before (step -1) or after (step 1)."""
    j = i + step
    while 0 <= j < len(line) and line[j] in _HSPACE:
        j += step
    return line[j] if 0 <= j < len(line) else ""


def _chinese(ch: str) -> bool:
    return bool(ch) and (is_cjk(ch) or ch in CHINESE_PUNCT)


def _ascii_alnum(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()


_BRACKET_RE = re.compile("[(（)）]")
_MARK_RE = re.compile("[，：；！？,:;!?]")


def _bracket_pairs(line: str) -> dict[int, int]:
    """Index of each opening bracket → index of its closing one, ASCII and full-width alike."""
    pairs, stack = {}, []
    for m in _BRACKET_RE.finditer(line):
        if m.group() in "(（":
            stack.append(m.start())
        elif stack:
            pairs[stack.pop()] = m.start()
    return pairs


_SPACE_AFTER_MARK_RE = re.compile(f"([，：；（）！？])[{_HSPACE}]+(?=[{CJK_RANGES}“‘《（])")
_SPACE_BEFORE_MARK_RE = re.compile(f"(?<=[{CJK_RANGES}”’》）])[{_HSPACE}]+([，：；）！？])")


def _punctuate_line(line: str) -> str:
    chars = list(line)
    pairs = _bracket_pairs(line)
    for open_at, close_at in pairs.items():
        inner = line[open_at + 1 : close_at]
        outside = (line[open_at - 1] if open_at else "", line[close_at + 1 : close_at + 2])
        # （一）, （作者单位：…）, 计划（x+x+N）: Chinese inside or right against it makes the pair
        # Chinese; f(x) or (A+B) among ASCII stays ASCII. A pair is never split into one of each.
        full = bool(CJK_RE.search(inner)) or any(_chinese(ch) for ch in outside)
        chars[open_at], chars[close_at] = ("（", "）") if full else ("(", ")")
    paired = set(pairs) | set(pairs.values())
    for m in _MARK_RE.finditer(line):
        i, ch = m.start(), m.group()
        if i in paired or not (ch in TO_FULL or ch == "："):
            continue  # a full-width ，；！？ stays as it is, wherever it stands
        before, after = _neighbour(line, i, -1), _neighbour(line, i, 1)
        if ch in TO_FULL:
            if _ascii_alnum(before) and _ascii_alnum(after):
                continue  # 22:34, 1,000, x:y
            if _chinese(before) or _chinese(after):
                chars[i] = TO_FULL[ch]
        elif ch == "：" and before.isdigit() and after.isdigit() and before.isascii() and after.isascii():
            chars[i] = ":"  # a time: ７：３０ after width folding is 7：30 → 7:30. A ， between
            # digits stays: 1，2 in Chinese text is a list, and ASCII 1,2 could read as one number.
    out = "".join(chars)
    # A full-width mark carries its own spacing: drop spaces between it and Chinese text
    # (来源： 大连日报 → 来源：大连日报), never between ASCII words.
    if " " not in out and "\t" not in out:
        return out  # no space to drop (both rules need one)
    out = _SPACE_AFTER_MARK_RE.sub(r"\1", out)
    return _SPACE_BEFORE_MARK_RE.sub(r"\1", out)


@fixer("normalise", "punctuation")
def fix_punctuation(text: str) -> Fixed:
    lines = text.split("\n")
    examples: list[str] = []
    count = 0
    out_lines = []
    for line in lines:
        new = _punctuate_line(line) if any(ch in line for ch in "(),:;!?（），：；！？") else line
        if new != line:
            count += sum(1 for a, b in zip(line, new, strict=False) if a != b) or 1
            if len(examples) < 3:
                at = next(i for i, (a, b) in enumerate(zip(line, new, strict=False)) if a != b)
                examples.append(f"{line[max(0, at - 4) : at + 5]}→{new[max(0, at - 4) : at + 5]}")
        out_lines.append(new)
    return Fixed("\n".join(out_lines), tuple(examples), count)


@fixer("normalise", "presentation-forms")
def fix_presentation_forms(text: str) -> Fixed:
    examples: list[str] = []
    count = 0
    for small, full in PRESENTATION_FORMS.items():
        n = text.count(small)
        if n:
            count += n
            examples.append(f"{small}→{full}")
            text = text.replace(small, full)
    return Fixed(text, tuple(examples[:3]), count)


def normalise(text: str) -> tuple[str, list[Change]]:
    """Simplified script, ASCII letters and digits, Chinese punctuation beside Chinese text."""
    fixers = [fix_t2s]
    if detect_script(text) in ("traditional", "mixed"):
        fixers.append(fix_zhe)
    fixers += [fix_spaces, fix_width, fix_presentation_forms, fix_punctuation]
    return apply_fixers(text, fixers)
