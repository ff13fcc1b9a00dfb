"""clean: page chrome, meta lines, captions, headline and a repeated article.

Snippets are real page furniture from several kinds of site (people.com.cn, xinhuanet,
local party-building sites, WeChat reposts, paper archives), already normalised (simplified,
Chinese full-width punctuation), as clean receives them.
"""

from pathlib import Path

import pytest

from ingest import clean as c
from ingest import decode, normalise, repair

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

LEAD = "近年来，某市坚持以党建引领基层治理，深入推进城市基层党建工作，取得了明显成效，群众获得感不断增强。"
BODY = "全市共建立网格党支部七百余个，楼栋党小组两千二百余个，把党组织建在网格上，实现了党的组织和工作全覆盖。"


@pytest.mark.parametrize(
    "line, kind",
    [
        # breadcrumbs
        ("中国共产党新闻网>>党建>>“全国城市基层党建创新案例”征集评选活动", "breadcrumb"),
        ("首页 > 党建 >", "breadcrumb"),
        ("首页 > 新闻中心", "breadcrumb"),
        ("当前位置：首页 > 工作动态 > 基层党建", "breadcrumb"),
        ("您现在的位置：网站首页", "breadcrumb"),
        ("党建 » 理论研究", "breadcrumb"),
        ("新华网 > 时政 > 正文", "breadcrumb"),
        # page headers of article boxes
        ("论文部分内容阅读", "page-header"),
        ("阅读全文", "page-header"),
        ("正文", "page-header"),
        ("展开全文", "page-header"),
        ("中图分类号：D267", "page-header"),
        ("文献标识码：A", "page-header"),
        # font size, print, share and QR-code lines
        ("【纠错】", "tools"),
        ("无障碍 长者助手 我的收藏 收藏", "tools"),  # a government site's accessibility bar
        ("【字号 大 中 小】", "tools"),
        ("【字号：大 中 小】【打印】【关闭】", "tools"),
        ("打印", "tools"),
        ("分享到：", "tools"),
        ("分享到：微信 微博 QQ空间", "tools"),
        ("微信“扫一扫”添加“学习大国”", "tools"),
        ("扫一扫在手机打开当前页", "tools"),
        ("长按识别二维码关注我们", "tools"),
        ("点击上方蓝字关注我们", "tools"),
        ("【打印本页】 【关闭窗口】", "tools"),
        # copyright and disclaimer notices, site footers
        ("版权声明：本文内容由互联网用户自发贡献，该文观点仅代表作者本人。", "copyright"),
        ("免责声明：本文仅限学习分享，如产生版权问题，请联系我们及时删除。", "copyright"),
        ("本文仅限学习分享，如有侵权请联系删除", "copyright"),
        ("未经授权不得转载", "copyright"),
        ("Copyright © 2018 人民网版权所有", "copyright"),
        ("京ICP证000000号", "copyright"),
        # an aggregator's source note: not a publisher
        ("来源：网络整理", "aggregator-note"),
        ("来源：网络整理 免责声明：本文仅限学习分享，如产生版权问题，请联系我们及时删除。", "aggregator-note"),
        ("来源：互联网", "aggregator-note"),
        # editor credits
        ("（责编：孙挺、王晴垣）", "editor"),
        ("(责编:宋晨、乔业琼)", "editor"),
        ("责任编辑：张三", "editor"),
        ("编辑：李四 审核：王五", "editor"),
        ("【责任编辑：赵六】", "editor"),
        ("【纠错】 【责任编辑：王五 】", "editor"),  # a bar of bracketed chrome items
        # an editor's note framing a repost
        ("编者按：为深入学习贯彻会议精神，现刊发某区的经验做法，供学习交流。", "editor-note"),
        # previous / next links, with their dates
        ("上一篇 2023年1月29日 上午11:58", "prev-next"),
        ("下一篇：某区召开组织工作会议", "prev-next"),
        ("【上一篇】关于开展主题党日活动的通知", "prev-next"),
        # counters
        ("（0）", "counter"),
        ("(0)", "counter"),
        ("47", "counter"),
        ("阅读：1234", "counter"),
        ("浏览次数：56次", "counter"),
        ("1024 阅读", "counter"),
        # no Chinese at all
        ("http://www.example.com/a/1.html", "no-text"),
        ("———", "no-text"),
    ],
)
def test_chrome_kind(line, kind):
    assert c.chrome_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        LEAD,
        "“一核”引领，画好共建共治共享“同心圆”",
        "一、背景",
        "（一）坚持提升组织力，凝聚党建引领社会治理创新的力量。",
        "2020年6月15日，某市召开城市基层党建工作推进会",
        "打造“党建+社区”服务品牌，推动资源下沉",  # a + in a slogan is not a breadcrumb
        "他说：“版权意识要从小培养。”社区开展知识产权宣传活动二十余场，覆盖居民三千余人次，效果良好。",
    ],
)
def test_body_lines_are_not_chrome(line):
    assert c.chrome_kind(line) is None


@pytest.mark.parametrize(
    "line, kind",
    [
        ("2020年09月09日22:34", "dateline"),
        ("2018年10月30日15:43 来源：人民网-中国共产党新闻网", "dateline"),
        ("2021-03-05 10:21:33 来源：新华网", "dateline"),
        ("2019/6/1", "dateline"),
        ("2020年09月09日 【字号 大 中 小】", "dateline"),
        ("发布时间：2020-09-09 来源：某市委组织部", "dateline"),
        ("来源：人民网-中国共产党新闻网", "source"),
        ("来源: 大连日报", "source"),
        ("文章来源：某市党建网", "source"),
        ("作者：许晓楠", "author"),
        ("文/张三", "author"),
        ("（作者单位：某市委组织部）", "author-unit"),
        ("(作者系某区委常委、组织部部长)", "author-unit"),
        ("（当地供稿 郭亚军 杨东旗）", "byline"),
        ("（通讯员 王某 记者 李某）", "byline"),
        ("大连新闻传媒集团记者许晓楠", "reporter"),
        ("本报记者 张三 通讯员 李四", "reporter"),
        ("新华社记者 王小明", "reporter"),
        ("原创 某某 某市组工 2023-01-01 10:00 发表于辽宁", "dateline"),
        ("关键词：城市基层党建；网格化管理", "field"),
    ],
)
def test_meta_kind(line, kind):
    assert c.meta_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "2020年6月15日，某市召开城市基层党建工作推进会",  # a caption's date, not a dateline
        "2016年底以来，全区涉军群体上访率由之前的40%左右下降为0。",
        "记者从市委组织部获悉，全市已建成党群服务中心一百余个。",
        LEAD,
        "来源：网络整理",
    ],
)
def test_not_meta(line):
    assert c.meta_kind(line) is None


@pytest.mark.parametrize(
    "line, heading",
    [
        ("“一核”引领，画好共建共治共享“同心圆”", True),
        ("“四化”驱动，下活基层治理“一盘棋”", True),
        ("聚焦组织共建，打造“党建融合体”", True),
        ("一、背景", True),
        ("二、x区党建引领基层创新治理工作主要做法", True),
        ("（三）坚持提升战斗力", True),
        ("3.完善基础保障机制", True),
        ("1.1 健全街道党工委", True),  # numbering from the one table (ingest.vocabulary.NUMBERING)
        ("第一，坚持党建引领", True),
        ("聚焦平台融通", True),
        ("坚持党建引领推动基层社会治理创新发展", True),
        # photo captions
        ("2020年6月15日，某市召开城市基层党建工作推进会", False),
        ("某市某区某社区与包抓单位、驻区单位开展“党建描绘同心圆、互联互动展风采”主题党日活动", False),
        ("某市高新区某社区志愿者贴心照顾瘫痪在床、儿女不在身边的老人", False),
        # a sentence is not a heading
        (LEAD, False),
    ],
)
def test_is_heading(line, heading):
    assert c.is_heading(line) is heading


@pytest.mark.parametrize(
    "line, caption",
    [
        ("2020年6月15日，某市召开城市基层党建工作推进会", True),
        ("某市高新区某社区志愿者贴心照顾瘫痪在床、儿女不在身边的老人", True),
        ("图为社区党员志愿者入户走访", True),
        ("社区党群服务中心一角（张三 摄）", True),
        ("▲ 党员志愿者在社区开展服务", True),
        ("△花园议事亭一角", True),
        ("资料照片", True),  # a picture's label standing where its caption would
        ("资料图", True),
        ("“一核”引领，画好共建共治共享“同心圆”", False),
        ("一、背景", False),
        (LEAD, False),
        ("主要是三个方面：", False),
    ],
)
def test_is_caption(line, caption):
    assert c.is_caption(line) is caption


def lines(*parts: str) -> str:
    return "\n".join(parts)


HEADLINE_PAGE = [
    ("chrome", "首页 > 党建 > 正文"),
    ("title", "某市：深化“一核双联”模式 推动城市基层党建提质增效"),
    ("byline", "某省某市某区委组织部"),
    ("meta", "2020年09月09日22:34 来源：人民网-中国共产党新闻网"),
    ("chrome", "【字号 大 中 小】"),
    ("body", LEAD),
    ("h1", "一、主要做法"),
    ("body", BODY),
    ("footer", "（责编：张三、李四）"),
    ("footer", "分享到："),
]


def test_headline_meta_and_body():
    # The Layout built from the lines' roles (the model's labelling of pages is tested in test_roles.py).
    layout, changes = c.layout_from_roles([t for _, t in HEADLINE_PAGE], [r for r, _ in HEADLINE_PAGE])
    assert layout.title == "某市：深化“一核双联”模式 推动城市基层党建提质增效"
    assert layout.meta_lines == ["某省某市某区委组织部", "2020年09月09日22:34 来源：人民网-中国共产党新闻网"]
    assert layout.bylines == ["某省某市某区委组织部"]
    assert layout.paragraphs == [LEAD, "一、主要做法", BODY]
    assert layout.paragraph_roles == ["body", "h1", "body"]
    assert layout.dropped == ["首页 > 党建 > 正文", "【字号 大 中 小】", "（责编：张三、李四）", "分享到："]
    kinds = {ch.kind: ch.count for ch in changes}
    assert kinds == {"breadcrumb": 1, "meta": 2, "tools": 2, "editor": 1}
    assert all(ch.stage == "clean" for ch in changes)


def test_continued_lines_are_joined_and_the_subtitle_kept():
    roles, lines_ = zip(*[
        ("title", "某市深化“一核双联”模式"),
        ("title+", "推动城市基层党建提质增效"),
        ("subtitle", "——某市城市基层党建调查"),
        ("byline", "记者 张三 通讯员 李四"),
        ("h1", "一、坚持党建引领"),
        ("h1+", "夯实基层治理根基"),
        ("body", LEAD),
        ("item", "一是" + BODY),
        ("caption", "社区党群服务中心一角（张三 摄）"),
        ("title", "某市深化“一核双联”模式推动城市基层党建提质增效"),
    ], strict=True)
    layout, _ = c.layout_from_roles(list(lines_), list(roles))
    assert layout.title == "某市深化“一核双联”模式推动城市基层党建提质增效"
    assert layout.subtitle == "——某市城市基层党建调查"
    assert layout.bylines == layout.meta_lines == ["记者 张三 通讯员 李四"]
    assert layout.paragraphs == ["一、坚持党建引领夯实基层治理根基", LEAD, "一是" + BODY]
    assert layout.paragraph_roles == ["h1", "body", "item"]
    assert layout.captions == ["社区党群服务中心一角（张三 摄）"]
    assert layout.dropped == ["某市深化“一核双联”模式推动城市基层党建提质增效"]  # the headline printed again


def test_a_trailing_author_unit_is_metadata_whatever_the_model_says():
    layout, _ = c.layout_from_roles([LEAD, BODY, "（作者单位：某市委组织部）"], ["body", "body", "footer"])
    assert layout.meta_lines == layout.bylines == ["（作者单位：某市委组织部）"]


def test_no_headline_when_the_first_line_is_a_paragraph():
    layout, _ = c.clean(lines("论文部分内容阅读", LEAD, BODY))
    assert layout.title is None
    assert layout.paragraphs == [LEAD, BODY]
    assert layout.dropped == ["论文部分内容阅读"]


def test_a_numbered_heading_is_not_a_headline():
    layout, _ = c.clean(lines("一、基本情况", LEAD))
    assert layout.title is None
    assert layout.paragraphs == ["一、基本情况", LEAD]


@pytest.mark.parametrize(
    "first, lead",
    [
        ("新华社某市3月5日电（记者 张三、李四）" + LEAD, "新华社某市3月5日电（记者 张三、李四）"),
        ("本报讯（记者 王五）" + LEAD, "本报讯（记者 王五）"),
        ("人民网某市9月9日电 " + LEAD, "人民网某市9月9日电"),
    ],
)
def test_wire_dateline_leaves_the_first_paragraph(first, lead):
    layout, _ = c.clean(lines("某市：“红色物业”让老旧小区焕发新生", first))
    assert layout.meta_lines == [lead]
    assert layout.paragraphs == [LEAD]


def test_bracketed_body_text_is_not_a_chrome_bar():
    layout, _ = c.clean(lines(LEAD, "【案例】【经验】" + LEAD))
    assert len(layout.paragraphs) == 2


def test_inline_byline_and_credit_leave_the_last_paragraph():
    # given the roles: what is tested is the rule inside a line, not the model's labelling of a toy page
    page = [LEAD, BODY + "（当地供稿 郭某 杨某）", "（责编：孙某、王某）"]
    layout, changes = c.layout_from_roles(page, ["body", "body", "footer"])
    assert layout.paragraphs == [LEAD, BODY]
    assert layout.meta_lines == ["（当地供稿 郭某 杨某）"]
    assert layout.dropped == ["（责编：孙某、王某）"]
    inline, _ = c.layout_from_roles([LEAD, BODY + "（责编：孙某）"], ["body", "body"])
    assert inline.paragraphs == [LEAD, BODY] and inline.dropped == ["（责编：孙某）"]


def test_brackets_that_are_body_stay():
    text = "全市共建立网格党支部七百余个，楼栋党小组两千余个。（其中城市社区7个，农村社区3个）"
    layout, _ = c.clean(lines(LEAD, text))
    assert layout.paragraphs == [LEAD, text]


def test_captions_are_kept_apart():
    caption = "某市某区某社区志愿者贴心照顾瘫痪在床、儿女不在身边的老人"
    layout, changes = c.clean(lines("“一核”引领，画好共建共治共享“同心圆”", LEAD, caption, BODY))
    assert layout.captions == [caption]
    assert caption not in layout.body
    assert "“一核”引领，画好共建共治共享“同心圆”" in layout.paragraphs + [layout.title]
    assert {ch.kind: ch.count for ch in changes}["caption"] == 1


def test_trailing_related_list_goes_with_everything_after_it():
    layout, changes = c.clean(
        lines(
            LEAD,
            BODY,
            "作者：某某",
            "来源：某某日报",
            "(0)",
            "上一篇 2023年1月29日 上午11:58",
            "下一篇 2023年1月29日 下午12:08",
            "相关推荐",
            "• 科研项目评审系统 科研项目评审会",
            "科研项目评审系统：提高效率的利器 科研项目评审系统是促进科研进展的重要手段之一。它通过对评审过程进行自动化，可以提高…",
            "某某百科 2024年7月31日",
            "47",
            "• 图书项目管理",
            "图书项目管理是一个非常重要的领域，涉及到图书的策划、编辑、出版、发行和销售等各个环节。作为一个专业人士…",
            "某某百科 2024年8月14日",
            "39",
        )
    )
    assert layout.paragraphs == [LEAD, BODY]
    assert layout.meta_lines == ["作者：某某", "来源：某某日报"]
    kinds = {ch.kind: ch.count for ch in changes}
    assert kinds["related-list"] == 9
    assert kinds["prev-next"] == 2 and kinds["counter"] == 1
    assert not any("2023" in m or "2024" in m for m in layout.meta_lines)


def test_related_list_in_the_middle_drops_only_its_items():
    layout, _ = c.clean(lines(LEAD, "相关阅读：", "某区召开党建工作会议", "某街道开展主题党日活动", BODY))
    assert layout.paragraphs == [LEAD, BODY]
    assert layout.dropped == ["相关阅读：", "某区召开党建工作会议", "某街道开展主题党日活动"]


def test_repeated_article_is_kept_once():
    heads = ["下好“一盘棋”，建立新机制。" + BODY, "聚到“一张桌”，构建新格局。" + BODY, "织密“一张网”，提升新成效。" + BODY]
    unit = "（作者单位：某市委组织部）"
    layout, changes = c.clean(lines(LEAD, *heads, unit, *heads, unit))
    assert layout.paragraphs == [LEAD, *heads]
    assert layout.meta_lines == [unit]
    assert {ch.kind: ch.count for ch in changes}["repeated"] == 3


def test_nearly_repeated_copy_is_dropped_too():
    first = [LEAD, "一、主要做法", BODY]
    second = [LEAD.replace("明显成效", "显著成效"), "一、主要做法", BODY]
    layout, _ = c.clean(lines(*first, *second))
    assert layout.paragraphs == first


def test_a_heading_that_recurs_is_not_a_repeat():
    layout, _ = c.clean(lines("一、基本情况", LEAD, "一、基本情况", BODY))
    assert layout.paragraphs == ["一、基本情况", LEAD, "一、基本情况", BODY]


@pytest.mark.parametrize(
    "text, ok",
    [
        (lines("首页 > 党建", "【字号 大 中 小】", "分享到：", "版权所有 © 2020"), False),
        ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", False),
        (lines("某市召开党建工作会议", "2020年1月1日"), False),
        (lines("某市党建工作经验", LEAD, BODY), True),
        (lines("某市党建工作经验", LEAD), False),  # one sentence of 42 characters is not an article
        ("", False),
    ],
)
def test_has_article(text, ok):
    layout, _ = c.clean(text)
    assert c.has_article(layout) is ok


def seed_layout(prefix: str):
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    decoded = decode.decode(path.read_bytes(), path.name)
    text, _ = repair.repair(decoded.text)
    text, _ = normalise.normalise(text)
    return c.clean(text)


def test_seed_000_page_header_and_second_copy():
    layout, changes = seed_layout("000")
    assert layout.title is None
    assert layout.dropped[0] == "论文部分内容阅读"
    assert layout.paragraphs[0].startswith("锦州市牢固树立")
    assert len(layout.paragraphs) == 6
    assert sum(p.startswith("下好“一盘棋”") for p in layout.paragraphs) == 1
    assert layout.meta_lines == ["（作者单位：锦州市委组织部）"]


def test_seed_001_captions_byline_and_credit():
    layout, _ = seed_layout("001")
    assert layout.title.startswith("陕西省宝鸡市：深化“一核双联四化”模式")
    assert layout.meta_lines == ["2020年09月09日22:34", "（当地供稿 郭亚军 杨东旗）"]
    assert len(layout.captions) == 3
    assert layout.captions[0].startswith("2020年6月15日")
    assert "“一核”引领，画好共建共治共享“同心圆”" in layout.paragraphs
    assert "“四化”驱动，下活基层治理“一盘棋”" in layout.paragraphs
    assert not any("责编" in p or "供稿" in p for p in layout.paragraphs)
    assert layout.dropped == ["（责编：孙挺、王晴垣）"]


def test_seed_002_has_no_headline_and_keeps_its_sections():
    layout, _ = seed_layout("002")
    assert layout.title is None
    assert c.has_article(layout)
    assert not layout.captions
    assert sum(p.startswith(("一、", "二、", "三、", "四、")) for p in layout.paragraphs) == 4


def test_seed_003_breadcrumb_author_unit_and_share_lines():
    layout, _ = seed_layout("003")
    assert layout.title == "贵州贵阳市观山湖区：坚持党建引领 推动基层社会治理创新发展"
    assert layout.meta_lines == ["贵州省贵阳市观山湖区委组织部", "2018年10月30日15:43 来源：人民网-中国共产党新闻网"]
    assert layout.paragraphs[0] == "一、背景"
    assert not any("扫一扫" in p or ">>" in p or "责编" in p for p in layout.paragraphs)
    assert len(layout.dropped) == 6


def test_seed_004_tail_is_all_chrome():
    layout, _ = seed_layout("004")
    assert layout.title.startswith("中山区创新“融合党建”模式")
    assert layout.meta_lines == ["大连新闻传媒集团记者许晓楠", "作者：许晓楠", "来源：大连日报"]
    assert layout.paragraphs[-1].startswith("中山区总结推广")
    body = layout.body
    for chrome in ("版权声明", "上一篇", "相关推荐", "科研百科", "2023年", "2024年"):
        assert chrome not in body


@pytest.mark.parametrize("text, count", [("", 0), ("abc 123", 0), ("党建abc，引领", 4), ("〇一二三", 3), ("㐀丽", 2)])
def test_cjk_count(text, count):
    assert c.cjk_count(text) == count
