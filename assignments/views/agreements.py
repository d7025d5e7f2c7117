"""Agreements' pages: the list, an agreement with its contents, tasks, progress, meetings and
reviews, and recording one. Coordinators record and follow any; a party's officers their
own; viewers read. Every agreement is looked up through the user's scope."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import agreements as services
from ..forms import AgreementForm, ContentFormSet, MeetingHeldForm, ProgressForm
from ..models import Agreement, ContentProgress, ContentTask, Meeting, Standing
from .permissions import records_work, show_errors


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
        agreement.contents.select_related("lead").prefetch_related("participants", "tasks")
    )
    standings = services.content_standings(contents)
    overdue = {t.pk for t in services.overdue_tasks(agreement_tasks(agreement), today)}
    for content in contents:
        content.standing = standings[content.pk]
        content.standing_label = Standing(content.standing).label
        content.year_tasks = [t for t in content.tasks.all() if t.year == today.year]
        for task in content.year_tasks:
            task.overdue = task.pk in overdue
    meetings = list(agreement.meetings.all())
    due = [m for m in meetings if m.held_on is None and m.due_date <= today + services.SOON]
    editable = may_record(request.user, agreement)
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
            "reviews": agreement.reviews.prefetch_related("lines__content"),
            "today": today,
            "editable": editable,
            "meeting_form": MeetingHeldForm(initial={"held_on": today}) if editable else None,
            "progress_form": ProgressForm(agreement=agreement, initial={"date": today})
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
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
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
    form = ProgressForm(request.POST, request.FILES, agreement=agreement)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
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
