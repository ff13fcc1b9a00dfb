"""The practice co-occurrence table (``PracticePair``): kept up to date with every change, rebuilt on demand.

A pair's count is the number of published cases tagged with both practices. What changes it is a
case becoming published or not (``Case.save``), a case's practices changing (``m2m_changed``,
which the loader's writer sends too, see ``loading.add_practices``) and a published case being
deleted. Each applies its difference (the pairs of the case's practices after, less those before)
in the same transaction as the change, by one upsert: a few rows, however large the archive.
A change made around the ORM (a raw UPDATE, a COPY such as ``bench/web.py``'s) is not seen: run
``manage.py rebuild_practice_pairs`` (``rebuild``), which recounts the table from the cases.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import permutations

from django.db import connections, transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from .models import Case, PracticePair

PUBLISHED = Case.Status.PUBLISHED
LINKS = Case.practices.through


def practices_of(case_ids, using: str) -> dict[int, set[int]]:
    """{case id: its practice ids} for these cases (a case without practices is left out)."""
    out: dict[int, set[int]] = defaultdict(set)
    for case_id, practice_id in LINKS.objects.using(using).filter(case_id__in=list(case_ids)).values_list(
            "case_id", "practice_id"):
        out[case_id].add(practice_id)
    return out


def pairs(practices: set[int]) -> Counter:
    """Every ordered pair of two different practices of one case, once."""
    return Counter(permutations(sorted(practices), 2))


def apply(difference: Counter, using: str) -> None:
    """Add ``difference`` ({(practice, other): n}) to the table; drop the pairs left at zero."""
    rows = sorted((key, n) for key, n in difference.items() if n)
    if not rows:
        return
    table = PracticePair._meta.db_table
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # in key order, so that two writers never wait for each other in a cycle
        cursor.execute(
            f"INSERT INTO {table} (practice_id, other_id, cases) VALUES {values} "
            f"ON CONFLICT (practice_id, other_id) DO UPDATE SET cases = {table}.cases + excluded.cases",
            [v for (practice, other), n in rows for v in (practice, other, n)])
        cursor.execute(f"DELETE FROM {table} WHERE cases <= 0")


def rebuild(using: str = "default") -> int:
    """Recount the whole table from the published cases and their practices; returns the number of pairs."""
    table, links, cases = PracticePair._meta.db_table, LINKS._meta.db_table, Case._meta.db_table
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (practice_id, other_id, cases) "
            f"SELECT a.practice_id, b.practice_id, COUNT(*) FROM {links} a "
            f"JOIN {links} b ON b.case_id = a.case_id AND b.practice_id <> a.practice_id "
            f"JOIN {cases} c ON c.id = a.case_id WHERE c.status = %s GROUP BY a.practice_id, b.practice_id",
            [PUBLISHED])
        return cursor.rowcount


# ------------------------------------------------------------------------------------------- signals


def _status_before(sender, instance, raw=False, using=None, **kwargs):
    """Whether the case was published before this save (a new case was not)."""
    if raw:
        return
    instance._pairs_was_published = (not instance._state.adding and Case.objects.using(using).filter(
        pk=instance.pk, status=PUBLISHED).exists())


def _status_after(sender, instance, created=False, raw=False, using=None, **kwargs):
    was = getattr(instance, "_pairs_was_published", False)
    now = instance.status == PUBLISHED
    if raw or created or was == now:  # a new case has no practices yet: they come by m2m_changed
        return
    practices = practices_of([instance.pk], using).get(instance.pk, set())
    apply(Counter({key: n if now else -n for key, n in pairs(practices).items()}), using)


def _deleted(sender, instance, using=None, **kwargs):
    if Case.objects.using(using).filter(pk=instance.pk, status=PUBLISHED).exists():
        practices = practices_of([instance.pk], using).get(instance.pk, set())
        apply(Counter({key: -n for key, n in pairs(practices).items()}), using)


def _practices_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    """Before a change: the practices of the cases it touches; after it: the difference, for the published ones."""
    if action.startswith("pre_"):
        if reverse:  # practice.cases.add(…): the cases named, or every case of the practice for a clear
            case_ids = set(pk_set or ()) if action != "pre_clear" else set(
                LINKS.objects.using(using).filter(practice_id=instance.pk).values_list("case_id", flat=True))
        else:
            if instance.status != PUBLISHED:
                return
            case_ids = {instance.pk}
        instance._pairs_before = (case_ids, practices_of(case_ids, using))
        return
    before = getattr(instance, "_pairs_before", None)
    if before is None:
        return
    del instance._pairs_before
    case_ids, practices_before = before
    published = set(Case.objects.using(using).filter(pk__in=list(case_ids), status=PUBLISHED)
                    .values_list("pk", flat=True))
    after = practices_of(published, using)
    difference: Counter = Counter()
    for case_id in published:
        difference.update(pairs(after.get(case_id, set())))
        difference.subtract(pairs(practices_before.get(case_id, set())))
    apply(difference, using)


def connect_signals() -> None:
    uid = "cases.practice_pairs"
    pre_save.connect(_status_before, sender=Case, dispatch_uid=f"{uid}.pre_save")
    post_save.connect(_status_after, sender=Case, dispatch_uid=f"{uid}.post_save")
    pre_delete.connect(_deleted, sender=Case, dispatch_uid=f"{uid}.pre_delete")
    m2m_changed.connect(_practices_changed, sender=LINKS, dispatch_uid=f"{uid}.m2m")
