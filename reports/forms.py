import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assignments.models import Assignment, User
from assignments.validators import checked_upload
from ketnghia.forms import DateField, vietnamese_formfield

from .models import Activity, ActivityGoods, ActivityWork, Extension, PlannedActivity, Report


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "assignment",
            "date",
            "kind",
            "description",
            "cash_budget_vnd",
            "cash_staff_vnd",
            "cash_donors_vnd",
            "cash_other_vnd",
            "participants",
            "beneficiary_poor_households",
            "beneficiary_policy_families",
            "beneficiary_pupils",
            "beneficiary_others",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        formfield_callback = vietnamese_formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the twinnings the user may record for: another agency's is not even offered;
        # those held now, and those that ended within the year (an activity recorded late).
        since = timezone.localdate() - dt.timedelta(days=366)
        self.fields["assignment"].queryset = (
            Assignment.objects.visible_to(user)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
            .select_related("agency", "village", "commune")
            .order_by("agency__sort_key", "village__sort_key", "commune__sort_key")
        )
        self.fields["assignment"].label_from_instance = lambda a: f"{a.agency} – {a.target}"


class LineForm(forms.ModelForm):
    """A line of goods or works. An empty extra line shows no value, so that it stays
    unchanged (and is skipped) unless the user types in it; a value left empty is 0."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_vnd"].required = False
        if not self.instance.pk:
            self.fields["value_vnd"].initial = None

    def clean_value_vnd(self):
        return self.cleaned_data.get("value_vnd") or 0


class GoodsLineForm(LineForm):
    class Meta:
        model = ActivityGoods
        fields = ["item", "quantity", "unit", "weight_kg", "value_vnd"]
        formfield_callback = vietnamese_formfield


class WorksLineForm(LineForm):
    class Meta:
        model = ActivityWork
        fields = ["kind", "quantity", "unit", "value_vnd", "description"]
        formfield_callback = vietnamese_formfield


GoodsFormSet = forms.inlineformset_factory(
    Activity, ActivityGoods, form=GoodsLineForm, extra=2, can_delete=True
)
WorksFormSet = forms.inlineformset_factory(
    Activity, ActivityWork, form=WorksLineForm, extra=1, can_delete=True
)


def line_data(formset):
    """The lines a formset keeps (filled in, not marked for deletion), as dicts of the line's
    own fields (not the activity it belongs to)."""
    names = [name for name in formset.form.base_fields if name != formset.fk.name]
    return [
        {name: form.cleaned_data.get(name) for name in names}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class _AttachedScan:
    """The attached file as the file input shows it: its own name, and the app's download
    address (the storage's address is private, so a link to it would be a 404)."""

    def __init__(self, name, url):
        self.name, self.url = name, url

    def __str__(self):
        return self.name


class ScanInput(forms.ClearableFileInput):
    download_url = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.download_url:
            context["widget"]["value"] = _AttachedScan(
                value.name.rsplit("/", 1)[-1], self.download_url
            )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # One block, so that a form laying its fields out in a column keeps the widget's
        # words ("Currently", "Clear", "Change") beside their controls.
        return format_html(
            '<div class="scan-input">{}</div>', super().render(name, value, attrs, renderer)
        )


class ReportForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        from django.urls import reverse

        super().__init__(*args, **kwargs)
        widget = self.fields["scan"].widget = ScanInput()
        if self.instance.pk and self.instance.scan:
            widget.download_url = reverse("reports:report_scan", args=[self.instance.pk])

    class Meta:
        model = Report
        fields = ["no_activity", "results", "shortcomings", "directions", "proposals", "scan"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in ("results", "shortcomings", "directions", "proposals")
        }

    def clean_scan(self):
        return checked_upload(self.cleaned_data.get("scan"))


class PlanForm(ReportForm):
    """A yearly plan's texts; its planned activities are a formset of their own."""

    class Meta:
        model = Report
        fields = ["objectives", "resources", "organisation", "scan"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("objectives", "resources", "organisation")
        }
        help_texts = {
            "resources": _("Where the funds come from: the agency's budget, staff, donors."),
            "organisation": _("Who carries out what, and when the agency reports."),
        }


class PlannedActivityForm(forms.ModelForm):
    """A planned activity, for one of the agency's twinnings held during the plan's year (or
    for all of them). Funds left empty are 0; an untouched empty line is skipped."""

    class Meta:
        model = PlannedActivity
        fields = ["period", "assignment", "kind", "description", "budget_vnd"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        formfield_callback = vietnamese_formfield

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        year = report.deadline.plan_year
        self.fields["assignment"].queryset = (
            Assignment.objects.filter(agency=report.agency)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=dt.date(year, 1, 1)))
            .filter(start_date__lte=dt.date(year, 12, 31))
            .select_related("village__commune", "commune__parent")
            .order_by("village__sort_key", "commune__sort_key")
        )
        self.fields["assignment"].empty_label = _("All the agency's twinnings")
        self.fields["assignment"].label_from_instance = lambda a: a.target_place()
        self.fields["budget_vnd"].required = False
        if not self.instance.pk:
            self.fields["budget_vnd"].initial = None

    def clean_budget_vnd(self):
        return self.cleaned_data.get("budget_vnd") or 0


class BasePlannedFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = self.queryset.select_related("assignment")

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "report": self.instance}


PlannedFormSet = forms.inlineformset_factory(
    Report,
    PlannedActivity,
    form=PlannedActivityForm,
    formset=BasePlannedFormSet,
    extra=3,
    can_delete=True,
)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"), widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput())


class AcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())


class ExtensionRequestForm(forms.ModelForm):
    class Meta:
        model = Extension
        fields = ["requested_date", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        formfield_callback = vietnamese_formfield


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("grant", _("Grant")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    granted_date = DateField(label=_("New due date"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "grant" and not data.get("granted_date"):
            self.add_error("granted_date", _("Give the new due date."))
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Give the reason for refusing."))
        return data


class DeadlineMoveForm(forms.Form):
    """Moving one deadline from the app: to a date from today on, always with a reason."""

    new_date = DateField(label=_("New due date"))
    reason = forms.CharField(
        label=_("Reason for moving"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["reason"].error_messages["required"] = _("Moving a deadline needs a reason.")

    def clean_new_date(self):
        date = self.cleaned_data["new_date"]
        if date < self.today:
            raise forms.ValidationError(
                _("A deadline cannot be moved to a date already past (before %(today)s).")
                % {"today": self.today.strftime("%d/%m/%Y")}
            )
        return date


class TrackingFilterForm(forms.Form):
    """The dashboard's and the matrix's filters; all optional. The place is typed (a commune,
    ward or district, without accents if one likes): a list of every unit of a country would
    weigh more than the page."""

    directive = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Document"), empty_label=_("All documents")
    )
    year = forms.IntegerField(required=False, label=_("Year"), min_value=1990, max_value=2100)
    unit = forms.CharField(
        required=False,
        max_length=100,
        label=_("District / commune"),
        widget=forms.TextInput(attrs={"placeholder": _("Whole province"), "size": 18}),
    )
    kind = forms.ChoiceField(required=False, label=_("Agency kind"))

    def __init__(self, *args, **kwargs):
        from assignments.models import Agency, Directive, ReportingRule

        super().__init__(*args, **kwargs)
        # A subquery, not DISTINCT over a join: DISTINCT would compare the titles in the
        # Vietnamese collation (a Python callback on SQLite).
        self.fields["directive"].queryset = Directive.objects.filter(
            pk__in=ReportingRule.objects.values("directive")
        ).order_by("-issued_on")
        self.fields["kind"].choices = [("", _("All kinds")), *Agency.Kind.choices]

    def clean_unit(self):
        """The unit named, by its folded name: "ia kreng", "xã Ia Kreng", "huyen chu pah"."""
        from assignments.models import AdministrativeUnit
        from assignments.text import fold

        text = self.cleaned_data.get("unit", "").strip()
        if not text:
            return None
        units = AdministrativeUnit.objects.exclude(
            level=AdministrativeUnit.Level.PROVINCE
        ).select_related("parent")
        exact = list(units.filter(name_key=fold(text))) or list(units.filter(search_key=fold(text)))
        found = exact or list(units.search(text)[:6])
        if not found:
            raise forms.ValidationError(
                _("No commune, ward or district is named “%(text)s”.") % {"text": text}
            )
        in_force = [u for u in found if u.is_in_force(timezone.localdate())]
        if len(found) > 1 and len(in_force) != 1:
            raise forms.ValidationError(
                _("Several places match “%(text)s”: %(names)s. Write it in full.")
                % {"text": text, "names": "; ".join(u.place for u in found[:5])}
            )
        return in_force[0] if len(found) > 1 else found[0]

    def filters(self):
        """(directive, year, agency Q or None, unit or None), from valid data."""
        from django.db.models import Q

        if self.is_bound:
            self.is_valid()  # a field in error is left out; the others still filter
        data = getattr(self, "cleaned_data", {})
        kind = data.get("kind")
        return (
            data.get("directive"),
            data.get("year"),
            Q(kind=kind) if kind else None,
            data.get("unit"),
        )


class NoticeSettingsForm(forms.ModelForm):
    """A user's own choice of notices by email (the bell shows them all anyway)."""

    class Meta:
        model = User
        fields = ["notify_by_email"]


class FlagFilterForm(forms.Form):
    """The formalism flags' filters; all optional (a value in error is left out)."""

    kind = forms.ChoiceField(required=False, label=_("Flag"))
    year = forms.IntegerField(required=False, label=_("Year"), min_value=1990, max_value=2100)
    dismissed = forms.BooleanField(required=False, label=_("Show set-aside flags"))

    def __init__(self, *args, **kwargs):
        from .models import FlagDismissal

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All flags")), *FlagDismissal.Kind.choices]

    def filters(self):
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("kind") or None, data.get("year"), bool(data.get("dismissed"))


class FlagDismissForm(forms.Form):
    """Setting a formalism flag aside: which flag, and why (required)."""

    kind = forms.CharField(max_length=20, widget=forms.HiddenInput)
    key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    next = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Why it is set aside"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the flag is set aside.")},
    )


class AuditFilterForm(forms.Form):
    """The change log's filters, all optional: a kind of record, a person, a date range."""

    kind = forms.ChoiceField(required=False, label=_("Kind of record"))
    person = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Person"), empty_label=_("Everyone")
    )
    since = DateField(required=False, label=_("From"))
    until = DateField(required=False, label=_("To"))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All records")), *((k, n) for k, n, _m in kinds)]
        self.fields["person"].queryset = User.objects.order_by("username")
        self.fields["person"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end of the range is before its start."))
        return data

    def filters(self):
        """The keyword arguments of ``audit.changes``, from the valid fields (one in error is
        left out, and shown with its message)."""
        data = self.cleaned_data if self.is_valid() else getattr(self, "cleaned_data", {})
        return {
            "kind": data.get("kind") or None,
            "user": data.get("person"),
            "since": data.get("since"),
            "until": data.get("until"),
        }
