"""Pages of the reporting workflow. Views parse, authorise, call a service, respond; every
object is looked up through a queryset scoped to the user, so another agency's object is a
404, never its data."""

import mimetypes
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assignments import agreements
from assignments.models import (
    Agency,
    Assignment,
    ReportingDeadline,
    ReportingRule,
)
from assignments.models.emulation import summary as models_summary
from assignments.views.permissions import coordinator_required, show_errors

from . import formalism, notices, plans, reminders, services, timeliness, tracking
from .forms import (
    AcceptForm,
    ActivityForm,
    AuditFilterForm,
    DeadlineMoveForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    GoodsFormSet,
    PlanForm,
    PlannedFormSet,
    ReportForm,
    ReturnForm,
    TrackingFilterForm,
    WorksFormSet,
    line_data,
)
from .models import Activity, Extension, Report, ReviewEvent, SupportYear

PAGE_SIZE = 25


def reporter_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_reporter:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Activities ------------------------------------------------------------------------------


class Counted:
    """A queryset whose length is already known, so that paginating it needs no COUNT over a
    million rows."""

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count

    def count(self):
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


ACTIVITIES_SHOWN = 50


def activity_list(request):
    activities = (
        Activity.objects.visible_to(request.user)
        .select_related("assignment__agency", "assignment__village", "assignment__commune")
        .prefetch_related("goods", "works")
        .order_by("-date", "-pk")
    )
    # The totals and the count come from the yearly sums (SupportYear), kept in step by the
    # activity services.
    totals = SupportYear.objects.visible_to(request.user).totals()
    return render(
        request,
        "reports/activity_list.html",
        {
            "page": paginate(request, Counted(activities, totals["activities"])),
            "totals": totals,
        },
    )


def _activity_form(request, activity=None):
    """The activity form with its lines of goods and works; saved all together or not at all."""
    instance = activity or Activity()
    data = request.POST if request.method == "POST" else None
    form = ActivityForm(data, instance=activity, user=request.user)
    goods = GoodsFormSet(data, instance=instance, prefix="goods")
    works = WorksFormSet(data, instance=instance, prefix="works")
    if data is not None and form.is_valid() and goods.is_valid() and works.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "assignment"}
        try:
            if activity is None:
                services.activity_record(
                    assignment=form.cleaned_data["assignment"],
                    by=request.user,
                    goods=line_data(goods),
                    works=line_data(works),
                    **fields,
                )
                messages.success(request, _("The activity was recorded."))
            else:
                services.activity_update(
                    activity=activity,
                    by=request.user,
                    goods=line_data(goods),
                    works=line_data(works),
                    assignment=form.cleaned_data["assignment"],
                    **fields,
                )
                messages.success(request, _("The activity was saved."))
        except services.ValidationError as error:
            show_errors(request, error)
        else:
            return redirect("reports:activity_list")
    return render(
        request,
        "reports/activity_form.html",
        {"form": form, "goods": goods, "works": works, "activity": activity},
    )


@reporter_required
def activity_create(request):
    return _activity_form(request)


@reporter_required
def activity_edit(request, pk):
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    return _activity_form(request, activity)


# --- Deadlines and reports ---------------------------------------------------------------------


def _standing(report, deadline, extension):
    due = timeliness.due_date(deadline.effective_date, extension and extension.granted_date)
    return timeliness.standing(due, report.first_submitted_at if report else None), due


def deadline_list(request):
    """Every agency deadline with each visible agency's report and standing."""
    user = request.user
    deadlines = (
        ReportingDeadline.objects.with_effective_date()
        .filter(rule__reporter=ReportingRule.Reporter.AGENCIES)
        .select_related("rule__directive")
        .order_by("-effective", "pk")
    )
    page = paginate(request, deadlines)
    page.object_list = list(page.object_list)
    # The reports submitted at the deadlines of this page only, counted in one query.
    submitted = dict(
        Report.objects.filter(deadline__in=[deadline.pk for deadline in page.object_list])
        .exclude(status=Report.Status.DRAFT)
        .order_by()
        .values_list("deadline")
        .annotate(n=Count("pk"))
    )
    for deadline in page.object_list:
        deadline.submitted = submitted.get(deadline.pk, 0)
    rows = []
    returned = []
    if user.is_reporter:
        # All the reporter's parties, ended ones too (after a merger): each shows only at the
        # deadlines where it was expected.
        agencies = list(Agency.objects.visible_to(user))
        ids = [agency.pk for agency in agencies]
        reports = {
            (r.deadline_id, r.agency_id): r
            for r in Report.objects.filter(deadline__in=page.object_list, agency_id__in=ids)
        }
        # Flagged at the top with the coordinator's reason, whatever page of deadlines.
        returned = notices.returned_with_reasons(Report.objects.filter(agency_id__in=ids))
        pending = set(
            Extension.objects.filter(
                deadline__in=page.object_list,
                agency_id__in=ids,
                status=Extension.Status.REQUESTED,
            ).values_list("deadline_id", "agency_id")
        )
        today = timezone.localdate()
        # Only the agencies expected at each deadline (an assignment in force on its date).
        for column in tracking.compliance(page.object_list, agency_filter=Q(pk__in=ids)):
            for agency in agencies:
                cell = column.cells.get(agency.pk)
                if cell is not None:
                    report = reports.get((column.deadline.pk, agency.pk))
                    key = (column.deadline.pk, agency.pk)
                    rows.append(
                        {
                            "deadline": column.deadline,
                            "agency": agency,
                            "due": cell.due,
                            "report": report,
                            "standing": cell.status,
                            "extension": cell.extension,
                            "extension_pending": key in pending,
                            # More time for a deadline still ahead, not yet granted or asked.
                            "may_extend": (report is None or report.is_editable)
                            and column.deadline.effective_date >= today
                            and cell.extension is None
                            and key not in pending,
                        }
                    )
    return render(
        request,
        "reports/deadline_list.html",
        {"page": page, "rows": rows, "returned": returned},
    )


@coordinator_required
def deadline_move(request, pk):
    """The coordinator moves one agency deadline (a holiday, a late instruction), with the
    reason; the deadline's history keeps who moved it, when and why."""
    from django.core.exceptions import ValidationError

    deadline = get_object_or_404(
        ReportingDeadline.objects.filter(
            rule__reporter=ReportingRule.Reporter.AGENCIES
        ).select_related("rule__directive"),
        pk=pk,
    )
    today = timezone.localdate()
    form = DeadlineMoveForm(
        request.POST or None, today=today, initial={"new_date": deadline.effective_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.deadline_move(  # moves it and tells the agencies' reporters
                deadline=deadline,
                new_date=form.cleaned_data["new_date"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("The deadline was moved."))
            return redirect("reports:deadline_list")
    return render(
        request,
        "reports/deadline_move.html",
        {
            "form": form,
            "deadline": deadline,
            "history": deadline.history.select_related("history_user")[:20],
        },
    )


def report_list(request):
    reports = Report.objects.visible_to(request.user).with_related().latest_first()
    status = request.GET.get("status")
    if status in Report.Status.values:
        reports = reports.filter(status=status)
    query = request.GET.get("q", "").strip()
    reports = reports.search(query)
    return render(
        request,
        "reports/report_list.html",
        {
            "page": paginate(request, reports),
            "status": status,
            "q": query,
            "statuses": Report.Status.choices,
        },
    )


def _deadline_and_agency(request, deadline_pk, agency_pk):
    deadline = get_object_or_404(
        ReportingDeadline.objects.filter(rule__reporter=ReportingRule.Reporter.AGENCIES),
        pk=deadline_pk,
    )
    agency = get_object_or_404(Agency.objects.visible_to(request.user), pk=agency_pk)
    return deadline, agency


def report_open(request, deadline_pk, agency_pk):
    """The report of an agency for a deadline: the draft form for its reporter, else the view."""
    deadline, agency = _deadline_and_agency(request, deadline_pk, agency_pk)
    report = Report.objects.filter(deadline=deadline, agency=agency).first()
    if report and not (report.is_editable and request.user.is_reporter):
        return redirect("reports:report_detail", pk=report.pk)
    if not request.user.is_reporter:
        if report is None:
            raise Http404(_("This agency has not started this report."))
        return redirect("reports:report_detail", pk=report.pk)
    draft = report or Report(deadline=deadline, agency=agency)
    is_plan = deadline.rule.is_plan
    form = (PlanForm if is_plan else ReportForm)(
        request.POST or None, request.FILES or None, instance=draft
    )
    planned = PlannedFormSet(request.POST or None, instance=draft, prefix="planned")
    if request.method == "POST" and form.is_valid() and (not is_plan or planned.is_valid()):
        report = report or services.report_for(deadline=deadline, agency=agency)
        fields = {k: v for k, v in form.cleaned_data.items() if k != "scan"}
        scan = request.FILES.get("scan")
        try:
            report = services.report_save(
                report=report,
                by=request.user,
                fields=fields,
                scan=scan,
                planned=line_data(planned) if is_plan else None,
            )
            if "submit" in request.POST:
                # Saved as a draft; submitted only once confirmed (reports:report_submit).
                services.report_check_submittable(report)
                return redirect("reports:report_submit", pk=report.pk)
        except services.WorkflowError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("The draft was saved."))
        return redirect("reports:report_open", deadline_pk=deadline.pk, agency_pk=agency.pk)
    extension = services.granted_extension(deadline, agency)
    due = timeliness.due_date(deadline.effective_date, extension and extension.granted_date)
    if is_plan:
        return render(
            request,
            "reports/plan_form.html",
            {
                "form": form,
                "planned": planned,
                "report": report,
                "deadline": deadline,
                "agency": agency,
                "extension": extension,
                "due": due,
            },
        )
    activities = draft.activities()
    totals = activities.totals()
    return render(
        request,
        "reports/report_form.html",
        {
            "form": form,
            "report": report,
            "deadline": deadline,
            "agency": agency,
            # The latest ones: a busy agency records over a thousand a year, all of which go
            # into the report; the activity list pages through them.
            "activities": activities.order_by("-date", "-pk")[:ACTIVITIES_SHOWN],
            "totals": totals,
            "extension": extension,
            "due": due,
        },
    )


def report_detail(request, pk):
    report = get_object_or_404(Report.objects.visible_to(request.user).with_related(), pk=pk)
    versions = list(report.versions.select_related("submitted_by"))
    extension = services.granted_extension(report.deadline, report.agency)
    standing, due = _standing(report, report.deadline, extension)
    latest = versions[-1] if versions else None
    events = list(report.events.select_related("by", "version"))
    returns = [e for e in events if e.action == ReviewEvent.Action.RETURN]
    return render(
        request,
        "reports/report_detail.html",
        {
            **_plan_progress(report, latest),
            "report": report,
            "versions": versions,
            "latest": latest,
            "events": events,
            # Flagged at the top while the report waits for its revision.
            "last_return": returns[-1]
            if returns and report.status == Report.Status.RETURNED
            else None,
            "standing": standing,
            "due": due,
            "extension": extension,
            "return_form": ReturnForm(initial={"version": latest.number if latest else None}),
            "accept_form": AcceptForm(initial={"version": latest.number if latest else None}),
            # The formalism flags are the coordinating body's: reporters never see them.
            "flags": formalism.report_flags(report)
            if latest and request.user.sees_all_agencies
            else [],
        },
    )


def version_detail(request, pk, number):
    report = get_object_or_404(Report.objects.visible_to(request.user).with_related(), pk=pk)
    version = get_object_or_404(report.versions.select_related("submitted_by"), number=number)
    return render(
        request,
        "reports/version_detail.html",
        {**_plan_progress(report, version), "report": report, "version": version},
    )


def _plan_progress(report, version):
    """A plan's planned activities with what was done of them, for the page."""
    if version is None or not report.is_plan:
        return {}
    items = plans.report_progress(report, version, timezone.localdate())
    return {"progress": items, "done_count": sum(1 for i in items if i["standing"] == plans.DONE)}


def _serve_private(file, download_name):
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(download_name)[0] or "application/pdf"
    return FileResponse(
        handle, as_attachment=True, filename=download_name, content_type=content_type
    )


def report_scan(request, pk):
    report = get_object_or_404(Report.objects.visible_to(request.user), pk=pk)
    return _serve_private(report.scan, f"bao-cao-{report.pk}.pdf")


def version_scan(request, pk, number):
    report = get_object_or_404(Report.objects.visible_to(request.user), pk=pk)
    version = get_object_or_404(report.versions, number=number)
    return _serve_private(version.scan, f"bao-cao-{report.pk}-v{version.number}.pdf")


@require_http_methods(["GET", "POST"])
@reporter_required
def report_submit(request, pk):
    """GET: the report's summary and “after submitting you cannot edit it”, with a button
    that confirms (works without JavaScript); POST: submit."""
    report = get_object_or_404(Report.objects.visible_to(request.user).with_related(), pk=pk)
    if request.method == "GET":
        try:
            services.report_check_submittable(report)
        except services.WorkflowError as error:
            show_errors(request, error)
            if report.is_editable:
                return redirect(
                    "reports:report_open",
                    deadline_pk=report.deadline_id,
                    agency_pk=report.agency_id,
                )
            return redirect("reports:report_detail", pk=report.pk)
        extension = services.granted_extension(report.deadline, report.agency)
        return render(
            request,
            "reports/report_confirm.html",
            {
                "report": report,
                "due": timeliness.due_date(
                    report.deadline.effective_date, extension and extension.granted_date
                ),
                "totals": None if report.is_plan else report.activities().totals(),
                "planned": report.planned.count() if report.is_plan else None,
            },
        )
    try:
        services.report_submit(report=report, by=request.user)
    except services.WorkflowError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The report was submitted."))
    return redirect("reports:report_detail", pk=report.pk)


def review_queue(request):
    if not request.user.is_coordinator:
        raise PermissionDenied
    reports = (
        Report.objects.with_related()
        .filter(status=Report.Status.SUBMITTED)
        .order_by("first_submitted_at")
    )
    return render(request, "reports/review_queue.html", {"page": paginate(request, reports)})


@require_POST
@coordinator_required
def report_review(request, pk, action):
    report = get_object_or_404(Report.objects.visible_to(request.user), pk=pk)
    form = (ReturnForm if action == "return" else AcceptForm)(request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return redirect("reports:report_detail", pk=report.pk)
    try:
        if action == "return":
            services.report_return(
                report=report,
                by=request.user,
                reason=form.cleaned_data["reason"],
                version_number=form.cleaned_data["version"],
            )
            messages.success(request, _("The report was returned to the agency."))
        else:
            services.report_accept(
                report=report, by=request.user, version_number=form.cleaned_data["version"]
            )
            messages.success(request, _("The report was accepted."))
    except services.WorkflowError as error:
        show_errors(request, error)
    return redirect("reports:report_detail", pk=report.pk)


# --- Extensions ----------------------------------------------------------------------------


def extension_list(request):
    extensions = Extension.objects.visible_to(request.user).select_related(
        "agency", "deadline__rule", "requested_by", "decided_by"
    )
    page = paginate(request, extensions)
    if request.user.is_coordinator:
        # Each request's form starts from the date the agency asked for, with ids of its own.
        for extension in page:
            extension.decision_form = ExtensionDecisionForm(
                initial={"granted_date": extension.requested_date},
                auto_id=f"id_{extension.pk}_%s",
            )
    return render(request, "reports/extension_list.html", {"page": page})


@reporter_required
def extension_request(request, deadline_pk, agency_pk):
    deadline, agency = _deadline_and_agency(request, deadline_pk, agency_pk)
    # Only ahead of the deadline (or while a request waits for its decision).
    if (
        deadline.effective_date < timezone.localdate()
        and not Extension.objects.filter(
            deadline=deadline, agency=agency, status=Extension.Status.REQUESTED
        ).exists()
    ):
        messages.error(
            request,
            _(
                "The deadline of %(date)s has passed: more time can no longer be asked for. "
                "Submit the report as soon as you can, or contact the coordinating body."
            )
            % {"date": f"{deadline.effective_date:%d/%m/%Y}"},
        )
        return redirect("reports:deadline_list")
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extension_request(
                deadline=deadline, agency=agency, by=request.user, **form.cleaned_data
            )
        except services.WorkflowError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("The request was sent to the coordinating body."))
            return redirect("reports:extension_list")
    return render(
        request,
        "reports/extension_form.html",
        {
            "form": form,
            "deadline": deadline,
            "agency": agency,
        },
    )


@require_POST
@coordinator_required
def extension_decide(request, pk):
    extension = get_object_or_404(Extension.objects.visible_to(request.user), pk=pk)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return redirect("reports:extension_list")
    data = form.cleaned_data
    try:
        if data["decision"] == "grant":
            services.extension_grant(
                extension=extension,
                by=request.user,
                granted_date=data["granted_date"],
                note=data["note"],
            )
            messages.success(request, _("The extension was granted."))
        else:
            services.extension_refuse(extension=extension, by=request.user, note=data["note"])
            messages.success(request, _("The extension was refused."))
    except services.WorkflowError as error:
        show_errors(request, error)
    return redirect("reports:extension_list")


# --- Audit ----------------------------------------------------------------------------------


@coordinator_required
def audit_log(request):
    """Changes to assignments, parties, villages, units, village figures, reports,
    activities, deadlines, extensions, agreements (their contents, tasks, progress, meetings
    and reviews), exemplary models and villagers' wishes (restructurings name themselves in
    each change): what changed, by whom, linked to the record; filtered by kind, person and
    dates."""
    from . import audit

    form = AuditFilterForm(request.GET or None, kinds=audit.kinds())
    page = paginate(request, audit.changes(**form.filters()))
    page.object_list = audit.entries(list(page.object_list), user=request.user)
    return render(request, "reports/audit_log.html", {"page": page, "form": form})


# --- Tracking: dashboard, compliance matrix, search ----------------------------------------


def tracking_required(view):
    """Coordinators, viewers (read-only) and administrators."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.sees_all_agencies:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _agency_deadlines(directive=None, year=None):
    deadlines = (
        ReportingDeadline.objects.with_effective_date()
        .filter(rule__reporter=ReportingRule.Reporter.AGENCIES)
        .select_related("rule__directive")
    )
    if directive is not None:
        deadlines = deadlines.filter(rule__directive=directive)
    if year:
        deadlines = deadlines.filter(effective__year=year)
    return deadlines


@tracking_required
def dashboard(request):
    form = TrackingFilterForm(request.GET or None)
    directive, year, agency_q, unit = form.filters()
    today = timezone.localdate()
    # The cards follow the year filter too: that year's next deadlines and its last passed
    # ones (three cards at most); without a year, the last passed and the next two.
    deadlines = _agency_deadlines(directive, year)
    upcoming = list(deadlines.filter(effective__gte=today).order_by("effective")[:2])
    passed = 3 - len(upcoming) if year else 1
    recent = list(deadlines.filter(effective__lt=today).order_by("-effective")[:passed])[::-1]
    columns = tracking.compliance(recent + upcoming, agency_filter=agency_q, unit=unit, today=today)
    agencies = tracking.agencies_of(columns)
    own = tracking.own_standing(columns, today)
    summaries = [
        {
            "column": column,
            "own": own[index],
            "on_time": column.count(tracking.ON_TIME),
            "late": column.agencies(agencies, tracking.LATE),
            "not_yet": column.agencies(
                agencies, tracking.MISSING, tracking.PENDING, tracking.EXTENDED, tracking.RETURNED
            ),
            "rate": round(100 * column.submitted / column.expected) if column.expected else 0,
        }
        for index, column in enumerate(columns)
    ]
    coverage = tracking.coverage(unit, today, listed=20)
    # One pass over the agencies: the count and the first twenty from the same list of ids.
    inactive = list(
        tracking.inactive_agencies(agency_filter=agency_q, today=today).values_list("pk", flat=True)
    )
    first_inactive = Agency.objects.in_bulk(inactive[:20])
    # Expected at these deadlines but out of the reminders' reach: to be phoned (one query).
    unreachable = reminders.unreachable(agencies)
    support = tracking.support_by_year(agency_q, unit, years=[year] if year else None)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "summaries": summaries,
            "coverage": coverage,
            "uncovered": coverage["uncovered"],
            "inactive_count": len(inactive),
            "inactive": tracking.with_last_activity([first_inactive[pk] for pk in inactive[:20]]),
            "unreachable_count": len(unreachable),
            "unreachable": unreachable[:20],
            "support": support,
            "chart": tracking.bar_chart(support),
            "agreements": agreements.panel(today),
            # The register of exemplary models: the year's registered, effective, commended.
            "models": models_summary(year or today.year),
            "formalism": formalism.panel(year=year or today.year, today=today),
            "today": today,
            **_year_links(request),
        },
    )


def _matrix_deadlines(request):
    form = TrackingFilterForm(request.GET or None)
    directive, year, agency_q, unit = form.filters()
    if year is None and not (request.GET.get("all_years")):
        year = timezone.localdate().year
    deadlines = list(_agency_deadlines(directive, year).order_by("effective", "pk"))
    return form, year, deadlines, agency_q, unit


@tracking_required
def compliance_matrix(request):
    form, year, deadlines, agency_q, unit = _matrix_deadlines(request)
    columns, page = tracking.matrix_page(
        deadlines,
        agency_filter=agency_q,
        unit=unit,
        page_number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    own = tracking.own_standing(columns)
    return render(
        request,
        "reports/matrix.html",
        {
            "form": form,
            "year": year,
            "columns": columns,
            "own": own,
            "has_own": any(own),
            "page": page,
            "legend": tracking.STATUS_LABELS.items(),
            "query": request.GET.urlencode(),
            **_year_links(request),
        },
    )


def _year_links(request):
    """The matrix's query strings for every year and for this year, other filters kept."""
    kept = request.GET.copy()
    for name in ("year", "all_years", "page"):
        kept.pop(name, None)
    this_year = kept.urlencode()
    kept["all_years"] = "1"
    return {"all_years_query": kept.urlencode(), "this_year_query": this_year}


@tracking_required
def compliance_matrix_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from assignments.resources import escape_formula

    _form, year, deadlines, agency_q, unit = _matrix_deadlines(request)
    columns = tracking.compliance(deadlines, agency_filter=agency_q, unit=unit)
    agencies = sorted(tracking.agencies_of(columns).values(), key=lambda a: a.sort_key)
    rows = [(agency, [column.cells.get(agency.pk) for column in columns]) for agency in agencies]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Compliance")[:31]
    sheet.append(
        [
            _("Agency"),
            *(f"{c.deadline.rule.label} – {c.deadline.effective_date:%d/%m/%Y}" for c in columns),
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    own = tracking.own_standing(columns)
    if any(own):
        sheet.append(
            [
                # (Its name changed with the 2025 merger: the row names its role.)
                _("Coordinating body: consolidated report"),
                *(f"{s.label} ({s.date:%d/%m/%Y})" if s else "" for s in own),
            ]
        )
    for agency, cells in rows:
        sheet.append(
            [
                escape_formula(agency.name),
                *(f"{c.label} ({c.date:%d/%m/%Y})" if c else "" for c in cells),
            ]
        )
    sheet.column_dimensions["A"].width = 45
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="tinh-hinh-bao-cao-{year or "tat-ca"}.xlsx"'
    )
    workbook.save(response)
    return response


UNIT_CONTENTS_SHOWN = 30


def _with_contents(found, user):
    """Each commune, ward or district ``found`` (a sliced queryset), with what lies in it: the
    villages that lay in it at any time (a merged commune keeps its old villages here) and the
    twinnings with them or with the commune itself, within what the user may see. Three
    queries, whatever is found: the units, then the villages and the twinnings of them all,
    selected through the units' query (so that nothing found costs the same)."""
    from assignments.models import VillageLocation

    units = list(found.select_related("parent"))
    ids = {unit.pk for unit in units}
    in_units = found.values("pk")
    locations = (
        VillageLocation.objects.filter(Q(commune__in=in_units) | Q(commune__parent__in=in_units))
        .select_related("village", "commune")
        .order_by("village__sort_key", "pk")
    )
    if not user.sees_all_agencies:
        locations = locations.filter(
            village__in=Assignment.objects.visible_to(user).values("village_id")
        )
    villages = {unit_id: {} for unit_id in ids}  # unit → {village id: (village, location)}
    units_of_village = {}
    for location in locations:
        for unit_id in {location.commune_id, location.commune.parent_id} & ids:
            villages[unit_id].setdefault(location.village_id, (location.village, location))
            units_of_village.setdefault(location.village_id, set()).add(unit_id)
    pairs = {unit_id: [] for unit_id in ids}
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(
            Q(village__in=list(units_of_village))
            | Q(commune__in=in_units)
            | Q(commune__parent__in=in_units)
        )
        .select_related("agency", "village", "commune")
        .order_by("agency__sort_key", "start_date", "pk")
    )
    for assignment in assignments:
        if assignment.village_id:
            where = units_of_village.get(assignment.village_id, set())
        else:
            where = {assignment.commune_id, assignment.commune.parent_id} & ids
        for unit_id in where:
            pairs[unit_id].append(assignment)
    for unit in units:
        unit.found_villages = list(villages[unit.pk].values())[:UNIT_CONTENTS_SHOWN]
        unit.village_count = len(villages[unit.pk])
        unit.found_pairs = pairs[unit.pk][:UNIT_CONTENTS_SHOWN]
        unit.pair_count = len(pairs[unit.pk])
    return units


def search(request):
    """One box for agencies, villages, communes, documents and reports, without diacritics."""
    from assignments.models import (
        AdministrativeUnit,
        Agreement,
        Directive,
        ExemplaryModel,
        Village,
    )
    from assignments.text import search_terms

    query = request.GET.get("q", "").strip()
    results = {}
    if search_terms(query):
        user = request.user
        villages = Village.objects.select_related("commune__parent")
        if not user.sees_all_agencies:
            villages = villages.filter(
                pk__in=Assignment.objects.filter(agency__in=user.agencies.all()).values(
                    "village_id"
                )
            )
        reports = Report.objects.visible_to(user).with_related().latest_first().search(query)
        results = {
            "agencies": list(Agency.objects.visible_to(user).search(query)[:10]),
            "villages": list(villages.search(query)[:10]),
            "units": _with_contents(
                AdministrativeUnit.objects.exclude(level=AdministrativeUnit.Level.PROVINCE)
                .search(query)
                .order_by("valid_to", "sort_key")[:10],
                user,
            ),
            "directives": list(Directive.objects.search(query)[:10]),
            "reports": list(reports[:10]),
            "agreements": list(Agreement.objects.visible_to(user).search(query)[:10]),
            "models": list(ExemplaryModel.objects.visible_to(user).search(query)[:10]),
        }
    return render(request, "reports/search.html", {"q": query, "results": results})
