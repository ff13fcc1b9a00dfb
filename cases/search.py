"""Full-text search: index a case, query cases. STUB: the public-site helper replaces this module.

Contract used by ingest/load.py: ``index_case(case)`` after a case and its mechanisms are saved,
``unindex_case(case_id)`` before one is deleted.
"""

from __future__ import annotations


def index_case(case) -> None:
    from ingest.segment import search_tokens

    headings = " ".join(case.mechanisms.values_list("heading", flat=True))
    case.search_tokens = " ".join(search_tokens(f"{case.title}\n{headings}\n{case.body}"))
    type(case).objects.filter(pk=case.pk).update(search_tokens=case.search_tokens)


def unindex_case(case_id: int) -> None:
    return None
