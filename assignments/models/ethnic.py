"""The 54 ethnic groups with the statistics office's codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import VI_COLLATION, KeyedModel, KeyedQuerySet


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
