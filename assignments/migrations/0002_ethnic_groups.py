"""The 54 ethnic groups with their statistics-office codes: reference data every
installation needs, so it is loaded by a migration rather than by hand."""

import json
from pathlib import Path

from django.core.management.color import no_style
from django.db import migrations

from assignments.text import clean_text, fold

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ethnic_groups.json"


def load_ethnic_groups(apps, schema_editor):
    EthnicGroup = apps.get_model("assignments", "EthnicGroup")
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = row["fields"]
        name = clean_text(fields["name"])
        aliases = fields["aliases"]
        EthnicGroup.objects.update_or_create(
            code_list=fields["code_list"],
            code=fields["code"],
            defaults={
                "id": row["pk"],
                "name": name,
                "aliases": aliases,
                "name_key": fold(name),
                "search_key": fold(" ".join([name, *aliases.splitlines()])),
            },
        )
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [EthnicGroup]):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("assignments", "0001_initial")]

    operations = [migrations.RunPython(load_ethnic_groups, migrations.RunPython.noop)]
