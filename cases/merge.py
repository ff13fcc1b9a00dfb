"""Duplicates: the cases one may duplicate, and merging two into one that keeps both sources."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .models import SENTENCE_END, Case, MergedReport

# A sentence with its end (a full stop, a clause stop or a line break), or a tail without one.
SENTENCE_SPLIT_RE = re.compile(f"[^{re.escape(SENTENCE_END)}]*[{re.escape(SENTENCE_END)}]+|[^{re.escape(SENTENCE_END)}]+$")


def candidates(case: Case) -> list[Case]:
    """The cases this one may duplicate, either way round."""
    found = list(case.duplicates.all())
    if case.duplicate_of_id:
        found.insert(0, case.duplicate_of)
    return found


def are_candidates(keep: Case, drop: Case) -> bool:
    """Whether the two were found to be duplicates (only such a pair may be merged by hand)."""
    return drop.duplicate_of_id == keep.pk or keep.duplicate_of_id == drop.pk


def source_record(case: Case, user=None) -> dict:
    """What a merge keeps of the case it removes: enough to cite it, and to recognise its file again."""
    return {
        "title": case.title,
        "source": case.source,
        "author_org": case.author_org,
        "published_on": case.published_on.isoformat() if case.published_on else None,
        "source_file": case.source_file,
        "content_hash": case.content_hash,
        "slug": case.slug,
        "merged_at": timezone.now().isoformat(timespec="seconds"),
        "merged_by": user.get_username() if user else None,
    }


@transaction.atomic
def merge_duplicate(keep: Case, drop: Case, user=None) -> Case:
    """Keep one case, remove the other, and keep both sources: ``drop`` (and what it had merged) joins ``other_sources``."""
    if keep.pk == drop.pk:
        raise ValueError("cannot merge a case into itself")
    keep = Case.objects.select_for_update().get(pk=keep.pk)
    drop = Case.objects.select_for_update().get(pk=drop.pk)
    known = {s.get("content_hash") for s in keep.other_sources}
    for record in [*drop.other_sources, source_record(drop, user)]:
        if record.get("content_hash") not in known:
            keep.other_sources.append(record)
            known.add(record.get("content_hash"))
    keep.practices.add(*drop.practices.all())
    # Re-ingesting the removed report (or one it had absorbed) must find the case kept.
    MergedReport.objects.filter(case=drop).update(case=keep)
    MergedReport.objects.get_or_create(
        content_hash=drop.content_hash, defaults={"case": keep, "source_file": drop.source_file}
    )
    # Cases that pointed at the removed one now point at the one kept.
    Case.objects.filter(duplicate_of=drop).exclude(pk=keep.pk).update(duplicate_of=keep)
    if keep.duplicate_of_id == drop.pk:
        keep.duplicate_of = None
    keep.mark_curated("practices")
    keep._history_user = user
    keep.save()
    drop._history_user = user
    drop.delete()
    return keep


def merge_into_originals(cases: Iterable[Case], user=None) -> tuple[int, list[Case]]:
    """Merge each case into the one it duplicates; return (how many merged, the cases with no candidate)."""
    merged, alone = 0, []
    for case in cases:
        if case.duplicate_of_id is None:
            alone.append(case)
            continue
        if not Case.objects.filter(pk=case.pk).exists():
            continue  # merged away earlier in this same run
        merge_duplicate(case.duplicate_of, case, user)
        merged += 1
    return merged, alone


def sources_html(case: Case) -> SafeString | str:
    """The sources merged into the case, as a list: outlet, title, file, date."""
    if not case.other_sources:
        return "—"
    rows = [
        (s.get("source") or "—", s.get("title", ""), s.get("source_file", ""), s.get("published_on") or "")
        for s in case.other_sources
    ]
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}：{}（{}，{}）</li>", rows))


# ------------------------------------------------------------------------------- side by side

COMPARED_FIELDS = ("title", "source", "author_org", "published_on", "place", "source_file", "status")


@dataclass
class AlignedRow:
    """One row of two texts set side by side: a sentence (or run of sentences) of each, and how they differ."""

    left: str
    right: str
    kind: str  # "same", "changed", "left-only", "right-only"


def side_by_side(left: Case, right: Case) -> tuple[list[tuple[str, str, str, bool]], list[AlignedRow]]:
    """The two cases' fields (label, left, right, differ) and their bodies aligned sentence by sentence."""
    fields = []
    for name in COMPARED_FIELDS:
        field = Case._meta.get_field(name)
        a, b = getattr(left, name), getattr(right, name)
        labels = dict(field.flatchoices)  # a status reads 草稿, not draft
        fields.append((str(field.verbose_name), _shown(labels.get(a, a)), _shown(labels.get(b, b)), a != b))
    a, b = sentences(left.body), sentences(right.body)
    rows: list[AlignedRow] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [AlignedRow(x, x, "same") for x in a[i1:i2]]
        elif tag == "replace":
            rows.append(AlignedRow("".join(a[i1:i2]), "".join(b[j1:j2]), "changed"))
        elif tag == "delete":
            rows.append(AlignedRow("".join(a[i1:i2]), "", "left-only"))
        else:
            rows.append(AlignedRow("", "".join(b[j1:j2]), "right-only"))
    return fields, rows


def sentences(text: str) -> list[str]:
    """The text cut after each sentence end and each line break (the units two reprints share)."""
    return [piece for piece in SENTENCE_SPLIT_RE.findall(text) if piece.strip()]


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
