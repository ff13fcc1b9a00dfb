"""The active filters of the case list as chips: each a label and the address of the list without it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .facets import query_string


def active_filters(filterset, params) -> list[dict]:
    """[{"label", "url"}] for every valid active filter, in the form's order; a practice is one chip each."""
    if not filterset.is_bound or filterset.errors and not filterset.form.cleaned_data:
        return []
    cleaned = filterset.form.cleaned_data
    out = []

    def chip(label: str, **drop):
        out.append({"label": label, "url": query_string(params, **drop)})

    if cleaned.get("q"):
        chip(_("检索：%(q)s") % {"q": cleaned["q"]}, q=None)
    if cleaned.get("province"):
        chip(_("省份：%(name)s") % {"name": cleaned["province"].name}, province=None, city=None)
    if cleaned.get("city"):
        chip(_("地区：%(name)s") % {"name": cleaned["city"].name}, city=None)
    asked = params.getlist("practice") if hasattr(params, "getlist") else []
    # in the order the reader chose them (the query string's), not the table's
    chosen = sorted(cleaned.get("practice") or (), key=lambda p: asked.index(p.slug) if p.slug in asked else len(asked))
    for practice in chosen:
        rest = [p.slug for p in chosen if p.pk != practice.pk]
        chip(_("实践：%(name)s") % {"name": practice.name}, practice=rest or None)
    year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
    if year_from or year_to:
        if year_from and year_to and year_from == year_to:
            label = _("年份：%(y)s") % {"y": year_from}
        else:
            label = _("年份：%(a)s–%(b)s") % {"a": year_from or "", "b": year_to or ""}
        chip(label, year_from=None, year_to=None)
    if cleaned.get("undated") is not None:
        chip(_("日期不详") if cleaned["undated"] else _("有日期"), undated=None)
    if cleaned.get("source"):
        chip(_("来源：%(s)s") % {"s": cleaned["source"]}, source=None)
    if cleaned.get("has_figures") is not None:
        chip(_("只看含数据的案例") if cleaned["has_figures"] else _("只看不含数据的案例"), has_figures=None)
    return out
