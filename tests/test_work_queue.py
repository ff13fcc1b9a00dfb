"""The admin home is the curator's work queue: counts with links to the filtered changelists, and the
curator's own recent edits."""

from __future__ import annotations

import re

import pytest

from cases.models import Case, Metric

from .site_factories import make_case

pytestmark = pytest.mark.django_db


def queue(html: str) -> dict[str, tuple[int, str]]:
    rows = re.findall(r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a></th><td class="count">(\d+)</td>', html)
    return {label: (int(n), url.replace("&amp;", "&")) for url, label, n in rows}


def test_the_queue_counts_what_waits_and_links_to_it(admin_client):
    make_case("草稿一", "某市推行双报到。", status=Case.Status.DRAFT)
    flagged = make_case("待复核一", "锦州市推行网格化，全市网格120个。", place_code="210700",
                        metrics=(("网格120个", "120", "个", "", "网格"),))
    Case.objects.filter(pk=flagged.pk).update(needs_review=True)
    Metric.objects.assign_indicators()
    got = queue(admin_client.get("/admin/").content.decode())
    assert got["待审草稿"] == (1, "/admin/cases/case/?status__exact=draft")
    assert got["待复核"] == (1, "/admin/cases/case/?warning=needs_review")
    assert got["未识别地区"][0] == 1  # the draft has no place
    assert got["未归入比较指标的数字（已发布）"][0] == 0  # 网格 is an indicator's synonym
    # each link lists what the count counted
    listed = admin_client.get(got["待复核"][1]).content.decode()
    assert "待复核一" in listed and "草稿一" not in listed


def test_the_curators_own_recent_edits(admin_client, admin_user):
    case = make_case("锦州案例", "锦州市推行网格化。", place_code="210700")
    html = admin_client.get("/admin/").content.decode()
    assert "还没有修改过案例" in html
    case.title = "锦州案例（修订）"
    case._history_user = admin_user
    case.save()
    html = admin_client.get("/admin/").content.decode()
    assert f'href="/admin/cases/case/{case.pk}/change/">锦州案例（修订）</a>' in html
