"""``/compare/``: one indicator across places (``?indicator=<slug>``), and places side by side
(``?place=<code>&place=<code>``). The rules are ``compare.py``'s; this only wires them into a page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.views.generic import TemplateView

from . import compare
from .models import Case, Indicator, Place


class CompareView(TemplateView):
    template_name = "cases/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slug = self.request.GET.get("indicator", "")
        codes = [c for c in self.request.GET.getlist("place") if c]
        indicators = compare.indicators_with_figures()
        indicator = Indicator.objects.filter(slug=slug).first() if slug else None
        rows = compare.indicator_rows(indicator, limit=compare.ROWS_SHOWN) if indicator else []
        total = next((i.n for i in indicators if i == indicator), 0) if indicator else 0
        figures = reverse("cases:figure-list")
        for row in rows:  # each row's text and case link made once (the template shows both twice)
            row.display, row.case_url = row.metric.display_value, row.metric.case.get_absolute_url()
            if row.place is not None:
                key = "city" if row.place.level != Place.Level.PROVINCE else "province"
                row.link = f"{figures}?{urlencode([('indicator', indicator.slug), (key, row.place.code)])}"
            else:
                row.link = f"{figures}?{urlencode([('indicator', indicator.slug)])}"
        pinned = compare.pinned_places(codes) if codes else None
        context.update(
            indicators=indicators, indicator=indicator, unknown_indicator=bool(slug) and indicator is None,
            rows=rows, total=total, more=total > len(rows), pinned=pinned,
            all_figures=f"{figures}?{urlencode([('indicator', indicator.slug)])}" if indicator else "", codes=codes, ratio_labels=compare.base_labels(indicator) if indicator else [],
            unknown_places=len(codes) - (len(pinned.places) if pinned else 0) if codes else 0,
            too_many=len(codes) > compare.MAX_PINNED, max_pinned=compare.MAX_PINNED,
            pin_choices=Place.objects.filter(pk__in=Case.objects.published().exclude(city=None).values("city"))
            .order_by("code").only("code", "name"),
        )
        return context
