"""Administrative units (provinces, districts, communes and wards) as they were during their
validity, and the dated successions that link them across reorganisations."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import VI_COLLATION, InForceMixin, KeyedModel, KeyedQuerySet, validity_constraint


class AdministrativeUnit(InForceMixin, KeyedModel):
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
        ordering = ["sort_key", "pk"]
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
    def place(self):
        """The unit with what it lies in: "xã Ia Kreng, huyện Chư Păh" (2024) or
        "xã Lơ Pang, tỉnh Gia Lai" (since 2025)."""
        return f"{self}, {self.parent}" if self.parent_id else str(self)

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
    event = models.ForeignKey(
        "RestructuringEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_successions",
        verbose_name=_("restructuring"),
    )

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
