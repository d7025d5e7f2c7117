"""On time, late or missing: a report's standing at its deadline. Pure functions."""

from django.utils import timezone

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"


def due_date(deadline_date, extension_date=None):
    """The date that counts for one agency: its granted extension, else the deadline's."""
    return extension_date or deadline_date


def standing(due, submitted_at):
    """On time when submitted before the end of the due day in Vietnam's time zone (the
    project's TIME_ZONE), late when submitted after it, missing while not submitted."""
    if submitted_at is None:
        return MISSING
    return ON_TIME if timezone.localtime(submitted_at).date() <= due else LATE
