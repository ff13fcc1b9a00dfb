"""One shape for every export of cases (manage.py export, the public list, the admin action).

The JSON shape is DESIGN.md's "Interfaces" section; CSV flattens the same fields, lists joined by "; ".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Prefetch

from .models import Case, Mechanism, Metric, sentence_bounds

CSV_FIELDS = [
    "source_file", "slug", "title", "province", "city", "district", "published_on", "source", "author_org",
    "script", "kind", "status", "practices", "keywords", "mechanism_count", "metric_count", "url",
]
FIGURE_CSV_FIELDS = ["case", "slug", "province", "city", "district", "subject", "value", "unit", "qualifier",
                     "display", "mechanism", "sentence"]


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
        Prefetch("metrics", queryset=Metric.objects.order_by("order", "start")),
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
             "subject": m.subject, "text": m.text, "start": m.start, "end": m.end}
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
                "subject": metric.subject, "value": number(metric.value), "unit": metric.unit,
                "qualifier": metric.qualifier, "display": metric.display_value,
                "mechanism": mechanisms.get(metric.mechanism_id, ""),
                "sentence": case.body[left:right].strip(),
            })
    return out.getvalue()
