"""Villagers' wishes (tâm tư, nguyện vọng): what villagers raise with a twinning party, to
whom it was passed, and what came of it — the follow-up the provincial letter asks for
("kịp thời phản ánh với cấp ủy, chính quyền")."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .agencies import Agency
from .villages import Village


class WishQuerySet(models.QuerySet):
    def visible_to(self, user):
        """All for those who see every agency; a party's officer, what its agencies
        recorded or were passed."""
        if user.sees_all_agencies:
            return self
        own = user.agencies.all()
        return self.filter(Q(agency__in=own) | Q(passed_to__in=own))

    def open(self):
        return self.exclude(status=Wish.Status.RESOLVED)


class Wish(models.Model):
    class Topic(models.TextChoices):
        LAND = "land", _("Land")
        WATER = "water", _("Water")
        ROADS = "roads", _("Roads")
        SCHOOLING = "schooling", _("Schooling")
        HEALTH = "health", _("Health")
        SECURITY = "security", _("Security and order")
        LIVELIHOOD = "livelihood", _("Livelihood and production")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")
        RESOLVED = "resolved", _("Resolved")

    raised_on = models.DateField(_("raised on"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="wishes", verbose_name=_("village")
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="wishes_recorded",
        verbose_name=_("recorded by (party)"),
    )
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    request = models.TextField(_("what the villagers asked"))
    passed_to = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wishes_passed",
        verbose_name=_("passed to (body)"),
    )
    passed_to_other = models.CharField(
        _("passed to (other)"),
        max_length=200,
        blank=True,
        help_text=_("A body that is no agency here, e.g. UBND xã Ia Kreng."),
    )
    passed_on = models.DateField(_("passed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = _("villagers' wish")
        verbose_name_plural = _("villagers' wishes")
        ordering = ["raised_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | (Q(answered_on__isnull=False) & ~Q(answer="")),
                name="wish_answered_has_answer",
                violation_error_message=_("An answered wish needs the answer and its date."),
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_on__isnull=False),
                name="wish_resolved_has_date",
                violation_error_message=_("A resolved wish needs the date it was resolved."),
            ),
        ]

    def __str__(self):
        return f"{self.village} – {self.get_topic_display()} ({self.raised_on:%d/%m/%Y})"

    def clean(self):
        if self.passed_on and self.passed_on < self.raised_on:
            raise ValidationError({"passed_on": _("It cannot be passed on before it was raised.")})
        for name in ("answered_on", "resolved_on"):
            date = getattr(self, name)
            if date and date < self.raised_on:
                raise ValidationError({name: _("This date cannot be before the wish was raised.")})

    @property
    def waits_on(self):
        return self.passed_to.name if self.passed_to_id else self.passed_to_other
