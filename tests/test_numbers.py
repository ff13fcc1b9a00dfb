from decimal import Decimal

import pytest

from ingest.extract.numbers import (
    NOT_UNIT_BEFORE,
    NOT_UNIT_BEFORE_CHARS,
    UNITS,
    UNITS_LONGEST_FIRST,
    is_single_chinese_digit,
    normalise,
    parse_chinese,
    parse_number,
    scale,
    unit_at,
)


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


# The unit right after a number, read at position 0: (text, unit as stored, or "" when the
# character starts a longer word).
UNIT_CASES = [
    ("天完成排查", "天"),
    ("天津市", ""),  # a place, not three days
    ("天然气管道", ""),
    ("起矛盾纠纷", "起"),
    ("起来", ""),
    ("起草", ""),
    ("分钟到达", "分钟"),
    ("小时值守", "小时"),
    ("个小时", "小时"),
    ("个月", ""),  # months date the programme; they are not a figure of it
    ("大类", "大类"),
    ("类似", ""),
    ("次", "次"),
    ("人次", "人次"),  # the longer unit wins over 人
    ("人员", ""),
    ("场次", "场次"),
    ("场所", ""),  # a venue, not events
    ("场地", ""),
    ("场", "场"),
    ("户次", "户次"),
    ("户居民", "户"),
    ("栋楼", "栋"),
    ("幢楼", "幢"),
    ("家单位", "家"),
    ("家庭", ""),
    ("支队伍", "支"),
    ("支部", ""),
    ("批次", "批次"),
    ("批", "批"),
    ("条建议", "条"),
    ("条例", ""),
    ("件实事", "件"),
    ("笔业务", "笔"),
    ("笔记", ""),
    ("处阵地", "处"),
    ("处理", ""),
    ("所学校", "所"),
    ("所以", ""),
    ("座", "座"),
    ("台电梯", "台"),
    ("台账", ""),
    ("套", "套"),
    ("位老党员", "位"),
    ("间房", "间"),
    ("轮巡察", "轮"),
    ("期培训班", "期"),
    ("期间", ""),
    ("届邻里节", "届"),
    ("届时", ""),
    ("宗案件", "宗"),
    ("例", "例"),
    ("名党员", "名"),
    ("名单", ""),
    ("元", "元"),
    ("元旦", ""),
    ("％", "%"),  # full width, stored half width
    ("个百分点", "个百分点"),
    ("平方米", "平方米"),
    ("平米", "平米"),
    ("株", "株"),
    ("年", ""),  # 2019年 is a date, 5年 a duration: neither is a unit here
    ("月", ""),
    ("后", ""),  # 80后
    ("级", ""),  # 四级联动
]


@pytest.mark.parametrize(("text", "unit"), UNIT_CASES)
def test_unit_at(text, unit):
    assert unit_at(text, 0) == unit


def test_unit_at_reads_at_a_position():
    assert unit_at("开展3天", 3) == "天"
    assert unit_at("开展3天津", 3) == ""


def test_units_table_is_one_table():
    assert set(UNITS_LONGEST_FIRST) == set(UNITS)
    assert [len(u) for u in UNITS_LONGEST_FIRST] == sorted((len(u) for u in UNITS_LONGEST_FIRST), reverse=True)
    assert set(NOT_UNIT_BEFORE) <= set(UNITS)
    assert set(NOT_UNIT_BEFORE_CHARS) <= set(UNITS)
    assert set(UNITS.values()) <= set(UNITS)  # every stored form is also a written one
