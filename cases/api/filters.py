"""The API's filters: the site's FilterSets, with every parameter documented as exactly as it is checked.

A machine reading the schema must be able to trust it: whatever the schema allows is accepted. So
a parameter naming a thing by its id (a place's code, a practice's or an indicator's slug) accepts any
well-formed id and an unknown one simply matches nothing (as a search for a word nobody wrote), while
a malformed one (``province=abc``) is a 400 naming the parameter; numbers carry their bounds and text
its length in the schema.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from .. import search
from ..figure_filters import FigureFilter
from ..filters import MAX_YEAR, MIN_YEAR, CaseFilter, YearFilter
from ..models import Case, Indicator, Place, in_place

CODE_RE = re.compile(r"\d{6,12}")
SLUG_RE = re.compile(r"[-\w]{1,64}")
# an empty value is no filter, as a form left blank sends it
CODE_SCHEMA = {"type": "string", "pattern": rf"^(?:{CODE_RE.pattern})?$"}
SLUG_LIST_SCHEMA = {"type": "array", "items": {"type": "string", "pattern": rf"^(?:{SLUG_RE.pattern})?$"}}
YEAR_SCHEMA = {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}
NO_NUL = r"^[^\x00]*$"  # a NUL character is refused (400), as by every form of the site


def text_schema(max_length: int) -> dict:
    return {"type": "string", "maxLength": max_length, "pattern": NO_NUL}


def documented(filter_, schema: dict):
    """The filter, its parameter in the schema replaced by ``schema`` (with the filter's label as description)."""
    extend_schema_field({"description": str(filter_.label or ""), **schema})(filter_)
    return filter_


class CodeField(forms.CharField):
    def validate(self, value):
        super().validate(value)
        if value and not CODE_RE.fullmatch(value):
            raise ValidationError(_("行政区划代码应为 6 到 12 位数字"), code="invalid")


class SlugListField(forms.Field):
    widget = forms.SelectMultiple  # reads every value of a repeated parameter (practice=a&practice=b)

    def to_python(self, value):
        return [v for v in (value or []) if v != ""]

    def validate(self, value):
        super().validate(value)
        for slug in value:
            if not SLUG_RE.fullmatch(slug):
                raise ValidationError(_("标识只能由字母、数字、连字符和下划线组成：%(value)s"), params={"value": slug},
                                      code="invalid")


class CodeFilter(django_filters.CharFilter):
    field_class = CodeField


class SlugListFilter(django_filters.Filter):
    field_class = SlugListField


def _place(code: str, levels: tuple[str, ...]) -> Place | None:
    return Place.objects.filter(code=code, level__in=levels).first()


CITY_LEVELS = (Place.Level.CITY, Place.Level.DISTRICT)


class ByCode(django_filters.FilterSet):
    """The parameters that name a place by its code and practices by their slugs, for a FilterSet over cases
    (``case_prefix`` "", ``case_key`` "pk") or over rows of a case ("case__", "case"); the years keep their
    base's methods."""

    case_prefix, case_key = "", "pk"

    province = documented(CodeFilter(label=_("省份"), method="filter_province"), CODE_SCHEMA)
    city = documented(CodeFilter(label=_("城市（或区县）"), method="filter_city"), CODE_SCHEMA)
    practice = documented(SlugListFilter(label=_("实践（可重复，任一）"), method="filter_practice"), SLUG_LIST_SCHEMA)
    year_from = documented(YearFilter(label=_("起始年份"), method="filter_year_from", min_value=MIN_YEAR,
                                      max_value=MAX_YEAR), YEAR_SCHEMA)
    year_to = documented(YearFilter(label=_("截止年份"), method="filter_year_to", min_value=MIN_YEAR,
                                    max_value=MAX_YEAR), YEAR_SCHEMA)

    def filter_province(self, queryset, name, value):
        return self._in(queryset, _place(value, (Place.Level.PROVINCE,)) if value else None, value)

    def filter_city(self, queryset, name, value):
        return self._in(queryset, _place(value, CITY_LEVELS) if value else None, value)

    def _in(self, queryset, place: Place | None, code: str):
        if not code:
            return queryset
        return queryset.filter(in_place(place, self.case_prefix)) if place else queryset.none()

    def filter_practice(self, queryset, name, value):
        if not value:
            return queryset
        through = Case.practices.through.objects.filter(practice__slug__in=value).values("case_id")
        return queryset.filter(**{f"{self.case_key}__in": through})


class ApiCaseFilter(ByCode, CaseFilter):
    q = documented(django_filters.CharFilter(label=_("全文检索"), method="filter_q", strip=True,
                                             max_length=search.MAX_QUERY_LENGTH),
                   text_schema(search.MAX_QUERY_LENGTH))
    source = documented(django_filters.CharFilter(label=_("来源"), lookup_expr="icontains", max_length=100),
                        text_schema(100))


class ApiFigureFilter(ByCode, FigureFilter):
    case_prefix, case_key = "case__", "case"

    indicator = documented(SlugListFilter(label=_("比较指标（可重复，任一）"), method="filter_indicator"),
                           SLUG_LIST_SCHEMA)
    subject = documented(django_filters.CharFilter(label=_("对象包含"), lookup_expr="icontains", max_length=100),
                         text_schema(100))

    def filter_indicator(self, queryset, name, value):
        # by the figure's own column, which the value-order index leads with (a join on the slug walked every figure)
        if not value:
            return queryset
        return queryset.filter(indicator_id__in=list(Indicator.objects.filter(slug__in=value).values_list("pk", flat=True)))
