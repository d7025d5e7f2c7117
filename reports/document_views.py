"""The "Báo cáo" page: issuing official documents and downloading them."""

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assignments import lifecycle
from assignments.models import (
    Agency,
    Agreement,
    AgreementReview,
    Assignment,
    Directive,
    ReportingDeadline,
    ReportingRule,
)
from ketnghia.forms import DateField, DateTimeField, vietnamese_formfield

from . import agreement_documents, documents, register
from .models import IssuedDocument, OutgoingNumber, Report
from .tasks import render_document

Kind = IssuedDocument.Kind


class DocumentForm(forms.ModelForm):
    class Meta:
        model = IssuedDocument
        fields = [
            "number",
            "issued_on",
            "place",
            "drafting_unit",
            "addressees",
            "signing_authority",
            "signer_title",
            "signer_name",
            "recipients",
        ]
        formfield_callback = vietnamese_formfield
        widgets = {
            "addressees": forms.Textarea(attrs={"rows": 3}),
            "recipients": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "number": gettext_lazy(
                "Leave blank: the register gives the next number. Type one only for a "
                "document numbered elsewhere (e.g. 15/BC-SDTTG)."
            ),
        }

    # The fields of a document that carries a number and a signature (not an appendix).
    SIGNED = [name for name in Meta.fields if name not in ("issued_on", "place")]

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
    as_of = DateField(
        required=False,
        label=gettext_lazy("Assignments in force on"),
        help_text=gettext_lazy("Communes and districts are printed as they were on that date."),
    )
    reply_by = DateField(required=False, label=gettext_lazy("Reports expected by"))
    assignment = forms.ModelChoiceField(
        queryset=Assignment.objects.none(), required=False, label=gettext_lazy("Twinning")
    )
    ceremony_at = DateTimeField(required=False, label=gettext_lazy("Time of the ceremony"))
    venue = forms.CharField(required=False, max_length=300, label=gettext_lazy("Venue"))
    participants = forms.CharField(
        required=False,
        label=gettext_lazy("Invited"),
        help_text=gettext_lazy("One per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The consolidated report's typed sections (an empty one is left out of the document).
    leadership = forms.CharField(
        required=False,
        label=gettext_lazy("Leadership and direction"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    shortcomings = forms.CharField(
        required=False,
        label=gettext_lazy("Limitations and their causes"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    lessons = forms.CharField(
        required=False, label=gettext_lazy("Lessons"), widget=forms.Textarea(attrs={"rows": 3})
    )
    directions = forms.CharField(
        required=False,
        label=gettext_lazy("Directions and tasks ahead"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    proposals = forms.CharField(
        required=False,
        label=gettext_lazy("Proposals"),
        help_text=gettext_lazy(
            "The pairs whose agency neither reported nor recorded an activity in 12 months "
            "are listed under it as proposed reassignments."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    commendations = forms.CharField(
        required=False,
        label=gettext_lazy("Proposed commendations"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    TYPED = ["leadership", "shortcomings", "lessons", "directions", "proposals", "commendations"]
    agreement = forms.ModelChoiceField(
        queryset=Agreement.objects.none(), required=False, label=gettext_lazy("Agreement")
    )
    year = forms.IntegerField(
        required=False, label=gettext_lazy("Year"), min_value=1990, max_value=2100
    )
    review = forms.ModelChoiceField(
        queryset=AgreementReview.objects.none(), required=False, label=gettext_lazy("Review")
    )
    counterpart_title = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Title of the village's or commune's signer"),
        help_text=gettext_lazy("e.g. Trưởng thôn, Chủ tịch UBND xã"),
    )
    counterpart_name = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Name of the village's or commune's signer"),
    )

    FIELDS = {
        Kind.ASSIGNMENT_LIST: ["directive", "as_of"],
        Kind.CONSOLIDATED: ["deadline", *TYPED],
        Kind.AGENCY_REPORT: ["report"],
        Kind.AGENCY_PLAN: ["report"],
        Kind.REMINDER_LETTER: ["deadline", "reply_by"],
        Kind.REVIEW: ["directive", "first_year", "last_year"],
        Kind.INVITATION: ["assignment", "ceremony_at", "venue", "participants"],
        Kind.REASSIGNMENT_LETTER: ["assignment"],
        Kind.COVENANT: ["agreement", "counterpart_title", "counterpart_name"],
        Kind.PROGRAMME: ["agreement"],
        Kind.AGREEMENT_PLAN: ["agreement", "year"],
        Kind.AGREEMENT_REVIEW: ["review", "shortcomings", "directions"],
    }
    OPTIONAL = {*TYPED, "as_of", "participants", "counterpart_title", "counterpart_name"}

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
        if kind == Kind.CONSOLIDATED:
            # It consolidates reports; plans are compared in it with what was done.
            self.fields["deadline"].queryset = self.fields["deadline"].queryset.filter(
                rule__kind=ReportingRule.Kind.REPORT
            )
        # The pairs whose ceremony is still to be held (or the one named in the address).
        pairs = Assignment.objects.visible_to(user).in_force_on(timezone.localdate())
        chosen = str((self.initial or {}).get("assignment") or self.data.get("assignment") or "")
        named = Q(pk=int(chosen)) if chosen.isdigit() else Q(pk__in=[])
        self.fields["assignment"].queryset = (
            pairs.filter(Q(status=lifecycle.ASSIGNED) | named)
            .select_related("agency", "village", "commune")
            .order_by("agency__sort_key", "pk")
        )
        if kind == Kind.REASSIGNMENT_LETTER:
            # The reassignments still without their letter (or the one named in the address).
            self.fields["assignment"].label = _("Reassignment")
            self.fields["assignment"].queryset = (
                Assignment.objects.visible_to(user)
                .filter(Q(status=lifecycle.REASSIGNED, ending_document__isnull=True) | named)
                .select_related("agency", "village", "commune", "replaced_by__agency")
                .order_by("-end_date", "pk")
            )
            self.fields["assignment"].label_from_instance = lambda a: (
                _("%(old)s → %(new)s, from %(date)s")
                % {
                    "old": a,
                    "new": a.replaced_by.agency if a.replaced_by else "",
                    "date": a.end_date.strftime("%d/%m/%Y") if a.end_date else "",
                }
            )
        self.fields["report"].queryset = (
            Report.objects.visible_to(user)
            .exclude(status=Report.Status.DRAFT)
            .filter(deadline__rule__kind="plan" if kind == Kind.AGENCY_PLAN else "report")
            .select_related("agency", "deadline__rule")
        )
        if kind == Kind.AGENCY_PLAN:
            self.fields["report"].label = _("Plan")
        agreements = Agreement.objects.visible_to(user).order_by("-signed_on", "pk")
        if kind == Kind.COVENANT:
            agreements = agreements.filter(kind=Agreement.Kind.COVENANT)
        elif kind == Kind.PROGRAMME:
            agreements = agreements.filter(kind=Agreement.Kind.PROGRAMME)
        self.fields["agreement"].queryset = agreements
        self.fields["review"].queryset = (
            AgreementReview.objects.filter(agreement__in=Agreement.objects.visible_to(user))
            .select_related("agreement")
            .order_by("-held_on", "pk")
        )
        self.fields["review"].label_from_instance = lambda r: f"{r} – {r.agreement}"
        for name in {
            "directive",
            "deadline",
            "report",
            "first_year",
            "last_year",
            "as_of",
            "reply_by",
            *self.TYPED,
            "assignment",
            "ceremony_at",
            "venue",
            "participants",
            "agreement",
            "year",
            "review",
            "counterpart_title",
            "counterpart_name",
        } - set(self.FIELDS[kind]):
            del self.fields[name]
        for name in self.FIELDS[kind]:
            if name not in self.OPTIONAL:
                self.fields[name].required = True
        if kind == Kind.ASSIGNMENT_LIST:
            # An appendix of the directive's letter: no number or signature of its own.
            for name in self.SIGNED:
                del self.fields[name]
        else:
            self.fields["signer_title"].required = self.fields["signer_name"].required = True

    def clean(self):
        data = super().clean()
        if (
            self.kind == Kind.REVIEW
            and data.get("first_year")
            and data.get("last_year")
            and (data["last_year"] < data["first_year"])
        ):
            self.add_error("last_year", _("The last year cannot be before the first."))
        agreement, year = data.get("agreement"), data.get("year")
        outside = (
            agreement and year and not agreement.first_year <= year <= (agreement.last_year or year)
        )
        if self.kind == Kind.AGREEMENT_PLAN and outside:
            self.add_error(
                "year", _("%(year)s lies outside the agreement's period.") % {"year": year}
            )
        return data

    def parameters(self):
        data = self.cleaned_data
        params = {}
        for name in self.FIELDS[self.kind]:
            value = data.get(name)
            params[name] = getattr(value, "pk", value)
            if name in ("reply_by", "as_of") and value:
                params[name] = value.isoformat()
            if name == "ceremony_at" and value:
                # The local time as typed, without a zone (printed as it was given).
                local = timezone.localtime(value) if timezone.is_aware(value) else value
                params[name] = local.replace(tzinfo=None).isoformat(timespec="minutes")
        return params


def _may_issue(user, kind):
    if kind in IssuedDocument.OWN_KINDS + IssuedDocument.AGREEMENT_KINDS:
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
    # An agency's own report is issued under its own heading and signature.
    agency = request.user.agencies.first() if request.user.is_reporter else None
    # An officer issues an agreement's documents for their own body when it is a party.
    own_body = agency if kind in IssuedDocument.AGREEMENT_KINDS else None
    agreement = _agreement_named(request, kind)
    if agreement is not None:
        # One of its parties issues it: the officer's own body, else the first party.
        agency = agreement_documents.issuing_party(agreement, agency)
    initial = documents.default_fields(
        kind,
        date=agreement.signed_on if kind == Kind.COVENANT and agreement else None,
        agency=agency,
    )
    if agreement is not None:
        initial.update(_agreement_initial(request, kind, agreement, agency, initial["recipients"]))
    if request.GET.get("assignment", "").isdigit():
        initial["assignment"] = int(request.GET["assignment"])  # from the pair's page
    if request.GET.get("report", "").isdigit():
        initial["report"] = int(request.GET["report"])  # from the report's page
    if previous:
        # A re-issue takes a new number; the rest as before.
        initial.update({f: getattr(previous, f) for f in DocumentForm.Meta.fields if f != "number"})
        initial.update(previous.parameters)
    form = DocumentForm(request.POST or None, initial=initial, kind=kind, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in DocumentForm.Meta.fields if f in form.fields}
        report = form.cleaned_data.get("report")
        try:
            document = documents.document_issue(
                kind=kind,
                parameters=form.parameters(),
                by=request.user,
                agency=report.agency if report else own_body,
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
            "heading": {k: initial.get(k) for k in ("issuer", "parent_body")},
        },
    )


def _agreement_named(request, kind):
    """The agreement (or the agreement of the review) named in the address, from its page."""
    if kind not in IssuedDocument.AGREEMENT_KINDS:
        return None
    visible = Agreement.objects.visible_to(request.user)
    if request.GET.get("review", "").isdigit():
        review = AgreementReview.objects.filter(
            agreement__in=visible, pk=int(request.GET["review"])
        ).first()
        return review.agreement if review else None
    if request.GET.get("agreement", "").isdigit():
        return visible.filter(pk=int(request.GET["agreement"])).first()
    return None


def _agreement_initial(request, kind, agreement, party, recipients):
    initial = {"agreement": agreement.pk}
    if request.GET.get("review", "").isdigit():
        initial["review"] = int(request.GET["review"])
    if kind == Kind.AGREEMENT_PLAN:
        year = request.GET.get("year", "")
        initial["year"] = int(year) if year.isdigit() else timezone.localdate().year
    if kind in (Kind.AGREEMENT_PLAN, Kind.AGREEMENT_REVIEW):
        # Sent to the other parties too (they sign a covenant and a programme instead).
        others = [
            row.agency.name
            for row in agreement.party_rows.select_related("agency")
            if row.agency_id != party.pk
        ]
        initial["recipients"] = "\n".join([*others, recipients] if recipients else others)
    return initial


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
    file = {"pdf": document.pdf, "xlsx": document.xlsx, "docx": document.docx}[fmt]
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = f"{document.get_kind_display()} {document.number}".replace("/", "-")
    return FileResponse(handle, as_attachment=True, filename=f"{name}.{fmt}")


# --- The register of outgoing documents ----------------------------------------------------------


class RegisterEntryForm(forms.Form):
    """A document numbered outside the application (a letter typed in Word, an invitation)
    entered in the register: the next number, or the one it was given."""

    issuer = forms.ModelChoiceField(queryset=Agency.objects.none(), label=gettext_lazy("Body"))
    issued_on = DateField(label=gettext_lazy("Date"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[(k, k) for k in register.KIND_ABBREVIATIONS]
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=500)
    drafting_unit = forms.CharField(
        label=gettext_lazy("Drafting unit"), max_length=20, required=False
    )
    number = forms.CharField(
        label=gettext_lazy("Number"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Leave blank for the next number."),
    )

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers


def _register_issuers(user):
    """The bodies whose register a user keeps: a reporter's own agencies; for coordinators,
    the coordinating bodies (and any body that has issued through the application)."""
    if user.is_reporter:
        return user.agencies.all()
    if user.is_coordinator:
        # (A subquery, not DISTINCT over a join, which compares names on SQLite.)
        return Agency.objects.filter(
            Q(is_coordinating_body=True) | Q(pk__in=OutgoingNumber.objects.values("issuer"))
        )
    return Agency.objects.none()


def register_list(request):
    """Sổ đăng ký văn bản đi: by body and year, exportable to Excel."""
    entries = OutgoingNumber.objects.visible_to(request.user).select_related(
        "issuer", "document", "recorded_by"
    )
    bodies = Agency.objects.filter(pk__in=entries.order_by().values("issuer").distinct()).order_by(
        "sort_key"
    )
    issuer = None
    if request.GET.get("issuer", "").isdigit():
        issuer = get_object_or_404(bodies, pk=request.GET["issuer"])
    elif bodies:
        # The coordinating body in force today, when its register is one the user may read.
        today_body = Agency.objects.coordinating_body_on(timezone.localdate())
        issuer = bodies.filter(pk=getattr(today_body, "pk", None)).first() or bodies.first()
    years = list(
        entries.filter(issuer=issuer).order_by("-year").values_list("year", flat=True).distinct()
    )
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else None
    if year is None:
        year = years[0] if years else timezone.localdate().year
    shown = entries.filter(issuer=issuer, year=year).order_by("sequence")
    if request.GET.get("format") == "xlsx":
        return _register_workbook(issuer, year, shown)
    issuers = _register_issuers(request.user)
    form = None
    if issuers.exists():
        form = RegisterEntryForm(
            request.POST or None,
            issuers=issuers,
            initial={"issuer": issuer, "issued_on": timezone.localdate(), "kind": "Công văn"},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = register.take(
                    issuer=data["issuer"],
                    issued_on=data["issued_on"],
                    legal_kind=data["kind"],
                    subject=data["subject"],
                    by=request.user,
                    typed=data["number"].strip(),
                    drafting_unit=data["drafting_unit"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("number", message)
            else:
                messages.success(
                    request,
                    _("Number %(number)s entered in the register.") % {"number": entry.number},
                )
                return redirect(
                    f"{reverse('reports:register')}?issuer={entry.issuer_id}&year={entry.year}"
                )
    return render(
        request,
        "reports/register.html",
        {
            "bodies": bodies,
            "issuer": issuer,
            "years": years,
            "year": year,
            "entries": shown,
            "form": form,
        },
    )


REGISTER_COLUMNS = [
    ("Số, ký hiệu", 16),
    ("Ngày tháng", 12),
    ("Tên loại và trích yếu nội dung", 60),
    ("Người ký", 24),
    ("Nơi nhận", 36),
    ("Đơn vị soạn thảo", 14),
    ("Ghi chú", 28),
]


def _register_rows(entries):
    for entry in entries:
        document = entry.document
        notes = []
        if entry.typed:
            notes.append("Số nhập tay")
        if document is not None and document.supersedes_id:
            notes.append(f"Thay thế văn bản số {document.supersedes.number}")
        signer = document.signer_name if document else ""
        recipients = (
            "; ".join(document.addressee_list + document.recipient_list) if document else ""
        )
        yield [
            entry.number,
            entry.issued_on,
            f"{entry.kind}: {entry.subject}" if entry.kind else entry.subject,
            signer,
            recipients,
            document.drafting_unit if document else "",
            "; ".join(notes),
        ]


def _register_workbook(issuer, year, entries):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from assignments.resources import escape_formula

    book = Workbook()
    sheet = book.active
    sheet.title = f"Sổ văn bản đi {year}"
    sheet.append([f"SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM {year} – {issuer.name.upper() if issuer else ''}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([label for label, _width in REGISTER_COLUMNS])
    for index, (_label, width) in enumerate(REGISTER_COLUMNS, start=1):
        cell = sheet.cell(row=2, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = width
    for row in _register_rows(entries.select_related("document__supersedes")):
        sheet.append([escape_formula(v) if isinstance(v, str) else v for v in row])
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        sheet.cell(row=sheet.max_row, column=2).number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A3"
    stream = io.BytesIO()
    book.save(stream)
    response = HttpResponse(
        stream.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"so-van-ban-di-{year}-{register.abbreviation(issuer) if issuer else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
