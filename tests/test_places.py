"""places: province / city / district from the gazetteer, for all of China, with the guards."""

from __future__ import annotations

import pytest

from ingest.extract.places import PlaceMatch, find_place, scan

LEAD = "近年来,坚持以党建引领城市基层治理,推动各类组织和党员群众共同参与,形成了共建共治共享的良好格局。" * 3


def place(title="", meta=(), body=LEAD, author="", publisher="", elsewhere="", body_beyond_lead=True):
    found = find_place(title, list(meta), body, author, publisher, elsewhere, body_beyond_lead=body_beyond_lead)
    return None if found is None else (found.province, found.city, found.district)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("陕西省宝鸡市:深化模式", ["陕西省", "宝鸡市"]),
        ("中山区创新融合党建", ["中山区"]),  # the longest name: not 中山(市) + 区
        ("贵阳观山湖", ["贵阳", "观山湖"]),  # a district's short form right after its city
        ("观山湖夜景", []),  # …and not alone
        ("穿着中山装的老党员", []),
        ("以适应城市改革的需要", []),  # 适应 takes the first character of 应城市
        ("文章以上海市某街道为例", ["上海市"]),  # but 以上 leaves 海市, rarer than 上海市
        ("上海浦东新区", ["浦东新区"]),  # 上海浦东 is a word, but a place before a place
        ("发展朝阳产业", []),
        ("和平年代的奉献", []),
        ("弘扬延安精神", []),
        ("建成区和城区面积", []),  # 城区 is a district name and an ordinary word
        ("老城区社区物业服务的现状", []),  # …and 老城区 "the old town" likewise
        ("河南省洛阳市老城区", ["河南省", "洛阳市", "老城区"]),  # …but right after its city it is the district
        ("x区委组织部、xx市", []),  # redacted
        ("在上海、武汉举办培训班", ["上海", "武汉"]),
        ("住在临江大厦的居民", []),  # a building named after a city, not the city
        ("南区街道环城社区", []),  # a street office named like a district
        ("城中街道中山社区的办公楼", []),  # a community named after a city
        ("浙江省杭州市上城区闸弄口街道", ["浙江省", "杭州市", "上城区"]),  # 市上 is a word, but a place before a place
        ("天津师范大学政治与行政学院", []),  # where a scholar works
        ("湖北城市社区建设研究中心", []),
        ("天津市委组织部联合某某大学", ["天津市"]),  # an office between the place and the university: the place
        ("宜兴按照总要求搭建网格", []),  # a county-level city's short form, outside where the report says where it is
    ],
)
def test_scan(text, names):
    assert [m.name for m in scan(text)] == names


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # full names in the title
        ({"title": "陕西省宝鸡市:深化“一核双联四化”模式 推动城市基层党建提质增效"}, ("陕西省", "宝鸡市", None)),
        ({"title": "贵州贵阳市观山湖区:坚持党建引领 推动基层社会治理创新发展"}, ("贵州省", "贵阳市", "观山湖区")),
        # short forms, parents filled in from the gazetteer
        ({"title": "辽宁锦州:深入实施“五个一”工程"}, ("辽宁省", "锦州市", None)),
        ({"title": "深圳:党建引领小区治理"}, ("广东省", "深圳市", None)),
        ({"title": "观山湖区创新基层治理"}, ("贵州省", "贵阳市", "观山湖区")),
        ({"title": "新疆乌鲁木齐市推行网格化管理"}, ("新疆维吾尔自治区", "乌鲁木齐市", None)),
        ({"title": "济源市推行红色物业"}, ("河南省", "济源市", None)),  # a city under the province directly
        ({"title": "吉林省推行社区减负"}, ("吉林省", None, None)),
        ({"title": "海南:党建引领基层治理"}, ("海南省", None, None)),  # not 海南藏族自治州
        # the four municipalities: province and city are the same
        ({"title": "北京市朝阳区推行“吹哨报到”"}, ("北京市", "北京市", "朝阳区")),
        ({"title": "上海浦东新区:党建引领城市治理"}, ("上海市", "上海市", "浦东新区")),
        ({"title": "重庆市渝中区打造红色物业"}, ("重庆市", "重庆市", "渝中区")),
        ({"title": "天津市:深化街道体制改革"}, ("天津市", "天津市", None)),
        # a district name shared by several cities resolves by the city named nearby…
        ({"title": "中山区创新“融合党建”模式", "meta": ["大连新闻传媒集团记者某某"]}, ("辽宁省", "大连市", "中山区")),
        ({"title": "中山区创新“融合党建”模式", "body": LEAD + "人民路街道地处大连中央商务区。来源:大连日报"},
         ("辽宁省", "大连市", "中山区")),
        ({"title": "杭州市西湖区:打造党群服务中心"}, ("浙江省", "杭州市", "西湖区")),
        ({"title": "南昌市西湖区:打造党群服务中心"}, ("江西省", "南昌市", "西湖区")),
        ({"title": "福州鼓楼区推行网格化管理"}, ("福建省", "福州市", "鼓楼区")),
        # …otherwise it stays empty
        ({"title": "鼓楼区推行网格化管理"}, None),
        ({"title": "中山区创新“融合党建”模式"}, None),
        # the author unit and the lead are evidence too
        ({"author": "贵州省贵阳市观山湖区委组织部"}, ("贵州省", "贵阳市", "观山湖区")),
        ({"body": "锦州市牢固树立“全域党建”理念,以体制机制创新为动力。" + LEAD}, ("辽宁省", "锦州市", None)),
        # a district named only deep in the body is an example, not the report's place
        ({"title": "宝鸡市推动城市基层党建提质增效", "body": LEAD * 2 + "宝鸡市渭滨区充分发挥互联互动单位资源和力量。"},
         ("陕西省", "宝鸡市", None)),
        # a district must lie in the city named: 观山湖区 is not in 锦州市
        ({"title": "锦州市深化城市基层党建", "body": "学习观山湖区经验。" + LEAD}, ("辽宁省", "锦州市", None)),
        # passing mentions in the body are not where the report is from
        ({"title": "深化党建引领", "body": LEAD + "连续3年在上海、武汉、杭州、成都等地举办专题培训班。"}, None),
        # redacted reports and false friends get nothing
        ({"title": "关于x区党建引领基层治理的调研报告", "body": LEAD + "x区在区委、区政府的正确领导下,xx市"}, None),
        ({"title": "穿中山装的老支书", "body": LEAD + "和平年代,发展朝阳产业,弘扬延安精神。"}, None),
        ({"title": "", "body": ""}, None),
        # a local publisher places a report that names only its streets
        ({"title": "某某社区：党建项目带动文明城市创建", "publisher": "滁州日报"}, ("安徽省", "滁州市", None)),
        ({"title": "某某社区党员加入志愿服务", "publisher": "人民日报"}, None),
        # a county-level city by its short form, where the report says where it is: in the lead only when
        # the page names its city or province too, since a short form may be a word (江山就是人民)
        ({"body": "今年起，宜兴按照“党建引领、网格夯实”的总要求，全面搭建小区治理体系。" + LEAD, "elsewhere": "首页 > 江苏"},
         ("江苏省", "无锡市", "宜兴市")),
        ({"body": "今年起，宜兴按照“党建引领、网格夯实”的总要求，全面搭建小区治理体系。" + LEAD}, None),
        ({"title": "走进北京市朝阳区某某社区", "body": "听到报告里讲江山就是人民、人民就是江山。" + LEAD},
         ("北京市", "北京市", "朝阳区")),
        ({"title": "宜兴：网格夯实小区治理"}, ("江苏省", "无锡市", "宜兴市")),
        # a scholar's university and address are not the place written about
        ({"title": "社区嵌入式党建如何影响居民参与", "author": "天津师范大学", "meta": ["天津师范大学，天津"]}, None),
        # two districts named alike: a report about their city
        ({"title": "北京“吹哨报到”改革观察", "body": "丰台区的做法。" + LEAD * 2 + "丰台区和西城区。西城区也这样。"},
         ("北京市", "北京市", None)),
        # an author's note run into the text: a birthplace and an employer, not the place written about
        ({"body": "[作者简介]张某（1988— ），男，江西赣州人，某财经大学讲师。文章以上海市某街道为例，分析楼宇党建。" + LEAD},
         ("上海市", "上海市", None)),
        # a county-level short form that is a common word is the word (合作, not 合作市)
        ({"title": "政社合作视角下的基层治理——以温州市五马街道为例"}, ("浙江省", "温州市", None)),
        # a headline comparing places of two provinces names no one place
        ({"title": "疫情下社区党建比较研究——以广东省某社区和广西壮族自治区某社区为例", "body": "广东省某社区。" + LEAD}, None),
        ({"title": "北京市朝阳区与海淀区的做法"}, ("北京市", "北京市", None)),
        # a paper's examples deep in its body are not where it is from
        ({"body": LEAD * 2 + "湖南长沙的做法。湖南湘潭的做法。", "body_beyond_lead": False}, None),
        ({"body": LEAD * 2 + "湖南长沙的做法。湖南湘潭的做法。"}, ("湖南省", None, None)),
        # a chain is one mention of its last place, and chooses among namesakes
        ({"title": "走进北京市朝阳区某某社区"}, ("北京市", "北京市", "朝阳区")),
    ],
)
def test_find_place(kwargs, expected):
    assert place(**kwargs) == expected


def test_code_is_the_most_specific_division():
    found = find_place("贵州贵阳市观山湖区:坚持党建引领", [], LEAD, "")
    assert found == PlaceMatch("贵州省", "贵阳市", "观山湖区", "520115")
    assert find_place("辽宁锦州:党建", [], LEAD, "").code == "210700"
