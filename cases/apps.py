from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案例库")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import search

        search.connect_signals()  # a deleted case leaves the SQLite FTS5 table too
