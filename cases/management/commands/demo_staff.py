"""manage.py demo_staff: a staff account for trying the admin locally; prints its login."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = "创建（或重置）本地演示用的管理员账号，并打印登录信息。仅限 DEBUG 模式。"

    def add_arguments(self, parser):
        parser.add_argument("--password", help="指定密码（默认每次随机生成）")

    def handle(self, *args, password=None, **options):
        if not settings.DEBUG:
            raise CommandError("demo_staff 只用于本地演示（DEBUG=1)；生产环境请用 createsuperuser。")
        password = password or secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        user.groups.add(*Group.objects.filter(name__in=["编辑", "审核发布"]))
        self.stdout.write(
            f"演示管理员账号：用户名 {DEMO_USERNAME}  密码 {password}  登录 http://127.0.0.1:8000/admin/"
        )
