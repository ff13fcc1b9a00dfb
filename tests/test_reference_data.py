"""Reference data has one source: the gazetteer and the starting taxonomy reach the database through
``manage.py load_reference_data`` (also run after every migrate), and the practices curators edit
reach jieba's dictionary at the start of the next ingest."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cases.models import Case, Indicator, Place, Practice
from ingest import gazetteer, indicators, segment

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    return out.getvalue()


def snapshot():
    places = list(Place.objects.order_by("code").values_list("pk", "code", "name", "short_name", "level",
                                                              "parent__code"))
    practices = list(Practice.objects.order_by("slug").values_list("pk", "slug", "name", "synonyms", "description"))
    kept = list(Indicator.objects.order_by("slug").values_list("pk", "slug", "name", "unit_family", "synonyms"))
    return places, practices, kept


def test_the_migrated_database_holds_every_division_and_the_starting_taxonomy():
    assert Place.objects.count() == len(gazetteer.divisions())
    assert Practice.objects.count() >= 30
    assert sorted(Indicator.objects.values_list("slug", flat=True)) == sorted(i.slug for i in indicators.INDICATORS)


def test_running_twice_gives_the_same_rows():
    before = snapshot()
    assert "未作改动" in load()
    assert "未作改动" in load()
    assert snapshot() == before


def test_a_division_missing_from_the_database_appears_after_a_rerun():
    """As after an upgrade of the gazetteer package: the new code gets its row, under its parent."""
    Place.objects.filter(code="520115").delete()  # 观山湖区, no case points to it
    Place.objects.filter(code="520100").update(name="旧名称")
    assert "新增 1，更新 1" in load()
    guanshanhu = Place.objects.get(code="520115")
    assert (guanshanhu.name, guanshanhu.level, guanshanhu.parent.code) == ("观山湖区", "district", "520100")
    assert guanshanhu.parent.name == "贵阳市"


def test_a_rerun_after_migrate_brings_the_missing_code_back():
    Place.objects.filter(code="520115").delete()
    call_command("migrate", verbosity=0)  # nothing to apply; post_migrate loads the reference data
    assert Place.objects.filter(code="520115").exists()


def test_su_lu_border_is_no_province():
    assert not [d for d in gazetteer.divisions() if d.code[0] == "9"]
    assert "苏鲁交界" not in {d.name for d in gazetteer.divisions()}
    assert not Place.objects.filter(name="苏鲁交界").exists()
    assert Place.objects.provinces().count() == 34


def test_a_retired_division_is_removed_unless_a_case_points_to_it():
    border = Place.objects.create(code="990000", name="苏鲁交界", level="province")
    sea = Place.objects.create(code="999900", name="海域", level="city", parent=border)
    load()
    assert not Place.objects.filter(pk__in=[border.pk, sea.pk]).exists()

    border = Place.objects.create(code="990000", name="苏鲁交界", level="province")
    Case.objects.create(slug="c", title="t", body="b", content_hash="h", source_file="f", place=border)
    assert "990000" in load()
    assert Place.objects.filter(code="990000").exists()  # kept, and named in the command's output


def test_curators_practices_are_never_changed_and_deleted_ones_only_come_back_once_missing():
    grid = Practice.objects.get(slug="grid-management")
    grid.synonyms = ["网格"]
    grid.description = "改过的说明"
    grid.save()
    Practice.objects.filter(slug="three-lists").delete()
    assert "实践：新增 1" in load()
    grid.refresh_from_db()
    assert (grid.synonyms, grid.description) == (["网格"], "改过的说明")
    assert Practice.objects.filter(slug="three-lists").exists()


def test_curators_indicators_are_never_changed_and_deleted_ones_only_come_back_once_missing():
    members = Indicator.objects.get(slug="party-members")
    members.synonyms = ["党员"]
    members.save()
    Indicator.objects.filter(slug="grids").delete()
    assert "比较指标：新增 1" in load()
    members.refresh_from_db()
    assert members.synonyms == ["党员"]
    assert Indicator.objects.filter(slug="grids").exists()


@pytest.fixture
def starting_dictionary():
    yield
    segment.use_practices(segment.starting_taxonomy())  # other tests cut with the starting list


REPORT = (
    "锦州市推行楼道议事角工作法\n"
    "锦州市某社区在每个楼栋设立楼道议事角,居民在楼道议事角商量小区停车、加装电梯等事项。"
    "一年来,社区通过楼道议事角解决居民诉求120余件,居民满意度明显提升。\n"
    "社区党委书记介绍,楼道议事角让居民家门口的事有了商量的地方,党员带头参与,邻里关系更加和睦。\n"
)


def test_a_practice_a_curator_adds_is_one_word_in_the_next_ingest(starting_dictionary):
    from cases.loading import ingest_bytes

    term = "楼道议事角"
    assert term not in segment.cut(f"社区推行{term}工作法")  # jieba alone: 楼道|议事|角
    Practice.objects.create(name=term, slug="corridor-corner", synonyms=["楼道微议事"])
    case = ingest_bytes("corridor.txt", REPORT.encode()).case
    assert term in segment.cut(f"社区推行{term}工作法")
    assert "楼道微议事" in segment.cut("开展楼道微议事活动")
    assert term in [p.name for p in case.practices.all()]


def test_a_removed_practice_is_no_longer_a_word(starting_dictionary):
    term = "楼道议事角"
    segment.use_practices([*segment.starting_taxonomy(), (term, [])])
    assert term in segment.cut(f"社区推行{term}工作法")
    segment.use_practices(segment.starting_taxonomy())
    assert term not in segment.cut(f"社区推行{term}工作法")
    # a word the gazetteer or the field's terms hold stays, whatever the taxonomy
    segment.use_practices([("观山湖区", []), ("党建引领", [])])
    segment.use_practices([])
    assert "观山湖区" in segment.cut("观山湖区推行网格化管理")
    assert "党建引领" in segment.cut("坚持党建引领基层治理")
