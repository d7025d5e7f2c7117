from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def register_vietnamese_collation(sender, connection, **kwargs):
    """Give SQLite the collation PostgreSQL's ICU offers as "vi-x-icu"."""
    if connection.vendor == "sqlite":
        from .models import VI_COLLATION
        from .text import vietnamese_collate

        connection.connection.create_collation(VI_COLLATION, vietnamese_collate)


def reinstall_database_guards(sender, using, plan=None, **kwargs):
    """SQLite drops triggers with a table that a migration rebuilds: put them back."""
    from . import dbguards

    connection = connections[using]
    if connection.vendor == "sqlite" and "assignments_assignment" in (
        connection.introspection.table_names()
    ):
        dbguards.install(connection)


class AssignmentsConfig(AppConfig):
    name = "assignments"
    verbose_name = _("Twinning assignments")

    def ready(self):
        connection_created.connect(register_vietnamese_collation)
        post_migrate.connect(reinstall_database_guards, sender=self)
