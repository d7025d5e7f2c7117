"""Assignments: one party twinned with one village or one commune, under one document, for
a period (phân công kết nghĩa)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import lifecycle
from .agencies import Agency
from .base import InForceMixin, InForceQuerySet
from .directives import Directive
from .units import AdministrativeUnit
from .villages import Village, VillageLocation


class AssignmentQuerySet(InForceQuerySet):
    def visible_to(self, user):
        if user.sees_all_agencies:
            return self
        return self.filter(agency__in=user.agencies.all())

    def running(self):
        """Not closed yet by an ending, a reassignment or a transfer (whatever the dates)."""
        return self.filter(status__in=lifecycle.RUNNING)

    def with_targets(self):
        return self.select_related("village__commune__parent", "commune__parent")

    def in_unit(self, unit, date=None):
        """Assignments whose target lay in ``unit`` (on ``date``, or at any time when no date
        is given): a village located there, or a commune that is the unit or lies in it."""
        locations = VillageLocation.objects.filter(
            Q(commune=unit) | Q(commune__parent=unit) | Q(commune__parent__parent=unit)
        )
        if date is not None:
            locations = locations.in_force_on(date)
        return self.filter(
            Q(village__in=locations.values("village_id"))
            | Q(commune=unit)
            | Q(commune__parent=unit)
            | Q(commune__parent__parent=unit)
        )

    def overlapping(self, *, agency, role, village=None, commune=None, start, end):
        """Assignments of the same party, target and role whose periods meet [start, end]."""
        return self.filter(
            agency=agency,
            role=role,
            village=village,
            commune=commune,
            start_date__lte=end or dt.date.max,
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))


class Assignment(InForceMixin, models.Model):
    """One party twinned with one village, or with a whole commune or ward, under one
    document (phân công kết nghĩa)."""

    VALIDITY = ("start_date", "end_date")

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        SUPPORTING = "supporting", _("Supporting")

    directive = models.ForeignKey(
        Directive,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("directive / document"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("agency")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="assignments",
        null=True,
        blank=True,
        verbose_name=_("village"),
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="assignments",
        null=True,
        blank=True,
        limit_choices_to={"level": AdministrativeUnit.Level.COMMUNE},
        verbose_name=_("commune or ward"),
        help_text=_("When the party twins with a whole commune or ward rather than a village."),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.LEAD)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Its last day (inclusive).")
    )
    status = models.CharField(
        _("status"), max_length=15, choices=lifecycle.STATUS_CHOICES, default=lifecycle.ASSIGNED
    )
    ceremony_date = models.DateField(_("ceremony date"), null=True, blank=True)
    ceremony_place = models.CharField(_("ceremony place"), max_length=255, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)
    ending_document = models.ForeignKey(
        Directive,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ended_assignments",
        verbose_name=_("document ordering the end"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["directive", "agency__sort_key", "village__sort_key", "commune__sort_key"]
        constraints = [
            # Overlapping periods of the same party, target and role are refused too, by an
            # exclusion constraint on PostgreSQL and triggers on SQLite (see apps.py and
            # migration 0004): Django has no portable way to say it.
            models.CheckConstraint(
                condition=Q(village__isnull=False, commune__isnull=True)
                | Q(village__isnull=True, commune__isnull=False),
                name="assignment_one_target",
                violation_error_message=_(
                    "An assignment twins with a village or with a commune or ward: exactly one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="assignment_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(ceremony_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(ceremony_date__lte=F("end_date")),
                name="assignment_ceremony_before_end",
                violation_error_message=_("The ceremony cannot be after the end date."),
            ),
            models.CheckConstraint(
                condition=~Q(status=lifecycle.CEREMONY_HELD) | Q(ceremony_date__isnull=False),
                name="assignment_ceremony_has_date",
                violation_error_message=_("A held ceremony needs its date."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=lifecycle.RUNNING) | Q(end_date__isnull=False),
                name="assignment_finished_has_end",
                violation_error_message=_("An ended or reassigned assignment needs its end date."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=lifecycle.REPLACED) | Q(replaced_by__isnull=False),
                name="assignment_replaced_has_replacement",
                violation_error_message=_("A reassigned assignment must point to its replacement."),
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self):
        return f"{self.agency} – {self.target}"

    @property
    def target(self):
        """The village, or the commune or ward twinned as a whole."""
        return self.village if self.village_id else self.commune

    @property
    def is_commune_target(self):
        return self.village_id is None

    def target_place(self, date=None):
        """The target with where it lay on ``date`` (default: now): "làng Dip, xã Ia Kreng" or
        "xã Kông Bơ La, tỉnh Gia Lai"."""
        if self.village_id:
            commune = self.village.commune_on(date) if date else self.village.commune
            return f"{self.village}, {commune}"
        return self.commune.place

    @property
    def is_running(self):
        return self.status in lifecycle.RUNNING

    def clean(self):
        if bool(self.village_id) == bool(self.commune_id):
            raise ValidationError(
                _("Choose a village, or a commune or ward twinned as a whole: exactly one.")
            )
        if self.agency_id and self.start_date and self.role:
            overlapping = (
                Assignment.objects.overlapping(
                    agency=self.agency_id,
                    role=self.role,
                    village=self.village_id,
                    commune=self.commune_id,
                    start=self.start_date,
                    end=self.end_date,
                )
                .exclude(pk=self.pk)
                .select_related("directive")
                .first()
            )
            if overlapping is not None:
                raise ValidationError(overlap_message(overlapping))


def overlap_message(existing):
    """Why a new assignment is refused: the same party, target and role already run then."""
    params = {
        "target": existing.target,
        "start": existing.start_date.strftime("%d/%m/%Y"),
        "end": existing.end_date.strftime("%d/%m/%Y") if existing.end_date else "",
        "document": existing.directive.number,
    }
    if existing.end_date:
        message = _(
            "This party is already twinned with %(target)s in this role from %(start)s to "
            "%(end)s (%(document)s): the periods would overlap."
        )
    else:
        message = _(
            "This party is already twinned with %(target)s in this role since %(start)s "
            "(%(document)s): the periods would overlap."
        )
    return message % params
