"""The "Báo cáo" page: issuing official documents and downloading them."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assignments.models import Directive, ReportingDeadline, ReportingRule

from . import documents
from .forms import DateInput
from .models import IssuedDocument, Report
from .tasks import render_document

Kind = IssuedDocument.Kind


class DocumentForm(forms.ModelForm):
    class Meta:
        model = IssuedDocument
        fields = [
            "number",
            "issued_on",
            "place",
            "parent_body",
            "issuer",
            "signing_authority",
            "signer_title",
            "signer_name",
            "recipients",
        ]
        widgets = {"issued_on": DateInput(), "recipients": forms.Textarea(attrs={"rows": 4})}

    directive = forms.ModelChoiceField(
        queryset=Directive.objects.none(), required=False, label=gettext_lazy("Document")
    )
    deadline = forms.ModelChoiceField(
        queryset=ReportingDeadline.objects.none(),
        required=False,
        label=gettext_lazy("Reporting deadline"),
    )
    report = forms.ModelChoiceField(
        queryset=Report.objects.none(), required=False, label=gettext_lazy("Report")
    )
    first_year = forms.IntegerField(
        required=False, label=gettext_lazy("From year"), min_value=1990, max_value=2100
    )
    last_year = forms.IntegerField(
        required=False, label=gettext_lazy("To year"), min_value=1990, max_value=2100
    )
    as_of = forms.DateField(
        required=False,
        label=gettext_lazy("Assignments in force on"),
        help_text=gettext_lazy("Communes and districts are printed as they were on that date."),
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    reply_by = forms.DateField(
        required=False,
        label=gettext_lazy("Reports expected by"),
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    shortcomings = forms.CharField(
        required=False, label=gettext_lazy("Shortcomings"), widget=forms.Textarea(attrs={"rows": 4})
    )
    proposals = forms.CharField(
        required=False, label=gettext_lazy("Proposals"), widget=forms.Textarea(attrs={"rows": 4})
    )

    FIELDS = {
        Kind.ASSIGNMENT_LIST: ["directive", "as_of"],
        Kind.CONSOLIDATED: ["deadline", "shortcomings", "proposals"],
        Kind.AGENCY_REPORT: ["report"],
        Kind.REMINDER_LETTER: ["deadline", "reply_by"],
        Kind.REVIEW: ["directive", "first_year", "last_year"],
    }

    def __init__(self, *args, kind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["issued_on"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        self.fields["directive"].queryset = Directive.objects.order_by("-issued_on")
        self.fields["deadline"].queryset = (
            ReportingDeadline.objects.filter(rule__reporter=ReportingRule.Reporter.AGENCIES)
            .select_related("rule")
            .order_by("-due_date")
        )
        self.fields["report"].queryset = (
            Report.objects.visible_to(user)
            .exclude(status=Report.Status.DRAFT)
            .select_related("agency", "deadline__rule")
        )
        for name in {
            "directive",
            "deadline",
            "report",
            "first_year",
            "last_year",
            "as_of",
            "reply_by",
            "shortcomings",
            "proposals",
        } - set(self.FIELDS[kind]):
            del self.fields[name]
        for name in self.FIELDS[kind]:
            if name not in ("shortcomings", "proposals", "as_of"):
                self.fields[name].required = True

    def clean(self):
        data = super().clean()
        if (
            self.kind == Kind.REVIEW
            and data.get("first_year")
            and data.get("last_year")
            and (data["last_year"] < data["first_year"])
        ):
            self.add_error("last_year", _("The last year cannot be before the first."))
        return data

    def parameters(self):
        data = self.cleaned_data
        params = {}
        for name in self.FIELDS[self.kind]:
            value = data.get(name)
            params[name] = getattr(value, "pk", value)
            if name in ("reply_by", "as_of") and value:
                params[name] = value.isoformat()
        return params


def _may_issue(user, kind):
    if kind == Kind.AGENCY_REPORT:
        return user.is_coordinator or user.is_reporter
    return user.is_coordinator


def document_list(request):
    docs = IssuedDocument.objects.visible_to(request.user).select_related("created_by")
    kinds = [(k, label) for k, label in Kind.choices if _may_issue(request.user, k)]
    return render(
        request,
        "reports/document_list.html",
        {
            "page": Paginator(docs, 25).get_page(request.GET.get("page")),
            "kinds": kinds,
        },
    )


def document_create(request, kind):
    if kind not in Kind.values:
        raise Http404
    if not _may_issue(request.user, kind):
        raise PermissionDenied
    previous = None
    if request.GET.get("reissue"):
        previous = get_object_or_404(
            IssuedDocument.objects.visible_to(request.user), pk=request.GET["reissue"], kind=kind
        )
    initial = documents.default_fields(kind)
    if kind == Kind.AGENCY_REPORT and request.user.is_reporter:
        # An agency's own report is issued under its own name and signature.
        agency = request.user.agencies.first()
        initial.update(
            issuer=agency.name if agency else "",
            signing_authority="",
            signer_title="",
            signer_name="",
            number="  /BC-",
        )
    if previous:
        initial.update({f: getattr(previous, f) for f in DocumentForm.Meta.fields})
        initial.update(previous.parameters)
    form = DocumentForm(request.POST or None, initial=initial, kind=kind, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in DocumentForm.Meta.fields}
        report = form.cleaned_data.get("report")
        try:
            document = documents.document_issue(
                kind=kind,
                parameters=form.parameters(),
                by=request.user,
                agency=report.agency if report else None,
                supersedes=previous,
                **fields,
            )
        except (ValidationError, ValueError) as error:
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
        else:
            if previous and document.supersedes_id is None:
                messages.warning(
                    request,
                    _(
                        "The report chosen belongs to another agency than document no. "
                        "%(number)s: a new document was issued, not a re-issue of it."
                    )
                    % {"number": previous.number},
                )
            render_document.enqueue(document.pk)
            return redirect("reports:document_detail", pk=document.pk)
    return render(
        request,
        "reports/document_form.html",
        {
            "form": form,
            "kind": Kind(kind),
            "previous": previous,
        },
    )


def document_detail(request, pk):
    visible = IssuedDocument.objects.visible_to(request.user)
    document = get_object_or_404(visible, pk=pk)
    if request.headers.get("HX-Request"):
        return render(request, "reports/document_status.html", {"document": document})
    # The documents it replaces and that replace it are named only to those who may open
    # them: a chain made before re-issues kept their agency may cross agencies.
    related = visible.filter(Q(pk=document.supersedes_id) | Q(supersedes=document)).order_by(
        "created_at"
    )
    return render(
        request,
        "reports/document_detail.html",
        {
            "document": document,
            "replaces": next((d for d in related if d.pk == document.supersedes_id), None),
            "replaced_by": [d for d in related if d.supersedes_id == document.pk],
            "may_reissue": _may_issue(request.user, document.kind),
        },
    )


def document_file(request, pk, fmt):
    document = get_object_or_404(IssuedDocument.objects.visible_to(request.user), pk=pk)
    file = document.pdf if fmt == "pdf" else document.xlsx
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = f"{document.get_kind_display()} {document.number}".replace("/", "-")
    return FileResponse(handle, as_attachment=True, filename=f"{name}.{fmt}")
