"""The writer's rows: a new case's rows are its report's, written as the ORM and simple-history would
write them, and ``--jobs N`` hands out a bounded number of reports at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models.signals import m2m_changed
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases import search
from cases.loading import (
    CREATED,
    UNCHANGED,
    UPDATED,
    References,
    _insert_of,
    _kept_types,
    ahead_of_writer,
    apply_fields,
    create_with_history,
    ingest_bytes,
    ingest_paths,
    insert_case,
    new_row,
    save_case,
)
from cases.models import Case, DuplicateBand, Mechanism, Metric, Place, Practice
from ingest import dedupe
from ingest.pipeline import process

pytestmark = pytest.mark.django_db

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
HISTORY_OWN = {"id", "history_id", "history_date"}  # what differs between two writes of the same rows


def row_values(obj, skip=frozenset({"id"})) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


def mechanism_key(mechanism: Mechanism) -> tuple:
    parent_order = mechanism.parent.order if mechanism.parent_id else None
    return mechanism.order, mechanism.heading, mechanism.slogan, mechanism.body, mechanism.start, mechanism.end, parent_order


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_a_new_cases_rows_are_its_reports(seed):
    """Every row the writer makes for a new case, read back, against what the pipeline extracted."""
    raw = seed.read_bytes()
    report = process(raw, seed.name)
    result = ingest_bytes(seed.name, raw)
    assert result.status == CREATED
    case = result.case

    extracted = report.extraction
    case = Case.objects.get(pk=case.pk)
    place = Place.objects.filter(code=extracted.place_code).first() if extracted.place_code else None
    assert case.place == place
    lineage = {p.level: p for p in place.lineage()} if place else {}
    assert (case.province, case.city) == (lineage.get(Place.Level.PROVINCE), lineage.get(Place.Level.CITY))
    mechanisms = list(case.mechanisms.order_by("order"))
    assert [mechanism_key(m) for m in mechanisms] == [
        (
            index, data.heading[:300], (data.slogan or "")[:100],
            report.body[data.end : data.body_end].strip() if data.body_end > data.end else "",
            data.start if data.end > data.start else None, data.end if data.end > data.start else None,
            data.parent,
        )
        for index, data in enumerate(extracted.mechanisms)
    ]
    metrics = list(case.metrics.order_by("order"))
    assert [(m.order, m.value, m.unit, m.qualifier, m.text, m.start, m.end) for m in metrics] == [
        (order, data.value, (data.unit or "")[:20], (data.qualifier or "")[:10], data.text[:200], data.start, data.end)
        for order, data in enumerate(extracted.metrics)
    ]
    by_index = {m.order: m.pk for m in mechanisms}
    assert [m.mechanism_id for m in metrics] == [
        by_index[data.mechanism] if data.mechanism is not None else None for data in extracted.metrics
    ]
    # each row has one creation record holding its values, after the case's own
    case_record = case.history.get()
    for row in [*mechanisms, *metrics]:
        record = type(row).history.get(id=row.pk)
        assert record.history_type == "+" and record.history_date >= case_record.history_date
        assert row_values(record.instance) == row_values(row)
    assert sorted(case.practices.values_list("name", flat=True)) == sorted(
        Practice.objects.filter(name__in=extracted.practices).values_list("name", flat=True)
    )
    assert sorted(DuplicateBand.objects.filter(case=case).values_list("key", flat=True)) == sorted(
        dedupe.band_keys(dedupe.signature(case.body))
    )
    # the index holds the headings just written: each finds the case
    for mechanism in mechanisms[:3]:
        parsed = search.parse(mechanism.heading)
        assert case in search.matching(Case.objects.all(), parsed)


@pytest.mark.parametrize("model", [Mechanism, Metric])
def test_new_rows_and_their_history_are_what_simple_historys_bulk_create_writes(model):
    """The writer's own insert against the library's, on the same unsaved rows of a loaded case."""
    case = ingest_bytes(SEEDS[4].name, SEEDS[4].read_bytes()).case
    template = list(model.objects.filter(case=case, **({"parent": None} if model is Mechanism else {})))
    assert template

    def copies():
        rows = []
        for row in template:
            values = row_values(row)
            if model is Metric:
                values["mechanism_id"] = None
            rows.append(model(**values))
        return rows

    ours, theirs = copies(), copies()
    before = timezone.now()
    create_with_history(ours)
    after = timezone.now()
    bulk_create_with_history(theirs, model)
    # one date for the rows of the statement, as simple-history writes them given a ``default_date``
    [date] = {model.history.get(id=o.pk).history_date for o in ours}
    assert before <= date <= after
    assert all(o.pk and t.pk and not o._state.adding for o, t in zip(ours, theirs, strict=True))
    for o, t in zip(ours, theirs, strict=True):
        assert row_values(model.objects.get(pk=o.pk)) == row_values(model.objects.get(pk=t.pk))
        ours_record, theirs_record = model.history.get(id=o.pk), model.history.get(id=t.pk)
        assert row_values(ours_record, HISTORY_OWN) == row_values(theirs_record, HISTORY_OWN)


def test_a_new_cases_practices_send_the_signals_add_sends():
    heard = []

    def receiver(sender, instance, action, pk_set, **kwargs):
        heard.append((action, instance.pk, frozenset(pk_set)))

    m2m_changed.connect(receiver, sender=Case.practices.through)
    try:
        case = ingest_bytes(SEEDS[4].name, SEEDS[4].read_bytes()).case
    finally:
        m2m_changed.disconnect(receiver, sender=Case.practices.through)
    ids = frozenset(case.practices.values_list("pk", flat=True))
    assert ids, "the seed should carry practices"
    assert heard == [("pre_add", case.pk, ids), ("post_add", case.pk, ids)]


def test_a_new_rows_history_names_the_user_of_the_request():
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from simple_history.models import HistoricalRecords

    user = get_user_model().objects.create_user("uploader")
    request = RequestFactory().post("/")
    request.user = user
    HistoricalRecords.context.request = request
    try:
        case = ingest_bytes(SEEDS[4].name, SEEDS[4].read_bytes()).case
    finally:
        del HistoricalRecords.context.request
    assert case.history.get().history_user == user
    for model in (Mechanism, Metric):
        records = model.history.filter(case_id=case.pk)
        assert records.exists() and {r.history_user_id for r in records} == {user.pk}


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_no_more_than_the_limit_is_started_ahead_of_the_writer(limit):
    started, taken = [], []

    def start(item):
        assert len(started) - len(taken) < limit, "started past the limit"
        started.append(item)
        return item * 10

    for item, result in ahead_of_writer(range(9), start, limit):
        assert result == item * 10
        taken.append(item)
        assert len(started) - len(taken) <= limit - 1 or len(started) == 9
    assert taken == list(range(9))


def test_two_workers_load_the_same_rows_as_one_process_and_then_nothing_again(tmp_path):
    def rows() -> dict:
        return {
            case.source_file: (
                row_values(case, {"id", "created", "updated", "search_vector", "rank_vector", "duplicate_of_id",
                                  "province_id", "city_id", "place_id", "slug"}),
                [mechanism_key(m) for m in case.mechanisms.order_by("order")],
                [(m.order, m.value, m.unit, m.text, m.start, m.end) for m in case.metrics.order_by("order")],
                sorted(case.practices.values_list("name", flat=True)),
                Mechanism.history.filter(case_id=case.pk).count() + Metric.history.filter(case_id=case.pk).count(),
            )
            for case in Case.objects.all()
        }

    parallel = list(ingest_paths([SEEDS[0].parent], jobs=2))
    assert sorted(r.status for r in parallel) == [CREATED] * len(SEEDS)
    by_two = rows()
    again = list(ingest_paths([SEEDS[0].parent], jobs=2))
    assert [r.status for r in again] == [UNCHANGED] * len(SEEDS)
    Case.objects.all().delete()
    list(ingest_paths([SEEDS[0].parent], jobs=1))
    assert rows() == by_two


CASE_HISTORY_OWN = HISTORY_OWN | {"history_type", "updated"}  # a later save's own: its type and time


def test_a_cases_history_records_are_those_simple_historys_signal_writes():
    """The writer writes the case's ``+`` and ``~`` records itself; simple-history's signal, on a plain save
    of the same case right after, writes the same values."""
    seed = SEEDS[4]
    raw = seed.read_bytes()
    case = ingest_bytes(seed.name, raw).case
    Case.objects.get(pk=case.pk).save()  # simple-history's own record of the same values
    created, by_signal = case.history.order_by("history_id")
    assert (created.history_type, by_signal.history_type) == ("+", "~")
    assert row_values(created, CASE_HISTORY_OWN) == row_values(by_signal, CASE_HISTORY_OWN)

    changed = raw + "\n社区另设红色驿站,共有志愿者120名。".encode()
    result = ingest_bytes(seed.name, changed)
    assert result.status == UPDATED
    Case.objects.get(pk=case.pk).save()
    *_, updated, by_signal = case.history.order_by("history_id")
    assert (updated.history_type, by_signal.history_type) == ("~", "~")
    assert updated.content_hash != created.content_hash  # the new version's values
    assert row_values(updated, CASE_HISTORY_OWN) == row_values(by_signal, CASE_HISTORY_OWN)


def test_a_cases_history_record_keeps_the_change_reason_and_date_given_to_the_instance():
    from datetime import datetime

    seed = SEEDS[4]
    report = process(seed.read_bytes(), seed.name)
    case = Case(source_file="given.txt", slug="given")
    case._change_reason = "手工导入"
    case._history_date = datetime(2024, 5, 1, tzinfo=UTC)
    apply_fields(case, report, References())
    save_case(case, created=True)
    record = case.history.get()
    assert (record.history_change_reason, record.history_date, record.history_type) == (
        "手工导入", datetime(2024, 5, 1, tzinfo=UTC), "+")


SAVED_OWN = {"id", "slug", "content_hash", "created", "updated"}  # what differs between two cases of one report


def test_a_new_case_inserted_by_the_writer_is_the_row_case_save_writes():
    """``insert_case`` against ``Case.save()``, on two cases of the same report: the same columns (the
    place's province and city among them) and the same ``pre_save``/``post_save`` signals."""
    from django.db.models.signals import post_save, pre_save

    report = process(SEEDS[0].read_bytes(), SEEDS[0].name)
    heard = []

    def receiver(signal, sender, instance, **kwargs):
        heard.append((signal is pre_save, instance.slug, kwargs.get("created"), kwargs["raw"], kwargs["update_fields"]))

    cases = []
    for slug in ("ours", "theirs"):
        case = Case(source_file=SEEDS[0].name, slug=slug, content_hash=slug * 10, minhash=b"\x01\x02")
        apply_fields(case, report, References())
        cases.append(case)
    pre_save.connect(receiver, sender=Case)
    post_save.connect(receiver, sender=Case)
    try:
        insert_case(cases[0])
        cases[1].save()
    finally:
        pre_save.disconnect(receiver, sender=Case)
        post_save.disconnect(receiver, sender=Case)
    ours, theirs = (Case.objects.get(pk=c.pk) for c in cases)
    assert ours.place_id and ours.province_id  # the seed names a place: Case.save's own step ran
    assert row_values(ours, SAVED_OWN) == row_values(theirs, SAVED_OWN)
    assert not cases[0]._state.adding and ours.created and ours.updated
    assert heard == [(True, "ours", None, False, None), (False, "ours", True, False, None),
                     (True, "theirs", None, False, None), (False, "theirs", True, False, None)]


def test_a_row_made_positionally_is_the_row_made_by_keyword():
    case = ingest_bytes(SEEDS[4].name, SEEDS[4].read_bytes()).case
    mechanism = case.mechanisms.order_by("order").first()
    values = {"mechanism": mechanism, "subject": "在职党员", "indicator_id": None, "value": Decimal("320"),
              "unit": "名", "qualifier": "", "magnitude": "", "text": "320名在职党员", "start": 3, "end": 11, "order": 2}
    ours = new_row(Metric, case, values)
    theirs = Metric(case=case, indicator=None, **{k: v for k, v in values.items() if k != "indicator_id"})
    assert row_values(ours, set()) == row_values(theirs, set())
    assert ours._state.adding and ours.pk is None and ours.curated is False


WRITTEN = [Case, Mechanism, Metric, DuplicateBand, Case.practices.through,
           Case.history.model, Mechanism.history.model, Metric.history.model]
SAMPLES = ["x", "", 0, 7, -1, Decimal("1.50"), Decimal("0"), True, False, None, date(2024, 5, 1),
           datetime(2024, 5, 1, 8, 30, tzinfo=UTC), [], ["a"], {"a": 1}, b"\x00\x01"]


@pytest.mark.filterwarnings("ignore:DateTimeField")  # a date given to a DateTimeField, among the samples
@pytest.mark.parametrize("model", WRITTEN, ids=lambda m: m.__name__)
def test_the_writer_gives_the_database_what_each_field_prepares(model):
    """A value the writer passes as it is (``_kept_types``) is the one the field's own preparation gives,
    of the same type, on this database."""
    for field in _insert_of(model, connection.vendor).fields:
        kept = _kept_types(field, connection)
        for value in SAMPLES:
            try:
                expected = field.get_db_prep_save(value, connection)
            except Exception:  # noqa: BLE001, S112  (a value this field refuses: the writer never passes it as it is)
                assert type(value) not in kept
                continue
            if type(value) in kept:
                assert value == expected and type(value) is type(expected), (field, value, expected)
