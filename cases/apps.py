from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案例库")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib import admin
        from django.db.models.signals import post_migrate

        from . import practice_pairs, search
        from .admin import harden
        from .reference_data import load_after_migrate

        search.connect_signals()  # a deleted case leaves the SQLite FTS5 table too
        practice_pairs.connect_signals()  # the co-occurrence table follows every change of a case's practices
        harden(admin.site)  # every changelist refuses a lookup that overflows its column
        # places and starting practices follow the installed gazetteer after every migrate
        post_migrate.connect(load_after_migrate, sender=self, dispatch_uid="cases-reference-data")
