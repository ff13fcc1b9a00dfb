"""Cases with known places, practices, mechanisms and figures, for the public-site tests.

They are written the way the loader writes them (case, mechanisms, metrics, then
``search.index_case``), so that the search index is real; the seeds' extraction
quality plays no part in these tests.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
from decimal import Decimal

from cases import search
from cases.models import Case, Mechanism, Metric, Place, Practice

_serial = itertools.count(1)


def place(code: str) -> Place:
    return Place.objects.get(code=code)


def make_case(
    title: str,
    body: str,
    *,
    place_code: str | None = None,
    published_on: datetime.date | str | None = None,
    practices: tuple[str, ...] = (),
    mechanisms: tuple[str, ...] = (),
    metrics: tuple[tuple[str, str, str, str, str], ...] = (),
    status: str = Case.Status.PUBLISHED,
    source: str = "",
    keywords: tuple[str, ...] = (),
    original_text: str = "",
    script: str = Case.Script.SIMPLIFIED,
    repairs: list | None = None,
    slug: str | None = None,
) -> Case:
    """A case and its structure. ``mechanisms`` are headings found in ``body``; ``metrics`` are
    (text in body, value, unit, qualifier, subject)."""
    n = next(_serial)
    if isinstance(published_on, str):
        published_on = datetime.date.fromisoformat(published_on)
    case = Case.objects.create(
        slug=slug or f"case-{n}",
        title=title,
        body=body,
        place=place(place_code) if place_code else None,
        published_on=published_on,
        status=status,
        source=source,
        keywords=list(keywords),
        original_text=original_text,
        script=script,
        repairs=repairs or [],
        content_hash=hashlib.sha256(f"{n}{title}".encode()).hexdigest(),
        source_file=f"{n:03d}.txt",
    )
    if practices:
        case.practices.set(Practice.objects.filter(name__in=practices))
    made: list[Mechanism] = []
    for order, heading in enumerate(mechanisms):
        start = body.index(heading)
        made.append(Mechanism.objects.create(case=case, order=order, heading=heading, start=start,
                                             end=start + len(heading)))
    for order, (text, value, unit, qualifier, subject) in enumerate(metrics):
        start = body.index(text)
        owner = next((m for m in reversed(made) if m.start <= start), None)
        Metric.objects.create(
            case=case, mechanism=owner, subject=subject, value=Decimal(value), unit=unit, qualifier=qualifier,
            text=text, start=start, end=start + len(text), order=order,
        )
    search.index_case(case)
    return case
