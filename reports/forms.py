from django import forms
from django.utils.translation import gettext_lazy as _

from assignments.models import Assignment
from assignments.validators import validate_pdf, validate_upload_size

from .models import Activity, Extension, Report


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "assignment",
            "date",
            "kind",
            "description",
            "cash_vnd",
            "in_kind_vnd",
            "goods",
            "participants",
            "beneficiaries",
        ]
        widgets = {
            "date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "goods": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the twinnings the user may record for: another agency's is not even offered.
        self.fields["assignment"].queryset = (
            Assignment.objects.visible_to(user)
            .running()
            .select_related("agency", "village")
            .order_by("agency__name", "village__name")
        )
        self.fields["assignment"].label_from_instance = lambda a: f"{a.agency} – {a.village}"
        self.fields["date"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["no_activity", "results", "shortcomings", "directions", "proposals", "scan"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in ("results", "shortcomings", "directions", "proposals")
        }

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan and hasattr(scan, "content_type"):  # a new upload, not the stored file
            validate_upload_size(scan)
            validate_pdf(scan)
        return scan


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
        widgets = {"requested_date": DateInput(), "reason": forms.Textarea(attrs={"rows": 3})}


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("grant", _("Grant")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    granted_date = forms.DateField(
        label=_("New due date"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
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
