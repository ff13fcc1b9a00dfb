"""``/figures/``: every published figure, filtered like the case list, with facet counts, sortable by
value, each row linking to its sentence; ``?format=csv|json`` exports exactly the rows the filters
select (every page of them), in the shown order."""

from __future__ import annotations

import csv
import io
import json
from itertools import islice

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView

from .export import SpreadsheetSafeWriter, number
from .facets import facet_html, option, query_string, year_options
from .figure_filters import EXACT, FigureFilter
from .models import Indicator, Metric, Place, in_order
from .views import LIST_DEFERRED

FIGURE_EXPORT_FIELDS = ["indicator", "subject", "value", "unit", "qualifier", "display", "case", "province", "city",
                        "published_on", "text", "url"]
EXPORT_BATCH = 500


class FigureListView(FilterView):
    filterset_class = FigureFilter
    template_name = "cases/figure_list.html"
    paginate_by = 50
    strict = False  # an invalid value is reported and ignored; the other filters still apply
    context_object_name = "figures"

    def get_queryset(self):
        return Metric.objects.published().select_related(
            "indicator", "case__province", "case__city", "case__place",
        ).defer(*(f"case__{name}" for name in LIST_DEFERRED))

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET  # always bound, so the default sort applies to the bare list too
        return kwargs

    def paginate_queryset(self, queryset, page_size):
        # get_page: a page number that is not a number or past the end gives a page, never a 404
        paginator = self.get_paginator(queryset, page_size)
        # the facets' cells counted the figures already (PostgreSQL): no COUNT over every figure
        self.filterset.cell_counts  # noqa: B018 (one statement for the total and the facets)
        if self.filterset.total is not None:
            paginator.count = self.filterset.total
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        # The page's ids in order first, then those figures whole: the ids come from indexes alone
        # (figure by value with its case, the published case's place and date), where the figures'
        # and cases' rows read for a province's page were thousands skipped for 50 kept.
        start = (page.number - 1) * page_size
        ids = list(queryset.values_list("pk", flat=True)[start:start + page_size])
        page.object_list = in_order(self.get_queryset(), ids)
        return paginator, page, page.object_list, page.has_other_pages()

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt is None:
            return super().get(request, *args, **kwargs)
        if fmt not in ("csv", "json"):
            return HttpResponseBadRequest(_("未知的导出格式").encode())
        rows = (figure_row(request, m) for m in self.get_filterset(self.get_filterset_class()).qs.iterator(
            chunk_size=EXPORT_BATCH))
        return export_response(rows, fmt)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        params = {k: list(v) for k, v in self.request.GET.lists() if k != "format"}
        cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
        facets = figure_facets(filterset, params, cleaned)
        context.update(
            facets=facets,
            facets_html=facet_html(facets),  # the markup of the list's facets
            sort_choices=FigureFilter.Sort.CHOICES,
            sort_key=cleaned.get("sort") or FigureFilter.Sort.VALUE_DESC,
            params=params,
            sort_links={key: query_string(params, sort=key) for key, _label in FigureFilter.Sort.CHOICES},
            export_query=query_string(params),
            query_without_page=query_string(params)[1:],
            has_filters=any(k not in ("sort", "page") for k in params),
        )
        return context


def figure_facets(filterset, params: dict, cleaned: dict) -> list[dict]:
    counts = filterset.facet_counts
    chosen_indicators = {i.slug for i in cleaned.get("indicator") or []}
    indicators = sorted(
        (i for i in Indicator.objects.filter(slug__in=[*counts["indicator"], *chosen_indicators]).only("slug", "name")
         if i.slug),
        key=lambda i: (-counts["indicator"].get(i.slug, 0), i.name),
    )
    indicator_options = []
    for ind in indicators:
        selected = ind.slug in chosen_indicators
        values = sorted(chosen_indicators - {ind.slug} if selected else chosen_indicators | {ind.slug})
        indicator_options.append(option(params, ind.name, counts["indicator"].get(ind.slug, 0), selected,
                                        {"indicator": values or None}, ind.slug))
    province = cleaned.get("province")
    provinces = Place.objects.provinces().filter(code__in=[c for c in counts["province"] if c]).only("code", "name")
    province_options = [
        option(params, p.name, counts["province"].get(p.code, 0), province is not None and p.code == province.code,
               {"province": None, "city": None} if province is not None and p.code == province.code
               else {"province": p.code, "city": None}, p.code)
        for p in sorted(provinces, key=lambda p: (-counts["province"].get(p.code, 0), p.code))
    ]
    qualifier = cleaned.get("qualifier") or ""
    qualifier_options = []
    for key, n in sorted(counts["qualifier"].items(), key=lambda kv: -kv[1]):
        value = key or EXACT
        label = key or _("确数（无限定词）")
        qualifier_options.append(option(params, label, n, qualifier == value,
                                        {"qualifier": None if qualifier == value else value}, value))
    years = year_options(counts["year"], cleaned.get("year_from"), cleaned.get("year_to"), params)
    return [
        {"name": "indicator", "label": _("比较指标"), "options": indicator_options},
        {"name": "province", "label": _("省份"), "options": province_options},
        {"name": "year", "label": _("年份"), "options": years},
        {"name": "qualifier", "label": _("限定词"), "options": qualifier_options},
    ]


def figure_row(request, metric: Metric) -> dict:
    case = metric.case
    return {
        "indicator": metric.indicator.name if metric.indicator_id else "",
        "subject": metric.subject, "value": number(metric.value), "unit": metric.unit,
        "qualifier": metric.qualifier, "display": metric.display_value, "case": case.title,
        "province": case.province.name if case.province_id else "", "city": case.city.name if case.city_id else "",
        "published_on": case.published_on.isoformat() if case.published_on else "", "text": metric.text,
        "url": request.build_absolute_uri(f"{case.get_absolute_url()}#{metric.anchor}"),
    }


def export_response(rows, fmt: str) -> StreamingHttpResponse:
    """Stream the rows as CSV (with a BOM, for Excel) or as one JSON array."""

    def as_csv():
        yield "\ufeff"
        header = True
        while batch := list(islice(rows, EXPORT_BATCH)):
            out = io.StringIO()
            writer = SpreadsheetSafeWriter(out, fieldnames=FIGURE_EXPORT_FIELDS)
            if header:
                writer.writeheader()
                header = False
            writer.writerows(batch)
            yield out.getvalue()
        if header:  # nothing selected: the header alone
            out = io.StringIO()
            csv.DictWriter(out, fieldnames=FIGURE_EXPORT_FIELDS).writeheader()
            yield out.getvalue()

    def as_json():
        yield "["
        for index, row in enumerate(rows):
            yield ("," if index else "") + json.dumps(row, ensure_ascii=False)
        yield "]"

    if fmt == "csv":
        response = StreamingHttpResponse(as_csv(), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(as_json(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="figures-selected.{fmt}"'
    return response
