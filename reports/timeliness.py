"""On time, late or missing: a report's standing at its deadline. Pure functions."""

import datetime as dt
import functools
import zoneinfo

from django.conf import settings

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"


def due_date(deadline_date, extension_date=None):
    """The date that counts for one agency: its granted extension, else the deadline's."""
    return extension_date or deadline_date


@functools.lru_cache(maxsize=4096)
def end_of_day(day):
    """The first instant after ``day`` in the project's time zone (Asia/Ho_Chi_Minh), in UTC:
    the database gives submission times in UTC, and two UTC datetimes compare without a time
    zone conversion (thousands of cells per page)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return local.astimezone(dt.UTC)


def standing(due, submitted_at):
    """On time when submitted before the end of the due day in Vietnam's time zone (the
    project's TIME_ZONE), late when submitted after it, missing while not submitted."""
    if submitted_at is None:
        return MISSING
    return ON_TIME if submitted_at < end_of_day(due) else LATE
