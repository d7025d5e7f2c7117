from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, OuterRef, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports import notices, tracking
from reports.models import Report

from .. import lifecycle, services
from ..forms import ReassignForm
from ..models import (
    Agency,
    AgencySuccession,
    Assignment,
    ReportingDeadline,
    ReportingRule,
    VillageYearFigures,
)
from .permissions import coordinator_required, show_errors
from .villages import visible_villages

VILLAGES_SHOWN = 30
ASSIGNMENTS_PER_PAGE = 25


@login_not_required
@require_safe
@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def home(request):
    """Each role lands on its daily page."""
    user = request.user
    if user.is_reporter:
        # After a merger a reporter belongs to the old party and its successor: land on the
        # one in force.
        agencies = list(user.agencies.in_force_on(timezone.localdate())[:2])
        if len(agencies) == 1:
            return redirect("agency_detail", pk=agencies[0].pk)
        return redirect("agency_list")
    return redirect("reports:dashboard")


def agency_list(request):
    today = timezone.localdate()
    # Counted in a subquery per row, not by grouping the agencies: a GROUP BY over their
    # names would compare them in the Vietnamese collation, a Python callback on SQLite.
    running = (
        Assignment.objects.filter(agency=OuterRef("pk"))
        .in_force_on(today)
        .order_by()
        .values("agency")
        .annotate(n=Count("pk"))
        .values("n")
    )
    agencies = (
        Agency.objects.visible_to(request.user)
        .annotate(running=Coalesce(Subquery(running), 0))
        .order_by("valid_to", "sort_key")
    )
    query = request.GET.get("q", "").strip()
    if query:
        agencies = agencies.search(query)
    page = Paginator(agencies, 25).get_page(request.GET.get("page"))
    return render(request, "assignments/agency_list.html", {"page": page, "q": query})


def agency_detail(request, pk):
    """“Đơn vị của tôi”: an agency's villages, assignments and deadlines."""
    agency = get_object_or_404(
        Agency.objects.visible_to(request.user).select_related("unit"), pk=pk
    )
    assignments = list(
        Assignment.objects.filter(agency=agency)
        .select_related("directive", "village__commune__parent", "commune__parent")
        .order_by("-start_date", "pk")
    )
    directive_ids = {a.directive_id for a in assignments}
    today = timezone.localdate()
    deadlines = (
        ReportingDeadline.objects.with_effective_date()
        .filter(
            rule__directive_id__in=directive_ids, rule__reporter=ReportingRule.Reporter.AGENCIES
        )
        .select_related("rule")
        .order_by("effective")
    )
    columns = tracking.compliance(deadlines, agency_filter=Q(pk=agency.pk), today=today)
    reports = {r.deadline_id: r for r in Report.objects.filter(agency=agency)}
    rows = [
        {
            "deadline": column.deadline,
            "report": reports.get(column.deadline.pk),
            "due": cell.due,
            "standing": cell.status,
            "extension": cell.extension,
            "overdue": cell.status == tracking.MISSING,
            "upcoming": cell.due >= today,
        }
        for column in columns
        if (cell := column.cells.get(agency.pk))
    ]
    held = [a for a in assignments if a.is_in_force(today)]
    # A department twinned with hundreds of villages shows the first of them here, and the
    # village list (filtered by the agency) shows them all.
    villages = sorted({a.village for a in held if a.village_id}, key=lambda v: v.sort_key)
    shown = villages[:VILLAGES_SHOWN]
    prefetch_related_objects(shown, "ethnic_groups")
    figures = {
        f.village_id: f
        for f in VillageYearFigures.objects.filter(village__in=shown).order_by("year")
    }
    for village in shown:
        village.latest_figures = figures.get(village.pk)
    successions = AgencySuccession.objects.filter(
        Q(predecessor=agency) | Q(successor=agency)
    ).select_related("predecessor", "successor", "event")
    return render(
        request,
        "assignments/agency_detail.html",
        {
            "agency": agency,
            "assignments": Paginator(assignments, ASSIGNMENTS_PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "villages": shown,
            "villages_count": len(villages),
            "communes": sorted({a.commune for a in held if a.commune_id}, key=lambda c: c.sort_key),
            "successions": successions,
            "upcoming": [r for r in rows if r["upcoming"]][:5],
            # Returned reports, flagged at the top with the coordinator's reason.
            "returned": notices.returned_with_reasons(Report.objects.filter(agency=agency)),
            "overdue": [r for r in rows if r["overdue"]],
            "deadlines": rows,
        },
    )


def village_list(request):
    latest = VillageYearFigures.objects.filter(village=OuterRef("pk")).order_by("-year")
    villages = (
        visible_villages(request.user)
        .select_related("commune__parent")
        .annotate(
            figures_year=Subquery(latest.values("year")[:1]),
            households=Subquery(latest.values("households")[:1]),
            poor_households=Subquery(latest.values("poor_households")[:1]),
        )
        .order_by("sort_key")
    )
    query = request.GET.get("q", "").strip()
    if query:
        villages = villages.search(query)
    agency = None
    if request.GET.get("agency", "").isdigit():
        # The villages a party is twinned with today (the link under its page's table).
        agency = get_object_or_404(
            Agency.objects.visible_to(request.user), pk=request.GET["agency"]
        )
        held = Assignment.objects.filter(agency=agency).in_force_on(timezone.localdate())
        villages = villages.filter(pk__in=held.values("village_id"))
    page = Paginator(villages, 25).get_page(request.GET.get("page"))
    return render(
        request, "assignments/village_list.html", {"page": page, "q": query, "agency": agency}
    )


@coordinator_required
def reassign(request, pk):
    """End an assignment and replace it by another party or target (điều chỉnh phân công),
    warning before a village or commune is left without a lead party."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("agency", "village__commune", "commune", "directive"),
        pk=pk,
    )
    if assignment.status not in lifecycle.RUNNING:
        messages.error(request, _("This assignment has already ended."))
        return redirect("agency_detail", pk=assignment.agency_id)
    form = ReassignForm(request.POST or None, assignment=assignment)
    left_uncovered = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes_target = bool(data["village"] or data["commune"])
        if assignment.role == Assignment.Role.LEAD and changes_target:
            # Who else leads this target on the day after the end (by dates, not statuses).
            day_after = data["end_date"] + services.ONE_DAY
            others = (
                Assignment.objects.filter(
                    role=Assignment.Role.LEAD,
                    village=assignment.village,
                    commune=assignment.commune,
                )
                .in_force_on(day_after)
                .exclude(pk=assignment.pk)
            )
            if not others.exists():
                left_uncovered = [assignment.target]
        if left_uncovered and not data["confirm_uncovered"]:
            form.add_error(
                "confirm_uncovered",
                _(
                    "%(village)s would be left without a lead agency. Tick the box to confirm, or "
                    "assign another agency to it first."
                )
                % {"village": assignment.target_place()},
            )
        else:
            try:
                replacement = services.assignment_reassign(
                    assignment=assignment,
                    end_date=data["end_date"],
                    reason=data["reason"],
                    by=request.user,
                    agency=data["agency"],
                    village=data["village"],
                    commune=data["commune"],
                    document=data["document"],
                )
            except ValidationError as error:
                show_errors(request, error)
            else:
                messages.success(
                    request,
                    _("Reassigned: %(new)s from %(date)s.")
                    % {
                        "new": str(replacement),
                        "date": replacement.start_date.strftime("%d/%m/%Y"),
                    },
                )
                if left_uncovered:
                    messages.warning(
                        request,
                        _("Without a lead agency now: %(list)s.")
                        % {"list": ", ".join(str(v) for v in left_uncovered)},
                    )
                if data.get("issue_letter") and not data["document"]:
                    letter = reverse("reports:document_create", args=["reassignment"])
                    return redirect(f"{letter}?assignment={assignment.pk}")
                return redirect("agency_detail", pk=replacement.agency_id)
    return render(request, "assignments/reassign.html", {"form": form, "assignment": assignment})
