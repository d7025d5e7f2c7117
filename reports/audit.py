"""The change log: every recorded change of the tracked models, newest first, with what
changed (field: old → new, in the interface language) and a link to the object.

The history tables are read as one UNION of (kind, history id, date), so that a page costs
the same whatever the size of the history: a count, the page's keys, then per kind on the
page its records (with their previous record's id by a subquery) and those previous
records, and per related model the names of the objects the changes point to.
"""

import datetime as dt
import decimal
import os
from dataclasses import dataclass, field

from django.contrib import admin
from django.db import models
from django.db.models import IntegerField, OuterRef, Q, Subquery, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.templatetags.ketnghia import vnd, vnum

ACTIONS = {
    "+": gettext_lazy("Created"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
}

# What each kind's page in the application is, from its history record (``None``: none;
# the administration's change page is offered to staff instead).
_PAGES = {
    "assignments.assignment": lambda r: reverse("agency_detail", args=[r.agency_id]),
    "assignments.agency": lambda r: reverse("agency_detail", args=[r.id]),
    "assignments.village": lambda r: reverse("village_detail", args=[r.id]),
    "assignments.villageyearfigures": lambda r: reverse("village_detail", args=[r.village_id]),
    "reports.report": lambda r: reverse("reports:report_detail", args=[r.id]),
    "assignments.agreement": lambda r: reverse("agreement_detail", args=[r.id]),
    "assignments.agreementcontent": lambda r: reverse("agreement_detail", args=[r.agreement_id]),
    "assignments.meeting": lambda r: reverse("agreement_detail", args=[r.agreement_id]),
    "assignments.agreementreview": lambda r: reverse("agreement_detail", args=[r.agreement_id]),
    "assignments.wish": lambda r: reverse("wish_follow_up", args=[r.id]),
}

# The relations a model's ``__str__`` reads, fetched with the names (no query per name).
_NAME_RELATIONS = {
    "assignments.assignment": ["agency", "village", "commune"],
    "assignments.reportingdeadline": ["rule"],
    "assignments.reportingrule": ["directive"],
    "assignments.meeting": ["agreement"],
    "assignments.modelyear": ["model"],
    "reports.report": ["agency", "deadline__rule"],
    "reports.extension": ["agency", "deadline__rule"],
}


def kinds():
    """(key, label, model) of every kind the log shows, in the order offered in its filter."""
    from assignments.models import (
        AdministrativeUnit,
        Agency,
        AgencyAlias,
        Agreement,
        AgreementContent,
        AgreementReview,
        Assignment,
        ContentProgress,
        ContentTask,
        ExemplaryModel,
        Meeting,
        ModelYear,
        ReportingDeadline,
        Village,
        VillageYearFigures,
        Wish,
    )

    from .models import Activity, Extension, FlagDismissal, Report

    sources = [
        (Assignment, gettext_lazy("Assignment")),
        (Agency, gettext_lazy("Agency")),
        (Village, gettext_lazy("Village")),
        (AdministrativeUnit, gettext_lazy("Administrative unit")),
        (VillageYearFigures, gettext_lazy("Village figures")),
        (Report, gettext_lazy("Report")),
        (Activity, gettext_lazy("Activity")),
        (ReportingDeadline, gettext_lazy("Deadline")),
        (Extension, gettext_lazy("Extension")),
        (Agreement, gettext_lazy("Covenant or programme")),
        (AgreementContent, gettext_lazy("Content of an agreement")),
        (ContentTask, gettext_lazy("Yearly task")),
        (ContentProgress, gettext_lazy("Progress of a content")),
        (Meeting, gettext_lazy("Meeting")),
        (AgreementReview, gettext_lazy("Review")),
        (ExemplaryModel, gettext_lazy("Exemplary model")),
        (ModelYear, gettext_lazy("Model's year")),
        (Wish, gettext_lazy("Villagers' wish")),
        (AgencyAlias, gettext_lazy("Other name of an agency")),
        (FlagDismissal, gettext_lazy("Formalism flag set aside")),
    ]
    return [(model._meta.label_lower, label, model) for model, label in sources]


def changes(*, kind=None, user=None, since=None, until=None):
    """The keys (history id, date, kind index) of the changes matching the filters, newest
    first: one query however many kinds (a UNION ALL), to count and slice for a page."""
    parts = []
    for index, (key, _label, model) in enumerate(kinds()):
        if kind and key != kind:
            continue
        records = model.history.model.objects.all()
        if user is not None:
            records = records.filter(history_user=user)
        if since is not None:
            records = records.filter(history_date__gte=_local_midnight(since))
        if until is not None:
            records = records.filter(history_date__lt=_local_midnight(until + dt.timedelta(1)))
        parts.append(
            records.order_by()
            .annotate(kind_index=Value(index, output_field=IntegerField()))
            .values_list("history_id", "history_date", "kind_index")
        )
    first, *others = parts
    return first.union(*others, all=True).order_by("-history_date", "-history_id")


def _local_midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    record: object
    kind: str
    action: str
    name: str = ""
    url: str = ""
    changes: list = field(default_factory=list)


def entries(keys, *, user):
    """The entries of a page, from ``changes()``'s keys: the records, each with its object's
    name, its link and, for a change, the fields that changed with their old and new value."""
    all_kinds = kinds()
    wanted = {}
    for history_id, _date, index in keys:
        wanted.setdefault(index, []).append(history_id)

    records, previous = {}, {}
    for index, ids in wanted.items():
        history = all_kinds[index][2].history.model
        earlier = history.objects.filter(id=OuterRef("id")).filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        found = history.objects.filter(history_id__in=ids).select_related("history_user")
        found = found.annotate(
            previous_id=Subquery(
                earlier.order_by("-history_date", "-history_id").values("history_id")[:1]
            )
        )
        for record in found:
            records[index, record.history_id] = record
        before = [r.previous_id for r in found if r.history_type == "~" and r.previous_id]
        previous[index] = history.objects.in_bulk(before) if before else {}

    diffs = {}
    wanted_names = {}  # model → ids whose names are shown
    for (index, history_id), record in records.items():
        model = all_kinds[index][2]
        wanted_names.setdefault(model, set()).add(record.id)
        old = previous[index].get(record.previous_id)
        if old is None:
            continue
        m2m = [f.name for f in old._history_m2m_fields]
        delta = record.diff_against(old, excluded_fields=m2m)
        diffs[index, history_id] = delta.changes
        for change in delta.changes:
            meta = record._meta.get_field(change.field)
            if isinstance(meta, models.ForeignKey):
                ids = wanted_names.setdefault(meta.related_model, set())
                ids.update(v for v in (change.old, change.new) if v is not None)

    names = _names(wanted_names)
    result = []
    for history_id, _date, index in keys:
        record = records.get((index, history_id))
        if record is None:
            continue  # deleted between the two queries
        key, label, model = all_kinds[index]
        entry = Entry(
            record=record,
            kind=label,
            action=ACTIONS.get(record.history_type, record.history_type),
            name=names.get(model, {}).get(record.id, ""),
        )
        if record.history_type != "-":
            entry.url = _link(key, model, record, user)
        for change in diffs.get((index, history_id), []):
            meta = record._meta.get_field(change.field)
            entry.changes.append(
                Change(
                    label=str(meta.verbose_name),
                    old=_shown(meta, change.old, names),
                    new=_shown(meta, change.new, names),
                )
            )
        result.append(entry)
    return result


def _names(wanted):
    """model → {id: name}, one query per model."""
    names = {}
    for model, ids in wanted.items():
        objects = model._default_manager.filter(pk__in=ids)
        related = _NAME_RELATIONS.get(model._meta.label_lower)
        if related:
            objects = objects.select_related(*related)
        names[model] = {obj.pk: str(obj) for obj in objects}
    return names


def _link(key, model, record, user):
    page = _PAGES.get(key)
    if page is not None:
        try:
            return page(record)
        except NoReverseMatch:
            pass
    if user.is_staff and admin.site.is_registered(model):
        meta = model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.id])
    return ""


def _shown(meta, value, names):
    """A field's value as a reader reads it: a choice's label, the related object's name,
    Yes/No, dd/mm/yyyy, 1.234.567 (đ)."""
    if value is None or value == "":
        return "–"
    if isinstance(meta, models.ForeignKey):
        return names.get(meta.related_model, {}).get(value) or _("(deleted)")
    if meta.choices:
        return str(dict(meta.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, dt.date):
        return date_format(value, "d/m/Y")
    if isinstance(value, int | decimal.Decimal | float):
        if meta.name.endswith("_vnd"):
            return vnd(value)
        if "year" in meta.name:
            return str(value)
        return vnum(value)
    if isinstance(meta, models.FileField):
        return os.path.basename(str(value))
    return Truncator(str(value)).chars(120)
