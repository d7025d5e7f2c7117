"""Keeping ``SupportYear`` (support per agency and year) in step with the activities.

The activity services call ``refresh`` with the (agency, year) pairs they touched; bulk loads
(the synthetic data, a migration) call ``rebuild``. Both recompute from the activities, so the
yearly rows never drift: a refresh is the same sum as a rebuild, for fewer rows.
"""

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

from .models import Activity, SupportYear


def _sums(activities):
    rows = (
        activities.order_by()
        .annotate(year=ExtractYear("date"))
        .values("assignment__agency_id", "year")
        .annotate(
            activities=Count("id"),
            **{name: Sum(source, default=0) for name, source in SupportYear.SOURCES.items()},
        )
    )
    return [
        SupportYear(
            agency_id=row.pop("assignment__agency_id"),
            **{key: value or 0 for key, value in row.items()},
        )
        for row in rows
    ]


@transaction.atomic
def refresh(pairs):
    """Recompute the yearly rows of the (agency id, year) ``pairs``."""
    pairs = {(agency_id, year) for agency_id, year in pairs}
    if not pairs:
        return
    agencies = {agency_id for agency_id, _year in pairs}
    years = {year for _agency, year in pairs}
    activities = Activity.objects.filter(assignment__agency_id__in=agencies, date__year__in=years)
    fresh = [row for row in _sums(activities) if (row.agency_id, row.year) in pairs]
    stale = SupportYear.objects.filter(agency_id__in=agencies, year__in=years)
    SupportYear.objects.filter(
        pk__in=[
            pk
            for pk, agency_id, year in stale.values_list("pk", "agency_id", "year")
            if (agency_id, year) in pairs
        ]
    ).delete()
    SupportYear.objects.bulk_create(fresh)


@transaction.atomic
def refresh_agencies(agency_ids):
    """Recompute every year of the agencies ``agency_ids`` (after a twinning changed party)."""
    SupportYear.objects.filter(agency_id__in=agency_ids).delete()
    SupportYear.objects.bulk_create(
        _sums(Activity.objects.filter(assignment__agency_id__in=agency_ids))
    )


@transaction.atomic
def rebuild():
    """Recompute every yearly row (after a bulk load)."""
    SupportYear.objects.all().delete()
    SupportYear.objects.bulk_create(_sums(Activity.objects.all()), batch_size=5000)


def pair(activity):
    return (activity.assignment.agency_id, activity.date.year)
