"""normalise: one script (simplified), one width, one punctuation convention.

Runs after repair and before clean, so every later pattern is written once, in
simplified script with Chinese full-width punctuation.

- ``t2s``: OpenCC traditional → simplified. The converter is built once per
  process, lazily (loading its dictionaries is most of its cost), and a report is
  converted once: ``detect_script`` and ``normalise`` share the result.
- ``zhe``: opencc-python-reimplemented keeps 著 as 著 (its phrase table is small),
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
from pathlib import Path

from .report import Change, Fixed, apply_fixers, fixer

CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
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
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@cache
def _traditional_keys() -> frozenset[str]:
    """Every character OpenCC t2s may change, from its own tables (its first candidate is what it writes)."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    keys: set[str] = set()
    for line in (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if values.split()[:1] != [key]:
            keys.add(key)
    for line in (folder / "TSPhrases.txt").read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        value = (values.split() or [key])[0]
        # a phrase changes only the characters where its output differs (么麼 → 幺麽 changes 么)
        keys.update(key if len(key) != len(value) else (a for a, b in zip(key, value, strict=True) if a != b))
    return frozenset(keys)


@cache
def _tables() -> tuple[frozenset[str], dict[str, str]]:
    """The first two characters of every OpenCC t2s phrase, and its character table (first candidate).

    Both come from the converter's own loaded dictionaries, so they cannot drift from it.
    """
    (group,) = _converter()._dict_chain_data  # t2s is one group: TSPhrases, then TSCharacters
    (_, _, phrases), (_, _, characters) = group
    return frozenset(key[:2] for key in phrases), {key: value.split(" ")[0] for key, value in characters.items()}


def _t2s_piece(piece: str) -> str:
    """One piece between OpenCC's separators, converted exactly as OpenCC converts it.

    OpenCC first looks for its longest phrase anywhere in the piece, splitting around each match,
    then maps what is left character by character. Building that parse tree costs a dictionary
    lookup for every length at every position; a piece where no phrase can start (no pair of
    characters opens one: nearly every piece, as the table has a few hundred phrases) is only the
    character mapping, done here directly. A piece where one might start goes to OpenCC.
    """
    phrase_starts, characters = _tables()
    if any(piece[i : i + 2] in phrase_starts for i in range(len(piece) - 1)):
        return _converter().convert(piece)
    return "".join([characters.get(ch, ch) for ch in piece])


@lru_cache(maxsize=4)
def t2s(text: str) -> str:
    """OpenCC t2s of the whole text; cached so detect_script and normalise convert a report once.

    OpenCC converts the text piece by piece between punctuation marks and builds a parse tree
    for each piece, which is most of its cost; a piece with no character it could change comes
    out the same, so only the pieces that hold one are converted (a simplified report costs
    a set lookup, not a conversion), and those by ``_t2s_piece``. The result is the same as
    converting the whole text with OpenCC.
    """
    keys = _traditional_keys()
    if keys.isdisjoint(text):
        return text
    pieces = _converter().split_chars_re.split(text)
    return "".join(
        _t2s_piece(piece) if i % 2 == 0 and not keys.isdisjoint(piece) else piece for i, piece in enumerate(pieces)
    )


@cache
def _simplified_only() -> frozenset[str]:
    """Characters that only simplified script uses (网, 这): s2t never keeps them as they are.

    Read from OpenCC's own table, so it agrees with the converter. 后, 干, 准 are not here:
    traditional text uses them too (皇后, 干戈, 批准).
    """
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "STCharacters.txt"
    only = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if key and key not in values.split():
            only.add(key)
    return frozenset(only)


@cache
def _traditional_characters() -> frozenset[str]:
    """Characters OpenCC t2s always changes on their own (寶, 網), from its character table only.

    Unlike ``_traditional_keys`` this leaves out characters changed only inside a phrase (么 in
    么麼), which simplified text uses every day and which must not count as traditional.
    """
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if key and values.split()[:1] != [key]:
            chars.add(key)
    return frozenset(chars)


def detect_script(text: str) -> str:
    """simplified / traditional / mixed / unknown, from the characters OpenCC t2s changes.

    A simplified report with one stray traditional character (a 網 from a copy-paste) is still
    simplified: what counts is the share of traditional characters against simplified-only ones.
    Counted per distinct character (a report has about a thousand), which keeps it to a millisecond.
    """
    counts = Counter(CJK_RE.findall(text))
    if not counts:
        return "unknown"
    traditional_chars, simplified_only = _traditional_characters(), _simplified_only()
    traditional = sum(n for ch, n in counts.items() if ch in traditional_chars)
    simplified = sum(n for ch, n in counts.items() if ch in simplified_only)
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
    seen: dict[str, None] = {}
    count = 0
    if len(before) == len(after):
        for a, b in zip(before, after, strict=True):
            if a != b:
                count += 1
                seen.setdefault(f"{a}→{b}")
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
    examples = [text[max(0, m.start() - 1) : m.end() + 1] for m in _ZHE_RE.finditer(text)]
    if not examples:
        return Fixed(text)
    return Fixed(_ZHE_RE.sub("着", text), tuple(f"{e}→{e.replace('著', '着')}" for e in examples[:3]), len(examples))


# --- width ----------------------------------------------------------------------------------------

# Full-width forms U+FF01..FF5E fold to ASCII by subtracting 0xFEE0, as NFKC does; the Chinese
# punctuation is left for the punctuation fixer to judge. U+3000 (ideographic space) → space.
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")
_KEEP_FULL = set("，：；（）！？")


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
        if i in paired:
            continue
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
    out = re.sub(f"([，：；（）！？])[{_HSPACE}]+(?=[{CJK_RANGES}“‘《（])", r"\1", out)
    out = re.sub(f"(?<=[{CJK_RANGES}”’》）])[{_HSPACE}]+([，：；）！？])", r"\1", out)
    return out


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
