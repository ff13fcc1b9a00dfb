"""The public JSON API: read-only viewsets over published data, paged as ``{count, next, previous, results}``.

Filters are the site's own FilterSets (``CaseFilter``, ``FigureFilter``) through django-filter's DRF
backend, so ``/api/cases/?province=210000&practice=grid-management&q=网格`` lists what ``/`` lists,
in the same order; an invalid value is a 400 that names the parameter. Every response carries an
ETag (and a case its Last-Modified) and answers a conditional GET with 304; any origin may GET it
(CORS, see settings). Drafts never appear: every queryset starts from ``published()``.
"""

from __future__ import annotations

import functools

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from .. import search
from ..figure_filters import FigureFilter
from ..filters import CaseFilter
from ..models import Case, Indicator, Mechanism, Metric, Place, Practice
from ..views import LIST_DEFERRED
from . import serializers as s
from .filters import ApiCaseFilter, ApiFigureFilter


class ArchivePagination(PageNumberPagination):
    """20 a page, up to 100 with ``page_size``; a case list's total comes from the filterset's own count
    (one statement shared with the facets, capped for a very common word) instead of a second COUNT."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        # an out-of-range size is refused, not silently capped: a client learns the limit at once
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"每页条数应为 1 到 {self.max_page_size} 的整数"]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        paginator = Paginator(queryset, page_size)
        filterset = getattr(view, "filterset", None)
        if isinstance(filterset, CaseFilter):
            total = filterset.total
            paginator.count = search.SEARCH_CAP if total is None else total
        elif isinstance(filterset, FigureFilter) and filterset.total is not None:
            paginator.count = filterset.total  # PostgreSQL's figure cells: no COUNT over every figure
        number = request.query_params.get(self.page_query_param) or 1
        try:
            self.page = paginator.page(number)
        except Exception as error:  # InvalidPage: not a number, or past the end
            raise NotFound(f"没有这一页：{number}") from error
        self.request = request
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: {"minimum": 1},
                  self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class RememberingFilterBackend(DjangoFilterBackend):
    """django-filter's backend, keeping the bound filterset on the view (the pager reads its count)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset


class ConditionalGetMixin:
    """An ETag on every response (a hash of its body) and a 304 when the client already holds it."""

    def last_modified(self):
        return None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        set_response_etag(response)
        modified = self.last_modified()
        if modified is not None:
            response.headers["Last-Modified"] = http_date(modified.timestamp())
        return get_conditional_response(
            request, etag=response.get("ETag"), last_modified=modified and int(modified.timestamp()), response=response,
        ) or response


@extend_schema_view(
    list=extend_schema(summary="案例列表", description="已发布的案例，与网站列表相同的筛选和排序。"),
    retrieve=extend_schema(summary="一个案例", description="连同其机制、数字、实践和来源。"),
)
class CaseViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[^/]+"  # any id reaches the view, so an unknown one is a JSON 404
    filter_backends = [RememberingFilterBackend]
    filterset_class = ApiCaseFilter
    pagination_class = ArchivePagination

    def get_queryset(self):
        cases = Case.objects.published().select_related("place", "province", "city").prefetch_related(
            Prefetch("practices", queryset=Practice.objects.order_by("name")))
        if self.action == "list":
            return cases.defer(*LIST_DEFERRED)
        return cases.prefetch_related(
            Prefetch("mechanisms", queryset=Mechanism.objects.order_by("order")),
            Prefetch("metrics", queryset=Metric.objects.select_related("indicator", "case").order_by("order", "start")),
        )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return s.CaseDetailSerializer if self.action == "retrieve" else s.CaseSummarySerializer

    def last_modified(self):
        if self.action == "retrieve" and getattr(self, "_object", None) is not None:
            return self._object.updated
        return None

    def get_object(self):
        self._object = super().get_object()
        return self._object


@extend_schema_view(
    list=extend_schema(summary="数字列表", description="已发布案例中的数字，可按指标、地区、实践、年份、限定词筛选，按数值排序。"),
    retrieve=extend_schema(summary="一个数字"),
)
class FigureViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [RememberingFilterBackend]
    filterset_class = ApiFigureFilter
    pagination_class = ArchivePagination
    serializer_class = s.FigureSerializer

    def get_queryset(self):
        return Metric.objects.published().select_related("indicator", "case__province", "case__city").defer(
            *(f"case__{name}" for name in LIST_DEFERRED))


@extend_schema_view(list=extend_schema(summary="比较指标列表"), retrieve=extend_schema(summary="一个比较指标"))
class IndicatorViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[^/]+"  # any id reaches the view, so an unknown one is a JSON 404
    serializer_class = s.IndicatorSerializer
    pagination_class = ArchivePagination

    def get_queryset(self):
        published = Q(metrics__case__status=Case.Status.PUBLISHED)
        return Indicator.objects.annotate(figure_count=Count("metrics", filter=published)).order_by("name")


@extend_schema_view(list=extend_schema(summary="实践列表"), retrieve=extend_schema(summary="一个实践"))
class PracticeViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[^/]+"  # any id reaches the view, so an unknown one is a JSON 404
    serializer_class = s.PracticeSerializer
    pagination_class = ArchivePagination

    def get_queryset(self):
        published = Q(cases__status=Case.Status.PUBLISHED)
        return Practice.objects.annotate(case_count=Count("cases", filter=published)).order_by("-case_count", "name")


LEVEL_PARAMETER = OpenApiParameter("level", str, enum=[c for c, _label in Place.Level.choices], description="级别")
PARENT_PARAMETER = OpenApiParameter("parent", str, description="上级地区的行政区划代码")


@extend_schema_view(
    list=extend_schema(summary="地区列表", parameters=[LEVEL_PARAMETER, PARENT_PARAMETER]),
    retrieve=extend_schema(summary="一个地区"),
)
class PlaceViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    serializer_class = s.PlaceSerializer
    pagination_class = ArchivePagination

    def get_queryset(self):
        places = Place.objects.select_related("parent").order_by("code")
        if self.action == "list":
            level = self.request.query_params.get("level")
            if level in Place.Level.values:
                places = places.filter(level=level)
            elif level:
                raise NotFound(f"没有这种级别：{level}")
            parent = self.request.query_params.get("parent")
            if parent:
                places = places.filter(parent__code=parent)
        return places

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return _with_case_counts(page) if page is not None else None

    def get_object(self):
        return _with_case_counts([super().get_object()])[0]


def _with_case_counts(places: list[Place]) -> list[Place]:
    """Each place's published cases, a city's and a province's including their districts: one GROUP BY a level."""
    published = Case.objects.published().order_by()
    column = {Place.Level.PROVINCE: "province_id", Place.Level.CITY: "city_id", Place.Level.DISTRICT: "place_id"}
    counts: dict[int, int] = {}
    for level, name in column.items():
        ids = [p.pk for p in places if p.level == level]
        if ids:
            counts.update(published.filter(**{f"{name}__in": ids}).values_list(name).annotate(n=Count("pk")))
    for place in places:
        place.case_count = counts.get(place.pk, 0)
    return places


def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": "没有这个地址"}, status=404, json_dumps_params={"ensure_ascii": False})


@functools.cache
def _schema() -> dict:
    # the schema depends on the code alone: made once per process, on the first visit to /api/
    return SchemaGenerator().get_schema(request=None, public=True)


def api_index(request):
    """``/api/``: the OpenAPI schema as a page: every path, what it returns and every parameter."""
    schema = _schema()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            operations.append({"path": path, "method": method.upper(), "summary": op.get("summary", ""),
                               "description": op.get("description", ""), "parameters": op.get("parameters", [])})
    return render(request, "api/index.html", {"info": schema.get("info", {}), "operations": operations})
