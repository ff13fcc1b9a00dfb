"""A practice's page: how it spread (cities by year, first reports marked), the practices reported with
it, and its figures by indicator; drafts never count."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count

from cases import practice_insights
from cases.models import Case, Metric, Practice

from .site_factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    make_case("锦州一", "锦州市在职党员1,120余名到社区报到。", place_code="210700", published_on="2018-03-01",
              practices=("双报到", "网格化管理"), metrics=(("在职党员1,120余名", "1120", "名", "余", "在职党员"),))
    make_case("锦州二", "锦州市再推双报到。", place_code="210700", published_on="2019-03-01", practices=("双报到",))
    make_case("宝鸡", "宝鸡市在职党员3,500名到社区报到。", place_code="610300", published_on="2019-05-01",
              practices=("双报到", "网格化管理"), metrics=(("在职党员3,500名", "3500", "名", "", "在职党员"),))
    make_case("贵阳", "贵阳市观山湖区推行双报到。", place_code="520115", published_on="2020-01-01",
              practices=("双报到", "党建联盟"))
    make_case("无日期", "某市推行双报到。", place_code="211100", practices=("双报到",))  # not on the timeline
    make_case("草稿", "咸阳市推行双报到。", place_code="610400", published_on="2017-01-01",
              practices=("双报到", "红色物业"), status=Case.Status.DRAFT)
    Metric.objects.assign_indicators()
    return Practice.objects.get(name="双报到")


def test_spread_by_year_with_first_reports(archive):
    timeline = [(e.year, [(c.name, n, first) for c, n, first in e.cities]) for e in practice_insights.spread(archive)]
    assert timeline == [
        (2018, [("锦州市", 1, True)]),
        (2019, [("宝鸡市", 1, True), ("锦州市", 1, False)]),  # new cities first
        (2020, [("贵阳市", 1, True)]),
    ]


def test_co_occurring_practices(archive):
    assert [(p.name, n) for p, n in practice_insights.co_occurring(archive)] == [("网格化管理", 2), ("党建联盟", 1)]


def test_figures_by_indicator(archive):
    assert [(i.slug, n, cases) for i, n, cases in practice_insights.figures_by_indicator(archive)] == [
        ("reporting-members", 2, 2)]


def test_the_page_shows_them(client, archive):
    html = client.get(archive.get_absolute_url()).content.decode()
    years = re.findall(r'<span class="year-mark">(\d{4})</span>', html)
    assert years == ["2018", "2019", "2020"]
    assert re.search(r'<li class="first"><a href="/\?practice=dual-reporting&amp;city=210700&amp;year_from=2018&amp;'
                     r'year_to=2018">锦州市</a> <strong>首次</strong>', html)
    assert 'href="/?practice=dual-reporting&amp;practice=grid-management">2<' in html
    assert 'href="/figures/?indicator=reporting-members&amp;practice=dual-reporting">在职党员报到人数<' in html
    assert "红色物业" not in html and "2017" not in html  # the draft counts nowhere


def test_an_unreported_practice_has_no_sections(client, archive):
    html = client.get(Practice.objects.get(name="红色物业").get_absolute_url()).content.decode()
    assert "各地报道时间线" not in html and "还没有这个实践的已发布案例" in html


def counted_over_the_cases(practice):
    """The timeline's rows and the figures by indicator as the page counted them per request."""
    from django.db.models.functions import ExtractYear

    spread = sorted(Case.objects.published().filter(practices=practice, published_on__isnull=False, city__isnull=False)
                    .annotate(year=ExtractYear("published_on")).values_list("city_id", "year")
                    .annotate(n=Count("pk")).order_by())
    figures = list(Metric.objects.published().filter(case__practices=practice, indicator__isnull=False)
                   .values_list("indicator_id").annotate(n=Count("pk"), cases=Count("case", distinct=True))
                   .order_by("-n", "indicator_id"))
    return spread, figures


def read(practice):
    spread = sorted((c.pk, e.year, n) for e in practice_insights.spread(practice) for c, n, _first in e.cities)
    return spread, [(i.pk, n, cases) for i, n, cases in practice_insights.figures_by_indicator(practice)]


def test_the_kept_counts_follow_every_change(archive):
    """On PostgreSQL the timeline and the figures by indicator are read from tables the triggers keep; after
    every kind of change they hold what counting the cases gives (on SQLite both are counted)."""
    from decimal import Decimal

    from cases.models import Indicator, Place

    case = Case.objects.get(title="锦州一")
    draft = Case.objects.get(title="草稿")
    members = Indicator.objects.get(slug="reporting-members")
    steps = [
        lambda: make_case("新", "宝鸡市在职党员800名。", place_code="610300", published_on="2022-01-01",
                          practices=("双报到", "红色物业"), metrics=(("在职党员800名", "800", "名", "", "在职党员"),)),
        lambda: Metric.objects.assign_indicators(),
        lambda: Metric.objects.create(case=case, subject="在职党员", value=Decimal(5), unit="名", text="锦州",
                                      start=0, end=2, indicator=members),
        lambda: setattr(draft, "status", Case.Status.PUBLISHED) or draft.save(),
        lambda: case.practices.remove(Practice.objects.get(name="网格化管理")),
        lambda: case.practices.add(Practice.objects.get(name="红色物业")),
        lambda: setattr(case, "place", Place.objects.get(code="610300")) or case.save(),
        lambda: setattr(case, "published_on", None) or case.save(),
        lambda: Metric.objects.filter(case=case).first().delete(),
        lambda: Metric.objects.filter(case=case).update(indicator=None),
        lambda: setattr(case, "status", Case.Status.WITHDRAWN) or case.save(),
        lambda: Case.objects.filter(title="宝鸡").delete(),
        lambda: members.delete(),
    ]
    for number, step in enumerate(steps):
        step()
        for practice in Practice.objects.all():
            spread, figures = counted_over_the_cases(practice)
            assert read(practice) == (spread, figures), (number, practice.name)


OLD_LOOP = ("{% load i18n %}{% for city, n, first in entry.cities %}<li{% if first %} class=\"first\"{% endif %}>"
            "<a href=\"{% url 'cases:case-list' %}?practice={{ practice.slug|urlencode }}&amp;city={{ city.code }}"
            "&amp;year_from={{ entry.year }}&amp;year_to={{ entry.year }}\">{{ city.name }}</a>{% if n > 1 %} {{ n }}"
            "{% endif %}{% if first %} <strong>{% translate \"首次\" %}</strong>{% endif %}</li>{% endfor %}")


def test_the_timeline_tag_writes_what_the_template_loop_wrote(archive):
    """The timeline's cities are written by a tag (thousands of them on a common practice); the markup is
    the template loop's, escaping included."""
    from django.template import Context, Template

    from cases.models import Place
    from cases.templatetags.case_text import spread_cities

    make_case("锦州三", "锦州市再推双报到。", place_code="210700", published_on="2019-04-01", practices=("双报到",))
    for practice in Practice.objects.all():
        for entry in practice_insights.spread(practice):
            entry.cities.append((Place(code="0<&>", name='某"市<b>'), 1200, True))  # escaped as the loop did
            old = Template(OLD_LOOP).render(Context({"practice": practice, "entry": entry}))
            assert spread_cities(practice, entry) == old


def test_a_year_names_every_new_city_and_counts_returning_ones_beyond_the_shown(archive, client, monkeypatch):
    """Each city is named in its first year; a later year lists at most RETURNING_CITIES_SHOWN of the
    cities reporting again and links the rest, so the timeline grows with cities, not cases."""
    monkeypatch.setattr(practice_insights, "RETURNING_CITIES_SHOWN", 1)
    make_case("宝鸡二", "宝鸡市再推双报到。", place_code="610300", published_on="2020-06-01", practices=("双报到",))
    make_case("锦州三", "锦州市又推双报到。", place_code="210700", published_on="2020-07-01", practices=("双报到",))
    timeline = [(e.year, [(c.name, first) for c, _n, first in e.cities], e.more_cities)
                for e in practice_insights.spread(archive)]
    assert timeline == [
        (2018, [("锦州市", True)], 0),
        (2019, [("宝鸡市", True), ("锦州市", False)], 0),
        (2020, [("贵阳市", True), ("锦州市", False)], 1),  # 宝鸡市 (code after 锦州市's) is counted, not named
    ]
    html = client.get(archive.get_absolute_url()).content.decode()
    assert re.search(r'<a class="more-cities" href="/\?practice=dual-reporting&amp;year_from=2020&amp;'
                     r'year_to=2020">另有 1 个城市再次报道</a>', html)
