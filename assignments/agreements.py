"""Recording and following agreements (covenants and coordination programmes): the contents,
each year's tasks, progress, meetings by the rhythm, reviews. Each write checks what it is
given and records who did it, in one transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import periods
from .models import (
    Agreement,
    AgreementContent,
    AgreementParty,
    AgreementReview,
    ContentProgress,
    ContentTask,
    Meeting,
    ReviewLine,
    Standing,
)

# How far ahead meetings due by the rhythm are written down (they show with the deadlines).
MEETING_HORIZON = dt.timedelta(days=400)
# Meetings due within this many days show as due (dashboard, the agreement's page).
SOON = dt.timedelta(days=30)


def _party_check(agreement, agencies):
    """A covenant is signed by the twinning's agency and its village or commune (the target,
    which is no agency); a programme by two or more bodies."""
    if len(set(agencies)) != len(agencies):
        raise ValidationError(_("A party is named twice."))
    if agreement.kind == Agreement.Kind.COVENANT:
        if agreement.assignment_id is None:
            raise ValidationError(_("Name the twinning whose ceremony the covenant was signed at."))
        if agencies != [agreement.assignment.agency]:
            raise ValidationError(
                _("A covenant's parties are the twinning's agency, %(agency)s, and its target.")
                % {"agency": agreement.assignment.agency}
            )
    elif len(agencies) < 2:
        raise ValidationError(_("A coordination programme has at least two parties."))


@transaction.atomic
def agreement_record(*, by, parties, contents=(), signers=None, **fields):
    """Record an agreement with its parties (agencies, in order) and its numbered contents
    (dicts: group, number, title, lead, participants); the meetings its rhythm makes due are
    written down."""
    agreement = Agreement(created_by=by, **fields)
    agreement.full_clean(exclude=["created_by"])
    if agreement.kind == Agreement.Kind.COVENANT and not parties and agreement.assignment_id:
        parties = [agreement.assignment.agency]
    _party_check(agreement, list(parties))
    agreement._history_user = by
    agreement.save()
    signers = signers or {}
    AgreementParty.objects.bulk_create(
        [
            AgreementParty(
                agreement=agreement, agency=agency, order=i, signer=signers.get(agency, "")
            )
            for i, agency in enumerate(parties)
        ]
    )
    contents_write(agreement=agreement, contents=contents, by=by)
    meetings_sync(agreement)
    return agreement


def contents_write(*, agreement, contents, by):
    """Add numbered contents; a lead or participant must be a party of the agreement."""
    parties = set(agreement.parties.all())
    for data in contents:
        data = dict(data)
        participants = list(data.pop("participants", []))
        content = AgreementContent(agreement=agreement, **data)
        if content.lead_id and content.lead not in parties:
            raise ValidationError(
                _("Content %(number)s: its lead, %(agency)s, is not a party.")
                % {"number": content.number, "agency": content.lead}
            )
        content.full_clean()
        content._history_user = by
        content.save()
        content.participants.set(participants)


@transaction.atomic
def meetings_sync(agreement, today=None):
    """Write down the meetings due by the rhythm up to a year ahead; those already there are
    kept (held or not), so a changed rhythm never loses minutes."""
    today = today or timezone.localdate()
    due = agreement.meeting_dates(until=today + MEETING_HORIZON)
    known = set(agreement.meetings.values_list("due_date", flat=True))
    Meeting.objects.bulk_create(
        [Meeting(agreement=agreement, due_date=date) for date in due if date not in known]
    )


@transaction.atomic
def meeting_held(*, meeting, held_on, minutes, by, place="", minutes_scan=None):
    if not minutes.strip():
        raise ValidationError(_("Write the minutes of the meeting (what was agreed)."))
    if held_on > timezone.localdate():
        raise ValidationError(_("A meeting cannot be marked held on a future date."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.held_on, meeting.minutes, meeting.place = held_on, minutes, place
    if minutes_scan is not None:
        meeting.minutes_scan = minutes_scan
    meeting.full_clean()
    meeting._history_user = by
    meeting.save()
    return meeting


def _year_check(agreement, year):
    if year < agreement.first_year or (agreement.last_year and year > agreement.last_year):
        raise ValidationError(_("%(year)s lies outside the agreement's period.") % {"year": year})


@transaction.atomic
def task_plan(*, content, year, period, description, by):
    """A task of the year's plan for ``content``, within the agreement's period."""
    _year_check(content.agreement, year)
    task = ContentTask(content=content, year=year, period=period, description=description)
    task.full_clean()
    task._history_user = by
    task.save()
    return task


@transaction.atomic
def tasks_plan(*, year, rows, by):
    """Several tasks of a year's plan at once (``rows``: dicts of content, period,
    description): all of them, or none when one is refused, naming its line."""
    tasks = []
    for number, row in enumerate(rows, start=1):
        try:
            tasks.append(task_plan(year=year, by=by, **row))
        except ValidationError as error:
            raise ValidationError(
                [
                    _("Line %(number)s: %(error)s") % {"number": number, "error": message}
                    for message in error.messages
                ]
            ) from None
    return tasks


def _unprogressed(task):
    """A task is changed or removed only while nothing was recorded against it: what was
    done stays with the task it served."""
    if task.standing != Standing.NOT_STARTED or task.progress.exists():
        raise ValidationError(_("Progress was recorded for this task; it is kept as planned."))


@transaction.atomic
def task_change(*, task, period, description, by):
    """Change when and what a task not yet progressed is."""
    task = ContentTask.objects.select_for_update().get(pk=task.pk)
    _unprogressed(task)
    task.period, task.description = period, description
    task.full_clean()
    task._history_user = by
    task.save()
    return task


@transaction.atomic
def task_delete(*, task, by):
    """Remove a task not yet progressed from the year's plan (its history keeps it)."""
    task = ContentTask.objects.select_for_update().get(pk=task.pk)
    _unprogressed(task)
    task._history_user = by
    task.delete()


@transaction.atomic
def progress_record(*, content, date, standing, note, by, task=None, evidence=None, activities=()):
    """Record what was done for a content; the task it serves takes its standing (done with
    the date). Activities given as evidence must be of the agreement's parties."""
    if task is not None and task.content_id != content.pk:
        raise ValidationError(_("The task belongs to another content."))
    if date > timezone.localdate():
        raise ValidationError(_("Progress cannot be recorded on a future date."))
    parties = set(content.agreement.parties.values_list("pk", flat=True))
    for activity in activities:
        if activity.assignment.agency_id not in parties:
            raise ValidationError(
                _("The activity of %(agency)s is not one of the parties'.")
                % {"agency": activity.assignment.agency}
            )
    progress = ContentProgress(
        content=content, task=task, date=date, standing=standing, note=note, recorded_by=by
    )
    if evidence is not None:
        progress.evidence = evidence
    progress.full_clean()
    progress._history_user = by
    progress.save()
    for activity in activities:
        activity.contents.add(content)
    if task is not None:
        task.standing = standing
        task.done_on = date if standing == Standing.DONE else None
        task._history_user = by
        task.full_clean()
        task.save()
    return progress


@transaction.atomic
def review_hold(*, agreement, kind, year, held_on, remarks, lines, by):
    """A review: each content's standing (done, in progress, not started) with remarks.
    ``lines`` maps each content to (standing, remarks); every content must be judged."""
    contents = list(agreement.contents.all())
    missing = [c for c in contents if c not in lines]
    if missing:
        raise ValidationError(
            _("Judge every content; missing: %(numbers)s.")
            % {"numbers": ", ".join(str(c.number) for c in missing)}
        )
    _year_check(agreement, year)
    if held_on > timezone.localdate():
        raise ValidationError(_("A review cannot be recorded as held on a future date."))
    review = AgreementReview(
        agreement=agreement, kind=kind, year=year, held_on=held_on, remarks=remarks
    )
    taken = _("The %(kind)s of %(year)s is already recorded.") % {
        "kind": review.get_kind_display(),
        "year": year,
    }
    if agreement.reviews.filter(kind=kind, year=year).exists():
        raise ValidationError(taken)
    review.full_clean()
    review._history_user = by
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # recorded by someone else meanwhile
        raise ValidationError(taken) from None
    ReviewLine.objects.bulk_create(
        [
            ReviewLine(review=review, content=c, standing=lines[c][0], remarks=lines[c][1])
            for c in contents
        ]
    )
    return review


def content_standings(contents):
    """content id → its standing now: that of its latest progress, else not started."""
    latest = {}
    for content_id, standing in (
        ContentProgress.objects.filter(content__in=contents)
        .order_by("content", "date", "pk")
        .values_list("content", "standing")
    ):
        latest[content_id] = standing
    return {c.pk: latest.get(c.pk, Standing.NOT_STARTED) for c in contents}


def overdue_tasks(queryset, today=None):
    """The tasks of ``queryset`` not done whose period is over: those of past years, and
    this year's whose period ended before this month (a queryset, counted in the database)."""
    today = today or timezone.localdate()
    over = Q(year__lt=today.year) | Q(year=today.year, period__in=periods.ended_before(today.month))
    return (
        queryset.exclude(standing=Standing.DONE).filter(over).select_related("content__agreement")
    )


def never_started(agreements, today=None):
    """Contents of ``agreements`` with no progress at all, a year or more after signing."""
    today = today or timezone.localdate()
    return (
        AgreementContent.objects.filter(agreement__in=agreements)
        .filter(agreement__signed_on__lte=today - dt.timedelta(days=365))
        .exclude(Exists(ContentProgress.objects.filter(content=OuterRef("pk"))))
        .select_related("agreement")
    )


def meetings_due(agreements, today=None):
    """Meetings not held that were due, or fall due soon."""
    today = today or timezone.localdate()
    return (
        Meeting.objects.filter(agreement__in=agreements, held_on__isnull=True)
        .filter(due_date__lte=today + SOON)
        .filter(Q(agreement__last_year__isnull=True) | Q(agreement__last_year__gte=today.year))
        .select_related("agreement")
        .order_by("due_date")
    )


def panel(today=None):
    """The dashboard's agreements panel: meetings due or overdue (the first few and how
    many), tasks overdue, contents never started, over agreements in force."""
    today = today or timezone.localdate()
    running = Agreement.objects.filter(Q(last_year__isnull=True) | Q(last_year__gte=today.year))
    due = meetings_due(running, today)
    tasks = ContentTask.objects.filter(content__agreement__in=running, year__lte=today.year)
    return {
        "meetings": list(due[:5]),
        "meetings_count": due.count(),
        "overdue_tasks": overdue_tasks(tasks, today).count(),
        "never_started": never_started(running, today).count(),
        "agreements": running.count(),
    }
