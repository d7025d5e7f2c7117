"""Agreements with numbered contents: the twinning covenant (giao ước, biên bản kết nghĩa)
signed at a ceremony by the two parties, and the coordination programme (chương trình phối
hợp) of two or more bodies for a period. Both hold numbered contents, each with a lead party
and participants; each year's tasks per content (the yearly plan, kế hoạch thực hiện), the
progress recorded against them, the meetings their rhythm makes due ("định kỳ 6 tháng"), and
the reviews (sơ kết, tổng kết) that judge each content done, in progress or not started.
"""

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.storage import private_storage

from ..periods import Period
from ..validators import validate_pdf, validate_upload_size
from .agencies import Agency
from .assignments import Assignment
from .base import KeyedModel, KeyedQuerySet


class Standing(models.TextChoices):
    """How far a content (or one of its tasks) has gone."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class AgreementQuerySet(KeyedQuerySet):
    def visible_to(self, user):
        """Coordinators, viewers and administrators see all; a party's reporter, the
        agreements its agencies are party to."""
        if user.sees_all_agencies:
            return self
        return self.filter(parties__in=user.agencies.all()).distinct()


class Agreement(KeyedModel):
    class Kind(models.TextChoices):
        COVENANT = "covenant", _("Twinning covenant")
        PROGRAMME = "programme", _("Coordination programme")

    KEY_SOURCES = ("name", "number")
    CLEANED_FIELDS = ("name", "number", "place")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(
        _("title"),
        max_length=500,
        help_text=_("e.g. Chương trình phối hợp thực hiện công tác dân vận giai đoạn 2022-2026"),
    )
    number = models.CharField(_("number"), max_length=60, blank=True)
    signed_on = models.DateField(_("signed on"))
    place = models.CharField(_("signed at"), max_length=200, blank=True)
    first_year = models.PositiveSmallIntegerField(_("from year"))
    last_year = models.PositiveSmallIntegerField(
        _("to year"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )
    parties = models.ManyToManyField(
        Agency, related_name="agreements", verbose_name=_("parties"), through="AgreementParty"
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covenants",
        verbose_name=_("twinning"),
        help_text=_("The twinning whose ceremony the covenant was signed at."),
    )
    meeting_months = models.PositiveSmallIntegerField(
        _("meets every (months)"),
        null=True,
        blank=True,
        help_text=_("e.g. 6 for “định kỳ 6 tháng”; empty when the parties set no rhythm."),
    )
    commitments = models.TextField(_("commitments"), blank=True)
    scan = models.FileField(
        _("signed scan (PDF)"),
        upload_to="agreements/%Y/",
        blank=True,
        validators=[validate_pdf, validate_upload_size],
        storage=private_storage,
    )
    note = models.TextField(_("internal note"), blank=True, help_text=_("Never printed."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=F("first_year")),
                name="agreement_period_ordered",
                violation_error_message=_("The last year cannot be before the first."),
            ),
            models.CheckConstraint(
                condition=Q(meeting_months__isnull=True) | Q(meeting_months__range=(1, 60)),
                name="agreement_meeting_rhythm",
                violation_error_message=_("Meetings are every 1 to 60 months."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.number})" if self.number else self.name

    def search_text(self):
        return f"{self.name} {self.number}"

    def clean(self):
        if self.kind == self.Kind.PROGRAMME and self.assignment_id:
            raise ValidationError(
                {"assignment": _("Only a covenant is signed at a twinning's ceremony.")}
            )

    @property
    def period_end(self):
        return dt.date(self.last_year, 12, 31) if self.last_year else None

    def years(self, today):
        """The years one may plan or review: the agreement's period, or up to next year when
        it runs until further notice."""
        last = self.last_year or max(today.year + 1, self.first_year)
        return list(range(self.first_year, last + 1))

    def meeting_dates(self, until):
        """The dates meetings fall due by the rhythm, from the signing to ``until`` (or the
        end of the period): every ``meeting_months`` months after the signing."""
        if not self.meeting_months:
            return []
        end = min(until, self.period_end) if self.period_end else until
        dates, step = [], 1
        while True:
            months = self.signed_on.month - 1 + step * self.meeting_months
            year = self.signed_on.year + months // 12
            month = months % 12 + 1
            day = min(self.signed_on.day, _days_in(year, month))
            due = dt.date(year, month, day)
            if due > end:
                return dates
            dates.append(due)
            step += 1


def _days_in(year, month):
    return calendar.monthrange(year, month)[1]


class AgreementParty(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="party_rows", verbose_name=_("agreement")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("party")
    )
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["agreement", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "agency"], name="agreement_party_once")
        ]

    def __str__(self):
        return str(self.agency)


class AgreementContent(models.Model):
    """A numbered content ("nội dung phối hợp"), in a group when the agreement has several
    ("7 nội dung chung và 10 nội dung cụ thể"), with its lead party and participants."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="contents", verbose_name=_("agreement")
    )
    group = models.CharField(
        _("group"), max_length=100, blank=True, help_text=_("e.g. Nội dung chung")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.TextField(_("content"))
    lead = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead party"),
    )
    lead_other = models.CharField(
        _("lead (other)"),
        max_length=200,
        blank=True,
        help_text=_("A lead that is not an agency: the village, both parties."),
    )
    participants = models.ManyToManyField(
        Agency, blank=True, related_name="+", verbose_name=_("participants")
    )
    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        verbose_name = _("content")
        verbose_name_plural = _("contents")
        ordering = ["agreement", "group", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "group", "number"], name="agreement_content_number_once"
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.title[:80]}"

    @property
    def lead_name(self):
        return self.lead.name if self.lead_id else self.lead_other


class ContentTask(models.Model):
    """A task of a year's plan (kế hoạch thực hiện năm) for a content: what, by when (a
    month, a quarter or the whole year, as in an agency's plan), and how far it has gone."""

    content = models.ForeignKey(
        AgreementContent, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("content")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("when"), max_length=4, choices=Period.choices)
    description = models.TextField(_("task"))
    standing = models.CharField(
        _("standing"), max_length=12, choices=Standing.choices, default=Standing.NOT_STARTED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yearly task")
        verbose_name_plural = _("yearly tasks")
        ordering = ["content", "year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(standing="done") | Q(done_on__isnull=False),
                name="task_done_has_date",
                violation_error_message=_("A task done needs the date it was done."),
            )
        ]

    def __str__(self):
        return self.description[:80]


class ContentProgress(models.Model):
    """What was done for a content, when, by whom, with its evidence (an activity recorded,
    a file, or words)."""

    content = models.ForeignKey(
        AgreementContent,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("content"),
    )
    task = models.ForeignKey(
        ContentTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress",
        verbose_name=_("task"),
    )
    date = models.DateField(_("date"))
    standing = models.CharField(_("standing"), max_length=12, choices=Standing.choices)
    note = models.TextField(_("what was done"))
    evidence = models.FileField(
        _("evidence (PDF)"),
        upload_to="agreements/evidence/%Y/",
        blank=True,
        validators=[validate_pdf, validate_upload_size],
        storage=private_storage,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress")
        verbose_name_plural = _("progress")
        ordering = ["content", "-date", "-pk"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y}: {self.note[:60]}"


class Meeting(models.Model):
    """A meeting of the parties: due by the agreement's rhythm (or added by hand), held on
    a date, with its minutes."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("agreement")
    )
    due_date = models.DateField(_("due date"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_scan = models.FileField(
        _("minutes, signed (PDF)"),
        upload_to="agreements/minutes/%Y/",
        blank=True,
        validators=[validate_pdf, validate_upload_size],
        storage=private_storage,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["agreement", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "due_date"], name="meeting_once_a_date"),
            models.CheckConstraint(
                condition=Q(held_on__isnull=True) | ~Q(minutes=""),
                name="meeting_held_has_minutes",
                violation_error_message=_("A meeting held needs its minutes."),
            ),
        ]

    def __str__(self):
        return f"{self.agreement} – {self.due_date:%d/%m/%Y}"


class AgreementReview(models.Model):
    """A review of the agreement (sơ kết, tổng kết, or the year's): per content, done, in
    progress or not started, with the parties' remarks."""

    class Kind(models.TextChoices):
        YEAR = "year", _("Yearly review")
        INTERIM = "interim", _("Interim review (sơ kết)")
        FINAL = "final", _("Final review (tổng kết)")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("agreement")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("held on"))
    remarks = models.TextField(_("the parties' remarks"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["agreement", "-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "year"], name="agreement_review_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}"


class ReviewLine(models.Model):
    review = models.ForeignKey(
        AgreementReview, on_delete=models.CASCADE, related_name="lines", verbose_name=_("review")
    )
    content = models.ForeignKey(
        AgreementContent, on_delete=models.CASCADE, related_name="+", verbose_name=_("content")
    )
    standing = models.CharField(_("standing"), max_length=12, choices=Standing.choices)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("review line")
        verbose_name_plural = _("review lines")
        ordering = ["review", "content__group", "content__number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "content"], name="review_line_once")
        ]

    def __str__(self):
        return f"{self.content.number}: {self.get_standing_display()}"
