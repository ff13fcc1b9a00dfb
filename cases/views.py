"""Public pages: the filtered case list (and its exports), a case, the practices, the places.

Only published cases are ever shown. Views are thin: filtering and facets live in
``filters.py``, search in ``search.py``, the body's markup in ``templatetags/case_text.py``.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import islice
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from . import export, search
from .filters import FACET_CACHE_SECONDS, CaseFilter, FacetCache
from .models import Case, Mechanism, Metric, Place, Practice
from .templatetags.case_text import render_body

# Columns a list page never shows: loading them for 20 rows would move megabytes (the vector above all).
LIST_DEFERRED = ("body", "original_text", "search_tokens", "search_vector", "rank_vector", "captions", "repairs",
                 "review_conflicts", "other_sources", "curated_fields")
CITY_FACET_LIMIT = 15  # without a province, the busiest cities; the places page lists them all
EXPORT_BATCH = 200
# /cases.json is paged: a case carries its whole body (~14 KB), so an unpaged list of 100,000 cases
# would be over a gigabyte in one response. ``?page_size=`` may ask for fewer.
JSON_PAGE_SIZE = 50


def query_string(params, **changes) -> str:
    """The query string with some parameters set (a value), dropped (None) or replaced (a list); no page.

    ``params`` is a QueryDict or a plain {key: [values]} (the facets pass one, built once: a
    QueryDict copy per option was a noticeable share of a list page's time).
    """
    items = {k: list(v) for k, v in params.lists()} if hasattr(params, "lists") else dict(params)
    items.pop("page", None)
    for key, value in changes.items():
        if value is None:
            items.pop(key, None)
        else:
            items[key] = value if isinstance(value, list) else [value]
    encoded = urlencode([(key, value) for key, values in items.items() for value in values])
    return f"?{encoded}" if encoded else "?"


class CaseListView(FilterView):
    """``/``: filters, facet counts, sort, 20 a page; ``?format=csv|figures`` exports the same list, and
    ``?format=json`` (``/cases.json``) pages it as JSON (``json_page``)."""

    filterset_class = CaseFilter
    template_name = "cases/case_list.html"
    paginate_by = 20
    strict = False  # an invalid value is reported beside its field and ignored; the other filters still apply
    exporters = {"csv", "json", "figures"}

    def get_queryset(self):
        return Case.objects.published()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET  # always bound, so the default sort applies to the bare list too
        return kwargs

    def get(self, request, *args, **kwargs):
        fmt = kwargs.get("format") or request.GET.get("format")
        if fmt is None:
            with search.prefer_index(bool(request.GET.get("q"))):
                response = super().get(request, *args, **kwargs)
                response.render()  # every query of the page inside the block
            return response
        if fmt not in self.exporters:
            return HttpResponseBadRequest(_("未知的导出格式").encode())
        self.filterset = self.get_filterset(self.get_filterset_class())
        if fmt == "json":
            with search.prefer_index(bool(request.GET.get("q"))):
                return JsonResponse(json_page(request, self.filterset), json_dumps_params={"ensure_ascii": False})
        return export_response(self.filterset.qs, fmt)

    def paginate_queryset(self, queryset, page_size):
        # get_page: a page number that is not a number or past the end gives a page, never a 404 or 500.
        paginator = self.get_paginator(queryset.with_related().defer(*LIST_DEFERRED), page_size)
        # The facets' statement counted the list already (and may have it cached): no COUNT of its own.
        # A very common word was counted only up to SEARCH_CAP: that many are paged ("more than …").
        total = self.filterset.counts["total"]
        paginator.count = search.SEARCH_CAP if total is None else total
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        if self.filterset.very_common:
            with search.date_walk():  # the page's 20 rows by walking the date index (see date_walk)
                page.object_list = list(page.object_list)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        parsed = filterset.parsed_query
        cases = list(context["object_list"])
        if parsed and cases:
            bodies = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "body"))
            marks = search.highlighter(parsed)
            for case in cases:
                case.snippet = search.snippet(bodies.get(case.pk, ""), parsed, marks=marks)
        facets = Facets(filterset)
        context.update(
            cases=cases,
            facets=SimpleLazyObject(lambda: facets.groups),  # built only when the block is not cached
            facets_html=facet_block(self.request, facets),
            params=self.request.GET,
            query_without_page=query_string(self.request.GET)[1:],
            sort_key=filterset.sort_key,
            more_than_total=filterset.very_common,
            sort_choices=[(k, label) for k, label in CaseFilter.Sort.CHOICES
                          if k != CaseFilter.Sort.RELEVANCE or parsed],
            has_filters=any(v for k, v in self.request.GET.items() if k not in ("page", "sort")),
            export_query=query_string(self.request.GET, format=None),
            # the facet choices a submitted search form must keep
            hidden=[(k, v) for k in ("province", "city", "practice") for v in self.request.GET.getlist(k)],
        )
        if context.get("is_paginated"):
            context["page_range"] = context["paginator"].get_elided_page_range(
                context["page_obj"].number, on_each_side=2, on_ends=1)
        return context


def facet_block(request, facets: Facets) -> str:
    """The rendered facet groups, cached like their counts (FacetCache: 60 s, any change to a case resets).

    Building and rendering ~100 toggle links is most of a list page's Python time (~25 ms), and
    the block depends only on the query string (less the page) and the language: paging through
    a list, or many readers on the same filters, render it once.
    """
    key = FacetCache.key("facet-block", (get_language(), query_string(request.GET)))
    html = cache.get(key)
    if html is None:
        html = render_to_string("cases/_facets.html", {"facets": facets.groups}, request)
        cache.set(key, html, FACET_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 (rendered by the template engine, escaped there)


class Facets:
    """The options of the province, city, practice and year facets, each with its count and toggle link."""

    def __init__(self, filterset: CaseFilter):
        self.filterset = filterset
        self.params = {k: list(v) for k, v in filterset.data.lists()}
        self.counts = filterset.facet_counts()
        self.cleaned = filterset.form.cleaned_data

    def count(self, facet, key):
        """An option's count, or None when its set was too large to count (a very common word)."""
        counts = self.counts[facet]
        return None if counts is None else counts.get(key, 0)

    def option(self, label, count, selected, link, value=""):
        return {"label": label, "count": count, "selected": selected, "url": query_string(self.params, **link),
                "value": value}

    @cached_property
    def groups(self) -> list[dict]:
        return [
            {"name": "province", "label": _("省份"), "options": self.provinces()},
            {"name": "city", "label": _("城市"), "options": self.cities()},
            {"name": "practice", "label": _("实践"), "options": self.practices()},
            {"name": "year", "label": _("年份"), "options": self.years()},
        ]

    def provinces(self):
        chosen = self.cleaned.get("province")
        return [
            self.option(p.name, self.count("province", p.pk), p == chosen,
                        {"province": None, "city": None} if p == chosen else {"province": p.code, "city": None},
                        p.code)
            for p in Place.objects.provinces().only("pk", "code", "name")
        ]

    def cities(self):
        chosen = self.cleaned.get("city")
        province = self.cleaned.get("province")
        counts = self.counts["city"] or {}  # uncounted: no busiest cities to show, only a chosen one
        if province is not None:
            cities = list(Place.objects.cities().filter(parent=province).only("pk", "code", "name", "level"))
        else:
            busiest = sorted((pk for pk in counts if pk), key=lambda pk: -counts[pk])[:CITY_FACET_LIMIT]
            wanted = set(busiest) | ({chosen.pk} if chosen is not None and chosen.level == "city" else set())
            cities = sorted(Place.objects.filter(pk__in=wanted).only("pk", "code", "name", "level"),
                            key=lambda p: (-counts.get(p.pk, 0), p.code))
        if chosen is not None and chosen.level == "district" and chosen not in cities:
            cities.insert(0, chosen)  # a district chosen from a case page's breadcrumb
        return [
            self.option(c.name, self.count("city", c.pk) if c.level == "city" else None, c == chosen,
                        {"city": None} if c == chosen else {"city": c.code}, c.code)
            for c in cities
        ]

    def practices(self):
        chosen = set(self.cleaned.get("practice") or [])
        chosen_slugs = [p.slug for p in chosen]
        options = []
        for p in Practice.objects.only("pk", "slug", "name"):
            slugs = [s for s in chosen_slugs if s != p.slug] if p in chosen else [*chosen_slugs, p.slug]
            options.append(self.option(p.name, self.count("practice", p.pk), p in chosen, {"practice": slugs}, p.slug))
        return options

    def years(self):
        year_from, year_to = self.cleaned.get("year_from"), self.cleaned.get("year_to")
        counts = self.counts["year"] or {}  # uncounted: only the chosen years are known to exist
        years = sorted((y for y in counts if y), reverse=True)
        for y in (year_from, year_to):
            if y and y not in years:
                years.append(y)  # keep a chosen year visible even when it has no case
        years.sort(reverse=True)
        options = []
        for year in years:
            selected = year_from == year and year_to == year
            link = {"year_from": None, "year_to": None} if selected else {"year_from": str(year), "year_to": str(year)}
            options.append(self.option(str(year), self.count("year", year), selected, link, str(year)))
        return options


def json_page(request, filterset: CaseFilter) -> dict:
    """One page of the filtered list as JSON: ``count`` (all the list's cases), ``next``/``previous``
    links (None at the ends) and ``results`` in the export's shape, at most JSON_PAGE_SIZE a page.

    A page number that is not a number, or past the end, gives the nearest page (as the list does).
    """
    try:
        size = min(max(int(request.GET.get("page_size", JSON_PAGE_SIZE)), 1), JSON_PAGE_SIZE)
    except ValueError:
        size = JSON_PAGE_SIZE
    paginator = Paginator(export.export_queryset(filterset.qs), size)
    page = paginator.get_page(request.GET.get("page"))
    if filterset.parsed_query and filterset.very_common:
        with search.date_walk():  # see CaseListView.paginate_queryset
            cases = list(page.object_list)
    else:
        cases = list(page.object_list)

    def link(number: int) -> str:
        return request.build_absolute_uri(request.path + query_string(request.GET, page=str(number)))

    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "page_size": size,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "results": [export.case_to_dict(case) for case in cases],
    }


def export_response(queryset, fmt: str):
    """Stream the whole filtered list (there may be thousands) in batches, each batch in a few queries."""
    cases = export.export_queryset(queryset).iterator(chunk_size=EXPORT_BATCH)

    def batches():
        while batch := list(islice(cases, EXPORT_BATCH)):
            yield batch

    render = export.figures_to_csv if fmt == "figures" else export.to_csv

    def rows():
        yield "\ufeff"  # a BOM, so that Excel opens the Chinese text as UTF-8
        for index, batch in enumerate(batches()):
            text = render(batch)
            yield text if index == 0 else text.split("\n", 1)[1]  # the header once

    name = "figures.csv" if fmt == "figures" else "cases.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class CaseDetailView(DetailView):
    """``/cases/<slug>/``: the case, its outline, its figures linked to their sentences, related cases."""

    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_queryset(self):
        return Case.objects.published().with_related().prefetch_related(
            Prefetch("mechanisms", queryset=Mechanism.objects.order_by("order")),
            Prefetch("metrics", queryset=Metric.objects.order_by("start", "order")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        mechanisms = list(case.mechanisms.all())
        metrics = list(case.metrics.all())
        rendered = render_body(case.body, mechanisms, metrics)
        by_pk = {m.pk: m for m in mechanisms}
        children = defaultdict(list)
        for mechanism in mechanisms:
            children[mechanism.parent_id if mechanism.parent_id in by_pk else None].append(mechanism)
        show_original = self.request.GET.get("text") == "original" and bool(case.original_text)
        context.update(
            body_html=rendered.html,
            outline=[{"mechanism": m, "anchored": m.anchor in rendered.anchors,
                      "children": [{"mechanism": c, "anchored": c.anchor in rendered.anchors}
                                   for c in children.get(m.pk, [])]}
                     for m in children[None]],
            figures=[{"metric": m, "anchor": rendered.sentence_of.get(m.pk),
                      "mechanism": by_pk.get(m.mechanism_id)} for m in metrics],
            show_original=show_original,
            related=related_cases(case),
            lineage=[p for p in (case.province, case.city, case.district) if p is not None],
        )
        return context


RELATED_POOL = 3000  # practice links looked at; a common practice has thousands of cases at 100,000


def related_cases(case: Case, limit: int = 5) -> list[Case]:
    """Published cases sharing the most practices, then keywords, with this one.

    Candidates come from the RELATED_POOL most recent links to the case's practices (one index
    read, not a GROUP BY over every case of a common practice: 137 ms at 100,000 cases); the
    shared practices and keywords are counted in Python over at most 50 of them.
    """
    practice_ids = [p.pk for p in case.practices.all()]
    if not practice_ids:
        return []
    links = (Case.practices.through.objects.filter(practice_id__in=practice_ids).exclude(case_id=case.pk)
             .order_by("-case_id").values_list("case_id", flat=True)[:RELATED_POOL])
    shared: dict[int, int] = defaultdict(int)
    for case_id in links:
        shared[case_id] += 1
    best = sorted(shared, key=lambda pk: (-shared[pk], -pk))[:200]
    keywords = set(case.keywords)
    candidates = list(
        Case.objects.published().filter(pk__in=best).select_related("province", "city", "place")
        .only("pk", "slug", "title", "published_on", "keywords", "province__name", "city__name", "place__name",
              "place__level")
    )
    candidates.sort(key=lambda c: (-shared[c.pk], -len(keywords & set(c.keywords)), -c.pk))
    return candidates[:limit]


class PracticeListView(ListView):
    """``/practices/``: the taxonomy with the number of published cases of each practice."""

    template_name = "cases/practice_list.html"
    context_object_name = "practices"

    def get_queryset(self):
        published = Q(cases__status=Case.Status.PUBLISHED)
        return Practice.objects.annotate(case_count=Count("cases", filter=published)).order_by("-case_count", "name")


class PracticeDetailView(ListView):
    """``/practices/<slug>/``: the practice's cases, grouped by province and city, 50 a page."""

    template_name = "cases/practice_detail.html"
    context_object_name = "cases"
    paginate_by = 50

    @cached_property
    def practice(self):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(Practice, slug=self.kwargs["slug"])

    def get_queryset(self):
        return (
            Case.objects.published().filter(practices=self.practice).select_related("place", "province", "city")
            .defer(*LIST_DEFERRED).order_by("province__code", "city__code", "-published_on", "-pk")
        )

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        return super().get_context_data(practice=self.practice, **kwargs)


class PlaceListView(TemplateView):
    """``/places/``: every province, and the cities with cases under it, with counts."""

    template_name = "cases/place_list.html"

    def get_context_data(self, **kwargs):
        counts = (Case.objects.published().values_list("province_id", "city_id").annotate(n=Count("pk")).order_by())
        by_province: dict[int | None, int] = defaultdict(int)
        by_city: dict[int, int] = {}
        for province_id, city_id, n in counts:
            by_province[province_id] += n
            if city_id:
                by_city[city_id] = by_city.get(city_id, 0) + n
        cities = defaultdict(list)
        for city in Place.objects.filter(pk__in=by_city).only("pk", "code", "name", "parent_id"):
            city.case_count = by_city[city.pk]
            cities[city.parent_id].append(city)
        provinces = []
        for province in Place.objects.provinces().only("pk", "code", "name"):
            province.case_count = by_province.get(province.pk, 0)
            province.city_list = sorted(cities.get(province.pk, []), key=lambda c: (-c.case_count, c.code))
            provinces.append(province)
        return super().get_context_data(
            provinces=provinces, unplaced=by_province.get(None, 0), total=sum(by_province.values()), **kwargs
        )
