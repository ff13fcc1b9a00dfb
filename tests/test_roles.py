"""roles: the features of a line, the shipped model on a small page, and training that repeats itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ingest import roles, vocabulary

ROOT = Path(__file__).resolve().parent.parent
LEAD = "近年来，某市坚持以党建引领基层治理，深入推进城市基层党建工作，取得了明显成效，群众获得感不断增强。"
BODY = "全市共建立网格党支部七百余个，楼栋党小组两千二百余个，把党组织建在网格上，实现了党的组织和工作全覆盖。"


@pytest.mark.parametrize(
    "line, style",
    [
        ("一、背景", "cn"),
        ("二、主要做法", "cn"),
        ("（一）坚持提升组织力", "cn_paren"),
        ("(三)强化保障", "cn_paren"),
        ("1.完善基础保障机制", "arabic"),
        ("（2）建立议事制度", "arabic_paren"),
        ("2)建立议事制度", "arabic_paren"),
        ("1.1 研究背景", "dotted2"),
        ("2.1.1 样本选择", "dotted3"),
        ("一是加强组织领导", "enumeration"),
        ("第一，坚持党建引领", "ordinal"),
        ("第二部分 主要做法", "ordinal"),
        ("①健全组织体系", "circled"),
        ("• 相关新闻标题", "bullet"),
        ("- 社区党建工作报告", "bullet"),
        ("——记某社区迁入新址", ""),  # a kicker's dash, not a bullet
        ("3.9万名在职党员到社区报到", ""),  # a figure, not a section number
        ("3.5个百分点的提升", ""),
        ("第一书记张三走进小区", ""),  # 第一书记 is a title of office, not an ordinal
        ("2020年6月15日，某市召开推进会", ""),
        (LEAD, ""),
    ],
)
def test_numbering_style(line, style):
    """One numbering table (ingest.vocabulary) for the line features, the headings and clean."""
    assert vocabulary.numbering(line) == style


@pytest.mark.parametrize(
    "line, present, absent",
    [
        ("来源：人民网", {"meta=source", "cue-lead=来源", "colon-early"}, {"closes", "chrome=tools"}),
        ("【字号 大 中 小】", {"chrome=tools", "bracketed"}, {"meta=source"}),
        ("（责编：张三、李四）", {"chrome=editor", "bracketed", "cue-lead=责编"}, set()),
        ("http://www.example.com/a/1.html", {"url", "chrome=no-text", "cjk=0"}, {"date"}),
        ("2020年09月09日22:34", {"meta=dateline", "date-lead"}, {"url"}),
        ("（作者单位：某市委组织部）", {"meta=author-unit", "bracketed", "org-name"}, set()),
        ("大连新闻传媒集团记者许晓楠", {"meta=reporter", "cue=记者"}, {"closes"}),
        ("主要是三个方面：", {"colon-end", "closes"}, {"stops=1"}),
        (LEAD, {"closes", "stops=1", "commas=3", "len=5", "first=cjk", "last=stop"}, {"heading", "caption"}),
        ("“一核”引领，画好共建共治共享“同心圆”", {"heading", "first=quote", "commas=1"}, {"closes", "caption"}),
        ("社区党群服务中心一角（张三 摄）", {"caption", "caption-signal"}, {"closes"}),
        ("相关阅读", {"related-head"}, set()),
        ("新华社北京3月5日电（记者 张三）" + LEAD, {"news-lead"}, set()),
        ("某市：深化改革 推动党建提质增效", {"headline", "spaces=1", "colon-early"}, {"closes"}),
        ("——基于某市的调查分析", {"kicker"}, set()),
        ("上一篇 2023年1月29日 上午11:58", {"chrome=prev-next", "date"}, set()),
        ("科研项目评审系统是促进科研进展的重要手段之一…", {"ellipsis-end"}, set()),
        ("免费在线视频_高清影视大全_最新电影电视剧_综艺动漫", {"seo"}, {"title-label"}),
        ("640 (1).jpg", {"image-file", "chrome=no-text"}, {"closes"}),
        ("题：从“无人过问”到“有人来办”", {"title-label"}, {"label-colon"}),
        ("讲述人：某社区党委书记", {"label-colon"}, {"title-label"}),
        ("新华社北京12月10日电", {"dateline-alone"}, set()),
        ("新华社北京12月10日电 近年来，某市推进改革。", set(), {"dateline-alone"}),
        ("初心不改 奋力向前", {"spaced-phrases"}, {"quotation"}),
        ("“社区办得好，书记才选得上代表”", {"quotation"}, {"spaced-phrases"}),
        ("“一核”引领，画好共建共治共享“同心圆”", set(), {"quotation"}),
    ],
)
def test_line_features(line, present, absent):
    feats = set(roles.line_features(line))
    assert present <= feats, sorted(present - feats)
    assert not absent & feats, sorted(absent & feats)


def test_page_features_carry_position_neighbours_and_repeats():
    page = ["首页 > 党建", "某市：深化改革 推动党建提质增效", LEAD, "一、主要做法", BODY, "（一）建强组织", LEAD]
    rows = roles.page_features(page)
    assert len(rows) == len(page)
    assert {"pos=0", "-1|edge", "-2|edge", "zone=head", "1|headline"} <= set(rows[0])
    assert "first-headline" in rows[1] and "zone=first" in rows[2]
    assert "num-rank=0" in rows[3] and "num-rank=1" in rows[5]  # the first numbering style seen is the top level
    assert "repeat" in rows[6] and "repeat" not in rows[2]
    assert "-1|num=cn" in rows[4] and "2|num=cn_paren" in rows[3]


def test_no_feature_carries_the_words_of_a_line():
    # Only the generic cue words may appear inside a feature: never a place, outlet or person.
    page = ["大连新闻传媒集团记者许晓楠", "来源：大连日报", "锦州市牢固树立“全域党建”理念，深入实施“五个一”工程，取得了明显成效。"]
    for row in roles.page_features(page):
        for feat in row:
            value = feat.rpartition("=")[2]
            assert not any(word in value for word in ("大连", "锦州", "许晓楠")), feat


def test_continuations_only_follow_their_role():
    assert roles.consistent(["title", "title+", "h1+", "body", "h2", "h2+"]) == [
        "title", "title+", "h1", "body", "h2", "h2+",
    ]


def test_the_shipped_model_labels_a_small_page():
    page = [
        "首页 > 党建 > 正文",
        "某市：深化“一核双联”模式 推动城市基层党建提质增效",
        "2020年09月09日22:34 来源：人民网-中国共产党新闻网",
        LEAD,
        "一、主要做法",
        BODY,
        "二、取得成效",
        BODY.replace("七百", "八百"),
        "（责编：张三、李四）",
    ]
    got = roles.tagger().tag(page)
    dropped = {"chrome", "footer"}
    assert got[0] in dropped and got[-1] in dropped
    assert got[1:8] == ["title", "meta", "body", "h1", "body", "h1", "body"]


def test_a_path_opens_once():
    assert roles.tagger(roles.MODEL_PATH) is roles.tagger(None) is roles.tagger(str(roles.MODEL_PATH))
    tagger = roles.tagger()
    assert roles.tagger(tagger) is tagger


def test_training_is_deterministic(tmp_path):
    pages = roles.labelled_pages(corpus=None, seeds=ROOT / "seeds")
    assert len(pages) == 5
    first = roles.RoleTagger(roles.train(pages, tmp_path / "a.crfsuite"))
    second = roles.RoleTagger(roles.train(pages, tmp_path / "b.crfsuite"))
    for page in pages:
        assert first.tag(page.lines) == second.tag(page.lines)
    assert (tmp_path / "a.crfsuite").read_bytes() == (tmp_path / "b.crfsuite").read_bytes()


def test_seed_roles_line_up_with_their_pages():
    for page in sorted((ROOT / "seeds").glob("*.txt")):
        rows = [row.split("\t") for row in page.with_suffix(".roles").read_text(encoding="utf-8").splitlines()]
        lines = [line.strip() for line in page.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(rows) == len(lines), page.name
        for (role, anchor), line in zip(rows, lines, strict=True):
            assert role.removesuffix("+") in roles.ROLES
            assert line.startswith(anchor.strip()) and anchor.strip()


def test_ingest_ignores_role_files():
    from cases.loading import REPORT_SUFFIXES

    assert ".roles" not in REPORT_SUFFIXES and ".json" not in REPORT_SUFFIXES


def test_train_command_runs(tmp_path):
    out = tmp_path / "m.crfsuite"
    done = subprocess.run(
        [sys.executable, "-m", "ingest.roles", "train", "--corpus", str(tmp_path / "none"), "--seeds",
         str(ROOT / "seeds"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0 and "on 5 pages" in done.stdout
    assert roles.RoleTagger(out).tag(["一、背景", LEAD])


# Roles a line's form rules out, whatever the model's likeliest labelling: (page, line index, roles it never gets).
FORBIDDEN_CASES = [
    pytest.param(
        ["免费高清影视大全_最新电影在线看_热门剧集不卡播放", "某社区：党建引领 小区治理见实效", "2020-06-30 18:26:06 来源：新华网", LEAD, BODY],
        0, {"title", "subtitle", "h1", "h2", "h3"}, id="a search-engine keyword line is never the headline",
    ),
    pytest.param(
        ["首页 > 新闻中心", "初心不改 奋力向前", "——某街道某社区迁入新址记", "作者：某街道 发布时间：2018-01-02", LEAD, BODY],
        2, {"title"}, id="a kicker is never the headline",
    ),
    pytest.param(
        [LEAD, "640 (1).jpg", "“同心矩阵”凝聚统战合力", BODY], 1, {"title", "h1", "h2", "h3", "caption"},
        id="an image's file name is never a heading",
    ),
    pytest.param(
        [LEAD, "△花园议事亭一角", BODY, "资料照片", BODY], 1, {"h1", "h2", "h3"}, id="a marked caption is never a heading",
    ),
    pytest.param(
        ["一、基本情况", LEAD, "二、主要做法", BODY], 0, {"chrome"}, id="a section number is never navigation",
    ),
    pytest.param(
        [LEAD, BODY, "来源：网络整理 免责声明：本文仅限学习分享，如产生版权问题，请联系我们及时删除。"], 2,
        {"body", "title", "h1", "h2", "h3"}, id="a mirror's note is never the report",
    ),
]


FORBIDDEN_CASES += [
    pytest.param(
        ["新华社北京12月10日电", "题：从“无人过问”到“有人来办”——某市改革纪实", "新华社记者张某、李某", LEAD, BODY], 1,
        set(roles.ROLES) - {"title", "subtitle"}, id="题： names the headline",
    ),
    pytest.param(
        ["新华社北京12月10日电", "题：从“无人过问”到“有人来办”——某市改革纪实", "新华社记者张某、李某", LEAD, BODY], 2,
        {"title", "h1", "h2", "h3"}, id="a reporter line is never the headline",
    ),
    pytest.param(
        ["- 社区党建工作高质量发展报告", "- 2024-12-23 17:53:27", "疫情下社区党建软硬件设施比较研究", LEAD, BODY], 0,
        {"title"}, id="a bulleted entry is never the headline",
    ),
]


@pytest.mark.parametrize(("page", "index", "never"), FORBIDDEN_CASES)
def test_a_lines_form_rules_out_roles(page, index, never):
    got = roles.tagger().tag(page)
    assert got[index].removesuffix("+") not in never, got


def test_a_page_without_a_likeliest_headline_takes_the_line_that_reads_like_one():
    page = ["首页 > 新闻中心 >> 镇街动态", "初心不改 奋力向前", "——某街道某社区迁入新址记", "作者：某街道 来源：某街道 发布时间：2018-01-02",
            LEAD, BODY]
    got = roles.tagger().tag(page)
    assert got.count("title") == 1 and got[1] == "title", got


def test_no_headline_is_made_up_from_a_section_number():
    got = roles.tagger().tag(["一、基本情况", LEAD, "一、基本情况", BODY])
    assert "title" not in got, got


def test_a_page_keeps_one_headline_the_one_nearest_the_article():
    page = ["某某街道办事处政府信息公开", "索引号：11440785007078812F/2021-00004", "发布机构：某某街道办事处",
            "西门社区居民齐动手 美好家园“益”起建", "发布日期：2021-01-05", LEAD, BODY]
    got = roles.tagger().tag(page)
    assert got[3] == "title" and "title" not in got[:3], got  # a site's name sits higher up


def test_a_lines_remembered_features_are_its_features():
    line = "一、建强组织体系，夯实基层基础"
    assert roles._remembered_features(line) == tuple(roles.line_features(line))
    assert roles._remembered_features(line) is roles._remembered_features(line)
