"""Forms of the coordinators' pages of this app: restructurings and village figures."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketnghia.forms import DateField, vietnamese_formfield

from . import restructuring
from .models import (
    AdministrativeUnit,
    Agency,
    Agreement,
    AgreementContent,
    AgreementReview,
    Assignment,
    Directive,
    ExemplaryModel,
    ModelYear,
    Standing,
    Village,
    VillageYearFigures,
    Wish,
)
from .periods import Period
from .validators import checked_upload


def _ids(text):
    return [int(part) for part in str(text or "").split(",") if part.strip().isdigit()]


class RestructuringForm(forms.Form):
    """What every restructuring asks: from when, on whose order."""

    date = DateField(
        label=_("From (first day of the new state)"),
        help_text=_("What ends, ends the day before."),
    )
    document = forms.ModelChoiceField(
        queryset=Directive.objects.none(),
        required=False,
        label=_("Ordering document"),
        help_text=_("The decision or letter that orders the change, if it is in the list."),
    )
    document_reference = forms.CharField(
        required=False,
        max_length=300,
        label=_("Or its reference"),
        help_text=_("Number, date and issuer, e.g. Quyết định số 12/QĐ-UBND ngày 28/02/2025."),
    )
    note = forms.CharField(
        required=False, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )

    FIELD_ORDER_END = ("date", "document", "document_reference", "note")
    document_required = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Directive.objects.order_by("-issued_on")
        # The common questions come last, after the specific ones.
        order = [n for n in self.fields if n not in self.FIELD_ORDER_END]
        self.order_fields(order + list(self.FIELD_ORDER_END))

    def clean(self):
        data = super().clean()
        if (
            self.document_required
            and not data.get("document")
            and not (data.get("document_reference") or "").strip()
        ):
            self.add_error("document_reference", _("Name the document that orders the change."))
        return data

    def record_arguments(self):
        data = self.cleaned_data
        return {
            "document": data.get("document"),
            "document_reference": data.get("document_reference", ""),
            "note": data.get("note", ""),
        }


def _agencies_in_force():
    return Agency.objects.in_force_on(timezone.localdate()).order_by("sort_key")


class NewAgencyFields(forms.Form):
    """A successor that does not exist yet: the new department of a merger, say."""

    new_name = forms.CharField(required=False, max_length=255, label=_("or a new party named"))
    new_short_name = forms.CharField(required=False, max_length=50, label=_("its short name"))
    new_kind = forms.ChoiceField(
        required=False,
        choices=Agency.Kind.choices,
        initial=Agency.Kind.GOVERNMENT,
        label=_("its kind"),
    )
    new_level = forms.ChoiceField(
        required=False,
        choices=Agency.Level.choices,
        initial=Agency.Level.PROVINCE,
        label=_("its level"),
    )

    def new_agency(self, fallback=None):
        data = self.cleaned_data
        return restructuring.NewAgency(
            name=data["new_name"].strip(),
            short_name=data.get("new_short_name", "").strip(),
            kind=data.get("new_kind") or (fallback.kind if fallback else Agency.Kind.GOVERNMENT),
            level=data.get("new_level") or (fallback.level if fallback else Agency.Level.PROVINCE),
        )


class AgencyMergeForm(NewAgencyFields, RestructuringForm):
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        label=_("Parties that merge"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    successor = forms.ModelChoiceField(
        queryset=Agency.objects.none(), required=False, label=_("Into the existing party")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = _agencies_in_force()
        self.fields["successor"].queryset = _agencies_in_force()
        self.order_fields(
            [
                "agencies",
                "successor",
                "new_name",
                "new_short_name",
                "new_kind",
                "new_level",
                *self.FIELD_ORDER_END,
            ]
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("successor")) == bool((data.get("new_name") or "").strip()):
            self.add_error(
                "successor",
                _("Choose the party they merge into, or name a new one: one of the two."),
            )
        return data

    def preview_arguments(self):
        data = self.cleaned_data
        agencies = list(data["agencies"])
        successor = data.get("successor") or self.new_agency(agencies[0] if agencies else None)
        return {"agencies": agencies, "successor": successor, "date": data["date"]}


class AgencyRenameForm(RestructuringForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Party"))
    name = forms.CharField(max_length=255, label=_("New name"))
    short_name = forms.CharField(required=False, max_length=50, label=_("New short name"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies_in_force()

    def preview_arguments(self):
        data = self.cleaned_data
        return {
            "agency": data["agency"],
            "name": data["name"],
            "short_name": data.get("short_name", ""),
            "date": data["date"],
        }


class AgencySplitForm(RestructuringForm):
    """One party into several; once the party and its successors are chosen, one question
    per running assignment: who takes it (or it ends)."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Party that splits"))
    successors = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label=_("Existing parties that take part of its work"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    new_names = forms.CharField(
        required=False,
        label=_("New parties (one name per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    members_to = forms.ChoiceField(
        required=False, label=_("Its reporters join"), choices=[("", _("none of them"))]
    )
    END = "end"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies_in_force()
        self.fields["successors"].queryset = _agencies_in_force()
        self.successor_objects = []
        self.concerned = []
        data = self.data if self.is_bound else {}
        agency = self._chosen_agency(data)
        names = [n.strip() for n in str(data.get("new_names", "")).splitlines() if n.strip()]
        existing = list(
            _agencies_in_force().filter(pk__in=_ids(",".join(data.getlist("successors"))))
            if hasattr(data, "getlist")
            else []
        )
        if agency is not None:
            self.successor_objects = existing + [
                restructuring.NewAgency(
                    name=n, kind=agency.kind, level=agency.level, unit=agency.unit
                )
                for n in names
            ]
            date = self._date(data) or timezone.localdate()
            self.concerned = list(restructuring._concerned(agency.assignments.all(), date))
        choices = [(str(i), str(s)) for i, s in enumerate(self.successor_objects)]
        self.fields["members_to"].choices = [("", _("none of them")), *choices]
        for assignment in self.concerned:
            self.fields[f"alloc_{assignment.pk}"] = forms.ChoiceField(
                label=_("%(target)s (%(document)s, since %(start)s)")
                % {
                    "target": assignment.target,
                    "document": assignment.directive.number,
                    "start": assignment.start_date.strftime("%d/%m/%Y"),
                },
                choices=[*choices, (self.END, _("ends"))],
                required=bool(choices),
            )

    def _chosen_agency(self, data):
        ids = _ids(data.get("agency"))
        return _agencies_in_force().filter(pk__in=ids).first() if ids else None

    def _date(self, data):
        field = self.fields["date"]
        try:
            return field.clean(data.get("date"))
        except forms.ValidationError:
            return None

    @property
    def allocation_fields(self):
        return [self[name] for name in self.fields if name.startswith("alloc_")]

    def clean(self):
        data = super().clean()
        if len(self.successor_objects) < 2:
            self.add_error("successors", _("A split needs at least two successors."))
        return data

    def preview_arguments(self):
        data = self.cleaned_data
        allocation = {}
        for assignment in self.concerned:
            value = data.get(f"alloc_{assignment.pk}")
            if value:
                allocation[assignment.pk] = None if value == self.END else int(value)
        members_to = data.get("members_to")
        return {
            "agency": data["agency"],
            "successors": self.successor_objects,
            "allocation": allocation,
            "date": data["date"],
            "members_to": int(members_to) if members_to not in (None, "") else None,
        }


class UnitMergeForm(RestructuringForm):
    units = forms.ModelMultipleChoiceField(
        queryset=AdministrativeUnit.objects.none(),
        label=_("Units that merge"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    successor = forms.ModelChoiceField(
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        label=_("Into the existing unit"),
    )
    new_name = forms.CharField(required=False, max_length=100, label=_("or a new unit named"))
    new_type = forms.ChoiceField(
        required=False,
        choices=[
            (code, label)
            for code, label in AdministrativeUnit.UnitType.choices
            if AdministrativeUnit.LEVEL_OF_TYPE[code] == AdministrativeUnit.Level.COMMUNE
        ],
        label=_("its type"),
    )
    new_parent = forms.ModelChoiceField(
        queryset=AdministrativeUnit.objects.none(), required=False, label=_("in")
    )
    new_code = forms.CharField(required=False, max_length=10, label=_("its official code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        units = AdministrativeUnit.objects.select_related("parent").order_by("level", "sort_key")
        self.fields["units"].queryset = units.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today - dt.timedelta(days=3660))
        )
        self.fields["units"].label_from_instance = lambda u: u.place
        self.fields["successor"].queryset = units.in_force_on(today) | units.filter(
            valid_from__gt=today
        )
        self.fields["successor"].label_from_instance = lambda u: u.place
        self.fields["new_parent"].queryset = AdministrativeUnit.objects.exclude(
            level=AdministrativeUnit.Level.COMMUNE
        ).order_by("level", "sort_key")
        self.order_fields(
            [
                "units",
                "successor",
                "new_name",
                "new_type",
                "new_parent",
                "new_code",
                *self.FIELD_ORDER_END,
            ]
        )

    def clean(self):
        data = super().clean()
        new = (data.get("new_name") or "").strip()
        if bool(data.get("successor")) == bool(new):
            self.add_error(
                "successor",
                _("Choose the unit they merge into, or name a new one: one of the two."),
            )
        if new and not data.get("new_parent"):
            self.add_error("new_parent", _("Choose the province (or district) of the new unit."))
        return data

    def preview_arguments(self):
        data = self.cleaned_data
        successor = data.get("successor")
        if successor is None:
            code = (data.get("new_code") or "").strip()
            successor = restructuring.NewUnit(
                name=data["new_name"].strip(),
                unit_type=data.get("new_type") or "xa",
                parent=data["new_parent"],
                code=code,
                code_list=AdministrativeUnit.CodeList.GSO_2025 if code else "",
            )
        return {"units": list(data["units"]), "successor": successor, "date": data["date"]}


class RegimeReplaceForm(RestructuringForm):
    """A document replaced by a new one; one box per running assignment: it continues under
    the new document (ticked) or ends."""

    document_required = False  # the new document itself is the order by default

    directive = forms.ModelChoiceField(
        queryset=Directive.objects.none(), label=_("Document replaced")
    )
    new_directive = forms.ModelChoiceField(
        queryset=Directive.objects.none(), label=_("Replaced by")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        directives = Directive.objects.order_by("-issued_on")
        self.fields["directive"].queryset = directives.filter(in_force_to__isnull=True)
        self.fields["new_directive"].queryset = directives
        self.fields["document"].help_text = _("Leave empty: the new document is the order.")
        self.concerned = []
        data = self.data if self.is_bound else {}
        ids = _ids(data.get("directive"))
        directive = Directive.objects.filter(pk__in=ids).first() if ids else None
        if directive is not None:
            try:
                date = self.fields["date"].clean(data.get("date"))
            except forms.ValidationError:
                date = timezone.localdate()
            self.concerned = list(restructuring._concerned(directive.assignments.all(), date))
        for assignment in self.concerned:
            self.fields[f"continue_{assignment.pk}"] = forms.BooleanField(
                required=False,
                initial=True,
                label=f"{assignment.agency} – {assignment.target}",
            )

    @property
    def continue_fields(self):
        return [self[name] for name in self.fields if name.startswith("continue_")]

    def preview_arguments(self):
        data = self.cleaned_data
        return {
            "directive": data["directive"],
            "new_directive": data["new_directive"],
            "date": data["date"],
            "continuing": [a.pk for a in self.concerned if data.get(f"continue_{a.pk}", False)],
        }


class VillageFiguresForm(forms.ModelForm):
    """A village's figures of one year (yes / no / not known for the infrastructure)."""

    class Meta:
        model = VillageYearFigures
        fields = ["year", *VillageYearFigures.FIGURES, "note"]

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.village = village
        # Numbers are typed the Vietnamese way: 1.046 households, 2,5 km.
        for name, field in self.fields.items():
            if isinstance(field, forms.IntegerField | forms.DecimalField) and name != "year":
                field.localize = True
                field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
                field.widget.is_localized = True

    def validate_unique(self):
        # The village is set on the instance, not a form field: check its year too.
        exclude = self._get_validation_exclusions()
        exclude.discard("village")
        try:
            self.instance.validate_unique(exclude=exclude)
            self.instance.validate_constraints(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)


class ReassignForm(forms.Form):
    """Điều chỉnh phân công: another party, another target (a village, or a commune twinned
    as a whole), or both."""

    agency = forms.ModelChoiceField(queryset=None, required=False, label=_("New agency"))
    village = forms.ModelChoiceField(queryset=None, required=False, label=_("New village"))
    commune = forms.ModelChoiceField(
        queryset=None, required=False, label=_("or a whole commune or ward")
    )
    end_date = DateField(label=_("Last day of the current assignment"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Document ordering it")
    )
    confirm_uncovered = forms.BooleanField(
        required=False, label=_("I understand that the village will have no lead agency")
    )
    issue_letter = forms.BooleanField(
        required=False,
        label=_("Then issue the letter ordering it (công văn điều chỉnh phân công)"),
        help_text=_("Leave the document above empty: the letter becomes it."),
    )

    def __init__(self, *args, assignment, **kwargs):
        from .models import Village

        super().__init__(*args, **kwargs)
        self.assignment = assignment
        today = timezone.localdate()
        self.fields["agency"].queryset = _agencies_in_force()
        self.fields["village"].queryset = (
            Village.objects.in_force_on(today).select_related("commune").order_by("sort_key")
        )
        self.fields["village"].label_from_instance = lambda v: f"{v}, {v.commune}"
        self.fields["commune"].queryset = (
            AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE)
            .in_force_on(today)
            .select_related("parent")
            .order_by("sort_key")
        )
        self.fields["commune"].label_from_instance = lambda u: u.place
        self.fields["document"].queryset = Directive.objects.order_by("-issued_on")

    def clean(self):
        data = super().clean()
        if data.get("village") and data.get("commune"):
            self.add_error("commune", _("Choose a village or a whole commune, not both."))
        if not (data.get("agency") or data.get("village") or data.get("commune")):
            raise forms.ValidationError(_("Choose a new agency, a new village, or both."))
        end = data.get("end_date")
        if end and end < self.assignment.start_date:
            self.add_error("end_date", _("The end cannot be before the assignment started."))
        return data


# --- Agreements ------------------------------------------------------------------------------


class AgreementForm(forms.ModelForm):
    """A covenant (for a twinning) or a coordination programme (for its parties)."""

    parties = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label=_("Parties (a programme)"),
        help_text=_("A covenant's parties are its twinning's agency and its target."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Agreement
        fields = [
            "kind",
            "assignment",
            "name",
            "number",
            "signed_on",
            "place",
            "first_year",
            "last_year",
            "meeting_months",
            "commitments",
            "scan",
            "note",
        ]
        widgets = {
            "commitments": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        formfield_callback = vietnamese_formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        pairs = Assignment.objects.visible_to(user).select_related("agency", "village", "commune")
        self.fields["assignment"].queryset = pairs.order_by("agency__sort_key", "pk")
        self.fields["assignment"].label_from_instance = lambda a: f"{a.agency} – {a.target}"
        # Any body may be a party; a party's officer records only agreements its agency is
        # party to (``clean``).
        self.fields["parties"].queryset = Agency.objects.order_by("sort_key")
        self.user = user

    def clean_scan(self):
        return checked_upload(self.cleaned_data.get("scan"))

    def clean(self):
        data = super().clean()
        if data.get("kind") == Agreement.Kind.COVENANT:
            data["parties"] = []
        own = set(self.user.agencies.all()) if not self.user.sees_all_agencies else None
        if own is not None:
            named = set(data.get("parties") or [])
            if data.get("assignment"):
                named.add(data["assignment"].agency)
            if not named & own:
                raise forms.ValidationError(_("Your agency must be a party to the agreement."))
        return data


class ContentForm(forms.ModelForm):
    class Meta:
        model = AgreementContent
        fields = ["group", "number", "title", "lead", "lead_other"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Agency.objects.order_by("sort_key")


ContentFormSet = forms.formset_factory(ContentForm, extra=8)


class MeetingHeldForm(forms.Form):
    held_on = DateField(label=_("Held on"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    minutes = forms.CharField(
        label=_("Minutes: what was agreed"), widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes_scan = forms.FileField(label=_("Signed minutes (PDF)"), required=False)

    def clean_minutes_scan(self):
        return checked_upload(self.cleaned_data.get("minutes_scan"))


class ProgressForm(forms.Form):
    content = forms.ModelChoiceField(queryset=AgreementContent.objects.none(), label=_("Content"))
    date = DateField(label=_("Date"))
    standing = forms.ChoiceField(label=_("Standing"), choices=Standing.choices)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence (PDF)"), required=False)

    def __init__(self, *args, agreement, activities=None, **kwargs):
        """``activities``: the recorded activities one may cite as evidence (the caller's
        choice, as the activities are the reporting app's)."""
        super().__init__(*args, **kwargs)
        self.fields["content"].queryset = agreement.contents.all()
        if activities is not None:
            self.fields["activities"] = forms.ModelMultipleChoiceField(
                queryset=activities,
                required=False,
                label=_("Activities as evidence"),
                help_text=_("The parties' latest recorded activities; choose one or several."),
                widget=forms.SelectMultiple(attrs={"size": 6}),
            )
            self.fields["activities"].label_from_instance = lambda a: (
                f"{a.date:%d/%m/%Y} · {a.assignment.agency} · {a.description[:80]}"
            )

    def clean_evidence(self):
        return checked_upload(self.cleaned_data.get("evidence"))


def _content_label(content):
    return f"{content.group} – {content}" if content.group else str(content)


class TaskForm(forms.Form):
    """A line of a year's plan: for which content, when, what."""

    content = forms.TypedChoiceField(label=_("Content"), coerce=int)
    period = forms.ChoiceField(label=_("When"), choices=[("", "---------"), *Period.choices])
    description = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, contents, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices from the contents read once for the whole formset, not a query per line.
        self.contents = {c.pk: c for c in contents}
        self.fields["content"].choices = [
            ("", "---------"),
            *((c.pk, _content_label(c)) for c in contents),
        ]

    def clean_content(self):
        return self.contents[self.cleaned_data["content"]]


TaskFormSet = forms.formset_factory(TaskForm, extra=5)


class TaskChangeForm(forms.Form):
    period = forms.ChoiceField(label=_("When"), choices=Period.choices)
    description = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    """A review of an agreement: which, of which year, held when, with the parties' remarks;
    each content is judged on its own line (``ReviewLineFormSet``)."""

    kind = forms.ChoiceField(label=_("Kind of review"), choices=AgreementReview.Kind.choices)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    held_on = DateField(label=_("Held on"))
    remarks = forms.CharField(
        label=_("The parties' remarks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]


class ReviewLineForm(forms.Form):
    standing = forms.ChoiceField(
        label=_("Standing"), choices=[("", "---------"), *Standing.choices]
    )
    remarks = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, content, **kwargs):
        super().__init__(*args, **kwargs)
        self.content = content
        self.fields["standing"].error_messages["required"] = _(
            "Judge content %(number)s: done, in progress or not started."
        ) % {"number": content.number}


class BaseReviewLineFormSet(forms.BaseFormSet):
    """One line per content of the agreement, in its order, whatever the posted management
    form claims."""

    def __init__(self, *args, contents, **kwargs):
        self.contents = contents
        super().__init__(*args, **kwargs)

    def initial_form_count(self):
        return len(self.contents)

    def total_form_count(self):
        return len(self.contents)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "content": self.contents[index]}

    def lines(self):
        """content → (standing, remarks), as ``review_hold`` takes them."""
        return {
            form.content: (form.cleaned_data["standing"], form.cleaned_data.get("remarks", ""))
            for form in self.forms
        }


ReviewLineFormSet = forms.formset_factory(ReviewLineForm, formset=BaseReviewLineFormSet, extra=0)


class ExemplaryModelForm(forms.ModelForm):
    class Meta:
        model = ExemplaryModel
        fields = [
            "name",
            "field",
            "owner",
            "agency",
            "commune",
            "village",
            "person",
            "start_year",
            "description",
            "evidence",
            "assignment",
            "agreement",
            "note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agency"].queryset = (
            Agency.objects.order_by("sort_key")
            if user.sees_all_agencies
            else user.agencies.order_by("sort_key")
        )
        self.fields["commune"].queryset = AdministrativeUnit.objects.filter(
            level=AdministrativeUnit.Level.COMMUNE
        ).order_by("sort_key")
        self.fields["village"].queryset = Village.objects.select_related("commune").order_by(
            "sort_key"
        )
        self.fields["assignment"].queryset = (
            Assignment.objects.visible_to(user)
            .select_related("agency", "village", "commune")
            .order_by("agency__sort_key", "pk")
        )
        self.fields["agreement"].queryset = Agreement.objects.visible_to(user)

    def clean_evidence(self):
        return checked_upload(self.cleaned_data.get("evidence"))

    def clean(self):
        data = super().clean()
        if not self.user.sees_all_agencies and not data.get("agency"):
            self.add_error("agency", _("Name your agency: it registers the model."))
        return data


class ModelYearForm(forms.ModelForm):
    class Meta:
        model = ModelYear
        fields = ["year", "status", "level", "commendation", "replicated_to"]
        widgets = {"replicated_to": forms.Textarea(attrs={"rows": 2})}


class WishForm(forms.ModelForm):
    """A wish as the party heard it, and where it was passed."""

    class Meta:
        model = Wish
        fields = [
            "raised_on",
            "village",
            "agency",
            "topic",
            "request",
            "passed_to",
            "passed_to_other",
            "passed_on",
        ]
        widgets = {"request": forms.Textarea(attrs={"rows": 3})}
        formfield_callback = vietnamese_formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = (
            Agency.objects.order_by("sort_key")
            if user.sees_all_agencies
            else user.agencies.order_by("sort_key")
        )
        villages = Village.objects.select_related("commune").order_by("sort_key")
        if not user.sees_all_agencies:
            villages = villages.filter(assignments__agency__in=user.agencies.all()).distinct()
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda v: f"{v}, {v.commune}"
        self.fields["passed_to"].queryset = Agency.objects.order_by("sort_key")


class WishFollowUpForm(forms.ModelForm):
    """What came of a wish: the answer, and when it was resolved."""

    class Meta:
        model = Wish
        fields = ["status", "answer", "answered_on", "resolved_on"]
        widgets = {
            "answer": forms.Textarea(attrs={"rows": 3}),
        }
        formfield_callback = vietnamese_formfield
