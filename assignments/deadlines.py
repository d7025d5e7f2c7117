"""Deadline derivation: the concrete due dates a reporting rule produces. Pure functions."""

import calendar
import datetime as dt

ONCE = "once"
YEARLY = "yearly"


def yearly_due_date(year, month, day):
    """The due date of a yearly rule in ``year``; 29 February falls back to the 28th."""
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last_day))


def derive_due_dates(
    *, frequency, due_date=None, month=None, day=None, first_year=None, last_year=None
):
    """Return the sorted due dates of a rule.

    A one-time rule gives its single date; a yearly rule gives one date per year from
    ``first_year`` to ``last_year`` inclusive.
    """
    if frequency == ONCE:
        if due_date is None:
            raise ValueError("a one-time rule needs a due date")
        return [due_date]
    if frequency == YEARLY:
        if None in (month, day, first_year, last_year):
            raise ValueError("a yearly rule needs a month, a day, a first and a last year")
        if last_year < first_year:
            raise ValueError("the last year is before the first year")
        return [yearly_due_date(year, month, day) for year in range(first_year, last_year + 1)]
    raise ValueError(f"unknown frequency {frequency!r}")


def effective_due_date(due_date, moved_to=None, extended_to=None):
    """The date that counts: an agency's extension, else the moved date, else the due date."""
    return extended_to or moved_to or due_date
