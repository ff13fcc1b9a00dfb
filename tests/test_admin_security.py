"""Security of the admin: staff only, CSRF on every form, publishing enforced on the server, uploads
never served, repeated failed logins locked out."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Case
from tests.test_admin import PASSWORD, change_form_data, change_url, editor, make_case, make_user, publisher

pytestmark = pytest.mark.django_db

SEED = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))[0]


def admin_urls(case: Case) -> list[str]:
    history = case.history.earliest()
    return [
        reverse("admin:index"),
        reverse("admin:cases_case_changelist"),
        change_url(case),
        reverse("admin:cases_case_history", args=[case.pk]),
        reverse("admin:cases_case_simple_history", args=[case.pk, history.history_id]),
        reverse("admin:cases_case_upload"),
        reverse("admin:cases_place_changelist"),
    ]


class TestStaffOnly:
    def test_anonymous_users_are_sent_to_the_login_page(self, client):
        case = make_case()
        login = reverse("admin:login")
        for url in admin_urls(case):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(login), url
        # and a POST changes nothing
        client.post(reverse("admin:cases_case_merge", args=[case.pk, make_case(duplicate_of=case).pk]))
        assert Case.objects.count() == 2

    def test_a_logged_in_non_staff_user_gets_no_admin_page(self, client):
        case = make_case(title="内部草稿")
        client.force_login(make_user(staff=False))
        for url in admin_urls(case):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url
        response = client.get(reverse("admin:cases_case_changelist"), follow=True)
        assert "内部草稿" not in response.content.decode()

    def test_staff_see_the_admin_in_chinese(self, client):
        client.force_login(editor())
        html = client.get(reverse("admin:index")).content.decode()
        assert "工作台" in html and "案例" in html  # the index title, in Chinese


class TestCsrf:
    @pytest.fixture
    def strict(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(publisher())
        return client

    def test_every_admin_form_refuses_a_post_without_a_token(self, strict, settings, tmp_path):
        settings.UPLOAD_ROOT = tmp_path
        case = make_case(title="原标题")
        copy = make_case(duplicate_of=case)
        data = change_form_data(strict.get(change_url(case)))
        data["title"] = "伪造"
        posts = [
            (change_url(case), data),
            (reverse("admin:cases_case_changelist"), {"action": "publish", "_selected_action": [case.pk]}),
            (reverse("admin:cases_case_upload"), {"files": [SimpleUploadedFile(SEED.name, SEED.read_bytes())]}),
            (reverse("admin:cases_case_merge", args=[case.pk, copy.pk]), {}),
            (reverse("admin:cases_case_simple_history", args=[case.pk, case.history.earliest().history_id]), {}),
        ]
        for url, payload in posts:
            assert strict.post(url, payload).status_code == 403, url
        case.refresh_from_db()
        assert (case.title, case.status) == ("原标题", Case.Status.DRAFT)
        assert Case.objects.count() == 2
        assert not any(tmp_path.iterdir())

    def test_the_same_post_with_the_token_is_accepted(self, strict):
        case = make_case()
        response = strict.get(change_url(case))
        data = change_form_data(response)
        data["title"] = "改了"
        data["csrfmiddlewaretoken"] = response.context["csrf_token"]
        assert strict.post(change_url(case), data).status_code == 302
        case.refresh_from_db()
        assert case.title == "改了"

    def test_every_form_page_carries_the_token(self, strict):
        case = make_case(duplicate_of=make_case())
        for url in (change_url(case), reverse("admin:cases_case_upload"),
                    reverse("admin:cases_case_simple_history", args=[case.pk, case.history.earliest().history_id])):
            html = strict.get(url).content.decode()
            assert html.count("<form") == html.count('name="csrfmiddlewaretoken"') + html.count(
                'id="changelist-search"'
            ), url


class TestPublishEnforcedOnServer:
    def test_an_editor_cannot_publish_by_any_post(self, client, settings, tmp_path):
        settings.UPLOAD_ROOT = tmp_path
        client.force_login(editor())
        case = make_case(Case.Status.REVIEWED)
        data = change_form_data(client.get(change_url(case)))
        data["status"] = "published"
        client.post(change_url(case), data)
        client.post(reverse("admin:cases_case_changelist"), {"action": "publish", "_selected_action": [case.pk]})
        client.post(reverse("admin:cases_case_upload"),
                    {"files": [SimpleUploadedFile(SEED.name, SEED.read_bytes())], "publish": "on"})
        case.refresh_from_db()
        assert case.status == Case.Status.REVIEWED
        assert not Case.objects.published().exists()

    def test_an_editor_cannot_withdraw(self, client):
        client.force_login(editor())
        case = make_case(Case.Status.PUBLISHED)
        data = change_form_data(client.get(change_url(case)))
        data["status"] = "withdrawn"
        assert client.post(change_url(case), data).status_code == 200
        client.post(reverse("admin:cases_case_changelist"), {"action": "withdraw", "_selected_action": [case.pk]})
        case.refresh_from_db()
        assert case.status == Case.Status.PUBLISHED


class TestUploadsNeverServed:
    def test_upload_root_is_outside_every_served_folder(self):
        upload_root = Path(settings.UPLOAD_ROOT).resolve()
        served = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
        if getattr(settings, "MEDIA_ROOT", ""):
            served.append(Path(settings.MEDIA_ROOT))
        for folder in served:
            folder = folder.resolve()
            assert folder != upload_root and folder not in upload_root.parents and upload_root not in folder.parents

    def test_an_uploaded_file_cannot_be_fetched_back(self, client, settings, tmp_path):
        settings.UPLOAD_ROOT = tmp_path
        client.force_login(publisher())
        client.post(reverse("admin:cases_case_upload"), {"files": [SimpleUploadedFile(SEED.name, SEED.read_bytes())]})
        [stored] = [p for p in tmp_path.rglob("*") if p.is_file()]
        relative = stored.relative_to(tmp_path).as_posix()
        head = SEED.read_bytes()[:200]
        for prefix in ("/static/", "/media/", "/uploads/", "/var/uploads/"):
            response = client.get(prefix + relative, follow=True)
            assert response.status_code == 404, prefix
            assert head not in response.content
        # under the upload page's own address there is only the admin, never the file
        response = client.get(reverse("admin:cases_case_upload") + relative, follow=True)
        assert head not in response.content


class TestLoginThrottling:
    def login(self, client, username, password):
        return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})

    def test_repeated_failures_lock_the_account_out_from_that_address(self, client):
        user = editor()
        assert settings.AXES_FAILURE_LIMIT == 5
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert self.login(client, user.username, "wrong").status_code == 200  # the form again, with an error
        assert self.login(client, user.username, "wrong").status_code == 429  # the limit-th failure locks
        locked = self.login(client, user.username, PASSWORD)  # even the right password is refused now
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_a_correct_login_works_and_resets_the_count(self, client):
        user = editor()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.login(client, user.username, "wrong")
        assert self.login(client, user.username, PASSWORD).status_code == 302
        client.logout()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.login(client, user.username, "wrong")
        assert self.login(client, user.username, PASSWORD).status_code == 302

    def test_one_users_lockout_does_not_lock_out_another(self, client):
        victim, other = editor(), editor()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.login(client, victim.username, "wrong")
        assert self.login(client, other.username, PASSWORD).status_code == 302

    def test_the_test_clients_login_still_works(self, client):
        user = editor()
        assert client.login(username=user.username, password=PASSWORD)
        assert client.get(reverse("admin:index")).status_code == 200
