"""Pinyin: the syllable table, annotations glued after characters, and readings of characters.

Some sites print every traditional character with its reading in brackets, ``關(guān)``.
An annotation is one bracket holding exactly one pinyin syllable directly after a CJK
character: with a tone mark (``(dāng)``, ``(lǜ)``), or toneless but a real syllable from
the table below (``(de)``). Real bracketed text never has that shape: ``(一)``,
``(作者单位:…)``, ``(x+x+N)``, ``(试行)``, ``(CBD)``, ``(PPP)``, ``(2019)``.

``readings`` (pypinyin, with tone marks) tells which characters an annotation can belong
to; the GBK-shift repair uses it to name a character that lost a byte.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from .vocabulary import CJK

# Every Mandarin syllable without tone (ü written v), from pypinyin's character table.
SYLLABLES = frozenset(
    """a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca cai
    can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai
    chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia
    dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fiao fo
    fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang
    hao he hei hen heng hm hng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin
    jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui
    kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu lo long lou lu luan
    lun luo lv lve m ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu n na nai
    nan nang nao ne nei nen neng ng ni nia nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve
    o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie
    qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai
    san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan
    shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie
    ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang xiao xie
    xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai
    zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai
    zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo""".split()  # noqa: SIM905 (a word list reads better as words)
)

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
LETTERS = "a-zA-Zü" + TONED + TONED.upper()

# A bracketed run of pinyin letters after a CJK character; ``is_syllable`` then decides.
# ``?``/U+FFFD count as characters: a character the decoder lost keeps its annotation.
ANNOTATION = re.compile(rf"(?<=[{CJK}?\ufffd])[(（]([{LETTERS}]{{1,7}})[)）]")
# The cheap pre-check: no bracket after a CJK character → nothing to do.
_MAYBE = re.compile(rf"[{CJK}?\ufffd][(（][{LETTERS}]|\?[{LETTERS}]")


def base(syllable: str) -> tuple[str, bool]:
    """``ǜ`` → (``lv``, toned). Lower case, ü as v, tone marks removed."""
    s = unicodedata.normalize("NFD", syllable.lower())
    toned = any(unicodedata.combining(c) and c != "\u0308" for c in s)
    s = "".join(c for c in s if not unicodedata.combining(c) or c == "\u0308")
    s = unicodedata.normalize("NFC", s).replace("ü", "v")
    return s, toned


def is_syllable(word: str) -> bool:
    """One pinyin syllable: a known syllable, with a tone mark, or toneless and more than a lone
    vowel (``(a)``/``(e)``/``(o)`` are list markers as often as readings). Mixed or upper case
    beyond the first letter (``CBD``, ``PPP``) is an abbreviation, not pinyin."""
    if not word or (not word.islower() and not (word[0].isupper() and word[1:].islower())):
        return False
    syl, toned = base(word)
    if syl not in SYLLABLES:
        return False
    return toned or len(syl) > 1


def normal_reading(word: str) -> str:
    """An annotation as pypinyin writes readings: lower case NFC, ``v`` as ``ü``."""
    return unicodedata.normalize("NFC", word.lower().replace("v", "ü"))


def remove_annotations(text: str) -> tuple[str, list[str]]:
    """Remove glued annotations; return the text and one ``before → after`` example per removal."""
    if not _MAYBE.search(text):
        return text, []
    examples: list[str] = []

    def drop(m: re.Match) -> str:
        if not is_syllable(m.group(1)):
            return m.group(0)
        ch = text[m.start() - 1]
        examples.append(f"{ch}{m.group(0)} → {ch}")
        return ""

    text = ANNOTATION.sub(drop, text)
    if "?" in text:
        # what is left of an annotation whose character was lost: keep the ? that marks the loss
        def drop_broken(m: re.Match) -> str:
            if not broken_annotation_at(m.group(0), 0):
                return m.group(0)
            examples.append(f"{m.group(0)} → ?")
            return "?"

        text = _BROKEN.sub(drop_broken, text)
    return text, examples


def annotation_at(text: str, i: int) -> str | None:
    """The reading annotated at ``text[i]`` (an opening bracket), if it is one."""
    m = re.compile(rf"[(（]([{LETTERS}]{{1,7}})[)）]").match(text, i)
    if m and is_syllable(m.group(1)):
        return normal_reading(m.group(1))
    return None


_BROKEN = re.compile(rf"\?([{LETTERS}]{{1,7}})[)）]")


def broken_annotation_at(text: str, i: int) -> str | None:
    """``?chuàng)`` at ``text[i]``: an annotation whose ``(`` the decoder swallowed with the orphan
    byte before it, printing ``?`` for both. Only toned syllables: ``?abc)`` alone is too weak."""
    m = _BROKEN.match(text, i)
    if m and is_syllable(m.group(1)) and base(m.group(1))[1]:
        return normal_reading(m.group(1))
    return None


@cache
def readings(ch: str) -> frozenset[str]:
    """Readings of one character with tone marks (``當`` → {dāng, dàng}); empty if unknown."""
    from pypinyin import Style, pinyin

    found = pinyin(ch, style=Style.TONE, heteronym=True, errors=lambda _: [[]])
    return frozenset(r for r in (found[0] if found else []) if r and r != ch)
