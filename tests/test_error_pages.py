"""Error pages speak Chinese (400, 403, the CSRF 403, 404, 500), a database that cannot be reached is a
503 with Retry-After (a real PostgreSQL address on a closed port, on either database of the suite),
and every page carries a Content-Security-Policy that allows this origin only."""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler
from django.test import Client

from tests.site_factories import make_case
from tests.test_admin import make_user

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local TCP port nothing listens on: bound once by the OS, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def unreachable_database():
    """The default connection pointed at a PostgreSQL server that is not there, as during an outage."""
    handler = ConnectionHandler({"default": {
        "ENGINE": "django.db.backends.postgresql", "NAME": "archive", "USER": "postgres",
        "HOST": "127.0.0.1", "PORT": closed_port(), "CONN_MAX_AGE": 0, "OPTIONS": {"connect_timeout": 3},
    }})
    original = connections["default"]
    connections["default"] = handler["default"]
    try:
        yield
    finally:
        handler["default"].close()
        connections["default"] = original


@pytest.mark.parametrize("path", ["/", "/cases.json", "/places/", "/practices/", "/cases/some-case/", "/admin/",
                                  "/admin/cases/case/"])
def test_a_database_outage_is_a_503_in_chinese_with_retry_after(client, settings, path):
    settings.DATABASE_RETRY_AFTER_SECONDS = 45
    make_case("有一个案例", "正文。")
    client.force_login(make_user(superuser=True))  # the admin then reads the session from the database
    with unreachable_database():
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "45"
    html = response.content.decode()
    assert "服务暂时不可用" in html and "45 秒后再试" in html
    assert "Server Error" not in html


def test_the_site_answers_again_once_the_database_is_back(client):
    make_case("有一个案例", "正文。")
    with unreachable_database():
        assert client.get("/").status_code == 503
    response = client.get("/")
    assert response.status_code == 200 and "有一个案例" in response.content.decode()


def test_400_is_chinese(client):
    response = client.get("/", HTTP_HOST="not-an-allowed-host.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "请求有误" in html and "Bad Request" not in html


def test_403_is_chinese(client):
    client.force_login(make_user())  # staff, but no permission on cases
    case = make_case("草稿案例", "正文。", status="draft")
    response = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and "Forbidden" not in html


def test_csrf_failure_is_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "表单已失效" in html and "Forbidden" not in html and "CSRF verification failed" not in html


def test_404_is_chinese(client):
    response = client.get("/cases/no-such-case/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_500_is_chinese():
    from django.template.loader import render_to_string

    assert "服务器出错" in render_to_string("500.html")


CSP = "default-src 'self'"


@pytest.mark.parametrize("path", ["/", "/places/", "/practices/", "/admin/login/", "/cases/no-such-case/",
                                  "/cases.json", "/cases.csv"])
def test_every_response_has_a_content_security_policy(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert CSP in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy


def test_the_pages_load_nothing_inline_or_from_elsewhere(client):
    """What the policy would block: inline scripts and styles, or anything from another origin."""
    case = make_case("网格案例", "全市建立网格1.2万个。", metrics=(("1.2万个", "12000", "个", "", "网格"),))
    admin = make_user(superuser=True)
    pages = ["/", case.get_absolute_url(), "/places/", "/practices/"]
    staff = Client()
    staff.force_login(admin)
    admin_pages = ["/admin/", "/admin/cases/case/", f"/admin/cases/case/{case.pk}/change/",
                   f"/admin/cases/case/{case.pk}/history/", "/admin/cases/case/upload/"]
    for who, urls in ((client, pages), (staff, admin_pages)):
        for url in urls:
            html = who.get(url).content.decode()
            # django-simple-history's paginator carries style="border-top: 0": blocked, and only a border
            html = html.replace('class="paginator" style="border-top: 0"', 'class="paginator"')
            assert "<style" not in html and ' style="' not in html, url
            for tag in html.split("<script")[1:]:
                assert " src=" in tag.split(">", 1)[0], (url, tag[:80])
            assert "http://" not in html.replace("http://testserver", "") or url.startswith("/admin"), url
