"""What every model of the domain shares: folded search keys kept in step on every write,
and the one definition of "in force on a date"."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..text import SORT_KEY_LENGTH, clean_text, fold, search_terms, vietnamese_sort_text

# Names sort in the Vietnamese alphabet. On PostgreSQL the first migration creates this
# collation from ICU's "vi" locale (the one behind "vi-x-icu"); on SQLite the app registers
# a collation of the same name (see apps.py). SQLite cannot quote collation names, so the
# name is a plain identifier.
VI_COLLATION = "vietnamese"


# --- In force on a date ----------------------------------------------------------------------
#
# Assignments, agencies, units, villages and directives all have a first and a last day (either
# may be open). The last day is inclusive: an agency with valid_to = 28/02/2025 still reports
# for a deadline of that day, and its successor takes over on 01/03/2025. Statuses (ended,
# reassigned) say what happened; whether a row counts on a date is decided by its dates only,
# so an end decided today for next month does not end anything before then.


def in_force_q(date, start="valid_from", end="valid_to", *, prefix=""):
    """The condition "in force on ``date``" on the fields ``start`` and ``end`` (either may be
    None: the model has no such bound), optionally through a relation ``prefix``."""
    path = f"{prefix}__" if prefix else ""
    condition = Q()
    if start:
        condition &= Q(**{f"{path}{start}__isnull": True}) | Q(**{f"{path}{start}__lte": date})
    if end:
        condition &= Q(**{f"{path}{end}__isnull": True}) | Q(**{f"{path}{end}__gte": date})
    return condition


def is_in_force(start, end, date):
    """The same rule in Python, for rows already loaded."""
    return (start is None or start <= date) and (end is None or end >= date)


class InForceQuerySet(models.QuerySet):
    """``in_force_on(date)`` for a model naming its bounds in ``VALIDITY``."""

    def in_force_on(self, date):
        start, end = self.model.VALIDITY
        return self.filter(in_force_q(date, start, end))


class InForceMixin:
    VALIDITY = ("valid_from", "valid_to")

    def is_in_force(self, date):
        start, end = self.VALIDITY
        return is_in_force(
            getattr(self, start) if start else None, getattr(self, end) if end else None, date
        )


def validity_constraint(name, start="valid_from", end="valid_to"):
    return models.CheckConstraint(
        condition=Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__isnull": True})
        | Q(**{f"{end}__gte": F(start)}),
        name=name,
        violation_error_message=_("The end of validity cannot be before its start."),
    )


# --- Folded keys -----------------------------------------------------------------------------


class KeyedQuerySet(InForceQuerySet):
    """Keeps the folded key columns in step on bulk writes, which skip ``save()``.

    A model using it defines ``KEY_SOURCES`` (the fields the keys derive from) and
    ``compute_keys()``.
    """

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.compute_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        fields = list(fields)
        if set(fields) & set(self.model.KEY_SOURCES):
            for obj in objs:
                obj.compute_keys()
            fields += [f for f in self.model.KEY_FIELDS if f not in fields]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        touched = set(kwargs) & set(self.model.KEY_SOURCES)
        if touched and not set(self.model.KEY_FIELDS) <= set(kwargs):
            # An UPDATE cannot recompute per-row keys; refuse rather than let them go stale
            # (bulk_update passes the recomputed keys along and is let through).
            raise TypeError(
                f"update() of {sorted(touched)} would leave the search keys stale; "
                "use save() or bulk_update()"
            )
        return super().update(**kwargs)

    def search(self, query):
        """Rows whose search key contains every word of ``query``, ignoring diacritics and case."""
        qs = self
        for term in search_terms(query):
            qs = qs.filter(search_key__contains=term)
        return qs


class KeyedModel(models.Model):
    KEY_SOURCES = ("name",)
    KEY_FIELDS = ("name_key", "search_key", "sort_key")

    name_key = models.CharField(_("name key"), max_length=255, editable=False, db_index=True)
    search_key = models.CharField(_("search key"), max_length=500, editable=False, db_index=True)
    # Vietnamese alphabetical order as a string the database compares natively (text.py).
    sort_key = models.CharField(
        _("sort key"), max_length=SORT_KEY_LENGTH, editable=False, db_index=True, default=""
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.compute_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.KEY_SOURCES):
            kwargs["update_fields"] = set(update_fields) | set(self.KEY_FIELDS)
        super().save(*args, **kwargs)

    def compute_keys(self):
        for field in self.CLEANED_FIELDS:
            setattr(self, field, clean_text(getattr(self, field)))
        self.name_key = fold(self.name)
        self.search_key = fold(self.search_text())
        self.sort_key = vietnamese_sort_text(self.name)

    def search_text(self):
        return self.name


__all__ = [
    "VI_COLLATION",
    "InForceMixin",
    "InForceQuerySet",
    "KeyedModel",
    "KeyedQuerySet",
    "in_force_q",
    "is_in_force",
    "validity_constraint",
]
