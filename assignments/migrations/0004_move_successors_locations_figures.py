"""Carry existing data into the new shapes: an agency's successor becomes a dated succession,
every village gets its first location, and a village's households, population and poor
households become its figures of the year they were last recorded."""

import datetime as dt

from django.db import migrations
from django.utils import timezone


def forward(apps, schema_editor):
    Agency = apps.get_model("assignments", "Agency")
    AgencySuccession = apps.get_model("assignments", "AgencySuccession")
    Village = apps.get_model("assignments", "Village")
    HistoricalVillage = apps.get_model("assignments", "HistoricalVillage")
    VillageLocation = apps.get_model("assignments", "VillageLocation")
    VillageYearFigures = apps.get_model("assignments", "VillageYearFigures")

    AgencySuccession.objects.bulk_create(
        AgencySuccession(
            predecessor_id=agency.pk,
            successor_id=agency.successor_id,
            kind="merge",
            effective_date=agency.valid_to + dt.timedelta(days=1),
        )
        for agency in Agency.objects.filter(successor__isnull=False).order_by("pk")
    )

    villages = list(
        Village.objects.order_by("pk").values_list(
            "pk", "commune_id", "households", "population", "poor_households"
        )
    )
    VillageLocation.objects.bulk_create(
        (VillageLocation(village_id=pk, commune_id=commune) for pk, commune, *_ in villages),
        batch_size=2000,
    )
    # The figures were kept without a year: they are those of the year of the last change.
    last_change = {}
    for village_id, moment in HistoricalVillage.objects.order_by("history_date").values_list(
        "id", "history_date"
    ):
        last_change[village_id] = moment
    this_year = timezone.localdate().year
    figures = []
    for pk, _commune, households, population, poor in villages:
        if households is None and population is None and poor is None:
            continue
        moment = last_change.get(pk)
        year = timezone.localtime(moment).year if moment else this_year
        figures.append(
            VillageYearFigures(
                village_id=pk,
                year=year,
                households=households,
                population=population,
                poor_households=poor,
                note="Số liệu chuyển từ hồ sơ thôn, làng (chưa ghi năm)",
            )
        )
    VillageYearFigures.objects.bulk_create(figures, batch_size=2000)


def backward(apps, schema_editor):
    Agency = apps.get_model("assignments", "Agency")
    AgencySuccession = apps.get_model("assignments", "AgencySuccession")
    Village = apps.get_model("assignments", "Village")
    VillageYearFigures = apps.get_model("assignments", "VillageYearFigures")
    for succession in AgencySuccession.objects.order_by("effective_date"):
        Agency.objects.filter(pk=succession.predecessor_id).update(
            successor_id=succession.successor_id
        )
    for figures in VillageYearFigures.objects.order_by("year"):
        Village.objects.filter(pk=figures.village_id).update(
            households=figures.households,
            population=figures.population,
            poor_households=figures.poor_households,
        )


class Migration(migrations.Migration):
    dependencies = [("assignments", "0003_restructuring_targets_figures")]

    operations = [migrations.RunPython(forward, backward)]
