"""manage.py rebuild_practice_pairs: recount the practice co-occurrence table from the published cases.

Every change through the site, the admin or the loader keeps the table as it should be
(``cases.practice_pairs``); this is for changes made around them (a raw UPDATE, a COPY, a restore).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from cases import practice_pairs


class Command(BaseCommand):
    help = "按已发布案例重新统计实践共现表（绕过网站与导入程序的改动之后使用）。"

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database="default", **options):
        started = time.perf_counter()
        pairs = practice_pairs.rebuild(database)
        self.stdout.write(f"实践共现：{pairs} 对，用时 {time.perf_counter() - started:.1f} 秒。")
