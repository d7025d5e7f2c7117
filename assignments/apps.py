from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def register_vietnamese_collation(sender, connection, **kwargs):
    """Give SQLite the collation PostgreSQL's ICU offers as "vi-x-icu"."""
    if connection.vendor == "sqlite":
        from .models import VI_COLLATION
        from .text import vietnamese_collate

        connection.connection.create_collation(VI_COLLATION, vietnamese_collate)


class AssignmentsConfig(AppConfig):
    name = "assignments"
    verbose_name = _("Twinning assignments")

    def ready(self):
        connection_created.connect(register_vietnamese_collation)
