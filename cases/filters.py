"""The case list's filters (django-filter), their sort order and the sets their facets count (``facets.py``).

Every state lives in the query string: ``q``, ``province`` and ``city`` (administrative codes,
stable across reloads of the gazetteer), ``practice`` (slugs, several at once, any of them),
``year_from``/``year_to``, ``source``, ``has_figures`` and ``sort``.
"""

from __future__ import annotations

import datetime
import functools
import operator

import django_filters
from django import forms
from django.db import connections
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from . import facet_cells, search
from .facets import FACET_PARAMS, FACETS, cached_count_sets
from .models import Case, Metric, Place, Practice, in_place, place_is

MIN_YEAR, MAX_YEAR = 1949, 2100
NEWEST = F("published_on").desc(nulls_last=True)


class YearFilter(django_filters.NumberFilter):
    # An integer field (not NumberFilter's Decimal): "1e9" or "abc" is a form error, never a date overflow.
    field_class = forms.IntegerField


class CaseFilter(django_filters.FilterSet):
    class Sort:
        RELEVANCE, NEWEST, OLDEST, TITLE, FIGURES = "relevance", "newest", "oldest", "title", "figures"
        CHOICES = [
            (RELEVANCE, _("相关度")),
            (NEWEST, _("日期（新→旧）")),
            (OLDEST, _("日期（旧→新）")),
            (TITLE, _("标题")),
            (FIGURES, _("数据条数")),
        ]

    q = django_filters.CharFilter(
        label=_("全文检索"), method="filter_q", max_length=search.MAX_QUERY_LENGTH, strip=True
    )
    province = django_filters.ModelChoiceFilter(
        label=_("省份"), queryset=Place.objects.provinces(), to_field_name="code", method="filter_place"
    )
    city = django_filters.ModelChoiceFilter(
        label=_("城市"), queryset=Place.objects.filter(level__in=["city", "district"]), to_field_name="code",
        method="filter_place",
    )
    practice = django_filters.ModelMultipleChoiceFilter(
        label=_("实践"), queryset=Practice.objects.all(), to_field_name="slug", method="filter_practice"
    )
    year_from = YearFilter(label=_("起始年份"), method="filter_year_from", min_value=MIN_YEAR, max_value=MAX_YEAR)
    year_to = YearFilter(label=_("截止年份"), method="filter_year_to", min_value=MIN_YEAR, max_value=MAX_YEAR)
    # cases without a date: a year range leaves them out, so they have a choice of their own
    undated = django_filters.BooleanFilter(label=_("日期不详"), method="filter_undated",
                                           widget=django_filters.widgets.BooleanWidget())
    source = django_filters.CharFilter(label=_("来源"), lookup_expr="icontains", max_length=100)
    # "1"/"true" → with figures, "0"/"false" → without; anything else is no filter.
    has_figures = django_filters.BooleanFilter(label=_("含数据"), method="filter_has_figures",
                                               widget=django_filters.widgets.BooleanWidget())
    sort = django_filters.ChoiceFilter(label=_("排序"), choices=Sort.CHOICES, method="keep", empty_label=None)

    class Meta:
        model = Case
        fields: list[str] = []

    # ----------------------------------------------------------------------------- filters

    @cached_property
    def parsed_query(self) -> search.ParsedQuery | None:
        """The valid query, parsed once for matching, ranking and snippets; None without one."""
        if not self.is_bound:
            return None
        self.errors  # noqa: B018 (validates the form, so cleaned_data holds every valid field)
        value = self.form.cleaned_data.get("q")
        return search.parse(value) if value else None

    def filter_q(self, queryset, name, value):
        return queryset.search(self.parsed_query)

    def filter_place(self, queryset, name, value):
        # A city includes its districts; a district code narrows to the district.
        return queryset.in_place(value)

    def filter_practice(self, queryset, name, value):
        # Any of the chosen practices; a subquery rather than a join keeps each case once without DISTINCT.
        if not value:  # an empty selection arrives as an empty queryset, which a method filter still receives
            return queryset
        through = Case.practices.through.objects.filter(practice__in=value).values("case_id")
        return queryset.filter(pk__in=through)

    def filter_year_from(self, queryset, name, value):
        # A date range (not __year) so that the index on published_on serves it.
        return queryset.filter(published_on__gte=datetime.date(int(value), 1, 1))

    def filter_year_to(self, queryset, name, value):
        return queryset.filter(published_on__lt=datetime.date(int(value) + 1, 1, 1))

    def filter_undated(self, queryset, name, value):
        return queryset.filter(published_on__isnull=bool(value))

    def filter_has_figures(self, queryset, name, value):
        has = Exists(Metric.objects.filter(case=OuterRef("pk")))
        return queryset.filter(has) if value else queryset.exclude(has)

    def keep(self, queryset, name, value):
        return queryset  # the sort is applied once every filter has run, in filter_queryset

    # ----------------------------------------------------------------------------- sort

    @property
    def sort_key(self) -> str:
        parsed = self.parsed_query  # validates the form first
        chosen = self.form.cleaned_data.get("sort") if self.is_bound else None
        if chosen == self.Sort.RELEVANCE and not parsed:
            chosen = None  # nothing to be relevant to
        return chosen or (self.Sort.RELEVANCE if parsed else self.Sort.NEWEST)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        key = self.sort_key
        if key == self.Sort.RELEVANCE:
            return queryset.by_relevance(self.parsed_query, very_common=self.very_common)
        # Undated cases last either way (PostgreSQL would put NULLs first in a descending sort).
        if key == self.Sort.OLDEST:
            return queryset.order_by(F("published_on").asc(nulls_last=True), "pk")
        if key == self.Sort.TITLE:
            return queryset.order_by("title", "pk")
        if key == self.Sort.FIGURES:
            return queryset.with_metric_count().order_by("-metric_count", NEWEST, "-pk")
        return queryset.order_by(NEWEST, "-pk")

    # ----------------------------------------------------------------------------- facets

    def without(self, facet: str | None):
        """The cases under every valid filter but the facet's own, unordered: what its options count.

        ``facet=None`` keeps every filter (the list itself). The filters are applied from this
        form's cleaned data, so a facet neither validates the query string again (a query per
        chosen place or practice) nor parses the search again.
        """
        self.errors  # noqa: B018 (validates once)
        ignored = FACET_PARAMS[facet] if facet else ()
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in ignored:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()

    def set_identity(self, facet: str | None) -> tuple:
        """What ``without(facet)`` depends on, as plain values: two facets with equal identities count one set.

        Made from the cleaned filters (a place or practice by its key), so that a cached page
        neither builds nor compiles the five querysets only to find their counts in the cache.
        """
        self.errors  # noqa: B018 (validates once)
        ignored = FACET_PARAMS[facet] if facet else ()
        active = []
        for name, value in sorted(self.form.cleaned_data.items()):
            if isinstance(value, (list, tuple, QuerySet)):  # the practices (a QuerySet the form evaluated, or slugs)
                pks = [v.pk for v in value if hasattr(v, "pk")]
                value = (("pks", tuple(sorted(pks))) if len(pks) == len(value)
                         else ("keys", tuple(sorted(map(str, value))))) if value else None
            elif hasattr(value, "pk"):
                value = ("pk", value.pk)
            if name in ignored or name == "sort" or value in EMPTY_VALUES:
                continue  # a filter ignores an empty value (and the sort filters nothing)
            active.append((name, value))
        return (self.queryset.db, self.base_sql, tuple(active))

    @cached_property
    def base_sql(self) -> str:
        """The unfiltered queryset's conditions (the published cases, on the list), written out once for every set.

        Its WHERE as text, not its compiled SQL: compiling it (the model's ordering included) was
        2 ms a page; the view's queryset has no join or annotation of its own to tell apart.
        """
        return f"{self.queryset.model._meta.label}:{self.queryset.query.where}"

    @cached_property
    def counts(self) -> dict:
        """{facet: {option key: count}} for the four facets, and ``"total"``: the number of listed cases.

        Facets whose own filter is not active count the same set as the list, so every distinct
        set is matched once (a search once, not six times) by one statement per set; see
        ``facets.count_sets``. Results are cached briefly (``FacetCache``) under the set's
        identity (``set_identity``): paging, re-sorting and the bare home page then cost no count,
        and no queryset is built for one.
        """
        precounted = facet_cells.counts(self)  # PostgreSQL's maintained counts, when they can answer
        if precounted is not None:
            return precounted
        by_set: dict[tuple, list[str | None]] = {}
        for facet in (None, *FACETS):
            by_set.setdefault(self.set_identity(facet), []).append(facet)
        # A search's sets are counted up to SEARCH_CAP rows (see count_sets); a plain list's, exactly.
        cap = search.SEARCH_CAP if self.parsed_query else None
        # A ranked search on PostgreSQL orders its matches in the statement that counts them: one pass
        # over the full-text index for the list instead of two (see ``ranked_ids``).
        rank_here = (self.parsed_query is not None and self.sort_key == self.Sort.RELEVANCE
                     and connections[self.queryset.db].vendor == "postgresql")
        counts: dict = {}
        for identity, facets in by_set.items():
            if facets == ["province"] and cap is not None and self.form.cleaned_data.get("province"):
                counts["province"] = self.province_counts_around(self.form.cleaned_data["province"], identity,
                                                                 counts["total"], cap)
                continue
            wanted = ["total" if f is None else f for f in facets]
            ranked = rank_here and None in facets
            counted = cached_count_sets(
                (identity, wanted, cap, ranked),
                (lambda: search.ranked(self.without(None), self.parsed_query)) if ranked
                else (lambda f=facets[0]: self.without(f)), wanted, cap, ranked=ranked)
            if ranked:
                self.ranked_ids = counted.get("order")
            counts.update((kind, value) for kind, value in counted.items() if kind != "order")
        return counts

    def province_counts_around(self, province: Place, identity: tuple, inside: int | None, cap: int) -> dict | None:
        """A capped search's province facet while ``province`` is chosen: the matches outside it, counted.

        The facet's set (every filter but the province) is the list itself, whose ``inside``
        matches are already counted, and the matches in other provinces. So only those are read,
        up to what the cap leaves (``cap - inside``): past it, the whole set is past the cap too.
        For a common word in a large province that spares the thousands of rows of the list.
        """
        if inside is None:  # the list alone is past the cap, so its superset is
            return None
        left = cap - inside
        if self.past_cap_in_the_largest_provinces(province, inside, left):
            return None
        outside = cached_count_sets((identity, "outside", province.pk, left),
                                    lambda: self.without("province").exclude(in_place(province)), ["province"], left)
        if outside["province"] is None:
            return None
        return {**outside["province"], **({province.pk: inside} if inside else {})}

    def past_cap_in_the_largest_provinces(self, province: Place, inside: int, left: int) -> bool:
        """PostgreSQL: whether the few largest other provinces alone hold more than ``left`` matches.

        Counting the matches outside a province reads every match's entry of the words in the GIN
        index (46,000 a word in half of 100,000 cases); within named provinces the index walks their
        short lists and skips through the words' (migration 0025). When the chosen province's
        matches say the word is common, the largest other provinces, as many as would hold twice
        ``left`` at its density (at most PROOF_PROVINCES), are counted up to ``left + 1`` first:
        more, and the set is past the cap, proven. Fewer proves nothing, and the set is counted.
        """
        sizes = facet_cells.province_sizes(self.queryset.db)
        if not sizes or not inside or not sizes.get(province.pk):
            return False
        density, wanted = inside / sizes[province.pk], 2 * (left + 1)
        largest = sorted(((n, pk) for pk, n in sizes.items() if pk != province.pk), reverse=True)
        chosen, held = [], 0.0
        for n, pk in largest[: self.PROOF_PROVINCES]:
            chosen.append(pk)
            held += n * density
            if held >= wanted:
                break
        else:
            return False  # not likely to be proven: counting the whole set costs less than trying
        within = functools.reduce(operator.or_, (place_is("province", pk) for pk in chosen))
        return self.without("province").filter(within)[: left + 1].count() > left

    PROOF_PROVINCES = 3

    ranked_ids: list[int] | None = None  # a ranked search's best matches first, when ``counts`` ordered them

    @cached_property
    def total(self) -> int | None:
        """The number of listed cases (None past SEARCH_CAP for a search), for a pager that shows no facets (the API).

        The list's count alone, by the same statement and cache as ``counts``; the facets' counts
        when they were made already."""
        if "counts" in self.__dict__:
            return self.counts["total"]
        precounted = facet_cells.counts(self)
        if precounted is not None:
            return precounted["total"]
        cap = search.SEARCH_CAP if self.parsed_query else None
        return cached_count_sets((self.set_identity(None), ["total"], cap), lambda: self.without(None), ["total"],
                                 cap)["total"]

    @property
    def very_common(self) -> bool:
        """The listed cases are a search past SEARCH_CAP matches: counted as SEARCH_CAP, listed by date."""
        return self.counts["total"] is None

    def facet_counts(self) -> dict[str, dict | None]:
        """{facet: {option key: count}}; None for a facet whose set has more than SEARCH_CAP cases."""
        return {facet: self.counts[facet] for facet in FACETS}
