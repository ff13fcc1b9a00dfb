"""manage.py assign_indicators: give every figure the indicator its subject and unit fit, from the table as it is.

The admin does this on every change to an indicator; the command is for a table changed otherwise (a
fixture, a shell) and, with ``--unmatched N``, lists the N most frequent subjects no indicator fits.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.models import Metric


class Command(BaseCommand):
    help = "按当前比较指标表重新归入所有数字（人工修订过的数字不变）；--unmatched N 列出最常见的未归入对象。"

    def add_arguments(self, parser):
        parser.add_argument("--unmatched", type=int, default=0, metavar="N", help="列出已发布案例中最常见的 N 个未归入对象")

    def handle(self, *args, unmatched=0, **options):
        with transaction.atomic():
            changed = Metric.objects.assign_indicators()
        total = Metric.objects.count()
        without = Metric.objects.without_indicator().count()
        self.stdout.write(f"重新归入 {changed} 个数字；共 {total} 个数字，其中 {without} 个未归入指标。")
        if unmatched > 0:
            rows = Metric.objects.published().unmatched_subjects()[:unmatched]
            for row in rows:
                self.stdout.write(f"{row['figures']:>6}  {row['subject']}（{row['unit'] or '无单位'}），{row['cases']} 个案例")
