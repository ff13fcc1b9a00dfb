"""decode: bytes → text, judged from the bytes; saved pages → their article; junk → ReportRejected."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ingest.decode import decode, html_to_text
from ingest.report import ReportRejected

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

SIMPLIFIED = "贵州贵阳市观山湖区：坚持党建引领，推动基层社会治理创新发展，下好“一盘棋”。\n2018年10月30日"
TRADITIONAL = "陝西省寶雞市：深化“一核雙聯四化”模式，推動城市基層黨建提質增效。\n寶雞地處關中平原西部。"
SHORT = "坚持党建引领推动基层治理"  # no ASCII at all: UTF-16 without BOM leaves no NULs to see
SHORT_TRAD = "堅持黨建引領推動基層治理"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8-sig"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (SIMPLIFIED, "gbk", "gb18030"),
        (SIMPLIFIED, "utf-16", "utf-16-le"),
        (SIMPLIFIED, "utf-16-le", "utf-16-le"),
        (SIMPLIFIED, "utf-16-be", "utf-16-be"),
        (TRADITIONAL, "utf-8", "utf-8"),
        (TRADITIONAL, "gb18030", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL, "utf-16-be", "utf-16-be"),
        (SHORT, "utf-16-le", "utf-16-le"),
        (SHORT, "gbk", "gb18030"),
        (SHORT_TRAD, "big5", "big5"),
        (SHORT_TRAD, "gbk", "gb18030"),
    ],
)
def test_encodings_are_told_from_the_bytes(text, encoding, expected):
    decoded = decode(text.encode(encoding), filename="report.txt")
    assert decoded.text == text
    assert decoded.encoding == expected
    assert decoded.flags == []


@pytest.mark.parametrize("name", ["report.txt", "report.html", "noname", ""])
def test_the_file_name_does_not_decide(name):
    assert decode(TRADITIONAL.encode("big5"), filename=name).text == TRADITIONAL


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
@pytest.mark.parametrize("encoding", ["gb18030", "utf-16-le"])
def test_seeds_round_trip_through_every_encoding(seed, encoding):
    text = decode((SEEDS / seed).read_bytes()).text
    assert decode(text.encode(encoding)).text == text


def test_seed_in_big5_round_trips_where_big5_can_write_it():
    text = decode((SEEDS / "001_2a0395a21e9b23bd.txt").read_bytes()).text
    big5 = text.encode("big5", errors="ignore")
    assert decode(big5).text == big5.decode("big5")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "文件为空"),
        (b"   \r\n\t\n", "文件为空"),
        ("\u3000\n".encode(), "空白"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(200), "JPEG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(100), "ZIP"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"\x00\x01\x02\x03binary\x00\x00\xff\xfe\x00" * 20, "NUL"),
        (bytes(range(1, 32)) * 20, "控制字符"),
        (random.Random(7).randbytes(4000).replace(b"\x00", b"\x01"), "编码"),
        # Japanese in Shift-JIS once read as BOM-less UTF-16-BE and made a case of rare characters
        (("これは日本語のテキストです。カタカナとひらがなだけで書かれています。" * 20).encode("shift_jis"), "编码"),
    ],
)
def test_junk_is_rejected_with_a_chinese_reason(raw, reason):
    with pytest.raises(ReportRejected, match=reason):
        decode(raw, filename="report.txt")


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (SIMPLIFIED.encode("utf-8")[:30] + b"\xff" + SIMPLIFIED.encode("utf-8")[30:], "utf-8"),
        (SIMPLIFIED.encode("gb18030")[:20] + b"\xff" + SIMPLIFIED.encode("gb18030")[20:], "gb18030"),
    ],
)
def test_a_few_undecodable_bytes_are_replaced_and_flagged(raw, encoding):
    decoded = decode(raw)
    assert decoded.encoding == encoding
    assert decoded.flags == ["undecodable-bytes:1"]
    assert decoded.text.count("\ufffd") == 1
    assert "坚持党建引领" in decoded.text or "观山湖区" in decoded.text
    assert [c.kind for c in decoded.changes] == ["undecodable-bytes"]


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages"

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>观山湖区：坚持党建引领_中国共产党新闻网</title>
<style>p {{ color: red }}</style><script>var 统计 = "不要这行";</script></head>
<body>
<header><div class="logo">中国共产党新闻网</div></header>
<nav><a href="/">首页</a> &gt; <a href="/dj">党建</a></nav>
<div class="breadcrumb">中国共产党新闻网&gt;&gt;党建</div>
<div id="main">
  <h1>观山湖区：坚持党建引领 推动基层社会治理创新发展</h1>
  <!-- 广告位 不要这行 -->
  <div class="content">
    <p>观山湖区坚持以党建引领基层社会治理，<strong>下好“一盘棋”</strong>，建立城市基层党建领导新机制。</p>
    <p>全区建成新时代文明实践站<b>86</b>个，覆盖全部社区。</p>
    <p>第一行<br>第二行</p>
  </div>
</div>
<aside><h3>相关阅读</h3><ul><li>别的文章标题一二三</li></ul></aside>
<div class="share">分享到：微信 微博</div>
<footer>版权所有 中国共产党新闻网 不要这行</footer>
</body></html>"""


@pytest.mark.parametrize(
    ("charset", "encoding", "name"),
    [("utf-8", "utf-8", "page.html"), ("gb2312", "gb18030", "page.htm"), ("gbk", "gb18030", "page.txt")],
)
def test_saved_page_gives_its_article(charset, encoding, name):
    raw = PAGE.format(charset=charset).encode(encoding)
    lines = decode(raw, filename=name).text.split("\n")
    assert lines[0] == "观山湖区：坚持党建引领 推动基层社会治理创新发展"
    assert lines[1] == "观山湖区坚持以党建引领基层社会治理，下好“一盘棋”，建立城市基层党建领导新机制。"
    assert lines[2] == "全区建成新时代文明实践站86个，覆盖全部社区。"
    assert lines[3:] == ["第一行", "第二行"]
    text = "\n".join(lines)
    for chrome in ("不要这行", "首页", "相关阅读", "分享到", "版权所有", "color", "广告"):
        assert chrome not in text


def test_page_meta_charset_that_lies_is_overruled_by_the_bytes():
    raw = PAGE.format(charset="utf-8").encode("gb18030")
    assert "下好“一盘棋”" in decode(raw, filename="page.html").text


def test_page_without_h1_takes_the_title_without_the_site_name():
    html = "<html><head><title>融合党建模式推动基层治理 - 大连日报</title></head><body><div>"
    html += "<p>" + "中山区创新融合党建模式，推动党建引领基层治理创新。" * 3 + "</p></div></body></html>"
    assert html_to_text(html).split("\n")[0] == "融合党建模式推动基层治理"


def test_page_article_tag_is_preferred():
    html = (
        "<html><body><div class='side'><p>侧栏文字侧栏文字</p></div>"
        "<article><h1>标题在这里</h1><p>正文第一段，社区党委牵头成立议事会，居民的事情由居民商量着办，已议定事项四十多项。</p>"
        "<p>正文第二段，街道把议事结果纳入年度考核，办结情况每月向居民公开一次，接受大家监督。</p></article>"
        "</body></html>"
    )
    lines = html_to_text(html).split("\n")
    assert lines[0] == "标题在这里"
    assert lines[1].startswith("正文第一段") and lines[2].startswith("正文第二段")
    assert "侧栏" not in "\n".join(lines)


def test_a_plain_text_file_named_html_is_read_as_text():
    text = "某某社区：党建引领小区治理\n2021-03-02 来源：某某日报\n社区党委牵头成立议事会。"
    assert decode(text.encode("utf-8"), filename="report.html").text == text


# Saved pages written for these tests in our own words, with the chrome their CMSs put around an
# article: (file, title, meta line, first paragraph's start, last paragraph's start, chrome left out).
SAVED_PAGES = [
    ("page_div_gb2312.html", "青溪区：“红色物业”让老旧小区焕新颜", "发布时间：2021-05-17 来源：青溪日报 作者：周小禾",
     "近年来，青溪区", "区里把居民满意度",
     ["首页", "当前位置", "分享到", "浏览次数", "责任编辑", "上一篇", "热点新闻", "相关阅读", "版权所有", "青溪新闻网"]),
    ("page_table_layout.html", "南岸区推行“党建+网格”精细化治理", "发布时间：2019年06月12日 来源：溪城日报",
     "今年以来，南岸区", "各街道梳理出",
     ["首 页", "栏目导航", "您现在的位置", "打印", "编辑：李青", "相关文章", "版权所有", "document.write", "|"]),
    ("page_article_og.html", "江湾街道：小区“议事厅”议出治理新气象", "发布时间：2022-09-06 来源：江城日报 作者：陈晓雨",
     "走进江湾街道", "议定事项实行",
     ["首页", "客户端", "分享", "责任编辑", "标签", "相关新闻", "网友评论", "版权所有", "资料图"]),
    ("page_wechat.html", "“街巷长”上岗了！看看他们都在忙些啥", "发布时间：2020-08-28 来源：东湖区委组织部",
     "原创", "编辑：小东", ["var ct", "微信公众平台"]),
]


@pytest.mark.parametrize(("name", "title", "meta", "first", "last", "chrome"), SAVED_PAGES, ids=[p[0] for p in SAVED_PAGES])
def test_saved_page_fixture_gives_title_meta_line_and_article(name, title, meta, first, last, chrome):
    lines = decode((FIXTURES / name).read_bytes(), filename=name).text.split("\n")
    assert lines[0] == title
    assert lines[1] == meta
    assert lines[2].startswith(first)
    assert any(line.startswith(last) for line in lines[-4:])
    text = "\n".join(lines)
    for piece in chrome:
        assert piece not in text, piece
    assert text.count("来源：") == 1  # the page's own meta line is not kept twice
    # the headings stand on lines of their own, the paragraphs are not run together
    assert all(len(line) < 200 for line in lines)


def test_saved_page_article_keeps_its_headings_as_lines():
    text = decode((FIXTURES / "page_table_layout.html").read_bytes()).text
    assert "\n党员进网格，服务下沉到楼栋\n" in text
    assert "\n事项清单化，问题办结有时限\n" in text


def test_saved_pages_go_through_the_pipeline_like_text():
    from ingest.pipeline import process

    report = process((FIXTURES / "page_div_gb2312.html").read_bytes(), "page_div_gb2312.html")
    ex = report.extraction
    assert (ex.title, str(ex.published_on), ex.source) == ("青溪区：“红色物业”让老旧小区焕新颜", "2021-05-17", "青溪日报")
    assert [m.heading for m in ex.mechanisms][:1] == ["建强组织，把支部建在小区里"]
    assert "青溪新闻网" not in report.body


def test_a_saved_page_is_never_fetched_or_looked_up(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("decode tried the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for page in sorted(FIXTURES.glob("*.html")):
        assert decode(page.read_bytes(), filename=page.name).text


def test_a_page_title_loses_the_site_name_but_keeps_a_subtitle_dash():
    from ingest.decode import _split_site_title

    assert _split_site_title("南岸区推行“党建+网格”精细化治理--溪城党建网") == ("南岸区推行“党建+网格”精细化治理", "溪城党建网")
    assert _split_site_title("青溪区：红色物业_基层党建_青溪新闻网") == ("青溪区：红色物业", "青溪新闻网")
    assert _split_site_title("党建引领基层治理——基于三个社区的观察") == ("党建引领基层治理——基于三个社区的观察", "")
    assert _split_site_title("2019-2020年度工作要点") == ("2019-2020年度工作要点", "")


def test_page_with_no_text_is_rejected():
    with pytest.raises(ReportRejected, match="网页"):
        decode(
            b"<html><head><script>x()</script></head><body><nav>menu</nav></body></html>", filename="a.html"
        )


@pytest.mark.parametrize(
    "text, score",
    [
        ("", 0.0),
        ("plain ascii", 0.5),  # no Chinese to judge: neutral
        ("党建引领 abc", 1.0),  # common characters alone: the top score
        ("党\ufffd", -0.5),  # (1 common − 2 × 1 replacement) / 2 wide characters
        ("党한", -0.5),  # Hangul is what a wrong two-byte reading falls on
        ("　\u3000", 0.0),  # an ideographic space is a space, not a character
    ],
)
def test_how_much_a_reading_looks_like_a_chinese_report(text, score):
    from ingest.decode import _score

    assert _score(text) == score
