"""Filters over published figures (django-filter): the API's ``/api/figures/`` and the figures explorer.

The same parameters as the case list where they mean the same thing (``province``, ``city`` as
administrative codes, ``practice`` slugs, ``year_from``/``year_to`` of the case's date), plus what
only a figure has: its ``indicator`` (slugs, any of them), its ``qualifier`` (as the text writes it,
``none`` for an exact figure) and its ``subject`` (words it contains); ``sort`` by value or date.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Count, F
from django.db.models.functions import ExtractYear
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ingest.vocabulary import QUALIFIERS

from . import figure_cells
from .filters import MAX_YEAR, MIN_YEAR, YearFilter
from .models import Case, Indicator, Metric, Place, Practice, in_place

EXACT = "none"  # the qualifier of a figure the text states exactly
# The facets of the figures explorer: the column each counts by, and the filters it ignores when
# counting its own options ("with the other active filters").
FIGURE_FACETS = {
    "indicator": ("indicator__slug", ("indicator",)),
    "province": ("case__province__code", ("province", "city")),
    "year": ("year", ("year_from", "year_to")),
    "qualifier": ("qualifier", ("qualifier",)),
}


class FigureFilter(django_filters.FilterSet):
    class Sort:
        VALUE_DESC, VALUE_ASC, NEWEST = "-value", "value", "newest"
        CHOICES = [(VALUE_DESC, _("数值（大→小）")), (VALUE_ASC, _("数值（小→大）")), (NEWEST, _("日期（新→旧）"))]

    indicator = django_filters.ModelMultipleChoiceFilter(
        label=_("比较指标"), queryset=Indicator.objects.all(), to_field_name="slug", method="filter_indicator",
    )
    province = django_filters.ModelChoiceFilter(
        label=_("省份"), queryset=Place.objects.provinces(), to_field_name="code", field_name="case__province",
    )
    city = django_filters.ModelChoiceFilter(
        label=_("城市"), queryset=Place.objects.filter(level__in=["city", "district"]), to_field_name="code",
        method="filter_city",
    )
    practice = django_filters.ModelMultipleChoiceFilter(
        label=_("实践"), queryset=Practice.objects.all(), to_field_name="slug", method="filter_practice",
    )
    year_from = YearFilter(label=_("起始年份"), method="filter_year_from", min_value=MIN_YEAR, max_value=MAX_YEAR)
    year_to = YearFilter(label=_("截止年份"), method="filter_year_to", min_value=MIN_YEAR, max_value=MAX_YEAR)
    qualifier = django_filters.ChoiceFilter(
        label=_("限定词"), method="filter_qualifier",
        choices=[(EXACT, _("无（确数）")), *((q.word, q.word) for q in QUALIFIERS)],
    )
    subject = django_filters.CharFilter(label=_("对象"), lookup_expr="icontains", max_length=100)
    sort = django_filters.ChoiceFilter(label=_("排序"), choices=Sort.CHOICES, method="keep", empty_label=None)

    class Meta:
        model = Metric
        fields: list[str] = []

    def filter_indicator(self, queryset, name, value):
        # by the figure's own column, which the value-order index leads with; a figure has one
        # indicator, so no DISTINCT (a join on the slug with DISTINCT sorted every figure it selected)
        return queryset.filter(indicator__in=list(value)) if value else queryset

    def filter_city(self, queryset, name, value):
        return queryset.filter(in_place(value, "case__"))

    def filter_practice(self, queryset, name, value):
        if not value:
            return queryset
        through = Case.practices.through.objects.filter(practice__in=value).values("case_id")
        return queryset.filter(case__in=through)

    def filter_year_from(self, queryset, name, value):
        return queryset.filter(case__published_on__gte=datetime.date(int(value), 1, 1))

    def filter_year_to(self, queryset, name, value):
        return queryset.filter(case__published_on__lt=datetime.date(int(value) + 1, 1, 1))

    def filter_qualifier(self, queryset, name, value):
        return queryset.filter(qualifier="" if value == EXACT else value)

    def keep(self, queryset, name, value):
        return queryset

    def without(self, facet: str):
        """The figures under every valid filter but the facet's own, unordered: what its options count."""
        self.errors  # noqa: B018 (validates once)
        ignored = FIGURE_FACETS[facet][1]
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in ignored:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()

    @cached_property
    def cell_counts(self) -> dict | None:
        """The total and every facet's counts from PostgreSQL's maintained cells, or None if they cannot answer."""
        return figure_cells.counts(self, {facet: ignored for facet, (_column, ignored) in FIGURE_FACETS.items()})

    @cached_property
    def total(self) -> int | None:
        """How many figures the filters select, from the cells (None if they cannot answer: count the figures)."""
        if "cell_counts" in self.__dict__:  # the facets were counted already
            return self.cell_counts["total"] if self.cell_counts is not None else None
        counted = figure_cells.counts(self)
        return None if counted is None else counted["total"]

    @cached_property
    def facet_counts(self) -> dict[str, dict]:
        """{facet: {option key: figures}}: from the cells (PostgreSQL), else one GROUP BY per facet over the
        figures its filters leave."""
        if self.cell_counts is not None:
            return {facet: self.cell_counts[facet] for facet in FIGURE_FACETS}
        counts = {}
        for facet, (column, _ignored) in FIGURE_FACETS.items():
            queryset = self.without(facet)
            if column == "year":
                queryset = queryset.annotate(year=ExtractYear("case__published_on"))
            counts[facet] = dict(queryset.values_list(column).annotate(n=Count("pk")).order_by())
        return counts

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        chosen = self.form.cleaned_data.get("sort") if self.is_bound else None
        if chosen == self.Sort.VALUE_ASC:
            return queryset.order_by("value", "pk")
        if chosen == self.Sort.NEWEST:
            return queryset.order_by(F("case__published_on").desc(nulls_last=True), "case_id", "order", "pk")
        return queryset.order_by("-value", "pk")
