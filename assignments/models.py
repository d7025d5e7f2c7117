"""The domain of twinning work: units, villages, ethnic groups, agencies, directives,
assignments and the reporting rules with their deadlines.

Names are stored cleaned (NFC, trimmed) and each searchable model keeps folded keys
(``name_key``, ``search_key``) in step on every write, bulk writes included, so that search
ignores diacritics and case on SQLite and PostgreSQL alike.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from . import deadlines, lifecycle
from .text import clean_text, fold, search_terms
from .validators import validate_pdf

# Names sort in the Vietnamese alphabet. On PostgreSQL the first migration creates this
# collation from ICU's "vi" locale (the one behind "vi-x-icu"); on SQLite the app registers
# a collation of the same name (see apps.py). SQLite cannot quote collation names, so the
# name is a plain identifier.
VI_COLLATION = "vietnamese"


class KeyedQuerySet(models.QuerySet):
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
    KEY_FIELDS = ("name_key", "search_key")

    name_key = models.CharField(_("name key"), max_length=255, editable=False, db_index=True)
    search_key = models.CharField(_("search key"), max_length=500, editable=False, db_index=True)

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

    def search_text(self):
        return self.name


def validity_constraint(name):
    return models.CheckConstraint(
        condition=Q(valid_from__isnull=True)
        | Q(valid_to__isnull=True)
        | Q(valid_to__gte=F("valid_from")),
        name=name,
        violation_error_message=_("The end of validity cannot be before its start."),
    )


# --- Administrative units ---------------------------------------------------------------


class AdministrativeUnit(KeyedModel):
    """A province, district or commune, as it was during its validity.

    Units are never renamed in place when the state reorganises them: a merger ends the old
    units (``valid_to``) and links them to the new one through ``UnitSuccession``, so records
    of the past keep the names they had.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province level")
        DISTRICT = "district", _("District level")
        COMMUNE = "commune", _("Commune level")

    class UnitType(models.TextChoices):
        PROVINCE = "tinh", _("province")
        CENTRAL_CITY = "thanh_pho_tw", _("centrally-run city")
        DISTRICT = "huyen", _("district")
        URBAN_DISTRICT = "quan", _("urban district")
        TOWN = "thi_xa", _("town")
        PROVINCIAL_CITY = "thanh_pho", _("city")
        COMMUNE = "xa", _("commune")
        WARD = "phuong", _("ward")
        TOWNSHIP = "thi_tran", _("township")
        SPECIAL_ZONE = "dac_khu", _("special zone")

    class CodeList(models.TextChoices):
        # Official unit codes of the General Statistics Office. The 2025 list reused codes
        # (merged Gia Lai is 52, which was Bình Định's; old Gia Lai was 64).
        GSO_2004 = "gso_2004", _("Unit codes of Decision 124/2004/QĐ-TTg")
        GSO_2025 = "gso_2025", _("Unit codes of Decision 19/2025/QĐ-TTg")

    LEVEL_OF_TYPE = {
        UnitType.PROVINCE: Level.PROVINCE,
        UnitType.CENTRAL_CITY: Level.PROVINCE,
        UnitType.DISTRICT: Level.DISTRICT,
        UnitType.URBAN_DISTRICT: Level.DISTRICT,
        UnitType.TOWN: Level.DISTRICT,
        UnitType.PROVINCIAL_CITY: Level.DISTRICT,
        UnitType.COMMUNE: Level.COMMUNE,
        UnitType.WARD: Level.COMMUNE,
        UnitType.TOWNSHIP: Level.COMMUNE,
        UnitType.SPECIAL_ZONE: Level.COMMUNE,
    }
    # Written before the name in Vietnamese whatever the interface language ("xã Ia Kreng"):
    # the prefix is part of the place's name.
    PREFIX = {
        "tinh": "tỉnh",
        "thanh_pho_tw": "thành phố",
        "huyen": "huyện",
        "quan": "quận",
        "thi_xa": "thị xã",
        "thanh_pho": "thành phố",
        "xa": "xã",
        "phuong": "phường",
        "thi_tran": "thị trấn",
        "dac_khu": "đặc khu",
    }
    CLEANED_FIELDS = ("name", "code")
    KEY_SOURCES = ("name", "unit_type")

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    unit_type = models.CharField(_("unit type"), max_length=15, choices=UnitType.choices)
    name = models.CharField(
        _("name"),
        max_length=100,
        db_collation=VI_COLLATION,
        help_text=_("Without the unit type, e.g. “Ia Kreng” for xã Ia Kreng."),
    )
    code = models.CharField(_("official code"), max_length=10, blank=True)
    code_list = models.CharField(
        _("code list"), max_length=10, choices=CodeList.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        through="UnitSuccession",
        symmetrical=False,
        related_name="predecessors",
        verbose_name=_("successor units"),
        blank=True,
    )
    history = HistoricalRecords()

    objects = KeyedQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code_list", "code"],
                condition=~Q(code=""),
                name="unit_code_unique_in_list",
                violation_error_message=_("This code is already used in that code list."),
            ),
            models.UniqueConstraint(
                fields=["parent", "unit_type", "name_key"],
                condition=Q(valid_to__isnull=True),
                name="unit_name_unique_in_parent",
                violation_error_message=_("A unit with this name already exists there."),
            ),
            models.CheckConstraint(
                condition=Q(code="") | ~Q(code_list=""),
                name="unit_code_has_list",
                violation_error_message=_("A code needs the code list it comes from."),
            ),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True)
                | (~Q(level="province") & Q(parent__isnull=False)),
                name="unit_parent_by_level",
                violation_error_message=_(
                    "A province has no parent unit; districts and communes must have one."
                ),
            ),
            validity_constraint("unit_validity_dates"),
        ]

    def __str__(self):
        return f"{self.PREFIX.get(self.unit_type, '')} {self.name}".strip()

    def search_text(self):
        return str(self)

    def clean(self):
        expected = self.LEVEL_OF_TYPE.get(self.unit_type)
        if expected and self.level and expected != self.level:
            raise ValidationError({"unit_type": _("This unit type does not match the level.")})
        if self.parent_id and self.level:
            allowed = {
                self.Level.DISTRICT: {self.Level.PROVINCE},
                # Since 1-7-2025 communes belong directly to provinces.
                self.Level.COMMUNE: {self.Level.DISTRICT, self.Level.PROVINCE},
            }.get(self.level, set())
            if self.parent.level not in allowed:
                raise ValidationError({"parent": _("The parent unit has the wrong level.")})

    @property
    def district(self):
        """The district a commune belonged to (None for communes under a province)."""
        if self.parent_id and self.parent.level == self.Level.DISTRICT:
            return self.parent
        return None


class UnitSuccession(models.Model):
    """A dated link from a unit that ended to the unit that took it over (mergers)."""

    predecessor = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.CASCADE,
        related_name="successions_out",
        verbose_name=_("predecessor unit"),
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.CASCADE,
        related_name="successions_in",
        verbose_name=_("successor unit"),
    )
    effective_date = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unit_succession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")),
                name="unit_succession_not_self",
                violation_error_message=_("A unit cannot succeed itself."),
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"


# --- Ethnic groups ---------------------------------------------------------------------------


class EthnicGroup(KeyedModel):
    class CodeList(models.TextChoices):
        # Two orderings exist; codes mean different groups in each (04 is Mường in 2008,
        # Hoa in 1979), so the list is stored with every code.
        GSO_2008 = "gso_1019_2008", _("Decision 1019/QĐ-TCTK (2008)")
        GSO_1979 = "gso_121_1979", _("Decision 121-TCTK/PPCĐ (1979)")

    CLEANED_FIELDS = ("name", "code")
    KEY_SOURCES = ("name", "aliases")

    code = models.CharField(_("code"), max_length=2)
    code_list = models.CharField(
        _("code list"), max_length=15, choices=CodeList.choices, default=CodeList.GSO_2008
    )
    name = models.CharField(_("name"), max_length=50, db_collation=VI_COLLATION)
    aliases = models.TextField(
        _("other spellings"),
        blank=True,
        help_text=_("One per line, e.g. Khmer for Khơ Me; used when matching imported text."),
    )

    objects = KeyedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ethnic group")
        verbose_name_plural = _("ethnic groups")
        ordering = ["code_list", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="ethnic_code_unique"),
            models.UniqueConstraint(fields=["code_list", "name_key"], name="ethnic_name_unique"),
        ]

    def __str__(self):
        return self.name

    def search_text(self):
        return " ".join([self.name, *self.aliases.splitlines()])

    @property
    def is_minority(self):
        return self.name_key != "kinh"


# --- Villages ---------------------------------------------------------------------------------


class Village(KeyedModel):
    class Kind(models.TextChoices):
        THON = "thon", _("hamlet")
        LANG = "lang", pgettext_lazy("village kind", "village")
        BUON = "buon", _("buon")
        BON = "bon", _("bon")
        PLEI = "plei", _("plei")
        TO_DAN_PHO = "to_dan_pho", _("residential group")

    PREFIX = {
        "thon": "thôn",
        "lang": "làng",
        "buon": "buôn",
        "bon": "bon",
        "plei": "plei",
        "to_dan_pho": "tổ dân phố",
    }
    CLEANED_FIELDS = ("name",)
    KEY_SOURCES = ("name", "kind")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.LANG)
    name = models.CharField(
        _("name"),
        max_length=100,
        db_collation=VI_COLLATION,
        help_text=_("Without the kind, e.g. “Dip” for làng Dip."),
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="villages",
        verbose_name=_("commune"),
        limit_choices_to={"level": AdministrativeUnit.Level.COMMUNE},
    )
    ethnic_groups = models.ManyToManyField(
        EthnicGroup, blank=True, related_name="villages", verbose_name=_("main ethnic groups")
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    poor_households = models.PositiveIntegerField(_("poor households"), null=True, blank=True)
    is_ethnic_minority = models.BooleanField(_("ethnic-minority village"), default=True)
    especially_disadvantaged = models.BooleanField(_("especially disadvantaged"), default=False)
    mixed = models.BooleanField(
        _("mixed village"),
        default=False,
        help_text=_("Thôn xen ghép: Kinh and minority households."),
    )
    valid_to = models.DateField(
        _("dissolved on"),
        null=True,
        blank=True,
        help_text=_("Last day of existence, when the village was merged or dissolved."),
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(m2m_fields=[ethnic_groups])

    objects = KeyedQuerySet.as_manager()

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["name"]
        constraints = [
            # A village is identified by its name within its commune: two "làng Kép" in
            # different communes are different villages.
            models.UniqueConstraint(
                fields=["commune", "name_key"],
                name="village_name_unique_in_commune",
                violation_error_message=_("This commune already has a village with this name."),
            ),
            models.CheckConstraint(
                condition=Q(poor_households__isnull=True)
                | Q(households__isnull=True)
                | Q(poor_households__lte=F("households")),
                name="village_poor_within_households",
                violation_error_message=_("Poor households cannot outnumber households."),
            ),
        ]

    def __str__(self):
        return f"{self.PREFIX.get(self.kind, '')} {self.name}".strip()

    def search_text(self):
        return str(self)


# --- Agencies and their members ---------------------------------------------------------------


class AgencyQuerySet(KeyedQuerySet):
    def visible_to(self, user):
        if user.sees_all_agencies:
            return self
        return self.filter(pk__in=user.agencies.all())


class Agency(KeyedModel):
    Level = AdministrativeUnit.Level

    class Kind(models.TextChoices):
        PARTY = "party", _("Party body")
        GOVERNMENT = "government", _("Government body")
        FRONT = "front", _("Fatherland Front and mass organisations")
        ARMED_FORCES = "armed_forces", _("Armed forces")
        PUBLIC_SERVICE = "public_service", _("Public service unit")
        ENTERPRISE = "enterprise", _("Enterprise")

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
        help_text=_("The province, district or commune the agency belongs to."),
    )
    email = models.EmailField(_("contact email"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("Last day of existence (merged, dissolved or renamed)."),
    )
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor"),
        help_text=_("The agency that takes over its work from the day after “valid to”."),
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_key"],
                condition=Q(valid_to__isnull=True),
                name="agency_name_unique_while_valid",
                violation_error_message=_("An agency with this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(valid_to__isnull=False),
                name="agency_successor_needs_end",
                violation_error_message=_("An agency with a successor needs its last day."),
            ),
            validity_constraint("agency_validity_dates"),
        ]

    def __str__(self):
        return self.name

    def search_text(self):
        return f"{self.name} {self.short_name}"

    def clean(self):
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": _("An agency cannot succeed itself.")})


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


class AgencyMembership(models.Model):
    """An agency reporter's membership: what they may see and edit."""

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


# --- Directives --------------------------------------------------------------------------------


class Directive(KeyedModel):
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


# --- Assignments -----------------------------------------------------------------------------


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.sees_all_agencies:
            return self
        return self.filter(agency__in=user.agencies.all())

    def in_force_on(self, date):
        """Assignments running on ``date`` by their dates (start ≤ date ≤ end)."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=date), start_date__lte=date)

    def running(self):
        return self.filter(status__in=lifecycle.RUNNING)


class Assignment(models.Model):
    """One agency twinned with one village under one directive (phân công kết nghĩa)."""

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
        Village, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("village")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.LEAD)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
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
        ordering = ["directive", "agency__name", "village__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "agency", "village"],
                condition=Q(status__in=lifecycle.RUNNING),
                name="assignment_unique_running",
                violation_error_message=_(
                    "This agency is already twinned with this village under this document."
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
                condition=~Q(status=lifecycle.REASSIGNED) | Q(replaced_by__isnull=False),
                name="assignment_reassigned_has_replacement",
                violation_error_message=_("A reassigned assignment must point to its replacement."),
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self):
        return f"{self.agency} – {self.village}"

    @property
    def is_running(self):
        return self.status in lifecycle.RUNNING


# --- Reporting rules and deadlines -----------------------------------------------------------


class ReportingRule(models.Model):
    """A reporting duty set by a document: once (before 25-3-2024) or every year (10-11)."""

    class Reporter(models.TextChoices):
        AGENCIES = "agencies", _("Assigned agencies")
        COORDINATOR = "coordinator", _("Coordinating body")

    class Frequency(models.TextChoices):
        ONCE = deadlines.ONCE, _("Once")
        YEARLY = deadlines.YEARLY, _("Every year")

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
        return deadlines.derive_due_dates(
            frequency=self.frequency,
            due_date=self.due_date,
            month=self.due_month,
            day=self.due_day,
            first_year=self.first_year,
            last_year=self.last_year,
        )

    @property
    def recipient_list(self):
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


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

    def expected_agencies(self):
        """Agencies expected to report: those with an assignment in force on the due date.

        An agency assigned later, or whose assignment ended earlier, is not expected; after
        a merger the successor's transferred assignment is the one in force.
        """
        if self.rule.reporter != ReportingRule.Reporter.AGENCIES:
            return Agency.objects.none()
        in_force = Assignment.objects.filter(directive_id=self.rule.directive_id).in_force_on(
            self.effective_date
        )
        return Agency.objects.filter(pk__in=in_force.values("agency_id"))
