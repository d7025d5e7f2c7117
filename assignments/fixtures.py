"""Loading the project's JSON fixtures through the models' own save(), so that the folded
search keys are computed and the audit history records the rows (``loaddata`` saves raw
and would skip both). Loading is idempotent: a row that already holds the same values is
left untouched."""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


def _timestamps(model):
    return [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


def _same(existing, new, m2m_data):
    for field in _timestamps(type(new)):
        # Not in fixtures: keep the row's own creation and update times.
        setattr(new, field.attname, getattr(existing, field.attname))
    for field in new._meta.concrete_fields:
        if getattr(existing, field.attname) != getattr(new, field.attname):
            return False
    for name, ids in m2m_data.items():
        if {obj.pk for obj in getattr(existing, name).all()} != set(map(int, ids)):
            return False
    return True


@transaction.atomic
def load_fixture(name, *, history_user=None):
    """Load ``fixtures/<name>.json``; return (created, updated, unchanged) counts."""
    created = updated = unchanged = 0
    models = set()
    with open(FIXTURES_DIR / f"{name}.json", encoding="utf-8") as stream:
        objects = list(serializers.deserialize("json", stream))
    for deserialized in objects:
        obj = deserialized.object
        model = type(obj)
        models.add(model)
        if hasattr(obj, "compute_keys"):
            obj.compute_keys()
        existing = model._default_manager.filter(pk=obj.pk).first()
        if existing is not None and _same(existing, obj, deserialized.m2m_data):
            unchanged += 1
            continue
        obj._history_user = history_user
        obj.save()
        for field_name, ids in deserialized.m2m_data.items():
            getattr(obj, field_name).set(ids)
        if existing is None:
            created += 1
        else:
            updated += 1
    # Rows were written with explicit ids: move PostgreSQL's sequences past them.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)
    return created, updated, unchanged
