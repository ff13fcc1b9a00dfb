"""Numbers as Chinese reports write them: ``1,120``, ``64.5``, ``2.1万``, ``两千``, ``一百二十七``.

Pure functions, no jieba. Values are exact ``Decimal``s (never floats): ``8.9万`` is
``Decimal("89000")``, not ``88999.99999999999``.

Chinese numerals go through cn2an in *strict* mode, so only well-formed numerals
parse: ``一百二十七`` → 127, but ``十四五`` (a plan's name), ``一二三四`` (a list of
slogans) and ``四五`` (an estimate, "four or five") are refused. Strict mode knows
neither 两 nor 〇, so they are spelt 二 and 零 first.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

# Multipliers a report writes after Arabic digits (2.1万, 3千). In base units they are multiplied out.
MAGNITUDES: dict[str, int] = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

# Arabic digits, half or full width, with thousands separators (1,120) or a decimal part (64.5).
# A comma counts as a separator only before exactly three digits: "12,100余人" is one number,
# "活动12,开展" is not.
ARABIC = r"(?:[0-9０-９]{1,3}(?:[,，][0-9０-９]{3})+(?![0-9０-９])|[0-9０-９]+(?:[.．][0-9０-９]+)?)"

# A run of Chinese numeral characters. Whether it is a well-formed numeral is cn2an's call.
CHINESE = r"[零〇一二三四五六七八九两十百千万亿]+"

CHINESE_DIGITS = frozenset("一二三四五六七八九两")

_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_CHINESE_RE = re.compile(CHINESE)
_ARABIC_MAG_RE = re.compile(f"({ARABIC})([百千万亿]*)")


def parse_arabic(text: str) -> Decimal:
    """``"1,120"`` → 1120, ``"64.5"`` → 64.5, ``"１２"`` → 12."""
    return Decimal(text.translate(_WIDTH).replace(",", ""))


def parse_chinese(text: str) -> Decimal | None:
    """A well-formed Chinese numeral, or None: ``"两千"`` → 2000, ``"十四五"`` → None."""
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
