"""mechanisms: heading styles, nesting, sections that are not practices, slogans and spans."""

from __future__ import annotations

import pytest

from ingest.extract.mechanisms import (
    classify,
    extract_mechanisms,
    first_sentence,
    is_heading_phrase,
    parallel,
    section_kind,
    slogan,
)

PROSE = "近年来,该市坚持以党建引领城市基层治理,推动各类组织和党员群众共同参与,形成了共建共治共享的良好格局,群众满意度持续提升。"


def outline_of(body: str) -> list[tuple[int, str, int | None]]:
    """(level, heading, parent) of every mechanism: the shape tests compare."""
    return [(m.level, m.heading, m.parent) for m in extract_mechanisms(body)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("下好“一盘棋”,建立城市基层党建领导新机制。坚持四级联动。", "下好“一盘棋”,建立城市基层党建领导新机制"),
        ("签订《共建协议。》等文件。其后", "签订《共建协议。》等文件"),  # a full stop inside a title does not end the sentence
        ("没有句号的一行", "没有句号的一行"),
        ("一句话!再一句", "一句话"),
    ],
)
def test_first_sentence(text, expected):
    assert first_sentence(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("一、背景", ("cn", 2, "背景")),
        ("二、 做法", ("cn", 3, "做法")),
        ("（一）坚持提升组织力，凝聚党建引领社会治理创新的力量。基层党建是龙头工程。",
         ("cn_paren", 3, "坚持提升组织力，凝聚党建引领社会治理创新的力量")),
        ("(二)当好“领头雁”,促进为民服务提质增效。坚定不移", ("cn_paren", 3, "当好“领头雁”,促进为民服务提质增效")),
        ("1.建强组织体系,夯实治理根基。全面推行", ("arabic", 2, "建强组织体系,夯实治理根基")),
        ("2、完善服务功能", ("arabic", 2, "完善服务功能")),
        ("（3）健全保障机制。", ("arabic_paren", 3, "健全保障机制")),
        ("①党员进网格", ("circled", 1, "党员进网格")),
        # bold slogan sentence opening a paragraph
        ("下好“一盘棋”,建立城市基层党建领导新机制。坚持四级联动,共同发力,全市上下形成合力。",
         ("lead", 0, "下好“一盘棋”,建立城市基层党建领导新机制")),
        ("强化引领凸显政治功能。宝鸡市委积极健全完善党组织领导下的居民自治机制。",
         ("lead", 0, "强化引领凸显政治功能")),
        # short lines standing alone
        ("“一核”引领,画好共建共治共享“同心圆”", ("line", 0, "“一核”引领,画好共建共治共享“同心圆”")),
        ("聚焦组织共建，打造“党建融合体”", ("line", 0, "聚焦组织共建，打造“党建融合体”")),
        ("基层治理网格化", ("line", 0, "基层治理网格化")),
    ],
)
def test_classify_headings(line, expected):
    assert classify(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "1.5万名党员参与志愿服务。",  # a figure, not a section number
        "一是填好“三张清单”。紧盯服务群众的需求侧。",  # enumeration inside a paragraph
        "同时,建立了党员评优征求意见制度。其后又有",
        "目前,全市已有2472个单位党组织到社区报到。",
        "2020年6月15日,某市召开城市基层党建工作推进会",  # photo caption with a date
        "某区和谐路社区志愿者贴心照顾瘫痪在床、儿女不在身边的老人",  # long caption, no clause break
        "（作者单位:某市委组织部）",
        "来源: 某某日报",
        "作者:某某",
        "主要是三个方面:",
        "在党建引领基层治理上,主要是做到“四个坚持”。",  # one sentence with its full stop is prose
        "• 科研项目评审系统 科研项目评审会",
        PROSE,
        "",
    ],
)
def test_classify_not_headings(line):
    assert classify(line) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("纵向四级联动,建强“动力主轴”", True),
        ("赋权扩能提升话语权", True),
        ("记者许晓楠", False),
        ("宝鸡市渭滨区清姜路社区与包抓单位开展主题党日活动", False),
        ("他说这是好事", False),
        ("推行“1+N”模式,凝聚共建合力", True),  # figures inside a quoted name
        ("全年开展活动120次", False),
    ],
)
def test_is_heading_phrase(text, expected):
    assert is_heading_phrase(text) is expected


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("背景", "skip"),
        ("基本情况", "skip"),
        ("x区党建基层创新治理工作基本情况", "skip"),
        ("成效", "skip"),
        ("主要成效", "skip"),
        ("启示", "skip"),
        ("经验启示", "skip"),
        ("调研中发现的问题和不足", "skip"),
        ("存在的问题", "skip"),
        ("下一步打算", "skip"),
        ("对推进x区党建引领基层创新治理工作的意见建议", "skip"),
        ("相关推荐", "skip"),
        ("做法", "group"),
        ("主要做法", "group"),
        ("x区党建引领基层创新治理工作主要做法", "group"),
        ("主要做法和成效", "group"),
        ("具体举措", "group"),
        # a practice heading may end with the same words: its two clauses tell it apart
        ("织密“一张网”,提升城市基层治理新成效", "mechanism"),
        ("坚持提升组织力,凝聚党建引领社会治理创新的力量", "mechanism"),
        ("基层治理网格化", "mechanism"),
        ("强化引领凸显政治功能", "mechanism"),
    ],
)
def test_section_kind(heading, kind):
    assert section_kind(heading) == kind


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("下好“一盘棋”,建立城市基层党建领导新机制", "一盘棋"),
        ("“一核”引领,画好共建共治共享“同心圆”", "一核"),
        ("当好“主心骨”,确保基层组织坚强过硬", "主心骨"),
        ('推行"红色物业",破解小区治理难题', "红色物业"),
        ("强化引领凸显政治功能", ""),
    ],
)
def test_slogan(heading, expected):
    assert slogan(heading) == expected


# Whole bodies in many heading styles: (body, expected outline of (level, heading, parent)).
CASES = [
    pytest.param(
        # numbered sections, practices under 二、做法; background, effects and lessons are not practices
        "一、背景\n" + PROSE + "\n二、做法\n"
        "（一）坚持提升组织力，凝聚党建引领社会治理创新的力量。基层党建是创新社会治理的龙头工程。\n"
        "（二）坚持提升凝聚力，发挥基层党组织社会治理的功能作用。深入实施“阳光党建”工程。\n"
        "（三）坚持提升战斗力，在社会治理中巩固党的执政基础。创新基层党建工作机制。\n"
        "三、成效\n" + PROSE + "\n四、启示\n"
        "一是继续强化组织领导压实责任。始终树牢“四个意识”。\n二是继续深入推进党建示范点打造工作。按照工作思路。",
        [
            (1, "坚持提升组织力，凝聚党建引领社会治理创新的力量", None),
            (1, "坚持提升凝聚力，发挥基层党组织社会治理的功能作用", None),
            (1, "坚持提升战斗力，在社会治理中巩固党的执政基础", None),
        ],
        id="cn-numbered-with-group-and-skips",
    ),
    pytest.param(
        # a research report (seed 002, repaired): 基本情况, 问题和不足 and 意见建议 with all their children go
        "一、x区党建基层创新治理工作基本情况\n" + PROSE + "\n二、x区党建引领基层创新治理工作主要做法\n主要是x个方面:\n"
        "(一)当好“主心骨”,确保基层组织坚强过硬。在基层转型发展建设中,坚定不移。\n"
        "(二)当好“领头雁”,促进为民服务提质增效。坚定不移“改善民生、决胜小康”。一是填好“三张清单”。\n"
        "(三)当好“火车头”,推动社会治理精细高效。持续落实各级组工会议精神。\n"
        "三、调研中发现的问题和不足\n主要存在于x个方面:\n"
        "(一)基层党建工作有短板。抓党建力度不够,存在时紧时松的问题。\n"
        "(二)基层治理体系不完善。“自治、法制、德治”结合不紧密。\n"
        "四、对推进x区党建引领基层创新治理工作的意见建议\n"
        "(一)在守正创新,提升基层政治领导力上下功夫。一是学好“第一议题”。\n"
        "(二)在强基固本,提升基层群众组织力上下功夫。一是建强组织,打造阵地。",
        [
            (1, "当好“主心骨”,确保基层组织坚强过硬", None),
            (1, "当好“领头雁”,促进为民服务提质增效", None),
            (1, "当好“火车头”,推动社会治理精细高效", None),
        ],
        id="research-report-repaired",
    ),
    pytest.param(
        # bold slogan sentences opening paragraphs, after a lead; the byline is not a practice
        PROSE + "\n"
        "下好“一盘棋”,建立城市基层党建领导新机制。坚持四级联动,共同发力,全市上下形成“一盘棋”。\n"
        "聚到“一张桌”,构建城市区域化党建工作新格局。坚持区域联合、行业整合、“两新”融合。\n"
        "栽培“一棵树”,发挥街道社区统筹协调新优势。坚持聚焦主责主业、强化服务保障。\n"
        "（作者单位:某市委组织部）",
        [
            (1, "下好“一盘棋”,建立城市基层党建领导新机制", None),
            (1, "聚到“一张桌”,构建城市区域化党建工作新格局", None),
            (1, "栽培“一棵树”,发挥街道社区统筹协调新优势", None),
        ],
        id="bold-slogan-sentences",
    ),
    pytest.param(
        # quoted key words on their own lines, sub-practices as short sentences opening paragraphs,
        # photo captions between them
        PROSE + "\n“一核”引领,画好共建共治共享“同心圆”\n" + PROSE + "\n"
        "强化引领凸显政治功能。市委积极健全完善党组织领导下的居民自治、民主协商机制。\n"
        "松绑减负聚焦主责主业。著眼于构建简约高效的基层管理体制,及时出台实施方案。\n"
        "“双联”聚力,构筑城市基层党建“共同体”\n" + PROSE + "\n"
        "2020年6月15日,某市召开城市基层党建工作推进会\n"
        "纵向四级联动,建强“动力主轴”。市委把城市基层党建纳入党建工作总体布局。\n"
        "横向互联互动,凝聚共建合力。在深入开展“在职党员进社区”等活动基础上,健全机制。\n"
        "某区和谐路社区志愿者贴心照顾瘫痪在床、儿女不在身边的老人\n"
        "“四化”驱动,下活基层治理“一盘棋”\n"
        "基层治理网格化。推行基层治理、党建工作全域网格化,实行定格、定岗、定人、定责。\n"
        "服务群众项目化。从共同目标、共同利益和共同需求入手,实施创投项目。",
        [
            (1, "“一核”引领,画好共建共治共享“同心圆”", None),
            (2, "强化引领凸显政治功能", 0),
            (2, "松绑减负聚焦主责主业", 0),
            (1, "“双联”聚力,构筑城市基层党建“共同体”", None),
            (2, "纵向四级联动,建强“动力主轴”", 3),
            (2, "横向互联互动,凝聚共建合力", 3),
            (1, "“四化”驱动,下活基层治理“一盘棋”", None),
            (2, "基层治理网格化", 6),
            (2, "服务群众项目化", 6),
        ],
        id="quoted-lines-with-sub-sentences",
    ),
    pytest.param(
        # standalone heading lines; the headline, byline and date above the lead are not headings
        "某区:坚持党建引领 推动基层社会治理创新发展\n某市某区委组织部\n" + PROSE + "\n"
        "聚焦组织共建，打造“党建融合体”\n" + PROSE + "\n"
        "聚焦平台融通，织密“党群一张网”\n" + PROSE + "\n"
        "聚焦自治共治，建强“小区党支部”\n" + PROSE,
        [
            (1, "聚焦组织共建，打造“党建融合体”", None),
            (1, "聚焦平台融通，织密“党群一张网”", None),
            (1, "聚焦自治共治，建强“小区党支部”", None),
        ],
        id="standalone-lines",
    ),
    pytest.param(
        # arabic numbers nested under chinese numbers, with a final section on next steps
        PROSE + "\n一、强化组织引领,构建治理新体系\n"
        "1.建强组织体系,夯实治理根基。全面推行街道大工委、社区大党委。\n"
        "2.完善议事机制,激发自治活力。建立居民议事会。\n"
        "二、深化服务供给,打造幸福新家园\n"
        "1.推行“红色物业”,破解小区治理难题。引导物业企业建立党组织。\n"
        "2.做实网格服务,织密联系群众网络。\n"
        "三、下一步打算\n1.继续深化改革。进一步完善机制。",
        [
            (1, "强化组织引领,构建治理新体系", None),
            (2, "建强组织体系,夯实治理根基", 0),
            (2, "完善议事机制,激发自治活力", 0),
            (1, "深化服务供给,打造幸福新家园", None),
            (2, "推行“红色物业”,破解小区治理难题", 3),
            (2, "做实网格服务,织密联系群众网络", 3),
        ],
        id="arabic-under-chinese",
    ),
    pytest.param(
        # 1、 style alone, three levels deep: the third level is detail, not a practice of its own
        "1、建强组织体系。全面推行街道大工委、社区大党委,吸纳驻区单位负责人。\n"
        "（1）街道层面。成立大工委。\n（2）社区层面。成立大党委。\n"
        "①吸纳兼职委员。\n②建立联席会议。\n"
        "2、完善服务功能。建设党群服务中心,推行一站式服务。",
        [
            (1, "建强组织体系", None),
            (2, "街道层面", 0),
            (2, "社区层面", 0),
            (1, "完善服务功能", None),
        ],
        id="three-levels-capped-at-two",
    ),
    pytest.param(
        # one short sentence opening one paragraph is prose, not a one-item list
        PROSE + "\n社区治理亮点纷呈。某社区推行楼栋长制度,居民参与热情高涨,各项工作有序推进。\n" + PROSE,
        [],
        id="single-short-opening-is-prose",
    ),
    pytest.param(
        # a report pasted twice (before the clean stage catches it) gives each practice once
        (PROSE + "\n下好“一盘棋”,建立领导新机制。坚持四级联动,共同发力。\n聚到“一张桌”,构建党建新格局。坚持区域联合,整体提升。\n") * 2,
        [(1, "下好“一盘棋”,建立领导新机制", None), (1, "聚到“一张桌”,构建党建新格局", None)],
        id="repeated-article",
    ),
    pytest.param(
        # the article may open on its first heading (the title and byline are in the layout, not the body)
        "“一核”引领,画好共建共治共享“同心圆”\n" + PROSE + "\n“双联”聚力,构筑城市基层党建“共同体”\n" + PROSE,
        [(1, "“一核”引领,画好共建共治共享“同心圆”", None), (1, "“双联”聚力,构筑城市基层党建“共同体”", None)],
        id="article-opens-on-a-heading",
    ),
    pytest.param(
        # result statements opening paragraphs are effects, not practices
        PROSE + "\n群众满意度明显提升。2022年测评满意度达98%,较上年提高5个百分点。\n"
        "社区面貌焕然一新。小区环境整治后,居民纷纷点赞,邻里关系更加融洽。",
        [],
        id="result-statements",
    ),
    pytest.param(PROSE + "\n" + PROSE, [], id="no-headings"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_extract_mechanisms(body, expected):
    assert outline_of(body) == expected


@pytest.mark.parametrize(("body", "_expected"), CASES)
def test_spans_point_at_headings(body, _expected):
    found = extract_mechanisms(body)
    for i, m in enumerate(found):
        assert body[m.start : m.end] == m.heading
        assert m.end <= m.body_end <= len(body)
        if m.parent is not None:
            parent = found[m.parent]
            assert parent.start < m.start and m.body_end <= parent.body_end
        if i + 1 < len(found) and found[i + 1].level <= m.level:
            assert m.body_end < found[i + 1].start


def test_section_ends_before_next_heading_of_same_level():
    body = "一、甲方面,做好甲工作。甲的正文。\n一些正文\n二、乙方面,做好乙工作。乙的正文。"
    first, second = extract_mechanisms(body)
    assert body[first.body_end] == "\n" and body[first.body_end + 1 :].startswith("二、")
    assert second.body_end == len(body)


def test_skipped_section_ends_the_previous_practice():
    body = "一、甲方面,做好甲工作。甲的正文。\n二、主要成效\n成效的正文,包括很多数字和事例。"
    (first,) = extract_mechanisms(body)
    assert body[: first.body_end].endswith("甲的正文。")


@pytest.mark.parametrize(
    "body, roles, expected",
    [
        pytest.param(
            "某区推进小区党建，成效明显，居民满意度持续上升，形成了可复制的经验做法。\n"
            "小区建支部 组织覆盖到“末梢”\n在每个小区成立党支部，由社区党委统一领导，支部书记由楼栋长兼任。\n"
            "物业融党建 服务延伸到家门\n推动物业企业党组织与小区党支部联建共建，定期召开联席会议。",
            ["body", "h1", "body", "h1", "body"],
            [(1, "小区建支部 组织覆盖到“末梢”", None), (1, "物业融党建 服务延伸到家门", None)],
            id="space-separated news headings set as headings",
        ),
        pytest.param(
            "1 组织体系\n1.1 健全街道党工委\n街道党工委统筹辖区各类党组织，每季度召开一次会议。\n"
            "1.2 建强社区党委\n社区党委设立网格党支部，党员分片包干。",
            ["h1", "h2", "body", "h2", "body"],
            [(1, "组织体系", None), (2, "健全街道党工委", 0), (2, "建强社区党委", 0)],
            id="dotted numbering nests",
        ),
        pytest.param(
            "某街道推行三项机制。\n一是建立联席会议制度，每月研究一次辖区难题；二是推行党员责任区，"
            "党员就近认领服务岗位；三是完善考评办法。",
            ["body", "body"],
            [(1, "建立联席会议制度，每月研究一次辖区难题", None), (1, "推行党员责任区，党员就近认领服务岗位", None),
             (1, "完善考评办法", None)],
            id="an enumeration inside a paragraph",
        ),
        pytest.param(
            "某街道推行联席会议制度。\n一是我们觉得还不够深入。",
            ["body", "body"],
            [],
            id="one 一是 alone is no list",
        ),
        pytest.param(
            "热点新闻\n某社区开展志愿服务活动，居民踊跃参加，现场气氛热烈，活动持续了整整一个上午。",
            ["body", "body"],
            [],
            id="a short line the page does not set as a heading",
        ),
    ],
)
def test_mechanisms_from_line_roles(body, roles, expected):
    assert [(m.level, m.heading, m.parent) for m in extract_mechanisms(body, roles)] == expected


# Headings of real pages nobody tuned for: (body, roles or None, expected outline).
NARRATIVE = "西长安街街道紧挨核心区，早晚高峰堵车厉害。街道借助路口的智能相机实时分析人、车、路的数据，调整信号灯的配时。"
PAGE_CASES = [
    pytest.param(
        # sentences that open paragraphs of a feature story, each of its own shape: prose, not a series
        PROSE + "\n" + NARRATIVE + "\n遇到新问题，“吹哨报到”同样管用。胡同一下雨井口就堵、路面积水，街巷长吹哨后三天就修好了。\n"
        "最难啃的“最后100米”，这里下的绣花功夫最足。新近出台的意见把小区治理列为重点，配套了专项经费。",
        None, [], id="narrative lead-ins of different shapes are prose",
    ),
    pytest.param(
        # a lead-in before the headings the page sets must not take them under it
        "春风正劲好扬帆，路远更需快加鞭。五个社区全部建成后，街道在中心城区实现了社区全覆盖，居民办事更方便。\n"
        "党建引领 同心共建社区\n抓好党建引领，是做好各项工作的前提，五个社区各自开展主题党日活动。\n"
        "此前，在街道党工委的细致工作下，城区禁燃禁放和社区换届都顺利完成。今年街道推行党组织网格化。\n"
        "服务为先 做好居民“管家”\n服务管理是社区工作的根基，各社区工作人员挨户走访、逐一登记。",
        ["body", "h1", "body", "body", "h1", "body"],
        [(1, "党建引领 同心共建社区", None), (1, "服务为先 做好居民“管家”", None)],
        id="headings set by the page outrank stray lead-ins",
    ),
    pytest.param(
        # a news subheading run into its paragraph: two phrases set apart by a space, alone on a truncated page
        PROSE + "\n宣传“为基” 培育文明新风。街道用足网格化管理的长处，线上线下一起发力，把创建宣传铺得更开。",
        ["body", "body"], [(1, "宣传“为基” 培育文明新风", None)], id="a spaced couplet lead-in alone is a heading",
    ),
    pytest.param(
        # quotations that title the parts of a feature story are someone's words
        PROSE + "\n“社区办得好，书记才选得上代表”\n" + PROSE + "\n“来到这里，是躲不开的缘分”\n" + PROSE,
        ["body", "h1", "body", "h1", "body"], [], id="quotation headings are not practices",
    ),
    pytest.param(
        # an image's file name, a marked caption and a picture label the model set as headings
        PROSE + "\n640 (1).jpg\n“同心矩阵”凝聚统战合力\n" + PROSE + "\n△花园议事亭一角\n" + PROSE + "\n资料照片\n" + PROSE,
        ["body", "h1", "h2", "body", "h1", "body", "h1", "body"],
        [(1, "“同心矩阵”凝聚统战合力", None)], id="file names and captions are not headings",
    ),
    pytest.param(
        # a photo's caption the model set as a heading, above a subheading that ends on someone's words
        PROSE + "\n文化体育管家服务队负责人王某某给居民示范气功动作\n创城复检获点赞 “居民的笑容藏不住”\n" + PROSE,
        ["body", "h1", "h2", "body"], [], id="a long unbroken caption and a quoted sentence are not practices",
    ),
    pytest.param(
        # a headline the model set as a heading: a place, a colon and what it did
        PROSE + "\n某市：“美好社区 先锋行动”为超大城市基层治理蹚出新路\n" + PROSE, ["body", "h1", "body"], [],
        id="a labelled headline is not a practice",
    ),
    pytest.param(
        PROSE + "\n靠制度创新“疏通经络”\n" + PROSE, ["body", "h1", "body"], [(1, "靠制度创新“疏通经络”", None)],
        id="a quoted name closing a heading is still a practice",
    ),
    pytest.param(
        PROSE + "\n• 研发项目协同管理系统\n" + PROSE, ["body", "h1", "body"], [], id="a bulleted entry is not a heading",
    ),
    pytest.param(
        # a document preview that lost its line breaks: the section numbers run into the text
        "某县以党建为引领建立联盟。一、主要做法(一)促治理资源由分散走向集聚,从“各自为战”转为“抱团作战”。"
        "树牢融合意识,搭建三级治理架构。(二)促服务质效由低向高提升,从“管理者”转为“服务者”。实行群众点单。",
        ["body"],
        [(1, "促治理资源由分散走向集聚,从“各自为战”转为“抱团作战”", None),
         (1, "促服务质效由低向高提升,从“管理者”转为“服务者”", None)],
        id="section numbers run into one paragraph",
    ),
    pytest.param(
        "某街道推行联席会议制度，详见附件（一）的说明。其余事项另行通知，由社区党委统一组织落实。",
        ["body"], [], id="one bracketed number in prose is no section",
    ),
]


@pytest.mark.parametrize(("body", "roles", "expected"), PAGE_CASES)
def test_mechanisms_of_real_page_shapes(body, roles, expected):
    assert [(m.level, m.heading, m.parent) for m in extract_mechanisms(body, roles)] == expected


@pytest.mark.parametrize(
    ("a", "b", "same_series"),
    [
        ("下好“一盘棋”,建立城市基层党建领导新机制", "聚到“一张桌”,构建城市区域化党建工作新格局", True),
        ("聚焦组织共建,打造“党建融合体”", "聚焦平台融通,织密“党群一张网”", True),  # the same opening word
        ("城里人的日子离不开小区", "小区党支部要建起来，先得有个活动的地方", False),
        ("这样的动员能力，根子在制度创新", "最难啃的“最后100米”，这里下的绣花功夫最足", False),
    ],
)
def test_parallel(a, b, same_series):
    assert parallel(a, b) is same_series
