"""Starting data: the two curator groups.

Places and the starting practices are not loaded here: a migration runs once, so a later gazetteer
would never reach the database. ``manage.py load_reference_data`` upserts them after every migrate
(cases.reference_data).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_GROUP = "编辑"
PUBLISHER_GROUP = "审核发布"
EDITOR_PERMISSIONS = [
    "view_case", "add_case", "change_case",
    "view_mechanism", "add_mechanism", "change_mechanism", "delete_mechanism",
    "view_metric", "add_metric", "change_metric", "delete_metric",
    "view_practice", "add_practice", "change_practice",
    "view_place",
    "view_historicalcase", "view_historicalmechanism", "view_historicalmetric",
]
PUBLISHER_PERMISSIONS = EDITOR_PERMISSIONS + ["publish_case", "delete_case"]


def make_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ((EDITOR_GROUP, EDITOR_PERMISSIONS), (PUBLISHER_GROUP, PUBLISHER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="cases", codename__in=codenames))


def unload(apps, schema_editor):
    apps.get_model("cases", "Case").objects.all().delete()
    apps.get_model("cases", "Practice").objects.all().delete()
    Place = apps.get_model("cases", "Place")
    for level in ("district", "city", "province"):
        Place.objects.filter(level=level).delete()
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR_GROUP, PUBLISHER_GROUP]).delete()


def forwards(apps, schema_editor):
    make_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, unload)]
