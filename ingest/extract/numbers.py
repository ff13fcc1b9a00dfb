"""Numbers as Chinese reports write them: ``1,120``, ``64.5``, ``2.1万``, ``两千``, ``一百二十七``.

Pure functions, no jieba. Values are exact ``Decimal``s (never floats): ``8.9万`` is
``Decimal("89000")``, not ``88999.99999999999``.

The units a count is written with (``UNITS``) live here too, with the words that start
with a unit character and so are not one (天津, 场所, 名单): ``unit_at`` reads the unit at
a position, and metrics builds its pattern from the same table.

Chinese numerals go through cn2an in *strict* mode, so only well-formed numerals
parse: ``一百二十七`` → 127, but ``十四五`` (a plan's name), ``一二三四`` (a list of
slogans) and ``四五`` (an estimate, "four or five") are refused. Strict mode knows
neither 两 nor 〇, so they are spelt 二 and 零 first.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import cn2an

from ..vocabulary import MAGNITUDES

# Arabic digits, half or full width, with thousands separators (1,120) or a decimal part (64.5).
# A comma counts as a separator only before exactly three digits: "12,100余人" is one number,
# "活动12,开展" is not.
ARABIC = r"(?:[0-9０-９]{1,3}(?:[,，][0-9０-９]{3})+(?![0-9０-９])|[0-9０-９]+(?:[.．][0-9０-９]+)?)"

# A run of Chinese numeral characters. Whether it is a well-formed numeral is cn2an's call.
CHINESE_NUMERALS = "零〇一二三四五六七八九两十百千万亿"
CHINESE = f"[{CHINESE_NUMERALS}]+"

CHINESE_DIGITS = frozenset("一二三四五六七八九两")

# The units a report counts with, as written → as stored. Durations in days, hours and minutes
# are figures of the work (办结时限3天, 15分钟到达); years and months are not (连续5年, 历时3个月):
# they date the programme, and 2019年 is a date.
UNITS: dict[str, str] = {
    "个百分点": "个百分点", "平方公里": "平方公里", "平方千米": "平方千米", "平方米": "平方米", "平米": "平米",
    "个小时": "小时", "小时": "小时", "分钟": "分钟", "天": "天",
    "人次": "人次", "户次": "户次", "件次": "件次", "场次": "场次", "批次": "批次", "车次": "车次",
    "公顷": "公顷", "公里": "公里", "千米": "千米", "学时": "学时", "课时": "课时", "大类": "大类",
    "个": "个", "名": "名", "人": "人", "次": "次", "项": "项", "件": "件", "条": "条", "元": "元",
    "所": "所", "处": "处", "场": "场", "户": "户", "家": "家", "支": "支", "位": "位", "座": "座",
    "栋": "栋", "幢": "幢", "间": "间", "套": "套", "台": "台", "辆": "辆", "张": "张", "份": "份",
    "册": "册", "本": "本", "篇": "篇", "期": "期", "批": "批", "轮": "轮", "届": "届", "起": "起",
    "笔": "笔", "宗": "宗", "例": "例", "块": "块", "盏": "盏", "株": "株", "棵": "棵", "类": "类", "种": "种", "亩": "亩",
    "米": "米", "吨": "吨", "倍": "倍", "%": "%", "％": "%", "‰": "‰",
}  # fmt: skip
# Longest first, so 人次 wins over 人, 平方米 over 米 and 个小时 over 个.
UNITS_LONGEST_FIRST: tuple[str, ...] = tuple(sorted(UNITS, key=len, reverse=True))

# A unit character that starts a longer word is not a unit: 处理, 条例, 名单, 台账, 期间, 人大,
# 天津, 场所; and 3个月 is a duration in months, 3个人 a manner of speaking.
NOT_UNIT_BEFORE: dict[str, tuple[str, ...]] = {
    "个": ("月", "多月", "星期", "工作日"),
}
NOT_UNIT_BEFORE_CHARS: dict[str, str] = {
    "处": "理置罚长室", "条": "例件款", "名": "单称义额片誉牌", "期": "间刊待望盼限", "台": "账阶",
    "本": "地身级", "所": "以有属在谓", "场": "所地景合馆", "人": "员民大才口", "间": "隙断",
    "支": "部持援付撑", "元": "素旦宵", "类": "似", "种": "植", "家": "庭长乡属",
    "天": "津然地下空气使堂河府坛山门安台", "起": "来步草点始身见飞码航居床义因源色诉",
    "届": "时满", "笔": "记录试者墨", "宗": "旨教族", "例": "如会行子外", "块": "钱",
    "分钟": "", "小时": "候",
}  # fmt: skip


def unit_at(text: str, pos: int) -> str:
    """The unit written at ``pos``, as stored, or ``""``: ``("3天完成", 1)`` → 天, ``("3天津", 1)`` → ``""``."""
    for written in UNITS_LONGEST_FIRST:
        if text.startswith(written, pos):
            return unit_or_word(text, pos, written)
    return ""


def unit_or_word(text: str, pos: int, written: str) -> str:
    """``written`` read at ``pos`` as a unit (stored form), or ``""`` when it starts a longer word."""
    after = pos + len(written)
    if text[after : after + 1] in tuple(NOT_UNIT_BEFORE_CHARS.get(written, "")):
        return ""
    if text.startswith(NOT_UNIT_BEFORE.get(written, ()), after):
        return ""
    return UNITS[written]


_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_CHINESE_RE = re.compile(CHINESE)
_ARABIC_MAG_RE = re.compile(f"({ARABIC})([百千万亿]*)")


def parse_arabic(text: str) -> Decimal:
    """``"1,120"`` → 1120, ``"64.5"`` → 64.5, ``"１２"`` → 12."""
    return Decimal(text.translate(_WIDTH).replace(",", ""))


@lru_cache(maxsize=4096)
def parse_chinese(text: str) -> Decimal | None:
    """A well-formed Chinese numeral, or None: ``"两千"`` → 2000, ``"十四五"`` → None.

    Remembered: a report's numerals are mostly the same few words (一, 两, 三), and cn2an checks
    each with several patterns."""
    spelt = text.replace("两", "二").replace("〇", "零")
    try:
        value = cn2an.cn2an(spelt, "strict")
    except (ValueError, KeyError):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - cn2an returns int or float
        return None


def is_single_chinese_digit(text: str) -> bool:
    """``"三"``, ``"两"``, and also ``"十"``: a bare digit, not a compound numeral such as ``"十二"``.

    Official writing (GB/T 15835, 出版物上数字的用法) puts counted statistics in Arabic
    digits and keeps Chinese digits for set phrases, enumerations and slogans
    (三项机制, 四个意识, 两个清单), so a bare Chinese digit is weak evidence of a figure.
    """
    return len(text) == 1 and (text in CHINESE_DIGITS or text == "十")


def scale(value: Decimal, magnitude: str) -> Decimal:
    """Multiply out a trailing 万/亿/千/百: ``scale(Decimal("2.1"), "万")`` → 21000."""
    for char in magnitude:
        value *= MAGNITUDES[char]
    return normalise(value)


def normalise(value: Decimal) -> Decimal:
    """Drop a meaningless exponent or trailing zeros: 89000.0 → 89000, 64.50 → 64.5."""
    value = value.normalize()
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value


def parse_number(text: str) -> Decimal | None:
    """Any one number as written, magnitude included, or None.

    ``"2.1万"`` → 21000, ``"1101万"`` → 11010000, ``"两千"`` → 2000,
    ``"一百二十七"`` → 127, ``"3.2万"`` → 32000, ``"x"`` → None.
    """
    text = text.strip()
    arabic = _ARABIC_MAG_RE.fullmatch(text)
    if arabic:
        return scale(parse_arabic(arabic.group(1)), arabic.group(2))
    if _CHINESE_RE.fullmatch(text):
        value = parse_chinese(text)
        return None if value is None else normalise(value)
    return None
