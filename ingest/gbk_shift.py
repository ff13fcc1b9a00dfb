"""Shifted GBK: text whose GBK bytes were decoded one byte out of step, put back in step.

How the damage happens. GBK writes a Chinese character as two bytes, a lead (0x81–0xFE)
and a trail (0x40–0xFE). When a byte is lost (or a stray one slips in) the decoder pairs
the trail of one character with the lead of the next and prints garbage: 確保基層組織 =
``b45f b1a3 bbf9 8cd3 bd4d bf97`` lost ``b1`` and read ``b45f a3bb f98c d3bd 4d bf97``,
確；鶎咏M織. It stays out of step until an ASCII byte puts it back:

- a trail byte in 0x40–0x7E reads as an ASCII letter (the ``M`` above, trail of 組);
- a real ASCII character (``(`` of a pinyin annotation, ``,``) follows a lead byte whose
  partner is gone: the decoder drops that orphan (or prints ``?``);
- inside the run, a pair it cannot decode (user-defined area, e.g. ``fe a3``) is dropped
  whole: （二）= ``a3a8 b6fe a3a9`` lost ``fe a3``.

Full-width punctuation was often turned into ASCII afterwards, so a ``;`` inside a run
stands for the ``；`` (``a3bb``) the garbage really was.

The repair: find runs that cannot be Chinese (bopomofo, box drawing, radicals, a lone
Latin letter wedged between characters…), re-encode them to their bytes, try the
neighbouring alignments (drop a stray first byte or restore a lost lead; restore the
trail lost before the resync; restore a dropped undecodable pair), decode each candidate
and let a dictionary judge: jieba's word frequencies (on the OpenCC t2s form, the
dictionary is simplified) score how word-like the window around the run reads. A pinyin
annotation left after the run names the character that lost a byte: only characters
with that reading (pypinyin) are tried. A repair is kept only when it reads clearly
better than the text as it stands, so clean text is never changed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from . import pinyin
from .vocabulary import CJK

CN_PUNCT = "，。、：；？！“”‘’（）《》〈〉「」『』【】〔〕…—·　"
# ASCII marks that may stand for full-width ones in the damaged stream
# what a decoder prints for a byte it cannot pair: the orphan lead of a character whose trail is lost
MARKERS = "?？\ufffd"
TO_FULL = {";": "；", ",": "，", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）", "%": "％"}

# Characters a shifted reading falls on and Chinese prose never uses: bopomofo, box drawing,
# block elements, CJK radicals, kana, private use, the replacement character.
_ODD = (
    "\u3100-\u312f\u31a0-\u31bf\u2500-\u259f\u2e80-\u2fdf\u3040-\u30ff\ue000-\uf8ff\ufffd"
    "\u0391-\u03c9\u0401-\u0451"  # Greek and Cyrillic letters (GBK rows a6, a7)
)
_LATIN_MARKED = "\u00c0-\u024f"  # pinyin vowels with tone marks: odd outside an annotation
_TRIGGER = re.compile(
    rf"[{_ODD}]"
    # a lone tone-marked vowel, not part of a pinyin word
    rf"|(?<![A-Za-z{_LATIN_MARKED}])[{_LATIN_MARKED}](?![A-Za-z{_LATIN_MARKED}])"
    # one Latin letter wedged between characters (a trail byte read as ASCII); x/X is the
    # redaction placeholder of these reports (x区, xx人), never a trail byte to repair
    rf"|(?<=[{CJK}{CN_PUNCT},;:])[A-WYZa-wyz](?=[{CJK}]|[(（][{pinyin.LETTERS}]+[)）])"
    # a full-width Latin letter or digit, or an ideographic space, wedged between characters
    rf"|(?<=[{CJK}])[Ａ-Ｚａ-ｚ０-９\u3000](?=[{CJK}])"
    # a ? where a character should be, its reading still beside it
    rf"|(?<=[{CJK}{CN_PUNCT}])\?(?=[(（]?[{pinyin.LETTERS}]+[)）])"
    # a question mark inside a phrase: the orphan of a run read out of step (the judge tells it
    # from a real question, which reads better as it stands)
    rf"|(?<=[{CJK}])[?？](?=[{CJK}])"
)
# an annotation, whole or after the ? that swallowed its bracket: not part of the sentence
_ANNOT = re.compile(rf"[(（][{pinyin.LETTERS}]{{1,7}}[)）]|(?<=\?)[{pinyin.LETTERS}]{{1,7}}[)）]")
_CJK_RE = re.compile(f"[{CJK}]+")

MAX_BACK = 48  # a run starts at most this many characters before its first odd character
MAX_RUN = 48  # and ends (is back in step) at most this many after it
STARTS = 4  # starting points judged in full (chosen by a cheap per-character comparison)
CONTEXT = 4  # characters of context on each side that the dictionary judges with
MARGIN = 8.0  # log-probability a repair must gain over the text as it stands
CHAR_BONUS = 4.0  # per CJK character: a reading is not better just for being shorter
EDIT_COST = 4.0  # per character re-read: of two readings nearly as good, the smaller repair wins
GUESS_FACTOR = 4.0  # how much more a repair that restores a character lost behind a marker must gain
PRUNE = 10  # candidates kept per lost byte before the window is scored


# The characters a trigger's match starts with (one per alternative above; none matches empty).
_TRIGGER_START = re.compile(rf"[{_ODD}{_LATIN_MARKED}A-WYZa-wyzＡ-Ｚａ-ｚ０-９\u3000?？]")


def has_suspects(text: str) -> bool:
    """The fast pre-check: does the text hold anything a shifted reading leaves behind?

    ``_TRIGGER.search`` asked only where a match can start: its lookbehinds keep the engine from
    skipping ahead by the first character, which made the search try every position of the text."""
    return any(_TRIGGER.match(text, start.start()) for start in _TRIGGER_START.finditer(text))


@dataclass(frozen=True)
class Repair:
    start: int
    end: int
    before: str
    after: str


def repair_text(text: str) -> tuple[str, list[Repair]]:
    """Repair every shifted run; return the text and the repairs (spans refer to the text the
    repair was made in).

    Damage comes in bursts: a page read out of step once is read out of step again. A lone
    Latin letter in step on both sides (``社區h組織``, 黨 lost its lead byte) looks exactly like
    mixed writing (``党群e家``), so it is re-read only in a text that holds other shift damage."""
    if not has_suspects(text):
        return text, []
    text, repairs = _repair_lines(text, lone=False)
    if repairs:
        text, more = _repair_lines(text, lone=True)
        repairs += more
    return text, repairs


def _repair_lines(text: str, lone: bool) -> tuple[str, list[Repair]]:
    out: list[str] = []
    repairs: list[Repair] = []
    pos = 0
    for line_start, line in _lines(text):
        if not has_suspects(line):
            continue
        fixed, found = _repair_line(line, lone)
        if not found:
            continue
        out.append(text[pos:line_start])
        out.append(fixed)
        pos = line_start + len(line)
        repairs.extend(Repair(line_start + r.start, line_start + r.end, r.before, r.after) for r in found)
    out.append(text[pos:])
    return "".join(out), repairs


def _lines(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


# a question mark after a clause that asks something is a real one
_QUESTION_WORDS = re.compile(r"[吗呢么吧啊谁哪几嗎麼誰幾怎何]|多少|是否|难道|難道|为什么|為什麼|如何")
_CLAUSE_END = re.compile(r"[。！？；!?;，,、：:]")


def _asks(line: str, k: int) -> bool:
    """Does the clause before ``line[k]`` ask something (a question word before a question mark)?"""
    if line[k] not in "?？":
        return False
    start = k
    while start > 0 and not _CLAUSE_END.match(line, start - 1) and k - start < 40:
        start -= 1
    return _QUESTION_WORDS.search(line, start, k) is not None


def _repair_line(line: str, lone: bool) -> tuple[str, list[Repair]]:
    repairs: list[Repair] = []
    cursor = 0  # nothing before it is re-read: it is either repaired or judged clean
    offset = 0  # how much longer the repaired line is than the input so far
    while True:
        m = _TRIGGER.search(line, cursor)
        if not m:
            break
        if _asks(line, m.start()):
            cursor = m.end()  # a real question: not worth the judge's time
            continue
        found = _best_repair(line, m.start(), cursor, lone)
        if found is None:
            cursor = m.end()
            continue
        s, e, new = found
        repairs.append(Repair(s - offset, e - offset, line[s:e], new))
        line = line[:s] + new + line[e:]
        offset += len(new) - (e - s)
        cursor = s + len(new)
    return line, repairs


# --- candidates -----------------------------------------------------------------------------------


def _region_bytes(chars: str) -> bytes | None:
    """The bytes a run of garbage characters came from; None if it cannot be garbage."""
    out = bytearray()
    for i, ch in enumerate(chars):
        if ch in TO_FULL and i < len(chars) - 1:
            ch = TO_FULL[ch]  # inside a run an ASCII mark would have put the decoder back in step
        if ch.isascii():
            if i == len(chars) - 1 and 0x40 <= ord(ch) <= 0x7E:
                out.append(ord(ch))  # the trail byte that brought the decoder back
                continue
            return None
        try:
            b = ch.encode("gbk")
        except UnicodeEncodeError:
            try:
                b = ch.encode("gb18030")  # radicals such as ⻊ (fe84) live only in GB18030's two-byte area
            except UnicodeEncodeError:
                return None
        if len(b) != 2:
            return None
        out += b
    return bytes(out)


def _decode_pairs(data: bytes) -> str | None:
    """Strict GBK reading of an even run of two-byte characters (ASCII bytes allowed as trails)."""
    if len(data) % 2:
        return None
    try:
        text = data.decode("gbk")
    except UnicodeDecodeError:
        return None
    if len(text) * 2 != len(data):
        return None  # an ASCII byte in lead position: not an aligned reading
    return text


@cache
def _by_lead() -> dict[int, list[tuple[int, str]]]:
    index: dict[int, list[tuple[int, str]]] = {}
    for (lead, trail), ch in _two_byte_chars().items():
        index.setdefault(lead, []).append((trail, ch))
    return index


@cache
def _by_trail() -> dict[int, list[tuple[int, str]]]:
    index: dict[int, list[tuple[int, str]]] = {}
    for (lead, trail), ch in _two_byte_chars().items():
        index.setdefault(trail, []).append((lead, ch))
    return index


@cache
def _two_byte_chars() -> dict[tuple[int, int], str]:
    table = {}
    for lead in range(0x81, 0xFF):
        for trail in (*range(0x40, 0x7F), *range(0x80, 0xFF)):
            try:
                ch = bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue
            table[lead, trail] = ch
    return table


@cache
def _undecodable_pairs() -> frozenset[tuple[int, int]]:
    """Byte pairs the faulty decoder dropped whole: well formed but outside GBK (user-defined areas)."""
    table = _two_byte_chars()
    return frozenset(
        (lead, trail)
        for lead in range(0x81, 0xFF)
        for trail in (*range(0x40, 0x7F), *range(0x80, 0xFF))
        if (lead, trail) not in table
    )


def _best_repair(line: str, k: int, cursor: int, lone: bool = False) -> tuple[int, int, str] | None:
    """The best re-reading of the run around ``line[k]``, as (start, end, new text), or None."""
    starts = _likely_starts(line, _start_candidates(line, k, cursor), k)
    ends = _end_candidates(line, k)
    if not starts or not ends:
        return None
    lo, hi = max(0, min(starts) - CONTEXT), min(len(line), max(ends) + CONTEXT + 8)
    bos = "\n" if lo == 0 else ""  # the judge must know a window starts a line
    baseline = _window_score(bos + line[lo:hi])
    scored: list[tuple[bool, float, int, int, str]] = []
    for e in ends:
        reading = pinyin.annotation_at(line, e) if e < len(line) else None
        # ``?`` then ``chuàng)``: the decoder printed ? for an orphan byte and the ( after it
        broken = pinyin.broken_annotation_at(line, e - 1) if line[e - 1] == "?" else None
        # the orphan printed as a marker: its partner, the trail of the run's last character, is lost
        lost_marker = line[e - 1] in MARKERS
        reading = reading or broken
        for s in starts:
            if s >= e:
                continue
            region = line[s:e]
            # a marker opening the run is an orphan too, of a character beyond repair: dropped
            body = region[1 if region[0] in MARKERS and s < e - 1 else 0 : -1 if lost_marker else None]
            data = _region_bytes(body)
            if not data:
                continue
            left, right = bos + line[lo:s], line[e:hi]
            for new in _readings(data, reading, lost_marker):
                # an annotation after the run names its last character: a reading that has it beats
                # one that does not (the annotation was there before the damage, so was the character)
                named = bool(reading and new and reading in pinyin.readings(new[-1]))
                if region.isascii() and not named and not lone:
                    # only a Latin letter and no garbage before it: text in step on both sides is
                    # what mixed writing looks like (党群e家, e支部); a lost lead byte there leaves no
                    # trace but the letter, so only an annotation naming the character, or other
                    # damage in the same text, can tell
                    continue
                if broken:
                    new += "("  # give the annotation back its bracket, for the pinyin fixer
                score = _window_score(left + new + right) - EDIT_COST * len(region)
                scored.append((named, score, s, e, new))
    if not scored:
        return None
    scored.sort(reverse=True)
    # the few best may have lost an undecodable pair inside (a bracket opened and never closed)
    for named, score, s, e, new in scored[:3]:
        left, right = bos + line[lo:s], line[e:hi]
        restored = _restore_dropped_pair(left, new, right, score + EDIT_COST * (e - s))
        if restored != new:
            score = _window_score(left + restored + right) - EDIT_COST * (e - s)
            scored.append((named, score, s, e, restored))
    named, score, s, e, new = max(scored)
    # a reading the annotation confirms needs less help from the dictionary
    # a reading that guesses the character behind a marker has the whole dictionary to choose
    # from: it must win by more
    margin = MARGIN / 2 if named else MARGIN * GUESS_FACTOR if line[e - 1] in MARKERS else MARGIN
    if score < baseline + margin:
        return None
    return s, e, new


def _start_candidates(line: str, k: int, cursor: int) -> list[int]:
    """Where the run may begin: the odd character itself or a few before it, never across ASCII
    (a pinyin annotation, a digit: the decoder was in step there) nor a part already judged.
    ASCII marks that were once full-width (``;`` for ``；``) may be part of it."""
    starts = [k]
    i = k
    while i > cursor and k - i < MAX_BACK:
        ch = line[i - 1]
        if ch.isascii() and (ch not in TO_FULL or ch in "()"):
            break
        i -= 1
        starts.append(i)
    return starts


def _likely_starts(line: str, starts: list[int], k: int) -> list[int]:
    """The few starting points worth judging in full. Re-reading from character j replaces it by
    the character one byte later (its trail + the next lead); summed from a start to the odd
    character, the gain in single-character log-probability says where the garbage begins."""
    if len(starts) <= STARTS:
        return starts
    first = min(starts)
    chunks = []
    for ch in line[first : k + 2]:
        b = _region_bytes(ch + "x") if ch.isascii() and ch in TO_FULL else _region_bytes(ch)
        chunks.append(b[:2] if b else b"")
    gains = []
    for j in range(k - first + 1):
        here, nxt = chunks[j], chunks[j + 1] if j + 1 < len(chunks) else b""
        shifted = _two_byte_chars().get((here[1], nxt[0])) if len(here) == 2 and nxt else None
        gains.append((_unigram(shifted) if shifted else -30.0) - _unigram(line[first + j]))
    suffix = {}
    total = 0.0
    for j in range(len(gains) - 1, -1, -1):
        total += gains[j]
        suffix[first + j] = total
    best = sorted((s for s in starts if s in suffix), key=lambda s: -suffix[s])[: STARTS - 1]
    return sorted({k, *best}, reverse=True)


def _end_candidates(line: str, k: int) -> list[int]:
    """Where the decoder may be back in step: before an ASCII character (the orphan lead byte was
    dropped there), after a Latin letter (a trail byte read as ASCII) or after a ``?`` (the
    orphan printed as ``?``). An ASCII mark that was once full-width may also be inside the run."""
    ends: list[int] = []
    j = k
    while j < len(line) and j - k <= MAX_RUN and len(ends) < 5:
        ch = line[j]
        if ch in MARKERS and ch != "?":
            ends.append(j + 1)  # the orphan the decoder printed: in step after it
            if ch == "\ufffd":
                break
        if ch.isascii():
            if j > k:
                ends.append(j)
            if _ANNOT.match(line, j) or ch.isspace() or ch.isdigit():
                break
            if ch.isalpha() and ch not in "xX":
                ends.append(j + 1)
                break
            if ch == "?":
                ends.append(j + 1)
                if pinyin.broken_annotation_at(line, j):
                    break
            if ch not in TO_FULL:
                break
        j += 1
    else:
        if j == len(line):
            ends.append(j)
    return sorted(set(ends))


def _readings(data: bytes, reading: str | None, lost_marker: bool) -> Iterator[str]:
    """Candidate readings of a run's bytes: drop a stray first byte or restore a lost lead, then,
    when a byte is left over, restore the lost trail of the last character."""
    # a stray byte below 0x80 would have read as ASCII and never put the decoder out of step
    heads: list[bytes] = [data[1:]] if data[0] >= 0x80 else []
    # restoring a lost lead byte: the characters it could make, most frequent first
    leads = sorted(_by_trail().get(data[0], ()), key=lambda item: -_unigram(item[1]))
    heads += [bytes((lead,)) + data for lead, _ in leads[:PRUNE]]
    if reading:
        heads += [bytes((lead,)) + data for lead, ch in leads[PRUNE:] if reading in pinyin.readings(ch)]
    for head in heads:
        if len(head) % 2 == 0 and not lost_marker:
            text = _decode_pairs(head)
            if text is not None:
                yield text
            continue
        if len(head) % 2 == 0:
            continue
        body = _decode_pairs(head[:-1])
        if body is None:
            continue
        for last in _last_chars(head[-1], reading):
            yield body + last


def _last_chars(lead: int, reading: str | None) -> list[str]:
    """The character whose trail byte was lost: the annotation's reading names it; else the
    most frequent characters on that lead byte, for the dictionary to choose from."""
    chars = [ch for _, ch in _by_lead().get(lead, ())]
    if reading:
        named = [ch for ch in chars if reading in pinyin.readings(ch)]
        if named:
            return named
    chars.sort(key=lambda ch: -_unigram(ch))
    return chars[:PRUNE]


def _restore_dropped_pair(left: str, new: str, right: str, score: float) -> str:
    """A reading that opens a bracket it never closes may have lost an undecodable pair inside:
    （订 is ``a3a8 b6a9`` where （二）was ``a3a8 b6fe a3a9`` and ``fe a3`` was dropped. Split one
    character (b1 b2) into (b1 x)(y b2) with (x, y) a dropped pair, and keep the split if it reads
    better."""
    if not any(ch in _PAIRS for ch in new) or _unbalanced(new + right) <= _unbalanced(right):
        return new
    dropped = _undecodable_pairs()
    best = (score + MARGIN / 2, new)
    for i, ch in enumerate(new):
        try:
            b1, b2 = ch.encode("gbk")
        except (UnicodeEncodeError, ValueError):
            continue
        seconds = sorted(_by_trail().get(b2, ()), key=lambda t: -_unigram(t[1]))[:PRUNE]
        for y, c2 in seconds:
            firsts = [(x, c1) for x, c1 in _by_lead().get(b1, ()) if (x, y) in dropped]
            firsts.sort(key=lambda t: -_unigram(t[1]))
            for _, c1 in firsts[:PRUNE]:
                cand = new[:i] + c1 + c2 + new[i + 1 :]
                score2 = _window_score(left + cand + right)
                if score2 > best[0]:
                    best = (score2, cand)
    return best[1]


# --- the judge ------------------------------------------------------------------------------------

# a line never opens with a mark that ends or continues a sentence
_LINE_OPENS_BADLY = re.compile(r"(?:^|\n)[。，、；：？！）》”,;:?!)]")
# the numbered headings of Chinese official writing: a line that opens （二） is far likelier than （而）
_NUMBERED_HEADING = re.compile(r"(?:^|\n)[（(][一二三四五六七八九十]{1,3}[）)]")
_PAIRS = {"（": "）", "(": ")", "“": "”", "《": "》", "【": "】"}


def _unbalanced(text: str) -> int:
    n = 0
    for open_, close in _PAIRS.items():
        depth = 0
        for ch in text:
            if ch == open_:
                depth += 1
            elif ch == close:
                if depth:
                    depth -= 1
                else:
                    n += 1
        n += depth
    return n


@cache
def _dictionary():
    """jieba's default tokenizer (shared with segment.py), loaded once, on first need."""
    import jieba

    jieba.dt.check_initialized()
    return jieba.dt


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _simplified(ch: str) -> str:
    """One character in simplified script. Character by character, not OpenCC's phrase pass: the
    judge only needs the dictionary's spelling, and a window is scored thousands of times."""
    out = _t2s().convert(ch)
    return out if len(out) == 1 else ch


@lru_cache(maxsize=65536)
def _unigram(ch: str) -> float:
    """log P of one character standing alone: punctuation is common, odd symbols are not."""
    if ch in CN_PUNCT:
        return -3.0
    if not _CJK_RE.fullmatch(ch):
        return -25.0
    dt = _dictionary()
    return math.log(dt.FREQ.get(_simplified(ch)) or 1) - math.log(dt.total)


@lru_cache(maxsize=65536)
def _route(run: str) -> float:
    """Best segmentation log-probability of a CJK run (jieba's own DAG + dynamic programming)."""
    dt = _dictionary()
    route: dict = {}
    dt.calc(run, dt.get_DAG(run), route)
    return route[0][0]


@lru_cache(maxsize=65536)
def _window_score(window: str) -> float:
    """How Chinese a short window reads: word log-probabilities of its CJK runs (simplified),
    fixed costs for punctuation, digits and letters, heavy ones for odd symbols, and a penalty
    per unbalanced bracket."""
    window = _ANNOT.sub("", window)  # annotations are not part of the sentence
    simplified = "".join(map(_simplified, window))
    score = 0.0
    pos = 0
    for m in _CJK_RE.finditer(simplified):
        score += _other_cost(simplified[pos : m.start()])
        run = m.group()
        score += _route(run) + CHAR_BONUS * len(run)
        pos = m.end()
    score += _other_cost(simplified[pos:])
    if _LINE_OPENS_BADLY.search(window):
        score -= 12.0
    if _NUMBERED_HEADING.search(window):
        score += 10.0
    return score - 8.0 * _unbalanced(window)


def _other_cost(chars: str) -> float:
    cost = 0.0
    for ch in chars:
        if ch in CN_PUNCT or ch in TO_FULL or ch in ".-+~/\"'":
            cost -= 3.0  # ，and 。 alone are about one token in fifteen
        elif ch.isspace():
            cost -= 6.0
        elif ch.isdigit():
            cost -= 7.0
        elif ch.isascii() and ch.isalpha():
            cost -= 14.0
        else:
            cost -= 25.0
    return cost
