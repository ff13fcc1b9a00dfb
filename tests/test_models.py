"""Model rules and named queries, on whichever database DATABASE_URL names."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cases.models import Case, Mechanism, Metric, Place, Practice, sentence_bounds

pytestmark = pytest.mark.django_db


def make_case(slug: str, place: Place | None = None, status=Case.Status.PUBLISHED, **fields) -> Case:
    defaults = {"title": f"案例 {slug}", "body": "正文。", "content_hash": f"hash-{slug}", "source_file": f"{slug}.txt"}
    return Case.objects.create(slug=slug, place=place, status=status, **{**defaults, **fields})


def place(name: str, parent_name: str | None = None) -> Place:
    places = Place.objects.filter(name=name)
    if parent_name:
        places = places.filter(parent__name=parent_name)
    return places.get()


class TestGazetteer:
    def test_every_level_is_loaded_with_codes_and_parents(self):
        assert Place.objects.provinces().count() >= 34
        assert Place.objects.cities().count() >= 330
        assert Place.objects.districts().count() >= 2800
        district = Place.objects.get(code="520115")
        assert [p.name for p in district.lineage()] == ["贵州省", "贵阳市", "观山湖区"]
        assert district.short_name == "观山湖"

    def test_municipality_is_both_province_and_city(self):
        dongcheng = place("东城区", "北京市")
        assert [p.name for p in dongcheng.lineage()] == ["北京市", "北京市", "东城区"]
        assert [p.level for p in dongcheng.lineage()] == ["province", "city", "district"]

    @pytest.mark.parametrize(
        ("name", "short"),
        [("辽宁省", "辽宁"), ("广西壮族自治区", "广西"), ("内蒙古自治区", "内蒙古"), ("锦州市", "锦州"),
         ("延边朝鲜族自治州", "延边"), ("香港特别行政区", "香港")],
    )
    def test_short_names(self, name, short):
        assert Place.objects.filter(name=name).first().short_name == short

    def test_level_must_be_a_choice(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Place.objects.create(code="999999", name="无效", level="village", parent=Place.objects.first())

    def test_only_provinces_have_no_parent(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Place.objects.create(code="999998", name="无上级市", level="city", parent=None)


class TestTaxonomy:
    def test_at_least_thirty_practices_with_synonyms(self):
        assert Practice.objects.count() >= 30
        grid = Practice.objects.get(name="网格化管理")
        assert "网格化" in grid.synonyms
        assert Practice.objects.get(name="党建联盟").all_names[1:] != []


class TestCaseConstraints:
    def test_slug_is_unique(self):
        make_case("a")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_case("a", content_hash="other", source_file="other.txt")

    def test_content_hash_is_unique(self):
        make_case("a", content_hash="same")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_case("b", content_hash="same")

    def test_status_must_be_a_choice(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_case("a", status="archived")

    def test_metric_span_must_be_ordered(self):
        case = make_case("a")
        with pytest.raises(IntegrityError), transaction.atomic():
            Metric.objects.create(case=case, value=Decimal(1), text="x", start=5, end=5)
        Metric.objects.create(case=case, value=Decimal(1), text="x", start=4, end=5)

    def test_mechanism_span_must_be_ordered_when_given(self):
        case = make_case("a")
        Mechanism.objects.create(case=case, heading="无位置")
        with pytest.raises(IntegrityError), transaction.atomic():
            Mechanism.objects.create(case=case, heading="倒置", start=9, end=3)

    def test_saving_fills_province_and_city_from_the_place(self):
        case = make_case("a", place=Place.objects.get(code="520115"))
        case.refresh_from_db()
        assert (case.province.name, case.city.name, case.district.name) == ("贵州省", "贵阳市", "观山湖区")
        case.place = Place.objects.get(code="210700")
        case.save()
        case.refresh_from_db()
        assert (case.province.name, case.city.name, case.district) == ("辽宁省", "锦州市", None)


class TestCaseQuerySet:
    def test_published_excludes_every_other_status(self):
        for status in Case.Status.values:
            make_case(status, status=status)
        assert list(Case.objects.published().values_list("slug", flat=True)) == ["published"]

    def test_in_place_includes_districts_of_a_city_and_cities_of_a_province(self):
        guanshanhu = Place.objects.get(code="520115")
        guiyang = guanshanhu.parent
        make_case("district", place=guanshanhu)
        make_case("city", place=guiyang)
        make_case("other-city", place=Place.objects.get(code="520300"))  # 遵义市
        make_case("elsewhere", place=Place.objects.get(code="210700"))
        make_case("nowhere")
        assert set(Case.objects.in_place(guiyang).values_list("slug", flat=True)) == {"district", "city"}
        assert set(Case.objects.in_place(guiyang.parent).values_list("slug", flat=True)) == {
            "district", "city", "other-city"}
        assert list(Case.objects.in_place(guanshanhu).values_list("slug", flat=True)) == ["district"]

    def test_with_related_needs_a_fixed_number_of_queries(self, django_assert_num_queries):
        practices = list(Practice.objects.all()[:3])
        for n in range(6):
            case = make_case(f"c{n}", place=Place.objects.get(code="520115"))
            case.practices.set(practices)
        with django_assert_num_queries(2):
            rows = [(c.place.name, c.province.name, c.city.name, [p.name for p in c.practices.all()])
                    for c in Case.objects.with_related()]
        assert len(rows) == 6 and rows[0][3]

    def test_metric_count_annotation(self):
        case = make_case("a")
        make_case("b")
        for i in range(3):
            Metric.objects.create(case=case, value=i, text="1个", start=i, end=i + 1)
        counts = dict(Case.objects.with_metric_count().values_list("slug", "metric_count"))
        assert counts == {"a": 3, "b": 0}


class TestMetricDisplay:
    @pytest.mark.parametrize(
        ("value", "qualifier", "unit", "shown"),
        [("1120", "余", "个", "1,120余个"), ("21000", "近", "名", "近21,000名"), ("64.5", "", "平方公里", "64.5平方公里"),
         ("40", "左右", "%", "40%左右"), ("4500", "多", "人次", "4,500多人次"), ("510000", "超过", "人", "超过510,000人")],
    )
    def test_display_value(self, value, qualifier, unit, shown):
        assert Metric(value=Decimal(value), qualifier=qualifier, unit=unit).display_value == shown


@pytest.mark.parametrize(
    ("body", "span", "sentence"),
    [
        ("第一句。共建协议1120余个,活动5800余次。第三句", (8, 14), "共建协议1120余个,活动5800余次。"),
        ("开头没有句号的1个", (7, 9), "开头没有句号的1个"),
        ("标题\n正文有3个网格。", (6, 8), "正文有3个网格。"),
    ],
)
def test_sentence_bounds(body, span, sentence):
    left, right = sentence_bounds(body, *span)
    assert body[left:right] == sentence
