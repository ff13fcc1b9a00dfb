"""One shape for every export of cases (manage.py export, the public list, the admin action).

The JSON shape is DESIGN.md's "Interfaces" section; CSV flattens the same fields, lists joined by "; ".
The public list's exports are ``csv_response`` (the whole filtered list, streamed in batches) and
``json_page`` (one page of it, with links to the next and previous pages).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from itertools import islice

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import StreamingHttpResponse

from . import search
from .facets import query_string
from .models import Case, Mechanism, Metric, sentence_bounds

CSV_FIELDS = [
    "source_file", "slug", "title", "province", "city", "district", "published_on", "source", "other_sources", "author_org",
    "script", "kind", "status", "practices", "keywords", "mechanism_count", "metric_count", "url",
]
FIGURE_CSV_FIELDS = ["case", "slug", "province", "city", "district", "subject", "indicator", "value", "unit",
                     "qualifier", "display", "mechanism", "sentence"]
EXPORT_BATCH = 200
# /cases.json is paged: a case carries its whole body (~14 KB), so an unpaged list of 100,000 cases
# would be over a gigabyte in one response. ``?page_size=`` may ask for fewer.
JSON_PAGE_SIZE = 50


# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV Injection"):
# =HYPERLINK(…) in a title would run when a curator opens the export in Excel.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell a spreadsheet shows as text: a string that starts like a formula gets a leading ``'``.

    ``"=1+1"`` → ``"'=1+1"``; numbers and other strings are returned as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SpreadsheetSafeWriter(csv.DictWriter):
    """``csv.DictWriter`` whose every cell goes through ``spreadsheet_safe``: the one CSV writer of the site."""

    def writerow(self, rowdict):
        return super().writerow({key: spreadsheet_safe(value) for key, value in rowdict.items()})


def export_queryset(queryset):
    """The queryset with everything an export reads, in a fixed number of queries."""
    return queryset.select_related("place", "province", "city").prefetch_related(
        "practices",
        Prefetch("mechanisms", queryset=Mechanism.objects.select_related("parent").order_by("order")),
        Prefetch("metrics", queryset=Metric.objects.select_related("indicator").order_by("order", "start")),
    )


def number(value: Decimal) -> int | float:
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral() else float(value)


def case_to_dict(case: Case) -> dict:
    district = case.district
    return {
        "source_file": case.source_file,
        "slug": case.slug,
        "title": case.title,
        "province": case.province.name if case.province_id else None,
        "city": case.city.name if case.city_id else None,
        "district": district.name if district else None,
        "published_on": case.published_on.isoformat() if case.published_on else None,
        "source": case.source,
        "author_org": case.author_org,
        # the reports merged into this one as its duplicates: who else published it, under what title, when
        "other_sources": [{"source": s.get("source") or "", "title": s.get("title") or "",
                           "published_on": s.get("published_on")} for s in case.other_sources or []],
        "script": case.script,
        "kind": case.kind,
        "status": case.status,
        "practices": [p.name for p in case.practices.all()],
        "keywords": list(case.keywords),
        "summary": case.summary,
        "mechanisms": [
            {"heading": m.heading, "slogan": m.slogan, "parent": m.parent.heading if m.parent_id else None,
             "order": m.order}
            for m in case.mechanisms.all()
        ],
        "metrics": [
            {"value": number(m.value), "unit": m.unit, "qualifier": m.qualifier, "magnitude": m.magnitude,
             "subject": m.subject, "indicator": m.indicator.name if m.indicator_id else None,
             "text": m.text, "start": m.start, "end": m.end}
            for m in case.metrics.all()
        ],
        "body": case.body,
    }


def to_json(cases: Iterable[Case]) -> str:
    return json.dumps([case_to_dict(c) for c in cases], ensure_ascii=False, indent=2)


def to_csv(cases: Iterable[Case]) -> str:
    out = io.StringIO()
    writer = SpreadsheetSafeWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for case in cases:
        row = case_to_dict(case)
        row["practices"] = "; ".join(row["practices"])
        row["other_sources"] = "; ".join(f"{s['source']}《{s['title']}》{s['published_on'] or ''}" for s in row["other_sources"])
        row["keywords"] = "; ".join(row["keywords"])
        row["mechanism_count"] = len(row.pop("mechanisms"))
        row["metric_count"] = len(row.pop("metrics"))
        row["url"] = case.get_absolute_url()
        writer.writerow({k: row.get(k) if row.get(k) is not None else "" for k in CSV_FIELDS})
    return out.getvalue()


def figures_to_csv(cases: Iterable[Case]) -> str:
    """Every figure of the cases, one row each, with the sentence it came from."""
    out = io.StringIO()
    writer = SpreadsheetSafeWriter(out, fieldnames=FIGURE_CSV_FIELDS)
    writer.writeheader()
    for case in cases:
        district = case.district
        mechanisms = {m.pk: m.heading for m in case.mechanisms.all()}
        for metric in case.metrics.all():
            left, right = sentence_bounds(case.body, metric.start, metric.end)
            writer.writerow({
                "case": case.title, "slug": case.slug,
                "province": case.province.name if case.province_id else "",
                "city": case.city.name if case.city_id else "",
                "district": district.name if district else "",
                "subject": metric.subject, "indicator": metric.indicator.name if metric.indicator_id else "",
                "value": number(metric.value), "unit": metric.unit,
                "qualifier": metric.qualifier, "display": metric.display_value,
                "mechanism": mechanisms.get(metric.mechanism_id, ""),
                "sentence": case.body[left:right].strip(),
            })
    return out.getvalue()


def csv_response(queryset, fmt: str) -> StreamingHttpResponse:
    """Stream the whole list (there may be thousands) as CSV (``fmt`` "csv") or its figures ("figures"),
    in batches of EXPORT_BATCH cases, each batch in a few queries."""
    cases = export_queryset(queryset).iterator(chunk_size=EXPORT_BATCH)

    def batches():
        while batch := list(islice(cases, EXPORT_BATCH)):
            yield batch

    render = figures_to_csv if fmt == "figures" else to_csv

    def rows():
        yield "\ufeff"  # a BOM, so that Excel opens the Chinese text as UTF-8
        for index, batch in enumerate(batches()):
            text = render(batch)
            yield text if index == 0 else text.split("\n", 1)[1]  # the header once

    name = "figures.csv" if fmt == "figures" else "cases.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def json_page(request, queryset, very_common: bool = False) -> dict:
    """One page of the list as JSON: ``count`` (all the list's cases), ``next``/``previous`` links
    (None at the ends) and ``results`` in the export's shape, at most JSON_PAGE_SIZE a page.

    A page number that is not a number, or past the end, gives the nearest page (as the list does).
    ``very_common``: a search past SEARCH_CAP matches, whose page is found by walking the date index.
    """
    try:
        size = min(max(int(request.GET.get("page_size", JSON_PAGE_SIZE)), 1), JSON_PAGE_SIZE)
    except ValueError:
        size = JSON_PAGE_SIZE
    paginator = Paginator(export_queryset(queryset), size)
    page = paginator.get_page(request.GET.get("page"))
    if very_common:
        with search.date_walk(queryset.db):
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
        "results": [case_to_dict(case) for case in cases],
    }
