"""Mechanism.practices goes: nothing ever set or read it (a case's practices are Case.practices)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_metric_magnitude'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='mechanism',
            name='practices',
        ),
    ]
