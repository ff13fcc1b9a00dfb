"""Metric.magnitude: the multiplier a figure's text counts in (1101万平方米 → 万), so the site can show
the figure as written while ``value`` stays in base units. Existing figures get it from their text
when the text's number times the multiplier is the stored value (a curated value that no longer
matches its text keeps none). Self-contained: no import of live code."""

import re
from decimal import Decimal, InvalidOperation

from django.db import migrations, models

MULTIPLIERS = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
WRITTEN = re.compile(r"([0-9０-９][0-9０-９.．,，]*)(?:余|多)?([百千万亿]{1,4})")
WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


def magnitude_of(text: str, value: Decimal) -> str:
    match = WRITTEN.search(text or "")
    if not match:
        return ""
    try:
        number = Decimal(match.group(1).translate(WIDTH).replace(",", ""))
    except InvalidOperation:
        return ""
    multiplier = 1
    for char in match.group(2):
        multiplier *= MULTIPLIERS[char]
    return match.group(2) if number * multiplier == value else ""


def backfill(apps, schema_editor):
    Metric = apps.get_model("cases", "Metric")
    changed = []
    for metric in Metric.objects.only("pk", "text", "value").iterator(chunk_size=2000):
        metric.magnitude = magnitude_of(metric.text, metric.value)
        if metric.magnitude:
            changed.append(metric)
    Metric.objects.bulk_update(changed, ["magnitude"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_case_kind'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmetric',
            name='magnitude',
            field=models.CharField(blank=True, help_text='原文计数所用的单位词(如“1101万平方米”中的“万”);数值始终以个位计。', max_length=4, verbose_name='数量级'),
        ),
        migrations.AddField(
            model_name='metric',
            name='magnitude',
            field=models.CharField(blank=True, help_text='原文计数所用的单位词(如“1101万平方米”中的“万”);数值始终以个位计。', max_length=4, verbose_name='数量级'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
