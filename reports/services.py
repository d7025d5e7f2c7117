"""The reporting workflow. Each state change checks the transition under a row lock, writes,
and records who did it, in one transaction: of two reviewers acting at once, the second
finds the report already handled and gets a clear message."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from assignments import lifecycle
from assignments import services as assignment_services

from . import notices, plans, support
from .models import (
    Activity,
    ActivityGoods,
    ActivityWork,
    Extension,
    PlannedActivity,
    Report,
    ReportVersion,
    ReviewEvent,
)

Status = Report.Status

# Which report status may follow which, and by whose action.
TRANSITIONS = {
    "submit": ({Status.DRAFT, Status.RETURNED}, Status.SUBMITTED),
    "return": ({Status.SUBMITTED}, Status.RETURNED),
    "accept": ({Status.SUBMITTED}, Status.ACCEPTED),
}


ACTION_VERBS = {
    "submit": pgettext_lazy("report action", "submit"),
    "return": pgettext_lazy("report action", "return"),
    "accept": pgettext_lazy("report action", "accept"),
}


class WorkflowError(ValidationError):
    pass


def check_report_transition(current, action):
    """Raise WorkflowError unless ``action`` is allowed on a report in status ``current``."""
    allowed, _target = TRANSITIONS[action]
    if current not in allowed:
        raise WorkflowError(
            _(
                "This report is “%(status)s”: you cannot %(action)s it now. It may have just "
                "been handled by someone else; reload the page."
            )
            % {"status": Status(current).label, "action": ACTION_VERBS[action]},
            code="invalid_transition",
        )
    return TRANSITIONS[action][1]


def _locked(report):
    return Report.objects.select_for_update().get(pk=report.pk)


def _lines(activity, goods, works):
    """The goods and works lines of ``activity`` from dicts of their fields, validated, with
    the activity's totals set from them (one save of the activity, one history record)."""
    lines = {
        model: [model(activity=activity, **data) for data in rows]
        for model, rows in ((ActivityGoods, goods), (ActivityWork, works))
    }
    for made in lines.values():
        for line in made:
            line.full_clean(exclude=["activity"])
    activity.in_kind_vnd = sum(line.value_vnd for line in lines[ActivityGoods])
    activity.works_vnd = sum(line.value_vnd for line in lines[ActivityWork])
    return lines


def _write_lines(activity, lines):
    activity.goods.all().delete()
    activity.works.all().delete()
    for model, made in lines.items():
        for line in made:
            line.activity = activity
        model.objects.bulk_create(made)


@transaction.atomic
def activity_record(*, assignment, by, goods=(), works=(), **fields):
    """Record an activity with its goods and works. A twinning ceremony moves its assignment
    to "ceremony held"."""
    activity = Activity(assignment=assignment, created_by=by, **fields)
    activity._history_user = by
    lines = _lines(activity, goods, works)
    activity.full_clean()
    activity.save()
    _write_lines(activity, lines)
    support.refresh({support.pair(activity)})
    if activity.kind == Activity.Kind.CEREMONY and assignment.status == lifecycle.ASSIGNED:
        assignment_services.assignment_record_ceremony(
            assignment=assignment,
            date=activity.date,
            place=activity.description[:255],
            by=by,
        )
    return activity


@transaction.atomic
def activity_update(*, activity, by, goods=None, works=None, **fields):
    """Change an activity; ``goods`` / ``works``, when given, replace its lines."""
    before = support.pair(activity)
    for name, value in fields.items():
        setattr(activity, name, value)
    activity._history_user = by
    lines = None
    if goods is not None or works is not None:
        lines = _lines(
            activity,
            goods if goods is not None else _line_data(activity.goods.all(), GOODS_FIELDS),
            works if works is not None else _line_data(activity.works.all(), WORKS_FIELDS),
        )
    activity.full_clean()
    activity.save()
    if lines is not None:
        _write_lines(activity, lines)
    support.refresh({before, support.pair(activity)})
    return activity


GOODS_FIELDS = ("item", "quantity", "unit", "weight_kg", "value_vnd")
WORKS_FIELDS = ("kind", "quantity", "unit", "value_vnd", "description")


def _line_data(lines, names):
    return [{name: getattr(line, name) for name in names} for line in lines]


def activity_snapshot(activity):
    """An activity as frozen in a submitted version (plain JSON)."""
    return {
        "date": activity.date.isoformat(),
        "kind": activity.kind,
        "village": str(activity.assignment.target),
        "target": activity.assignment.target_place(activity.date),
        "description": activity.description,
        "cash_vnd": activity.cash_vnd,
        "cash_sources": {name: getattr(activity, name) for name in Activity.CASH_SOURCES},
        "in_kind_vnd": activity.in_kind_vnd,
        "works_vnd": activity.works_vnd,
        "goods": "; ".join(str(line) for line in activity.goods.all()),
        "goods_lines": [
            {
                "item": line.item,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "weight_kg": str(line.weight_kg) if line.weight_kg is not None else None,
                "value_vnd": line.value_vnd,
            }
            for line in activity.goods.all()
        ],
        "works": [
            {
                "kind": line.kind,
                "label": str(line.get_kind_display()),
                "quantity": str(line.quantity),
                "unit": line.unit,
                "value_vnd": line.value_vnd,
                "description": line.description,
            }
            for line in activity.works.all()
        ],
        "participants": activity.participants,
        "beneficiaries": {name: getattr(activity, name) for name in Activity.BENEFICIARIES},
    }


def report_for(*, deadline, agency):
    """The agency's report for the deadline, created as an empty draft on first use."""
    report, _created = Report.objects.get_or_create(deadline=deadline, agency=agency)
    return report


@transaction.atomic
def report_save(*, report, by, fields, scan=None, planned=None):
    """Save a draft (or a returned report being revised); a submitted report is locked.

    ``planned``, for a plan, replaces its planned activities (dicts of their fields); each
    is for one of the agency's twinnings or for all of them."""
    report = _locked(report)
    if not report.is_editable:
        raise WorkflowError(_("A submitted report is locked and cannot be changed."))
    for name, value in fields.items():
        setattr(report, name, value)
    if scan is not None:
        report.scan = scan
    report._history_user = by
    report.full_clean()
    report.save()
    if planned is not None:
        items = [PlannedActivity(report=report, **fields) for fields in planned]
        for item in items:
            if item.assignment_id and item.assignment.agency_id != report.agency_id:
                raise WorkflowError(_("A planned activity names another agency's twinning."))
            item.full_clean(exclude=["report"])
        report.planned.all().delete()
        PlannedActivity.objects.bulk_create(items)
    return report


def _check_complete(report):
    """What a report (or a plan) must hold before it is submitted."""
    if report.is_plan:
        if not report.objectives.strip():
            raise WorkflowError(_("Write the plan's objectives and requirements."))
        if not report.planned.exists():
            raise WorkflowError(_("List at least one planned activity."))
    elif not report.no_activity and not report.results.strip():
        raise WorkflowError(
            _(
                "Write the results achieved, or tick “nothing to report” if the agency had no "
                "activity in the period."
            )
        )
    if not report.scan:
        raise WorkflowError(_("Attach the signed scan of the report (PDF) before submitting."))


def report_check_submittable(report):
    """Raise WorkflowError unless the report could be submitted now (what the confirmation
    page checks before asking; ``report_submit`` checks it again under the lock)."""
    check_report_transition(report.status, "submit")
    _check_complete(report)


@transaction.atomic
def report_submit(*, report, by):
    """Submit: freeze the texts, the period's activities and totals as a new version."""
    report = _locked(report)
    target = check_report_transition(report.status, "submit")
    _check_complete(report)
    if report.is_plan:
        activities = []
        planned = [
            plans.snapshot(item)
            for item in report.planned.select_related(
                "assignment__village__commune", "assignment__commune__parent"
            )
        ]
    else:
        activities = list(report.activities().prefetch_related("goods", "works"))
        planned = []
    now = timezone.now()
    version = ReportVersion.objects.create(
        report=report,
        number=report.versions.count() + 1,
        submitted_at=now,
        submitted_by=by,
        no_activity=report.no_activity,
        results=report.results,
        shortcomings=report.shortcomings,
        directions=report.directions,
        proposals=report.proposals,
        activities=[activity_snapshot(a) for a in activities],
        objectives=report.objectives,
        resources=report.resources,
        organisation=report.organisation,
        planned=planned,
        cash_vnd=sum(a.cash_vnd for a in activities),
        in_kind_vnd=sum(a.in_kind_vnd for a in activities),
        works_vnd=sum(a.works_vnd for a in activities),
        scan=report.scan.name,
    )
    report.status = target
    report.first_submitted_at = report.first_submitted_at or now
    report._history_user = by
    report.save()
    ReviewEvent.objects.create(report=report, version=version, action="submit", by=by)
    notices.report_submitted(report, version)
    return report


def _review(report, by, action, version_number, reason=""):
    report = _locked(report)
    target = check_report_transition(report.status, action)
    latest = report.versions.order_by("-number").first()
    if version_number is not None and latest.number != version_number:
        raise WorkflowError(
            _("The agency has submitted a newer version meanwhile; reload the page."),
            code="stale_version",
        )
    report.status = target
    report._history_user = by
    report.save()
    ReviewEvent.objects.create(report=report, version=latest, action=action, by=by, reason=reason)
    return report


@transaction.atomic
def report_return(*, report, by, reason, version_number=None):
    """Return a submitted report to the agency with the reason; it can revise and resubmit."""
    if not reason.strip():
        raise WorkflowError(_("Give the reason for returning the report."))
    report = _review(report, by, "return", version_number, reason)
    notices.report_returned(report, reason)
    return report


@transaction.atomic
def report_accept(*, report, by, version_number=None):
    report = _review(report, by, "accept", version_number)
    notices.report_accepted(report)
    return report


def granted_extension(deadline, agency):
    return Extension.objects.filter(
        deadline=deadline, agency=agency, status=Extension.Status.GRANTED
    ).first()


@transaction.atomic
def extension_request(*, deadline, agency, by, reason, requested_date):
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the request."))
    if requested_date <= deadline.effective_date:
        raise WorkflowError(_("The date asked for must be after the deadline."))
    if Extension.objects.filter(
        deadline=deadline, agency=agency, status__in=["requested", "granted"]
    ).exists():
        raise WorkflowError(_("A request for this deadline is already open or granted."))
    extension = Extension(
        deadline=deadline,
        agency=agency,
        requested_by=by,
        reason=reason,
        requested_date=requested_date,
    )
    extension._history_user = by
    extension.save()
    return extension


def _decide(extension, by, status, note, granted_date=None):
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != Extension.Status.REQUESTED:
        raise WorkflowError(_("This request has already been decided."), code="decided")
    extension.status = status
    extension.granted_date = granted_date
    extension.decision_note = note
    extension.decided_by = by
    extension.decided_at = timezone.now()
    extension._history_user = by
    extension.save()
    return extension


@transaction.atomic
def extension_grant(*, extension, by, granted_date, note=""):
    """Grant a new due date, for this agency and this deadline only."""
    if granted_date <= extension.deadline.effective_date:
        raise WorkflowError(_("The new date must be after the deadline."))
    extension = _decide(extension, by, Extension.Status.GRANTED, note, granted_date)
    notices.extension_decided(extension)
    return extension


@transaction.atomic
def extension_refuse(*, extension, by, note):
    if not note.strip():
        raise WorkflowError(_("Give the reason for refusing."))
    extension = _decide(extension, by, Extension.Status.REFUSED, note)
    notices.extension_decided(extension)
    return extension


@transaction.atomic
def deadline_move(*, deadline, new_date, reason, by):
    """Move one concrete deadline (``assignments.services.deadline_move``) and tell the
    reporters of the agencies expected there. Pages and the admin call this one."""
    # As stored, not as the caller's object says (the admin's form has already changed it).
    old_date = type(deadline).objects.get(pk=deadline.pk).effective_date
    deadline = assignment_services.deadline_move(
        deadline=deadline, new_date=new_date, reason=reason, by=by
    )
    notices.deadline_moved(deadline, old_date, reason)
    return deadline
