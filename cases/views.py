"""Public pages: the filtered case list (and its exports), a case, the practices, the places.

Only published cases are ever shown. Views only wire the pieces into pages: filters and sort in
``filters.py``, facets in ``facets.py``, search in ``search/``, exports in ``export.py``, the
body's markup in ``body_html.py``, the domain's queries on ``CaseQuerySet``.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from . import chips, export, facet_cells, practice_insights, search
from .body_html import render_body, row_anchor
from .facets import FACET_CACHE_SECONDS, FacetCache, Facets, facet_block, query_string
from .filters import CaseFilter
from .models import Case, Mechanism, Metric, Place, Practice, in_order

# Columns a list page never shows: loading them for 20 rows would move megabytes (the vector above all).
LIST_DEFERRED = ("body", "original_text", "search_vector", "rank_vector", "captions", "repairs",
                 "review_conflicts", "other_sources", "curated_fields")
LIST_PLACES = ("place", "province", "city")  # a list shows the place path; practices by name (``practice_tags``)


class CachedPage:
    """A page a reader without a login gets from the cache: its HTML, kept like the facet counts.

    The HTML is kept under the path, the parsed query (its parameters in order: the page's links
    repeat them in that order, and differently encoded URLs of the same parameters share one
    entry), the language and ``FacetCache``'s generation, so a change to any case, figure,
    mechanism or practice in this process drops it, and another process's change (the loader,
    the admin in another worker) shows within FACET_CACHE_SECONDS, the bound the counts already
    had. Only what the middleware adds (security headers) is made per request. A page is cached
    when ``cache_this_page`` says so.
    """

    def cache_this_page(self, request) -> bool:
        return True

    def page_key(self, request) -> str:
        return FacetCache.key("page", (get_language(), request.path, list(request.GET.lists())))

    def get(self, request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated or not self.cache_this_page(request):
            return super().get(request, *args, **kwargs)
        key = self.page_key(request)
        html = cache.get(key)
        if html is not None:
            return HttpResponse(html)
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            if hasattr(response, "render"):
                response.render()
            cache.set(key, response.content, FACET_CACHE_SECONDS)
        return response


class CaseListView(CachedPage, FilterView):
    """``/``: filters, facet counts, sort, 20 a page; ``?format=csv|figures`` exports the same list, and
    ``?format=json`` (``/cases.json``) pages it as JSON (``export.json_page``)."""

    filterset_class = CaseFilter
    template_name = "cases/case_list.html"
    paginate_by = 20
    strict = False  # an invalid value is reported beside its field and ignored; the other filters still apply
    exporters = {"csv", "json", "figures"}

    def get_queryset(self):
        return Case.objects.published()

    def cache_this_page(self, request) -> bool:
        """The bare list and a filtered one, not a search or an export.

        Filter states are few and readers reach them by the same facet links, so a list page is
        rendered once per state (its template, form and querysets were most of its time once the
        counts were cached); a search is free text, too many distinct pages to keep, and its
        ranking is kept already (``page_by_rank``).
        """
        return "format" not in self.kwargs and "format" not in request.GET and not request.GET.get("q")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET  # always bound, so the default sort applies to the bare list too
        return kwargs

    def get(self, request, *args, **kwargs):
        fmt = kwargs.get("format") or request.GET.get("format")
        if fmt is not None and fmt not in self.exporters:
            return HttpResponseBadRequest(_("未知的导出格式").encode())
        if fmt in ("csv", "figures"):
            return export.csv_response(self.get_filterset(self.get_filterset_class()).qs, fmt)
        with search.prefer_index(bool(request.GET.get("q")), using=self.get_queryset().db):
            if fmt == "json":
                self.filterset = filterset = self.get_filterset(self.get_filterset_class())
                very_common = bool(filterset.parsed_query) and filterset.very_common
                page = export.json_page(request, filterset.qs, very_common)
                return JsonResponse(page, json_dumps_params={"ensure_ascii": False})
            response = super().get(request, *args, **kwargs)
            if hasattr(response, "render"):  # not a cached page
                response.render()  # every query of the page inside the block
        return response

    def paginate_queryset(self, queryset, page_size):
        # get_page: a page number that is not a number or past the end gives a page, never a 404 or 500.
        paginator = self.get_paginator(queryset.select_related(*LIST_PLACES).defer(*LIST_DEFERRED), page_size)
        # The facets' statement counted the list already (and may have it cached): no COUNT of its own.
        # A very common word was counted only up to SEARCH_CAP: that many are paged ("more than …").
        total = self.filterset.counts["total"]
        paginator.count = search.SEARCH_CAP if total is None else total
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        if self.filterset.very_common:
            with search.date_walk(queryset.db):  # the page's 20 rows by walking the date index
                page.object_list = list(page.object_list)
        elif self.filterset.sort_key == CaseFilter.Sort.RELEVANCE:
            page.object_list = self.page_by_rank(queryset, page)
        return paginator, page, page.object_list, page.has_other_pages()

    def page_by_rank(self, ranked, page) -> list:
        """A ranked page: the order of every match (ids only), kept like the counts, then the page's rows.

        Ranking is the pass over every match that a search costs (bm25 of 4,660 matches, 10–20 ms
        on SQLite): it is made once per set and kept under the set's identity and ``FacetCache``'s
        generation (at most SEARCH_CAP ids: past it a search is listed by date), so the next
        page, or the next reader of the same search, slices it. Sorting the matches with every
        listed column and the places joined to each carried all of them through the sort (37 ms);
        only the page's 20 rows are read whole.
        """
        key = FacetCache.key("ranked", self.filterset.set_identity(None))
        start = (page.number - 1) * page.paginator.per_page
        order = self.filterset.ranked_ids  # ordered by the statement that counted the matches (PostgreSQL)
        if order is not None and len(order) < page.paginator.count and start + page.paginator.per_page > len(order):
            order = None  # a page past the best RANKED_IDS_COUNTED that statement returned
        if order is None:
            order = cache.get(key)
        if order is None:
            order = list(ranked.values_list("pk", flat=True))
            cache.set(key, order, FACET_CACHE_SECONDS)
        ids = order[start : start + page.paginator.per_page]
        return in_order(ranked.model.objects.select_related(*LIST_PLACES).defer(*LIST_DEFERRED), ids)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        parsed = filterset.parsed_query
        cases = list(context["object_list"])
        tags = Case.objects.filter(pk__in=[c.pk for c in cases]).practice_tags() if cases else {}
        # each practice's address reversed once a page, not once per tag (most cases of a list share some)
        slugs = {slug for case_tags in tags.values() for _name, slug in case_tags}
        addresses = {slug: reverse("cases:practice-detail", args=[slug]) for slug in slugs}
        for case in cases:
            case.practice_tags = tags.get(case.pk, [])
            case.tag_links = [(name, addresses[slug]) for name, slug in case.practice_tags]
            # set below for a search; a missing attribute costs the template a dir() per row
            case.snippet = case.marked_title = None
        if parsed and cases:
            bodies = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "body"))
            marks = search.highlighter(parsed)
            for case in cases:
                case.snippet = search.snippet(bodies.get(case.pk, ""), parsed, marks=marks)
                case.marked_title = search.highlight(case.title, marks)
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
            chips=chips.active_filters(filterset, self.request.GET),
            # 網格化 is searched as 网格化: say so, so the reader knows what was matched
            converted_query=parsed.text if parsed and parsed.text != (self.request.GET.get("q") or "").strip().lower()
            else "",
            export_query=query_string(self.request.GET, format=None),
            # the facet choices a submitted search form must keep
            hidden=[(k, v) for k in ("province", "city", "practice") for v in self.request.GET.getlist(k)],
        )
        if context.get("is_paginated"):
            context["page_range"] = context["paginator"].get_elided_page_range(
                context["page_obj"].number, on_each_side=2, on_ends=1)
        return context


class CaseDetailView(CachedPage, DetailView):
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
        rendered = render_body(case.body, mechanisms, metrics, back_label=gettext("返回数据表"))
        by_pk = {m.pk: m for m in mechanisms}
        children = defaultdict(list)
        for mechanism in mechanisms:
            children[mechanism.parent_id if mechanism.parent_id in by_pk else None].append(mechanism)
        context.update(
            body_html=rendered.html,
            outline=[{"mechanism": m, "anchored": m.anchor in rendered.anchors,
                      "children": [{"mechanism": c, "anchored": c.anchor in rendered.anchors}
                                   for c in children.get(m.pk, [])]}
                     for m in children[None]],
            figures=[{"metric": m, "anchor": rendered.sentence_of.get(m.pk), "row": row_anchor(m),
                      "mechanism": by_pk.get(m.mechanism_id)} for m in metrics],
            show_original=self.request.GET.get("text") == "original" and bool(case.original_text),
            related=Case.objects.published().related_to(case),
            lineage=[p for p in (case.province, case.city, case.district) if p is not None],
        )
        return context


class PracticeListView(ListView):
    """``/practices/``: the taxonomy with the number of published cases of each practice."""

    template_name = "cases/practice_list.html"
    context_object_name = "practices"
    queryset = Practice.objects.annotate(
        case_count=Count("cases", filter=Q(cases__status=Case.Status.PUBLISHED))).order_by("-case_count", "name")


class PracticeDetailView(ListView):
    """``/practices/<slug>/``: the practice's cases, grouped by province and city, 50 a page."""

    template_name = "cases/practice_detail.html"
    context_object_name = "cases"
    paginate_by = 50

    @cached_property
    def practice(self):
        return get_object_or_404(Practice, slug=self.kwargs["slug"])

    def get_queryset(self):
        return (
            Case.objects.published().filter(practices=self.practice).select_related("place", "province", "city")
            .defer(*LIST_DEFERRED).order_by("province__code", "city__code", "-published_on", "-pk")
        )

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        counted = facet_cells.cases_of_practice(self.practice.pk, queryset.db)  # PostgreSQL's kept counts
        if counted is not None:
            paginator.count = counted
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))  # any page number gives a page
        # the page's ids in order first (on PostgreSQL through the facet cells: only the places the page
        # falls in are read), then those cases whole
        start = (page.number - 1) * page_size
        ids = facet_cells.practice_page_ids(self.practice.pk, start, page_size, queryset.db)
        if ids is None:
            ids = list(queryset.values_list("pk", flat=True)[start:start + page_size])
        page.object_list = in_order(queryset.model.objects.select_related(*LIST_PLACES).defer(*LIST_DEFERRED), ids)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            practice=self.practice, spread=practice_insights.spread(self.practice),
            co_occurring=practice_insights.co_occurring(self.practice),
            indicators=practice_insights.figures_by_indicator(self.practice), **kwargs,
        )


class PlaceListView(TemplateView):
    """``/places/``: every province, and the cities with cases under it, with counts."""

    template_name = "cases/place_list.html"

    def get_context_data(self, **kwargs):
        counts = Case.objects.published().counts_by_place()
        cities = defaultdict(list)
        for city in Place.objects.filter(pk__in=counts.by_city).only("pk", "code", "name", "parent_id"):
            city.case_count = counts.by_city[city.pk]
            cities[city.parent_id].append(city)
        provinces = list(Place.objects.provinces().only("pk", "code", "name"))
        for province in provinces:
            province.case_count = counts.by_province.get(province.pk, 0)
            province.city_list = sorted(cities.get(province.pk, []), key=lambda c: (-c.case_count, c.code))
        return super().get_context_data(
            provinces=provinces, unplaced=counts.by_province.get(None, 0), total=counts.total, **kwargs
        )
