"""Staff-only pages never answer 500 to a malformed address: a history version that is not a number,
a year or an id too large for any column. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.test_admin import editor, make_case

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.fixture
def staff_client(client):
    client.force_login(editor())
    client.raise_request_exception = False  # a 500 is what the test looks for, not an exception
    return client


@pytest.mark.parametrize("path", [
    "/admin/cases/case/{pk}/history/abc/",
    "/admin/cases/case/{pk}/history/" + HUGE + "/",
    "/admin/cases/case/{pk}/history/-1/",
    "/admin/cases/case/" + HUGE + "/history/",
    "/admin/cases/case/abc/history/",
    "/admin/cases/case/" + HUGE + "/history/1/",
])
def test_history_and_change_pages_of_nonsense_ids_are_404(staff_client, path):
    case = make_case()
    response = staff_client.get(path.format(pk=case.pk))
    assert response.status_code == 404


def test_change_page_of_an_overflowing_id_says_it_does_not_exist(staff_client):
    response = staff_client.get("/admin/cases/case/" + HUGE + "/change/", follow=True)
    assert response.status_code == 200 and "不存在" in response.content.decode()


@pytest.mark.parametrize("query", [
    "published_on__year=" + HUGE,
    "published_on__year=2020&published_on__month=" + HUGE,
    "published_on__year=2020&published_on__month=1&published_on__day=" + HUGE,
    "pk__in=" + HUGE,
    "pk__in=1," + HUGE + "0000",
    "id__in=" + HUGE,
])
@pytest.mark.parametrize("changelist", ["cases_case", "cases_place", "cases_practice", "auth_user", "auth_group"])
def test_changelist_with_an_overflowing_lookup_goes_back_to_the_plain_list(staff_client, changelist, query):
    from django.contrib.auth.models import User

    make_case(title="仍然列出")
    staff_client.force_login(User.objects.create(username="root", is_staff=True, is_superuser=True))
    url = reverse(f"admin:{changelist}_changelist")
    response = staff_client.get(f"{url}?{query}")
    # PostgreSQL compares the huge id as a numeric and lists nothing; SQLite cannot bind it: back to the list
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert "仍然列出" not in response.content.decode()
    else:
        assert response["Location"].endswith("?e=1")
        followed = staff_client.get(response["Location"])
        assert followed.status_code == 200


def test_the_merge_view_refuses_nonsense_ids(staff_client):
    from tests.test_admin import publisher

    staff_client.force_login(publisher())
    case = make_case()
    url = f"/admin/cases/case/{case.pk}/merge/{HUGE}/"
    assert staff_client.post(url).status_code == 404
    assert staff_client.post(f"/admin/cases/case/abc/merge/{case.pk}/").status_code == 404


def test_a_valid_history_version_still_opens(staff_client):
    case = make_case()
    record = case.history.earliest()
    response = staff_client.get(reverse("admin:cases_case_simple_history", args=[case.pk, record.history_id]))
    assert response.status_code == 200
