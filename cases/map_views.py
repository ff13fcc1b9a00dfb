"""``/map/``: provinces (``?province=<code>``: that province's cities) shaded by the number of published
cases under the current filters (practice, year range, indicator), each shape linking to the filtered
list; ``/map/data.json`` gives the same counts as JSON. Drawing is ``maps.py``'s."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count
from django.http import JsonResponse
from django.urls import reverse
from django.views.generic import TemplateView

from . import facet_cells, maps
from .filters import CaseFilter
from .models import Case, Indicator, Metric, Place, Practice

MAP_FILTERS = ("practice", "year_from", "year_to")


class MapView(TemplateView):
    template_name = "cases/map.html"

    def filtered(self):
        """The published cases under the map's filters, the bound filterset (its errors), the indicator and the province."""
        data = self.request.GET.copy()
        for key in list(data):
            if key not in MAP_FILTERS:
                del data[key]
        filterset = CaseFilter(data=data, queryset=Case.objects.published())
        cases = filterset.qs.order_by()
        indicator = Indicator.objects.filter(slug=self.request.GET.get("indicator", "")).first()
        if indicator is not None:
            cases = cases.filter(pk__in=Metric.objects.filter(indicator=indicator).values("case_id"))
        province = Place.objects.provinces().filter(code=self.request.GET.get("province", "")).first()
        return cases, filterset, indicator, province

    def counts(self, cases, province, filterset=None, indicator=None) -> dict[str, int]:
        if province is None:
            # PostgreSQL's maintained counts answer the practice and year filters (the list's facet machinery)
            counted = facet_cells.counts(filterset) if filterset is not None and indicator is None else None
            if counted is not None:
                ids = {pk: n for pk, n in counted["province"].items() if pk}
                return {code: ids[pk] for pk, code in Place.objects.filter(pk__in=list(ids)).values_list("pk", "code")}
            return {code: n for code, n in cases.values_list("province__code").annotate(n=Count("pk")) if code}
        inside = cases.filter(province=province)
        counts = {code: n for code, n in inside.values_list("city__code").annotate(n=Count("pk")) if code}
        # a municipality is drawn by its districts
        counts.update((code, n) for code, n in inside.values_list("place__code").annotate(n=Count("pk")) if code)
        return counts

    def get(self, request, *args, **kwargs):
        if kwargs.get("format") == "json":
            cases, filterset, indicator, province = self.filtered()
            return JsonResponse({"level": "city" if province else "province",
                                 "province": province.code if province else None,
                                 "counts": self.counts(cases, province, filterset, indicator)})
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cases, filterset, indicator, province = self.filtered()
        counts = self.counts(cases, province, filterset, indicator)
        shapes, extras, viewbox = maps.shapes(counts, province.code if province else None)
        kept = [(k, v) for k, v in self.request.GET.lists() if k in MAP_FILTERS]
        filters = [(k, value) for k, values in kept for value in values if value]
        list_url = reverse("cases:case-list")
        for shape in shapes:
            key = "city" if province else "province"
            shape.url = f"{list_url}?{urlencode([*filters, (key, shape.code)])}"
        map_filters = [*filters, *([("indicator", indicator.slug)] if indicator else [])]
        context.update(
            shapes=shapes, extras=extras, viewbox=viewbox, province=province, indicator=indicator,
            filterset=filterset, total=sum(s.count for s in shapes) if province else sum(counts.values()),
            listed=sorted((s for s in shapes if s.count), key=lambda s: (-s.count, s.code)),
            zoom_links={s.code: f"?{urlencode([*map_filters, ('province', s.code)])}" for s in shapes}
            if province is None else {},
            country_link=f"?{urlencode(map_filters)}",
            practices=Practice.objects.order_by("name"),
            indicators=Indicator.objects.order_by("name"),
            chosen_practices=set(self.request.GET.getlist("practice")),
            shades=range(maps.SHADES + 1),
        )
        return context
