"""manage.py load_reference_data: upsert the gazetteer's places, the starting practices and indicators (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from cases.reference_data import load_reference_data


class Command(BaseCommand):
    help = "载入或更新参考数据：行政区划（地区）、初始实践分类与初始比较指标。可重复运行，结果相同。"

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名（默认 default)")

    def handle(self, *args, database=DEFAULT_DB_ALIAS, **options):
        with transaction.atomic(using=database):
            loaded = load_reference_data(using=database)
        self.stdout.write(loaded.summary() if loaded.changed or loaded.places_kept else "参考数据已是最新，未作改动。")
