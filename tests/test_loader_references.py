"""A run of the loader reads the curated tables (indicators, practices, places) once: a curator's addition
counts from the next run, and a row deleted during a run fails no report of it."""

from __future__ import annotations

import pytest

from cases.loading import CREATED, References, ingest_paths
from cases.models import Indicator, Metric, Practice
from ingest import segment

REPORT = (
    "锦州市推行楼道议事角工作法\n"
    "锦州市某社区在每个楼栋设立楼道议事角,居民在楼道议事角商量小区停车、加装电梯等事项。"
    "一年来,社区通过楼道议事角调解邻里纠纷120余件,居民满意度明显提升。\n"
    "社区党委书记介绍,楼道议事角让居民家门口的事有了商量的地方,党员带头参与,邻里关系更加和睦。\n"
)
PRACTICE = "楼道议事角"


@pytest.fixture(autouse=True)
def starting_dictionary():
    yield
    segment.use_practices(segment.starting_taxonomy())  # other tests cut with the starting list


def add_indicator() -> Indicator:
    return Indicator.objects.create(name="邻里纠纷件数", slug="neighbour-disputes", unit_family="件",
                                    synonyms=["邻里纠纷"])


def add_practice() -> Practice:
    return Practice.objects.create(name=PRACTICE, slug="corridor-corner", synonyms=[])


def write_reports(folder, *names: str) -> None:
    folder.mkdir()
    for name in names:
        # each its own report (its own figure), so none is the same bytes as another
        (folder / name).write_text(REPORT.replace("120余件", f"{120 + len(name)}余件"), encoding="utf-8")


def figure_and_practices(result) -> tuple[int | None, list[str]]:
    assert result.status == CREATED, result.reason
    [indicator_id] = Metric.objects.filter(case=result.case).values_list("indicator_id", flat=True)
    return indicator_id, list(result.case.practices.values_list("name", flat=True))


@pytest.mark.django_db
def test_an_indicator_and_a_practice_added_between_two_runs_are_used_by_the_second(tmp_path):
    write_reports(tmp_path / "first", "jinzhou.txt")
    write_reports(tmp_path / "second", "jinzhou-again.txt")
    [first] = ingest_paths([tmp_path / "first"])
    assert figure_and_practices(first) == (None, [])
    indicator, _practice = add_indicator(), add_practice()
    [second] = ingest_paths([tmp_path / "second"])
    assert figure_and_practices(second) == (indicator.pk, [PRACTICE])


@pytest.mark.django_db
def test_a_run_reads_the_tables_when_it_starts_and_a_report_alone_when_it_is_written():
    references = References()
    assert PRACTICE not in references.practice_ids
    practice = add_practice()
    assert PRACTICE not in references.practice_ids  # the run's own, as its taxonomy is
    assert References().practice_ids[PRACTICE] == practice.pk
    references.read()
    assert references.practice_ids[PRACTICE] == practice.pk
    assert references.indicator_id("邻里纠纷", "件") is None
    indicator = add_indicator()
    references.read()
    assert references.indicator_id("邻里纠纷", "件") == indicator.pk


# Committed transactions: a foreign key is checked when the report's transaction commits, which a test
# inside one transaction never does.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_indicator_and_a_practice_deleted_during_a_run_fail_none_of_its_reports(tmp_path):
    indicator, practice = add_indicator(), add_practice()
    write_reports(tmp_path / "run", "a.txt", "bb.txt")
    results = ingest_paths([tmp_path / "run"])
    assert figure_and_practices(next(results)) == (indicator.pk, [PRACTICE])
    indicator.delete()
    practice.delete()
    # the run's tables still name them: the write fails on their foreign keys and is made again
    assert figure_and_practices(next(results)) == (None, [])
    assert list(results) == []
