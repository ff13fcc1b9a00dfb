"""Template filters and tags of the public pages: a case's place path, sort links, pipeline stage names.

They import no view: the sort links are built by ``facets.query_string``, as the facets' are.
"""

from __future__ import annotations

from django import template

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
