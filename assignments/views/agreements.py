"""Agreements' pages: the list, an agreement with its contents, tasks, progress, meetings and
reviews, and recording one. Coordinators record and follow any; a party's officers their
own; viewers read. Every agreement is looked up through the user's scope."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reports.models import Activity

from .. import agreements as services
from ..forms import (
    AgreementForm,
    ContentFormSet,
    MeetingHeldForm,
    ProgressForm,
    ReviewForm,
    ReviewLineFormSet,
    TaskChangeForm,
    TaskFormSet,
)
from ..models import (
    Agreement,
    ContentProgress,
    ContentTask,
    Meeting,
    ReviewLine,
    Standing,
)
from .permissions import records_work, show_errors

# How many of the parties' latest activities the progress form offers as evidence.
EVIDENCE_OFFERED = 30


def may_record(user, agreement=None):
    """Coordinators; a party's officer for an agreement its agency is party to."""
    if user.is_coordinator or agreement is None:
        return records_work(user)
    return user.is_reporter and agreement.parties.filter(pk__in=user.agencies.all()).exists()


def agreement_list(request):
    today = timezone.localdate()
    agreements = (
        Agreement.objects.visible_to(request.user)
        .annotate(
            content_count=Count("contents", distinct=True),
            next_meeting=Min("meetings__due_date", filter=Q(meetings__held_on__isnull=True)),
        )
        .select_related("assignment__agency", "assignment__village", "assignment__commune")
        .prefetch_related("parties")
        .order_by("-signed_on", "pk")
    )
    kind = request.GET.get("kind", "")
    if kind in Agreement.Kind.values:
        agreements = agreements.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        agreements = agreements.search(query)
    page = Paginator(agreements, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "assignments/agreement_list.html",
        {
            "page": page,
            "q": query,
            "kind": kind,
            "kinds": Agreement.Kind.choices,
            "today": today,
            "may_record": may_record(request.user),
        },
    )


def _agreement(request, pk):
    return get_object_or_404(
        Agreement.objects.visible_to(request.user).select_related(
            "assignment__agency", "assignment__village__commune", "assignment__commune__parent"
        ),
        pk=pk,
    )


def agreement_detail(request, pk):
    agreement = _agreement(request, pk)
    today = timezone.localdate()
    contents = list(
        agreement.contents.select_related("lead").prefetch_related(
            "participants",
            "tasks",
            Prefetch(
                "activities",
                queryset=Activity.objects.select_related("assignment__agency").order_by(
                    "-date", "-pk"
                ),
            ),
        )
    )
    standings = services.content_standings(contents)
    overdue = set(
        services.overdue_tasks(agreement_tasks(agreement), today).values_list("pk", flat=True)
    )
    for content in contents:
        content.standing = standings[content.pk]
        content.standing_label = Standing(content.standing).label
        content.year_tasks = [t for t in content.tasks.all() if t.year == today.year]
        for task in content.year_tasks:
            task.overdue = task.pk in overdue
    meetings = list(agreement.meetings.all())
    due = [m for m in meetings if m.held_on is None and m.due_date <= today + services.SOON]
    editable = may_record(request.user, agreement)
    if editable:
        for meeting in due:
            # One form per meeting due: the same fields, so ids of their own.
            meeting.form = MeetingHeldForm(
                initial={"held_on": today}, auto_id=f"id_meeting{meeting.pk}_%s"
            )
    return render(
        request,
        "assignments/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": agreement.party_rows.select_related("agency"),
            "contents": contents,
            "meetings": meetings,
            "due": due,
            "progress": agreement_progress(agreement)[:20],
            "evidence": [c for c in contents if c.activities.all()],
            "reviews": agreement.reviews.prefetch_related("lines__content"),
            "today": today,
            "editable": editable,
            "progress_form": ProgressForm(
                agreement=agreement,
                activities=party_activities(agreement, request.user),
                initial={"date": today},
            )
            if editable
            else None,
        },
    )


def agreement_tasks(agreement):
    return ContentTask.objects.filter(content__agreement=agreement)


def agreement_progress(agreement):
    return ContentProgress.objects.filter(content__agreement=agreement).select_related(
        "content", "recorded_by"
    )


def party_activities(agreement, user):
    """The latest activities of the parties' twinnings that ``user`` may see, most recent
    first: what a party cites as evidence of progress."""
    latest = (
        Activity.objects.visible_to(user)
        .filter(assignment__agency__in=agreement.parties.all())
        .order_by("-date", "-pk")
        .values("pk")[:EVIDENCE_OFFERED]
    )
    return (
        Activity.objects.filter(pk__in=latest)
        .select_related("assignment__agency")
        .order_by("-date", "-pk")
    )


def agreement_create(request):
    if not may_record(request.user):
        raise PermissionDenied
    initial = {}
    if request.GET.get("assignment", "").isdigit():
        initial = {"kind": Agreement.Kind.COVENANT, "assignment": int(request.GET["assignment"])}
    form = AgreementForm(
        request.POST or None, request.FILES or None, initial=initial, user=request.user
    )
    contents = ContentFormSet(request.POST or None, prefix="contents")
    if request.method == "POST" and form.is_valid() and contents.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "parties"}
        rows = [
            {k: v for k, v in c.items() if k in ("group", "number", "title", "lead", "lead_other")}
            for c in contents.cleaned_data
            if c and c.get("title")
        ]
        try:
            agreement = services.agreement_record(
                by=request.user, parties=list(form.cleaned_data["parties"]), contents=rows, **data
            )
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("The agreement was recorded."))
            return redirect("agreement_detail", pk=agreement.pk)
    return render(request, "assignments/agreement_form.html", {"form": form, "contents": contents})


@require_POST
def meeting_held(request, pk, meeting_pk):
    agreement = _agreement(request, pk)
    if not may_record(request.user, agreement):
        raise PermissionDenied
    meeting = get_object_or_404(Meeting, agreement=agreement, pk=meeting_pk)
    form = MeetingHeldForm(request.POST, request.FILES)
    if not form.is_valid():
        show_errors(request, form)
        return redirect("agreement_detail", pk=agreement.pk)
    try:
        services.meeting_held(meeting=meeting, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The meeting was marked held."))
    return redirect("agreement_detail", pk=agreement.pk)


@require_POST
def progress_create(request, pk):
    agreement = _agreement(request, pk)
    if not may_record(request.user, agreement):
        raise PermissionDenied
    form = ProgressForm(
        request.POST,
        request.FILES,
        agreement=agreement,
        activities=party_activities(agreement, request.user),
    )
    if not form.is_valid():
        show_errors(request, form)
        return redirect("agreement_detail", pk=agreement.pk)
    try:
        services.progress_record(by=request.user, **form.cleaned_data)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The progress was recorded."))
    return redirect("agreement_detail", pk=agreement.pk)


def agreement_scan(request, pk):
    agreement = _agreement(request, pk)
    if not agreement.scan:
        raise Http404
    try:
        handle = agreement.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"thoa-thuan-{agreement.pk}.pdf",
        content_type="application/pdf",
    )


# --- The year's plan -------------------------------------------------------------------------


def _year(agreement, text, today):
    """The year asked for when the agreement covers it; None when it is not a year of the
    agreement; this year (or the nearest of the period) when none is asked for."""
    years = agreement.years(today)
    if not text:
        return min(max(today.year, years[0]), years[-1])
    return int(text) if text.isdigit() and int(text) in years else None


def _plan_url(agreement, year):
    return f"{reverse('agreement_plan', args=[agreement.pk])}?year={year:d}"


def agreement_plan(request, pk):
    """The tasks of a year per content, with their standing; a party plans more tasks."""
    agreement = _agreement(request, pk)
    today = timezone.localdate()
    year = _year(agreement, request.GET.get("year", ""), today)
    if year is None:
        messages.error(request, _("Choose a year within the agreement's period."))
        return redirect("agreement_plan", pk=agreement.pk)
    editable = may_record(request.user, agreement)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    tasks = ContentTask.objects.filter(year=year).annotate(
        progressed=Exists(ContentProgress.objects.filter(task=OuterRef("pk")))
    )
    contents = list(
        agreement.contents.select_related("lead").prefetch_related(
            Prefetch("tasks", queryset=tasks, to_attr="year_tasks")
        )
    )
    formset = TaskFormSet(request.POST or None, prefix="tasks", form_kwargs={"contents": contents})
    if request.method == "POST" and formset.is_valid():
        rows = [form.cleaned_data for form in formset if form.cleaned_data]
        if not rows:
            messages.error(request, _("Write at least one task."))
        else:
            try:
                planned = services.tasks_plan(year=year, rows=rows, by=request.user)
            except ValidationError as error:
                show_errors(request, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d task added to the plan of %(year)s.",
                        "%(count)d tasks added to the plan of %(year)s.",
                        len(planned),
                    )
                    % {"count": len(planned), "year": year},
                )
                return redirect(_plan_url(agreement, year))
    overdue = set(
        services.overdue_tasks(agreement_tasks(agreement).filter(year=year), today).values_list(
            "pk", flat=True
        )
    )
    for content in contents:
        for task in content.year_tasks:
            task.overdue = task.pk in overdue
            task.changeable = (
                editable and task.standing == Standing.NOT_STARTED and not (task.progressed)
            )
    return render(
        request,
        "assignments/agreement_plan.html",
        {
            "agreement": agreement,
            "year": year,
            "years": agreement.years(today),
            "contents": contents,
            "formset": formset if editable and contents else None,
            "editable": editable,
        },
    )


def _task(request, pk, task_pk):
    """The agreement's task, for one who may record it."""
    agreement = _agreement(request, pk)
    if not may_record(request.user, agreement):
        raise PermissionDenied
    task = get_object_or_404(
        ContentTask.objects.select_related("content"), content__agreement=agreement, pk=task_pk
    )
    return agreement, task


def task_edit(request, pk, task_pk):
    agreement, task = _task(request, pk, task_pk)
    form = TaskChangeForm(
        request.POST or None, initial={"period": task.period, "description": task.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.task_change(task=task, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("The task was changed."))
            return redirect(_plan_url(agreement, task.year))
    return render(
        request,
        "assignments/agreement_task_form.html",
        {"agreement": agreement, "task": task, "form": form},
    )


@require_POST
def task_delete(request, pk, task_pk):
    agreement, task = _task(request, pk, task_pk)
    try:
        services.task_delete(task=task, by=request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The task was removed from the plan."))
    return redirect(_plan_url(agreement, task.year))


# --- Reviews ---------------------------------------------------------------------------------


def review_create(request, pk):
    """A review (the year's, sơ kết or tổng kết): each content judged, pre-filled with its
    standing today."""
    agreement = _agreement(request, pk)
    if not may_record(request.user, agreement):
        raise PermissionDenied
    today = timezone.localdate()
    contents = list(agreement.contents.all())
    standings = services.content_standings(contents)
    form = ReviewForm(
        request.POST or None,
        years=agreement.years(today),
        initial={"year": _year(agreement, "", today), "held_on": today},
    )
    lines = ReviewLineFormSet(
        request.POST or None,
        prefix="lines",
        contents=contents,
        initial=[{"standing": standings[c.pk]} for c in contents],
    )
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            review = services.review_hold(
                agreement=agreement, lines=lines.lines(), by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The review was recorded."))
            return redirect("agreement_review", pk=agreement.pk, review_pk=review.pk)
    return render(
        request,
        "assignments/agreement_review_form.html",
        {"agreement": agreement, "form": form, "lines": lines},
    )


def review_detail(request, pk, review_pk):
    agreement = _agreement(request, pk)
    review = get_object_or_404(
        agreement.reviews.prefetch_related(
            Prefetch("lines", queryset=ReviewLine.objects.select_related("content"))
        ),
        pk=review_pk,
    )
    return render(
        request,
        "assignments/agreement_review.html",
        {
            "agreement": agreement,
            "review": review,
            "editable": may_record(request.user, agreement),
        },
    )
