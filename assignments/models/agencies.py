"""Twinning parties (agencies, Party bodies, localities, enterprises, banks), their dated
successions, and the users who act for them."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import VI_COLLATION, InForceMixin, KeyedModel, KeyedQuerySet, validity_constraint
from .units import AdministrativeUnit


class AgencyQuerySet(KeyedQuerySet):
    def visible_to(self, user):
        if user.sees_all_agencies:
            return self
        return self.filter(pk__in=user.agencies.all())

    def coordinating_body_on(self, date):
        """The coordinating body in force on ``date`` (Ban Dân tộc tỉnh until its merger, Sở
        Dân tộc và Tôn giáo after), or None when no agency is marked as such."""
        return (
            self.filter(is_coordinating_body=True)
            .in_force_on(date)
            .order_by(F("valid_from").desc(nulls_last=True), "pk")
            .first()
        )


def coordinating_body_name(date=None):
    """The name of the coordinating body on ``date`` (default today), from the data; the
    COORDINATOR_NAME setting only when no agency is marked as the coordinating body."""
    from django.utils import timezone

    body = Agency.objects.coordinating_body_on(date or timezone.localdate())
    return body.name if body else settings.COORDINATOR_NAME


class Agency(InForceMixin, KeyedModel):
    """A twinning party: a department, a Party body, a commune or ward (through its own
    authority, tied to its unit), a mass organisation, the armed forces, an enterprise or a
    bank. Parties end and are succeeded (merged, split, renamed) only through the
    restructuring services, which move their running assignments."""

    Level = AdministrativeUnit.Level

    class Kind(models.TextChoices):
        PARTY = "party", _("Party body")
        GOVERNMENT = "government", _("Government body")
        LOCALITY = "locality", _("Commune or ward")
        FRONT = "front", _("Fatherland Front and mass organisations")
        ARMED_FORCES = "armed_forces", _("Armed forces")
        PUBLIC_SERVICE = "public_service", _("Public service unit")
        ENTERPRISE = "enterprise", _("Enterprise")
        BANK = "bank", _("Bank or credit institution")

    CLEANED_FIELDS = ("name", "short_name")
    KEY_SOURCES = ("name", "short_name")

    name = models.CharField(_("name"), max_length=255, db_collation=VI_COLLATION)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, default=Level.PROVINCE
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("administrative unit"),
        help_text=_(
            "The province, district or commune the agency belongs to; for a commune or ward "
            "taking part in twinning, that commune or ward."
        ),
    )
    parent_body = models.CharField(
        _("parent body"),
        max_length=200,
        blank=True,
        help_text=_(
            "The line above the name in the heading of its documents (e.g. UBND tỉnh Gia Lai)."
        ),
    )
    email = models.EmailField(_("contact email"), blank=True)
    head_name = models.CharField(
        _("head of the agency"), max_length=200, blank=True, help_text=_("e.g. Giám đốc Sở")
    )
    head_email = models.EmailField(
        _("head's email"),
        blank=True,
        help_text=_("Copied on reminders once a deadline is missed for the second time."),
    )
    is_coordinating_body = models.BooleanField(
        _("coordinating body"),
        default=False,
        help_text=_(
            "The body that follows twinning work for the province (Ban Dân tộc tỉnh, since "
            "2025 Sở Dân tộc và Tôn giáo). Its name, on each date, heads the documents."
        ),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("Last day of existence (merged, split, dissolved or renamed)."),
    )
    successors = models.ManyToManyField(
        "self",
        through="AgencySuccession",
        symmetrical=False,
        related_name="predecessors",
        verbose_name=_("successors"),
        blank=True,
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_key"],
                condition=Q(valid_to__isnull=True),
                name="agency_name_unique_while_valid",
                violation_error_message=_("An agency with this name already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="locality") | Q(unit__isnull=False),
                name="agency_locality_has_unit",
                violation_error_message=_(
                    "A commune or ward taking part in twinning must be tied to its unit."
                ),
            ),
            validity_constraint("agency_validity_dates"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.is_coordinating_body or self.valid_to:
            from django.core.cache import cache
            from django.utils import timezone

            cache.delete(f"coordinating-body:{timezone.localdate().isoformat()}")

    def search_text(self):
        return f"{self.name} {self.short_name}"

    def clean(self):
        if self.kind == self.Kind.LOCALITY:
            if self.unit_id is None:
                raise ValidationError(
                    {
                        "unit": _(
                            "A commune or ward taking part in twinning must be tied to its unit."
                        )
                    }
                )
            if self.unit.level != AdministrativeUnit.Level.COMMUNE:
                raise ValidationError({"unit": _("Choose a commune or ward.")})
        if self.is_coordinating_body:
            others = Agency.objects.filter(is_coordinating_body=True).exclude(pk=self.pk)
            start = self.valid_from or dt.date.min
            end = self.valid_to or dt.date.max
            overlapping = others.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=end),
                Q(valid_to__isnull=True) | Q(valid_to__gte=start),
            ).first()
            if overlapping is not None:
                raise ValidationError(
                    {
                        "is_coordinating_body": _(
                            "%(name)s is already the coordinating body for part of this period."
                        )
                        % {"name": overlapping.name}
                    }
                )


class AgencySuccession(models.Model):
    """A dated link from a party that ended to one that took over its twinning: a merger
    (several → one), a split (one → several) or a renaming (one → one)."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merger")
        SPLIT = "split", _("Split")
        RENAME = "rename", _("Renaming")

    predecessor = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="successions_out",
        verbose_name=_("predecessor"),
    )
    successor = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="successions_in",
        verbose_name=_("successor"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MERGE)
    effective_date = models.DateField(
        _("effective date"), help_text=_("The successor's first day.")
    )
    event = models.ForeignKey(
        "RestructuringEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agency_successions",
        verbose_name=_("restructuring"),
    )

    class Meta:
        verbose_name = _("agency succession")
        verbose_name_plural = _("agency successions")
        ordering = ["effective_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="agency_succession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")),
                name="agency_succession_not_self",
                violation_error_message=_("An agency cannot succeed itself."),
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"


class User(AbstractUser):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator staff")
        REPORTER = "reporter", _("Agency reporter")
        VIEWER = "viewer", _("Viewer (leader)")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.REPORTER)
    agencies = models.ManyToManyField(
        Agency,
        through="AgencyMembership",
        related_name="members",
        blank=True,
        verbose_name=_("agencies"),
    )
    notify_by_email = models.BooleanField(
        _("notices by email too"),
        default=False,
        help_text=_(
            "Besides the notices in the application: an email when a report is submitted "
            "(coordinators) or returned (reporters)."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def sees_all_agencies(self):
        """Coordinators, viewers and administrators see every agency; reporters their own."""
        return self.is_superuser or self.role in (
            self.Role.COORDINATOR,
            self.Role.VIEWER,
            self.Role.ADMIN,
        )

    @property
    def is_coordinator(self):
        return self.is_superuser or self.role in (self.Role.COORDINATOR, self.Role.ADMIN)

    @property
    def is_reporter(self):
        return self.role == self.Role.REPORTER


class AgencyAlias(models.Model):
    """Another name an agency goes by in the lists offices send ("Sở VHTT&DL", "BCH Quân sự
    tỉnh"): remembered when a user matches it to the agency in an import's preview (or typed
    by a coordinator in the administration), and matched by its folded form next time."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("agency")
    )
    alias = models.CharField(_("name as written"), max_length=300)
    key = models.CharField(_("folded name"), max_length=300, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("remembered from"),
    )
    created_at = models.DateTimeField(_("remembered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("other name of an agency")
        verbose_name_plural = _("other names of agencies")
        ordering = ["agency", "alias"]

    def __str__(self):
        return f"{self.alias} → {self.agency}"

    def save(self, *args, **kwargs):
        from ..text import fold

        self.key = fold(self.alias)
        super().save(*args, **kwargs)


class AgencyMembership(models.Model):
    """An agency reporter's membership: what they may see and edit. After a merger the
    reporters keep their old agency (its reports stay readable) and join the successor."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("agency")
    )
    is_focal = models.BooleanField(_("focal officer"), default=True)

    class Meta:
        verbose_name = _("agency membership")
        verbose_name_plural = _("agency memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.agency}"
