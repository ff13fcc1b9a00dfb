"""The admin speaks Chinese and the site's name: no "Django 管理", no English axes section."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/admin/", "/admin/cases/case/", "/admin/cases/indicator/"])
def test_the_admin_names_the_archive_not_django(admin_client, url):
    html = admin_client.get(url).content.decode()
    assert "城市基层党建案例库 · 管理" in html
    assert "Django 站点管理员" not in html and "Django 管理" not in html
    assert "Access attempts" not in html and "Access failures" not in html and "/admin/axes/" not in html


def test_the_admin_home_is_the_curators_workbench(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "<title>工作台 | 案例库管理</title>" in html
