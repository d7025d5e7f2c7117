"""Inputs typed the Vietnamese way, whatever the browser's language: money as 15.000.000,
dates as dd/mm/yyyy (the ceremony's time as dd/mm/yyyy hh:mm).

The inputs are plain text fields, so the browser neither rewrites them in its own locale
(an English browser shows a type="date" field as mm/dd/yyyy) nor refuses "15.000.000" with
an English message; static/js/inputs.js adds the thousands separators while typing and a
date picker, and the server parses either way, so without script everything still works.
ModelForms use them through ``Meta.formfield_callback = vietnamese_formfield``.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H giờ %M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_CURRENCY = re.compile(r"(?:đồng|đ|vnđ|vnd)$", re.IGNORECASE)


def parse_money(text):
    """ "15.000.000", "15 000 000", "15000000", "15.000.000 đ" → 15000000; None when empty.

    Dots and spaces separate thousands; a comma is a decimal mark to Vietnamese eyes, and
    money is whole đồng, so "15,5" is refused (``ValueError`` with the message to show)."""
    text = _SPACES.sub("", str(text or ""))
    text = _CURRENCY.sub("", text)
    if not text:
        return None
    if text.isdigit() or _GROUPED.fullmatch(text):
        return int(text.replace(".", ""))
    if "," in text:
        raise ValueError(
            _("Money is counted in whole đồng: write 15.000.000, with dots between thousands.")
        )
    raise ValueError(_("Write the amount in digits, with dots between thousands: 15.000.000."))


def format_money(value):
    """15000000 → "15.000.000"."""
    return f"{int(value):,}".replace(",", ".")


class MoneyInput(forms.TextInput):
    """A text input for đồng; shows 15.000.000, whatever was typed when it comes back with
    an error."""

    def __init__(self, attrs=None):
        super().__init__(
            {"inputmode": "numeric", "data-money": "", "autocomplete": "off", **(attrs or {})}
        )

    def format_value(self, value):
        if value in (None, ""):
            return None
        try:
            number = parse_money(value) if isinstance(value, str) else int(value)
        except (TypeError, ValueError):
            return str(value)  # shown as typed, beside its error
        return None if number is None else format_money(number)


class MoneyField(forms.IntegerField):
    """Whole đồng, typed 15.000.000 (or with spaces, or none)."""

    widget = MoneyInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return parse_money(value)
        except ValueError as error:
            raise ValidationError(str(error.args[0]), code="invalid") from None


class DateInput(forms.TextInput):
    """dd/mm/yyyy in a text input; static/js/inputs.js adds the picker button."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "placeholder": "dd/mm/yyyy",
                "pattern": r"\s*(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}-\d{2}-\d{2})\s*",
                "title": _("A date as dd/mm/yyyy, e.g. 25/03/2024"),
                "inputmode": "numeric",
                "autocomplete": "off",
                "size": 10,
                "data-date": "date",
                "data-picker-label": _("Pick a date"),
                **(attrs or {}),
            }
        )

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%d/%m/%Y")
        return super().format_value(value)


class DateTimeInput(forms.TextInput):
    """dd/mm/yyyy hh:mm in a text input, with a picker as for dates."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "placeholder": "dd/mm/yyyy hh:mm",
                "title": _("A date and time as dd/mm/yyyy hh:mm, e.g. 15/01/2026 08:00"),
                "autocomplete": "off",
                "size": 16,
                "data-date": "datetime",
                "data-picker-label": _("Pick a date and time"),
                **(attrs or {}),
            }
        )

    def format_value(self, value):
        if hasattr(value, "strftime"):
            from django.utils import timezone

            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%d/%m/%Y %H:%M")
        return super().format_value(value)


class DateField(forms.DateField):
    """A date typed dd/mm/yyyy (yyyy-mm-dd, as older links carry, is understood too)."""

    widget = DateInput
    default_error_messages = {"invalid": _("Write the date as dd/mm/yyyy, e.g. 25/03/2024.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)


class DateTimeField(forms.DateTimeField):
    widget = DateTimeInput
    default_error_messages = {
        "invalid": _("Write the date and time as dd/mm/yyyy hh:mm, e.g. 15/01/2026 08:00.")
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        super().__init__(**kwargs)


def vietnamese_formfield(db_field, **kwargs):
    """A ModelForm's ``formfield_callback``: money (fields named ``*_vnd``), dates and times
    typed the Vietnamese way; every other field as Django makes it."""
    if isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
        kwargs.setdefault("widget", DateTimeInput)
    elif isinstance(db_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
        kwargs.setdefault("widget", DateInput)
    elif isinstance(db_field, models.IntegerField) and db_field.name.endswith("_vnd"):
        kwargs.setdefault("form_class", MoneyField)
        kwargs.setdefault("widget", MoneyInput)
    return db_field.formfield(**kwargs)
