"""The pipeline on a report that is not a seed: another province, another site's chrome, other figures.

The seeds are what the rules were written against; this report (written for the test in the style of a
provincial party-building site) checks that nothing depends on them. Each damaged form is made from it
here: GB18030 bytes, traditional script in Big5, and a saved web page.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import opencc
import pytest

from ingest.pipeline import process

REPORT = (Path(__file__).resolve().parent / "fixtures" / "unseen" / "wuhou_utf8.txt").read_text(encoding="utf-8")
FIGURES = {
    (Decimal(1200), "个", "余"), (Decimal(860), "个", ""), (Decimal(3100), "个", "余"), (Decimal(230), "名", ""),
    (Decimal(26000), "名", "余"), (Decimal(4800), "个", "余"), (Decimal(76), "个", ""),
    (Decimal(120000), "平方米", "超过"), (Decimal(30000000), "元", "不少于"), (Decimal(15000), "个", "余"),
    (Decimal("98.6"), "%", ""), (Decimal(126), "个", ""), (Decimal(2300), "项", "余"), (Decimal(1450), "个", ""),
    (Decimal(3600), "名", "余"),
}
HEADINGS = ["健全组织体系，织密小区党建网络", "整合服务资源，建强党群服务阵地", "创新治理机制，提升为民服务实效"]


def big5_bytes(text: str) -> bytes:
    # Taiwan-standard forms (眾, 為, 群), as a Big5 site writes them; plain s2t gives variants Big5 lacks.
    return opencc.OpenCC("s2tw").convert(text).encode("big5")


def saved_page(text: str) -> bytes:
    lines = text.splitlines()
    paragraphs = "".join(f"<p>{line}</p>" for line in lines[2:] if not line.startswith(("首页", "【字号")))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>某某网</title></head><body>"
        f"<nav><a href='/'>首页</a> | 新闻</nav><article><h1>{lines[1]}</h1>{paragraphs}</article>"
        "<footer>版权所有 某某网</footer></body></html>"
    ).encode()


FORMS = {
    "utf-8": (REPORT.encode("utf-8"), "report.txt"),
    "gb18030": (REPORT.encode("gb18030"), "report.txt"),
    "big5": (big5_bytes(REPORT), "report.txt"),
    "html": (saved_page(REPORT), "report.html"),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_an_unseen_report_in_every_form(form):
    raw, name = FORMS[form]
    report = process(raw, name)
    ex = report.extraction
    assert (ex.province, ex.city, ex.district) == ("四川省", "成都市", "武侯区")
    assert "武侯区" in ex.title
    assert ex.author_org == "成都市武侯区委组织部"
    assert [m.heading for m in ex.mechanisms] == HEADINGS
    assert {(m.value, m.unit, m.qualifier) for m in ex.metrics} == FIGURES
    assert all(report.body[m.start:m.end] == m.text for m in ex.metrics)
    for chrome in ("责任编辑", "上一篇", "相关阅读", "字号", "版权所有"):
        assert chrome not in report.body
    assert {"网格化管理", "双报到"} <= set(ex.practices)
    if form != "html":  # the saved page keeps only the article: its dateline is left out above
        assert (str(ex.published_on), ex.source) == ("2021-06-18", "四川日报")
    assert report.script == ("traditional" if form == "big5" else "simplified")
