"""The record of each change of the world applied through the restructuring services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .directives import Directive


class RestructuringEvent(models.Model):
    """One restructuring as applied: what kind, from which date, on whose order, by whom, and
    every step it took (the plan the coordinator confirmed)."""

    class Kind(models.TextChoices):
        AGENCY_MERGE = "agency_merge", _("Merger of parties")
        AGENCY_SPLIT = "agency_split", _("Split of a party")
        AGENCY_RENAME = "agency_rename", _("Renaming of a party")
        UNIT_MERGE = "unit_merge", _("Merger of administrative units")
        REGIME_REPLACE = "regime_replace", _("Document replaced by a new one")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    effective_date = models.DateField(_("effective date"))
    document = models.ForeignKey(
        Directive,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="restructurings",
        verbose_name=_("ordering document"),
    )
    document_reference = models.CharField(
        _("ordering document (reference)"),
        max_length=300,
        blank=True,
        help_text=_("Number, date and issuer, when the document is not in the list."),
    )
    summary = models.CharField(_("summary"), max_length=500)
    steps = models.JSONField(_("steps"), default=list)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("restructuring")
        verbose_name_plural = _("restructurings")
        ordering = ["-effective_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(document__isnull=False) | ~Q(document_reference=""),
                name="restructuring_has_document",
                violation_error_message=_("Name the document that orders the change."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.effective_date:%d/%m/%Y}"

    @property
    def ordering_document(self):
        return str(self.document) if self.document_id else self.document_reference
