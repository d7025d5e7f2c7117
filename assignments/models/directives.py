"""Directives and official documents, the reporting rules they set, and the concrete
deadlines derived from those rules."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import deadlines
from ..validators import validate_pdf
from .base import VI_COLLATION, InForceMixin, KeyedModel, KeyedQuerySet


class Directive(InForceMixin, KeyedModel):
    """A directive or official document: the Party's directive, the People's Committee's
    letter carrying the assignment list, a plan, a decision."""

    class Kind(models.TextChoices):
        DIRECTIVE = "chi_thi", _("Directive")
        LETTER = "cong_van", _("Official letter")
        PLAN = "ke_hoach", _("Plan")
        DECISION = "quyet_dinh", _("Decision")
        GUIDANCE = "huong_dan", _("Guidance")

    CLEANED_FIELDS = ("number", "issuing_body", "title")
    KEY_SOURCES = ("number", "title", "issuing_body")
    VALIDITY = ("issued_on", "in_force_to")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(
        _("number and symbol"), max_length=50, help_text=_("For example 13-CT/TU or 1573/UBND-KT.")
    )
    issuing_body = models.CharField(_("issuing body"), max_length=255)
    issued_on = models.DateField(_("issued on"))
    title = models.CharField(_("title"), max_length=500, db_collation=VI_COLLATION)
    period_from_year = models.PositiveSmallIntegerField(
        _("period from year"), null=True, blank=True
    )
    period_to_year = models.PositiveSmallIntegerField(_("period to year"), null=True, blank=True)
    implements = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementations",
        verbose_name=_("implements"),
    )
    in_force_to = models.DateField(
        _("in force until"),
        null=True,
        blank=True,
        help_text=_(
            "Its last day in force, when a new document replaced it; its deadlines after that "
            "day are no longer derived."
        ),
    )
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    file = models.FileField(
        _("file (PDF)"), upload_to="directives/%Y/", blank=True, validators=[validate_pdf]
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = KeyedQuerySet.as_manager()

    class Meta:
        verbose_name = _("directive / document")
        verbose_name_plural = _("directives / documents")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "issued_on"],
                name="directive_number_unique",
                violation_error_message=_("A document with this number and date already exists."),
            ),
            models.CheckConstraint(
                condition=Q(period_from_year__isnull=True)
                | Q(period_to_year__isnull=True)
                | Q(period_to_year__gte=F("period_from_year")),
                name="directive_period_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(period_from_year__isnull=True) | Q(period_from_year__range=(1945, 2100))
                )
                & (Q(period_to_year__isnull=True) | Q(period_to_year__range=(1945, 2100))),
                name="directive_period_years",
                violation_error_message=_("Period years must be between 1945 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(replaced_by__isnull=True) | Q(in_force_to__isnull=False),
                name="directive_replaced_has_end",
                violation_error_message=_("A replaced document needs its last day in force."),
            ),
            models.CheckConstraint(
                condition=Q(in_force_to__isnull=True) | Q(in_force_to__gte=F("issued_on")),
                name="directive_end_after_issue",
                violation_error_message=_(
                    "A document cannot stop being in force before it was issued."
                ),
            ),
        ]

    def __str__(self):
        return _("%(kind)s no. %(number)s of %(date)s") % {
            "kind": self.get_kind_display(),
            "number": self.number,
            "date": self.issued_on.strftime("%d/%m/%Y") if self.issued_on else "",
        }

    @property
    def name(self):
        return self.number

    def search_text(self):
        return f"{self.number} {self.title} {self.issuing_body}"


class ReportingRule(models.Model):
    """A reporting duty set by a document: once (before 25-3-2024) or every year (10-11)."""

    class Reporter(models.TextChoices):
        AGENCIES = "agencies", _("Assigned agencies")
        COORDINATOR = "coordinator", _("Coordinating body")

    class Frequency(models.TextChoices):
        ONCE = deadlines.ONCE, _("Once")
        YEARLY = deadlines.YEARLY, _("Every year")

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        PLAN = "plan", _("Yearly twinning plan")

    directive = models.ForeignKey(
        Directive,
        on_delete=models.CASCADE,
        related_name="reporting_rules",
        verbose_name=_("directive / document"),
    )
    label = models.CharField(_("label"), max_length=255)
    reporter = models.CharField(
        _("who reports"), max_length=12, choices=Reporter.choices, default=Reporter.AGENCIES
    )
    kind = models.CharField(
        _("what is due"),
        max_length=8,
        choices=Kind.choices,
        default=Kind.REPORT,
        help_text=_(
            "A plan lists the activities an agency intends for a year; it is submitted and "
            "reviewed as a report is."
        ),
    )
    plan_for_next_year = models.BooleanField(
        _("plan for the following year"),
        default=False,
        help_text=_("The plan due on this date is for the year after it (e.g. due 15-12)."),
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_month = models.PositiveSmallIntegerField(_("due month"), null=True, blank=True)
    due_day = models.PositiveSmallIntegerField(_("due day"), null=True, blank=True)
    first_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    recipients = models.TextField(
        _("recipients"), blank=True, help_text=_("One per line, e.g. UBND tỉnh (qua Ban Dân tộc).")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")
        ordering = ["directive", "reporter", "frequency", "due_date", "due_month", "due_day"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        frequency=deadlines.ONCE,
                        due_date__isnull=False,
                        due_month__isnull=True,
                        due_day__isnull=True,
                        first_year__isnull=True,
                        last_year__isnull=True,
                    )
                    | Q(
                        frequency=deadlines.YEARLY,
                        due_date__isnull=True,
                        due_month__range=(1, 12),
                        due_day__range=(1, 31),
                        first_year__isnull=False,
                        last_year__gte=F("first_year"),
                    )
                ),
                name="rule_fields_by_frequency",
                violation_error_message=_(
                    "A one-time rule needs only a due date; a yearly rule needs a day, a month, "
                    "a first and a last year (not before the first)."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.directive.number})"

    def clean(self):
        if self.plan_for_next_year and self.kind != self.Kind.PLAN:
            raise ValidationError(
                {"plan_for_next_year": _("Only a plan can be for the following year.")}
            )
        if self.frequency == deadlines.YEARLY and self.due_month and self.due_day:
            try:
                dt.date(2024, self.due_month, self.due_day)  # 2024 is a leap year
            except ValueError:
                raise ValidationError(
                    {"due_day": _("This day does not exist in that month.")}
                ) from None
        try:
            self.due_dates()
        except ValueError:
            raise ValidationError(
                _(
                    "Give a due date for a one-time rule, or a day, a month and the first and "
                    "last years for a yearly rule."
                )
            ) from None

    def due_dates(self):
        """The rule's due dates while its document is in force (a replaced document's later
        deadlines are no longer derived)."""
        dates = deadlines.derive_due_dates(
            frequency=self.frequency,
            due_date=self.due_date,
            month=self.due_month,
            day=self.due_day,
            first_year=self.first_year,
            last_year=self.last_year,
        )
        end = self.directive.in_force_to
        return [d for d in dates if end is None or d <= end]

    @property
    def recipient_list(self):
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

    @property
    def is_plan(self):
        return self.kind == self.Kind.PLAN

    def plan_year(self, due_date):
        """The year a plan due on ``due_date`` is for."""
        return due_date.year + 1 if self.plan_for_next_year else due_date.year


class ReportingDeadlineQuerySet(models.QuerySet):
    def with_effective_date(self):
        return self.annotate(effective=Coalesce("moved_to", "due_date"))

    def upcoming(self, today=None):
        today = today or timezone.localdate()
        return self.with_effective_date().filter(effective__gte=today).order_by("effective")


class ReportingDeadline(models.Model):
    """A concrete deadline derived from a rule (never typed by hand); may be moved with a reason."""

    rule = models.ForeignKey(
        ReportingRule,
        on_delete=models.CASCADE,
        related_name="deadlines",
        verbose_name=_("reporting rule"),
    )
    due_date = models.DateField(_("due date"), editable=False)
    moved_to = models.DateField(_("moved to"), null=True, blank=True)
    move_reason = models.CharField(_("reason for moving"), max_length=500, blank=True)
    history = HistoricalRecords()

    objects = ReportingDeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        ordering = ["due_date", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "due_date"], name="deadline_unique_per_rule"),
            models.CheckConstraint(
                condition=Q(moved_to__isnull=True) | ~Q(move_reason=""),
                name="deadline_move_has_reason",
                violation_error_message=_("Moving a deadline needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.rule.label} – {self.effective_date:%d/%m/%Y}"

    @property
    def effective_date(self):
        return deadlines.effective_due_date(self.due_date, self.moved_to)

    @property
    def year(self):
        return self.due_date.year

    @property
    def plan_year(self):
        """The year of the plans due at this deadline (a plan rule's)."""
        return self.rule.plan_year(self.due_date)

    def expected_agencies(self):
        """Agencies expected to report: those with an assignment in force on the due date.

        An agency assigned later, or whose assignment ended earlier, is not expected; after
        a merger the successor's transferred assignment is the one in force.
        """
        from .agencies import Agency
        from .assignments import Assignment

        if self.rule.reporter != ReportingRule.Reporter.AGENCIES:
            return Agency.objects.none()
        in_force = Assignment.objects.filter(directive_id=self.rule.directive_id).in_force_on(
            self.effective_date
        )
        return Agency.objects.filter(pk__in=in_force.values("agency_id"))
