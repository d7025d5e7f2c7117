"""Villages (thôn, làng, buôn, bon, plei), where they lay on each date, and their figures by
year."""

from django.db import models
from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .base import (
    VI_COLLATION,
    InForceMixin,
    InForceQuerySet,
    KeyedModel,
    KeyedQuerySet,
    is_in_force,
    validity_constraint,
)
from .ethnic import EthnicGroup
from .units import AdministrativeUnit


class VillageQuerySet(KeyedQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Bulk-created villages get their first location too (``save()`` is skipped)."""
        created = super().bulk_create(objs, *args, **kwargs)
        VillageLocation.objects.bulk_create(
            [VillageLocation(village=v, commune_id=v.commune_id) for v in created if v.pk],
            batch_size=kwargs.get("batch_size"),
        )
        return created

    def with_locations(self):
        """Prefetch the dated locations, oldest first, with their communes' parents, so that
        ``commune_on(date)`` costs no query."""
        return self.prefetch_related(
            Prefetch(
                "locations",
                queryset=VillageLocation.objects.select_related("commune__parent").order_by(
                    F("valid_from").asc(nulls_first=True)
                ),
            )
        )

    def located_in(self, unit, date):
        """Villages that lay in ``unit`` (a commune, or a district or province through its
        communes) on ``date``."""
        locations = VillageLocation.objects.in_force_on(date).filter(
            Q(commune=unit) | Q(commune__parent=unit) | Q(commune__parent__parent=unit)
        )
        return self.filter(pk__in=locations.values("village_id"))


class Village(InForceMixin, KeyedModel):
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
    VALIDITY = (None, "valid_to")

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
        help_text=_(
            "Its commune or ward now. Where it lay on earlier dates is kept in its locations; "
            "a merger of communes moves villages through the restructuring page."
        ),
    )
    ethnic_groups = models.ManyToManyField(
        EthnicGroup, blank=True, related_name="villages", verbose_name=_("main ethnic groups")
    )
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

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["sort_key", "pk"]
        constraints = [
            # A village is identified by its name within its commune: two "làng Kép" in
            # different communes are different villages.
            models.UniqueConstraint(
                fields=["commune", "name_key"],
                name="village_name_unique_in_commune",
                violation_error_message=_("This commune already has a village with this name."),
            ),
        ]

    def __str__(self):
        return f"{self.PREFIX.get(self.kind, '')} {self.name}".strip()

    def search_text(self):
        return str(self)

    def save(self, *args, **kwargs):
        """A new village starts its location history; changing the commune by hand corrects
        the current location (a real move goes through ``unit_merge``, which dates it)."""
        super().save(*args, **kwargs)
        current = self.locations.filter(valid_to__isnull=True).order_by("-pk").first()
        if current is None:
            if not self.locations.exists():
                VillageLocation.objects.create(village=self, commune_id=self.commune_id)
        elif current.commune_id != self.commune_id:
            current.commune_id = self.commune_id
            current.save(update_fields=["commune"])

    def commune_on(self, date):
        """The commune the village lay in on ``date`` (from its dated locations; prefetch them
        with ``with_locations()`` when asking for many villages)."""
        for location in self.locations.all():
            if is_in_force(location.valid_from, location.valid_to, date):
                return location.commune
        return self.commune


class VillageLocation(InForceMixin, models.Model):
    """Where a village lay from one date to another: a merger of communes closes one location
    and opens the next, so a 2024 document still prints the 2024 commune and district."""

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="locations", verbose_name=_("village")
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="village_locations",
        verbose_name=_("commune"),
    )
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("to"), null=True, blank=True)
    event = models.ForeignKey(
        "RestructuringEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="village_locations",
        verbose_name=_("restructuring"),
    )

    objects = InForceQuerySet.as_manager()

    class Meta:
        verbose_name = _("village location")
        verbose_name_plural = _("village locations")
        ordering = ["village", F("valid_from").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(fields=["village", "valid_from"], name="location_unique_start"),
            validity_constraint("location_validity_dates"),
        ]

    def __str__(self):
        return f"{self.village} – {self.commune}"


class VillageYearFigures(models.Model):
    """A village's households, poverty and infrastructure in one year, as the commune reports
    them: entered once a year (form or Excel), read by the reviews year by year."""

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="figures", verbose_name=_("village")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    poor_households = models.PositiveIntegerField(_("poor households"), null=True, blank=True)
    near_poor_households = models.PositiveIntegerField(
        _("near-poor households"), null=True, blank=True
    )
    left_poverty_households = models.PositiveIntegerField(
        _("households that left poverty in the year"), null=True, blank=True
    )
    hard_road_km = models.DecimalField(
        _("hard-surfaced road (km)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    has_grid_power = models.BooleanField(_("grid power"), null=True, blank=True)
    has_culture_house = models.BooleanField(_("culture house"), null=True, blank=True)
    has_school = models.BooleanField(_("kindergarten or school"), null=True, blank=True)
    has_clean_water = models.BooleanField(_("clean water"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village figures of a year")
        verbose_name_plural = _("village figures by year")
        ordering = ["village", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="figures_one_per_year"),
            models.CheckConstraint(
                condition=Q(year__range=(1990, 2100)),
                name="figures_year_range",
                violation_error_message=_("The year must be between 1990 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(households__isnull=True)
                | (
                    (Q(poor_households__isnull=True) | Q(poor_households__lte=F("households")))
                    & (
                        Q(near_poor_households__isnull=True)
                        | Q(near_poor_households__lte=F("households"))
                    )
                ),
                name="figures_poor_within_households",
                violation_error_message=_(
                    "Poor or near-poor households cannot outnumber households."
                ),
            ),
            models.CheckConstraint(
                condition=Q(hard_road_km__isnull=True) | Q(hard_road_km__gte=0),
                name="figures_road_not_negative",
                violation_error_message=_("Road length cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.village} – {self.year}"

    INFRASTRUCTURE = ("has_grid_power", "has_culture_house", "has_school", "has_clean_water")
    FIGURES = (
        "households",
        "population",
        "poor_households",
        "near_poor_households",
        "left_poverty_households",
        "hard_road_km",
        *INFRASTRUCTURE,
    )
