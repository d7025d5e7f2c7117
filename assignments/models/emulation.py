"""The register of exemplary models (mô hình điển hình) of the "Dân vận khéo" emulation
movement: a model, who owns it, its field and place, and what became of it each year —
registered, judged effective, commended (with the level and the document), replicated."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.storage import private_storage

from ..validators import validate_pdf, validate_upload_size
from .agencies import Agency
from .agreements import Agreement
from .assignments import Assignment
from .base import KeyedModel, KeyedQuerySet
from .units import AdministrativeUnit
from .villages import Village


class ExemplaryModelQuerySet(KeyedQuerySet):
    def visible_to(self, user):
        """All for those who see every agency; a party's officer, its agencies' models."""
        if user.sees_all_agencies:
            return self
        return self.filter(agency__in=user.agencies.all())


class ExemplaryModel(KeyedModel):
    class Field(models.TextChoices):
        ECONOMY = "economy", _("Economy")
        CULTURE_SOCIETY = "culture_society", _("Culture and society")
        DEFENCE_SECURITY = "defence_security", _("Defence and security")
        POLITICAL_SYSTEM = "political_system", _("Party and political system")

    class Owner(models.TextChoices):
        AGENCY = "agency", _("An agency or unit")
        COMMUNE = "commune", _("A commune or ward")
        VILLAGE = "village", _("A village")
        PERSON = "person", _("A person")

    CLEANED_FIELDS = ("name", "person")

    name = models.CharField(_("name of the model"), max_length=300)
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    owner = models.CharField(_("owned by"), max_length=10, choices=Owner.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplary_models",
        verbose_name=_("agency"),
        help_text=_("The agency that owns the model, or that registered it."),
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune or ward"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    person = models.CharField(_("person"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("since"))
    description = models.TextField(_("description"))
    evidence = models.FileField(
        _("evidence (PDF)"),
        storage=private_storage,
        upload_to="models/%Y/",
        blank=True,
        validators=[validate_pdf, validate_upload_size],
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplary_models",
        verbose_name=_("from the twinning"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplary_models",
        verbose_name=_("from the programme or covenant"),
    )
    note = models.TextField(_("internal note"), blank=True, help_text=_("Never printed."))
    history = HistoricalRecords()

    objects = ExemplaryModelQuerySet.as_manager()

    class Meta:
        verbose_name = _("exemplary model")
        verbose_name_plural = _("exemplary models")
        ordering = ["sort_key", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        needed = {
            self.Owner.AGENCY: ("agency", self.agency_id),
            self.Owner.COMMUNE: ("commune", self.commune_id),
            self.Owner.VILLAGE: ("village", self.village_id),
            self.Owner.PERSON: ("person", self.person.strip()),
        }
        if self.owner in needed and not needed[self.owner][1]:
            field = needed[self.owner][0]
            raise ValidationError({field: _("Name the model's owner.")})

    @property
    def owner_name(self):
        if self.owner == self.Owner.PERSON:
            return self.person
        if self.owner == self.Owner.VILLAGE and self.village_id:
            return str(self.village)
        if self.owner == self.Owner.COMMUNE and self.commune_id:
            return str(self.commune)
        return str(self.agency) if self.agency_id else ""

    @property
    def is_individual(self):
        return self.owner == self.Owner.PERSON


class ModelYear(models.Model):
    """What became of a model in a year."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        EFFECTIVE = "effective", _("Judged effective")
        COMMENDED = "commended", _("Commended")

    class Level(models.TextChoices):
        CENTRAL = "central", _("Central level")
        PROVINCE = "province", _("Province level")
        DISTRICT = "district", _("District level")
        COMMUNE = "commune", _("Commune level")

    model = models.ForeignKey(
        ExemplaryModel, on_delete=models.CASCADE, related_name="years", verbose_name=_("model")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    level = models.CharField(_("commended at"), max_length=10, choices=Level.choices, blank=True)
    commendation = models.CharField(
        _("commendation and document"),
        max_length=300,
        blank=True,
        help_text=_("e.g. Bằng khen của Chủ tịch UBND tỉnh, Quyết định số 123/QĐ-UBND"),
    )
    replicated_to = models.TextField(_("replicated to"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("model's year")
        verbose_name_plural = _("models' years")
        ordering = ["model", "year"]
        constraints = [
            models.UniqueConstraint(fields=["model", "year"], name="model_year_once"),
            models.CheckConstraint(
                condition=~Q(status="commended") | ~Q(level=""),
                name="model_commended_has_level",
                violation_error_message=_("A commendation needs its level."),
            ),
        ]

    def __str__(self):
        return f"{self.model} – {self.year}: {self.get_status_display()}"


def summary(year, models=None):
    """The "Dân vận khéo" table of ``year``: per field, models registered, judged effective
    (commended ones included) and commended, collectives and individuals apart, and per
    level of commendation; with the totals. One query."""
    rows = ModelYear.objects.filter(year=year)
    if models is not None:
        rows = rows.filter(model__in=models)
    effective = Q(status__in=[ModelYear.Status.EFFECTIVE, ModelYear.Status.COMMENDED])
    commended = Q(status=ModelYear.Status.COMMENDED)
    person = Q(model__owner=ExemplaryModel.Owner.PERSON)
    counted = {
        row["model__field"]: row
        for row in rows.order_by()
        .values("model__field")
        .annotate(
            registered=Count("pk"),
            effective=Count("pk", filter=effective),
            collectives=Count("pk", filter=commended & ~person),
            individuals=Count("pk", filter=commended & person),
            **{
                f"level_{level}": Count("pk", filter=commended & Q(level=level))
                for level in ModelYear.Level.values
            },
        )
    }
    names = ["registered", "effective", "collectives", "individuals"] + [
        f"level_{level}" for level in ModelYear.Level.values
    ]
    table = []
    for field, label in ExemplaryModel.Field.choices:
        row = counted.get(field, {})
        table.append({"field": field, "label": label, **{n: row.get(n, 0) for n in names}})
    total = {n: sum(row[n] for row in table) for n in names}
    return {"year": year, "rows": table, "total": total, "levels": ModelYear.Level.choices}
