"""The part of a year a plan's line is for: a month, a quarter or the whole year."""

import calendar
import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Period(models.TextChoices):
    YEAR = "year", _("Whole year")
    Q1 = "q1", _("Quarter I")
    Q2 = "q2", _("Quarter II")
    Q3 = "q3", _("Quarter III")
    Q4 = "q4", _("Quarter IV")
    M1 = "m1", _("January")
    M2 = "m2", _("February")
    M3 = "m3", _("March")
    M4 = "m4", _("April")
    M5 = "m5", _("May")
    M6 = "m6", _("June")
    M7 = "m7", _("July")
    M8 = "m8", _("August")
    M9 = "m9", _("September")
    M10 = "m10", _("October")
    M11 = "m11", _("November")
    M12 = "m12", _("December")


QUARTER_MONTHS = {"q1": (1, 3), "q2": (4, 6), "q3": (7, 9), "q4": (10, 12)}


def months(period):
    """The first and last month of ``period``."""
    if period == Period.YEAR:
        return 1, 12
    if period in QUARTER_MONTHS:
        return QUARTER_MONTHS[period]
    return int(period[1:]), int(period[1:])


def ended_before(month):
    """The periods whose last month comes before ``month``: in that month of their year,
    they are over."""
    return [period for period in Period.values if months(period)[1] < month]


def bounds(period, year):
    """The first and last day of ``period`` in ``year``."""
    first, last = months(period)
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
