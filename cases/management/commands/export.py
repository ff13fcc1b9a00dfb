"""manage.py export --format json|csv [--output FILE]: every case, in the shape the README's Commands table gives."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.export import export_queryset, to_csv, to_json
from cases.models import Case


class Command(BaseCommand):
    help = "导出全部案例为 JSON 或 CSV。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", help="写入的文件（默认输出到标准输出）")
        parser.add_argument("--published-only", action="store_true", help="只导出已发布的案例")

    def handle(self, *args, format="json", output=None, published_only=False, **options):
        cases = Case.objects.published() if published_only else Case.objects.all()
        cases = export_queryset(cases.order_by("source_file", "pk"))
        text = to_json(cases) if format == "json" else to_csv(cases)
        if output:
            try:
                Path(output).write_text(text + ("\n" if format == "json" else ""), encoding="utf-8")
            except OSError as error:
                raise CommandError(f"无法写入 {output}: {error.strerror}") from error
            self.stderr.write(f"已导出 {cases.count()} 个案例到 {output}")
        else:
            self.stdout.write(text)
