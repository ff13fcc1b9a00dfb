"""Template filters and tags of the public pages: a case's place path, sort links, pipeline stage names.

They import no view: the sort links are built by ``facets.query_string``, as the facets' are.
"""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from cases.facets import query_string

register = template.Library()


@register.filter
def place_path(case) -> str:
    """省 › 市 › 区 without repeating a municipality's name (北京市 › 东城区)."""
    names: list[str] = []
    for place in (case.province, case.city, case.district):
        if place is not None and place.name not in names:
            names.append(place.name)
    return " › ".join(names)


@register.simple_tag
def toggle_url(params, key, value) -> str:
    """The query string with ``key`` set to ``value`` (page reset); for the sort links."""
    return query_string(params, **{key: value})


STAGES = {"decode": "解码", "repair": "修复", "clean": "清理", "normalise": "繁简与标点规范", "segment": "分词",
          "extract": "抽取", "load": "入库"}


@register.filter
def stage_label(stage: str) -> str:
    return STAGES.get(stage, stage)


# What each recorded change of the pipeline did, in words for a reader (``{n}``: how many). A kind of
# page furniture the clean stage removed (its breadcrumbs, tool bars, counters …) reads as one phrase.
REPAIR_TEXT = {
    ("decode", "html"): "从保存的网页中取出正文",
    ("decode", "undecodable-bytes"): "无法解码的字节 {n} 处，已替换",
    ("repair", "gbk-shift"): "错位的 GBK 编码已修复 {n} 处",
    ("repair", "pinyin"): "拼音注音已去除 {n} 处",
    ("repair", "entity"): "HTML 实体（如 &ldquo;）已还原 {n} 处",
    ("repair", "spaced"): "字间多余的空格已合并 {n} 处",
    ("normalise", "t2s"): "繁体字已转为简体 {n} 处",
    ("normalise", "zhe"): "“著”按用法改为“着” {n} 处",
    ("normalise", "width"): "全角字母和数字已改为半角 {n} 处",
    ("normalise", "spaces"): "特殊空白已统一 {n} 处",
    ("normalise", "punctuation"): "标点已统一为中文标点 {n} 处",
    ("normalise", "presentation-forms"): "竖排或兼容形式的标点已还原 {n} 处",
    ("clean", "meta"): "日期、来源、作者等信息 {n} 行已移出正文",
    ("clean", "repeated"): "重复的内容 {n} 行已删除",
    ("clean", "caption"): "图片说明 {n} 行已移出正文",
    ("clean", "editor"): "编辑署名 {n} 行已删除",
    ("clean", "related-list"): "“相关阅读”等列表 {n} 行已删除",
    ("extract", "figures-capped"): "数字过多，只保留前 {n} 个",
}
FURNITURE_TEXT = "网页框架（导航、工具栏、版权声明等）{n} 行已删除"


@register.filter
def repair_text(repair: dict) -> str:
    """A recorded change as a sentence: 拼音注音已去除 683 处 (not "repair pinyin × 683")."""
    stage, kind, n = repair.get("stage", ""), repair.get("kind", ""), repair.get("count") or 0
    phrase = REPAIR_TEXT.get((stage, kind)) or (FURNITURE_TEXT if stage == "clean" else f"{stage_label(stage)} {{n}} 处")
    return phrase.format(n=n)


@register.simple_tag
def spread_cities(practice, entry) -> str:
    """One year of a practice's timeline: each city a link to the list of its cases that year, the first
    reports marked.

    Written here rather than by a loop in the template: a common practice's timeline has thousands of
    cities-in-a-year at 100,000 cases, and the template's per-item variable lookups, URL reversing
    and number formatting were most of the page's time. The markup is the loop's, every value
    escaped as the template escapes it."""
    base = escape(f"{reverse('cases:case-list')}?practice={quote(practice.slug, safe='/')}")
    first_mark = f" <strong>{escape(gettext('首次'))}</strong>"
    year = escape(entry.year)
    first_class = ' class="first"'
    items = []
    for city, n, first in entry.cities:
        code, name = _escaped_place(city)
        items.append(f'<li{first_class if first else ""}><a href="{base}&amp;city={code}'
                     f'&amp;year_from={year}&amp;year_to={year}">{name}</a>'
                     f'{f" {n}" if n > 1 else ""}{first_mark if first else ""}</li>')
    return mark_safe("".join(items))  # noqa: S308 (every value escaped above)


def _escaped_place(place) -> tuple[str, str]:
    """A place's code and name escaped once (a city appears in many years of a timeline)."""
    cached = place.__dict__.get("_escaped")
    if cached is None:
        cached = place.__dict__["_escaped"] = (escape(place.code), escape(place.name))
    return cached
