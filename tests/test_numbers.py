from decimal import Decimal

import pytest

from ingest.extract.numbers import is_single_chinese_digit, normalise, parse_chinese, parse_number, scale


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1120", "1120"),
        ("1,120", "1120"),
        ("64.5", "64.5"),
        ("１２", "12"),  # full-width digits from a scraped page
        ("2.1万", "21000"),
        ("8.9万", "89000"),
        ("1.2万", "12000"),
        ("51万", "510000"),
        ("1101万", "11010000"),
        ("1.2亿", "120000000"),
        ("3千", "3000"),
        ("0.50", "0.5"),
        ("两千", "2000"),
        ("三", "3"),
        ("两", "2"),
        ("十", "10"),
        ("十二", "12"),
        ("二十", "20"),
        ("一百二十七", "127"),
        ("一千零一", "1001"),
        ("三十万", "300000"),
        ("两万五千", "25000"),
        ("一万二千", "12000"),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "x",  # a redaction placeholder
        "xx",
        "",
        "十四五",  # the name of a five-year plan, not a numeral
        "一二三四",  # a list of slogans (“一二三四”工作思路)
        "四五",  # "four or five": an estimate, not a figure
        "千",  # 千家万户 starts with a bare 千
        "万",
        "1.2.3",
    ],
)
def test_parse_number_refuses(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(("text", "expected"), [("两千", 2000), ("〇", 0), ("一百二十七", 127), ("十四五", None)])
def test_parse_chinese(text, expected):
    assert parse_chinese(text) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize(
    ("text", "single"),
    [("三", True), ("两", True), ("十", True), ("十二", False), ("两千", False), ("一百", False)],
)
def test_is_single_chinese_digit(text, single):
    assert is_single_chinese_digit(text) is single


def test_scale_multiplies_out_magnitudes_exactly():
    assert scale(Decimal("8.9"), "万") == Decimal("89000")
    assert str(scale(Decimal("8.9"), "万")) == "89000"  # no exponent, no float residue
    assert scale(Decimal("100"), "万") == Decimal("1000000")
    assert scale(Decimal("3"), "") == Decimal("3")


def test_normalise_drops_exponent_and_trailing_zeros():
    assert str(normalise(Decimal("1.2E+4"))) == "12000"
    assert str(normalise(Decimal("64.50"))) == "64.5"
