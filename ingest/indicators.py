"""Indicators: the comparable quantities that figures' free-text subjects stand for. No Django here.

A figure's subject is what the report counted, in its own words (在职党员, 到社区报到的在职党员,
报名参与的在职报到党员). An indicator groups the subjects that count one thing (在职党员报到人数),
with the family of units it is counted in, so that figures from different cities can be set side
by side. This is the starting list, built from the subjects the seeds and the development corpus
carry; a migration-time loader puts it into the ``Indicator`` table, where curators edit it, and
the loader assigns indicators from the table's current rows (this list when run without a database).

Each entry: (name, slug, unit family, synonyms). A synonym is a head noun phrase: a subject matches
it when it is the synonym or ends with it (到社区报到的在职党员 ends with 在职党员: Chinese puts the
head of a noun phrase last), and the longest synonym that fits wins (城市社区党支部 is a 社区党支部
before it is a 党支部).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from .extract.numbers import UNITS

# The stored units (numbers.UNITS' values) that count the same kind of thing.
UNIT_FAMILIES: dict[str, frozenset[str]] = {
    "人": frozenset({"人", "名", "位"}),
    "人次": frozenset({"人次"}),
    "户": frozenset({"户"}),
    "个": frozenset({"个", "处", "家", "支", "所", "座", "间"}),
    "件": frozenset({"件", "条", "项", "个", "起"}),
    "次": frozenset({"次", "场", "场次", "期", "批次"}),
    "%": frozenset({"%"}),
    "元": frozenset({"元"}),
    "平方米": frozenset({"平方米", "平米"}),
    "平方公里": frozenset({"平方公里", "平方千米"}),
}
FAMILY_LABELS: dict[str, str] = {
    "人": "人数", "人次": "人次", "户": "户数", "个": "个数", "件": "件数", "次": "次数",
    "%": "百分比", "元": "金额（元）", "平方米": "面积（平方米）", "平方公里": "面积（平方公里）",
}  # fmt: skip


@dataclass(frozen=True)
class IndicatorDef:
    name: str
    slug: str
    family: str
    synonyms: tuple[str, ...]

    @property
    def units(self) -> frozenset[str]:
        return UNIT_FAMILIES[self.family]


def _d(name: str, slug: str, family: str, synonyms: str) -> IndicatorDef:
    return IndicatorDef(name, slug, family, tuple(synonyms.split()))


INDICATORS: list[IndicatorDef] = [
    _d("党员人数", "party-members", "人", "党员 共产党员 党员群众 党员干部 小区党员 退休党员 老党员"),
    _d("在职党员报到人数", "reporting-members", "人",
       "在职党员 报到党员 在职报到党员 双报到党员 到社区报到党员 在职人员"),
    _d("党员志愿者人数", "member-volunteers", "人", "党员志愿者 党员和居民志愿者"),
    _d("志愿者人数", "volunteers", "人", "志愿者 志愿服务者 居民志愿者"),
    _d("志愿服务队数", "volunteer-teams", "个",
       "志愿服务队 志愿者服务队 志愿服务队伍 志愿服务团队 志愿者服务小组 党员志愿者服务队 红色志愿服务队 党员先锋队"),
    _d("党组织数", "party-organisations", "个",
       "党组织 基层党组织 城市基层党组织 党支部 党委 党总支 单位党组织 社会组织党组织"),
    _d("小区党支部数", "residential-branches", "个", "小区党支部 小区党组织 小区(网格)党支部 楼院党支部 院落党支部"),
    _d("网格党支部数", "grid-branches", "个", "网格党支部 网格党组织"),
    _d("楼栋党小组数", "building-party-groups", "个", "楼栋党小组 微网格党小组 党小组"),
    _d("社区党组织数", "community-party-organisations", "个", "社区党支部 社区党总支 社区党委 社区党组织"),
    _d("社区数", "communities", "个", "社区 城市社区 城乡社区 市辖区社区 试点社区 新型社区"),
    _d("小区数", "residential-compounds", "个", "小区 居民小区 城镇小区 成型小区 镇街小区 庭院和居民小区 楼院"),
    _d("网格数", "grids", "个", "网格 社区网格 微网格"),
    _d("网格员人数", "grid-workers", "人", "网格员 专职网格员 兼职网格员"),
    _d("党群服务中心数", "service-centres", "个",
       "党群服务中心 党群服务站 党群服务驿站 党群活动中心 区域性党群服务中心 社区党群服务中心 街道党群服务中心"),
    _d("党群服务阵地面积", "service-centre-area", "平方米",
       "党群服务中心面积 党群服务站场地 办事大厅面积 总建筑面积 活动场地"),
    _d("居民人数", "residents", "人", "居民 常住人口 常住总人口 实际管理人口 群众 户籍人口"),
    _d("居民户数", "households", "户", "居民 住户 户籍居民 家庭"),
    _d("服务群众人次", "people-served", "人次", "服务群众 受益人数 受众 月均接待居民 接待居民"),
    _d("服务群众人数", "people-served-persons", "人", "服务群众 受益人数 受益群众"),
    _d("活动场次", "activities", "次",
       "活动 志愿服务活动 共建活动 主题活动 宣讲 道德讲堂宣讲 红色读书会 巡查 培训"),
    _d("培训人次", "training-attendance", "人次", "培训 参训"),
    _d("解决问题件数", "problems-solved", "件",
       "问题 已解决问题 治理难题 民生实事 实事好事 诉求 涉民涉企诉求 难题 急难愁盼问题"),
    _d("意见建议条数", "suggestions", "件", "意见建议 意见和建议 社情民意 建议"),
    _d("资金投入", "funding", "元",
       "资金 经费 专项资金 区级专项资金 市级专项资金 投资 工作运行经费 社区办公经费 服务群众专项经费"),
    _d("党费", "party-dues", "元", "党费"),
    _d("共建单位数", "partner-units", "个",
       "共建单位 驻区单位 结对单位 机关企事业单位 市直机关企事业单位 相关单位 成员单位 党政部门 市级部门"),
    _d("共建协议数", "partnership-agreements", "件", "共建协议 协议"),
    _d("服务项目数", "service-projects", "件", "服务项目 社区项目 服务资源清单 便民利民服务 项目"),
    _d("满意度", "satisfaction", "%", "满意度 满意率 群众满意度 居民满意度"),
    _d("红色物业覆盖率", "red-property-coverage", "%", "红色物业覆盖率 物业党组织覆盖率 物业党建覆盖率"),
    _d("党组织覆盖率", "party-coverage", "%", "党组织覆盖率 组织覆盖率 覆盖率"),
    _d("物业企业数", "property-firms", "个", "物业 物业企业 物业服务企业 物业公司"),
    _d("社区工作者人数", "community-workers", "人", "社区工作者 社区专职工作者 社区干部 社工"),
    _d("下沉干部人数", "deployed-cadres", "人", "下沉人员 下沉干部 每日下沉人员 下沉党员"),
    _d("楼栋长人数", "building-leaders", "人", "楼栋长 党员楼栋长 单元长"),
    _d("党员中心户数", "member-households", "个", "党员中心户"),
    _d("社区减负事项数", "burden-items", "件", "社区管理事项 考核评比类事项 取消事项 准入事项 证明事项"),
    _d("辖区面积", "jurisdiction-area", "平方公里", "辖区面积 总面积 建成区面积 面积"),
    _d("停车位和充电桩数", "parking-and-charging", "个", "停车位 充电桩 充电驿站"),
]

# Quotes, brackets and spaces a subject may carry around its words (党员“双报到”微信群).
DECORATION_RE = re.compile(r"[“”‘’\"'《》「」『』\s]")


def normalise_subject(subject: str) -> str:
    return DECORATION_RE.sub("", subject or "")


class Assigner:
    """``assign`` over one list of indicators, with each synonym's normalised form and each unit's
    candidates worked out once: a loader assigns every figure of every report against one list."""

    def __init__(self, indicators: Iterable[IndicatorDef]):
        self.slugs: list[str] = []
        # unit → normalised synonym → [(indicator's number, the synonym's length as written)]: a subject's
        # suffixes are looked up, rather than every synonym of the unit's family tried on the subject
        self.by_unit: dict[str, dict[str, list[tuple[int, int]]]] = {}
        for number, ind in enumerate(indicators):
            self.slugs.append(ind.slug)
            for unit in ind.units:
                synonyms = self.by_unit.setdefault(unit, {})
                for s in ind.synonyms:
                    synonyms.setdefault(normalise_subject(s), []).append((number, len(s)))

    def __call__(self, subject: str, unit: str) -> str | None:
        text = normalise_subject(subject)
        if not text or unit not in STORED_UNITS:
            return None
        synonyms = self.by_unit.get(unit, {})
        fits: dict[int, int] = {}  # indicator's number → its longest synonym that ends the subject
        for at in range(len(text) + 1):
            for number, length in synonyms.get(text[at:], ()):
                fits[number] = max(fits.get(number, 0), length)
        best = [(fit, self.slugs[number]) for number, fit in fits.items() if fit]
        if not best:
            return None
        best.sort(reverse=True)
        if len(best) > 1 and best[0][0] == best[1][0]:
            return None
        return best[0][1]


def assign(subject: str, unit: str, indicators: Iterable[IndicatorDef] | None = None) -> str | None:
    """The slug of the indicator a figure counts, or None when none fits.

    The unit must belong to the indicator's family (320名党员 is a head count; 党员 in 人次 is not);
    the subject must be a synonym or end with one; the longest such synonym wins, and two
    indicators fitting with synonyms of the same length leave the figure unassigned.
    """
    return (_starting_assigner() if indicators is None else Assigner(indicators))(subject, unit)


@cache
def _starting_assigner() -> Assigner:
    return Assigner(INDICATORS)


def unit_family(unit: str) -> str | None:
    """The first family that holds ``unit`` (个 counts things before it counts cases)."""
    return next((family for family, units in UNIT_FAMILIES.items() if unit in units), None)


STORED_UNITS: frozenset[str] = frozenset(UNITS.values())


def from_rows(rows: Sequence[tuple[str, str, str, Sequence[str]]]) -> list[IndicatorDef]:
    """Indicators from the database's rows (name, slug, unit family, synonyms); the name is a synonym too."""
    return [IndicatorDef(name, slug, family, tuple(dict.fromkeys([name, *synonyms]))) for name, slug, family, synonyms in rows]
