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

from .models import Activity, Extension, Report, ReportVersion, ReviewEvent

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


@transaction.atomic
def activity_record(*, assignment, by, **fields):
    """Record an activity. A twinning ceremony moves its assignment to "ceremony held"."""
    activity = Activity(assignment=assignment, created_by=by, **fields)
    activity._history_user = by
    activity.full_clean()
    activity.save()
    if activity.kind == Activity.Kind.CEREMONY and assignment.status == lifecycle.ASSIGNED:
        assignment_services.assignment_record_ceremony(
            assignment=assignment,
            date=activity.date,
            place=activity.description[:255],
            by=by,
        )
    return activity


@transaction.atomic
def activity_update(*, activity, by, **fields):
    for name, value in fields.items():
        setattr(activity, name, value)
    activity._history_user = by
    activity.full_clean()
    activity.save()
    return activity


def report_for(*, deadline, agency):
    """The agency's report for the deadline, created as an empty draft on first use."""
    report, _created = Report.objects.get_or_create(deadline=deadline, agency=agency)
    return report


@transaction.atomic
def report_save(*, report, by, fields, scan=None):
    """Save a draft (or a returned report being revised); a submitted report is locked."""
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
    return report


@transaction.atomic
def report_submit(*, report, by):
    """Submit: freeze the texts, the period's activities and totals as a new version."""
    report = _locked(report)
    target = check_report_transition(report.status, "submit")
    if not report.no_activity and not report.results.strip():
        raise WorkflowError(
            _(
                "Write the results achieved, or tick “nothing to report” if the agency had no "
                "activity in the period."
            )
        )
    if not report.scan:
        raise WorkflowError(_("Attach the signed scan of the report (PDF) before submitting."))
    activities = list(report.activities())
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
        activities=[
            {
                "date": a.date.isoformat(),
                "kind": a.kind,
                "village": str(a.assignment.village),
                "description": a.description,
                "cash_vnd": a.cash_vnd,
                "in_kind_vnd": a.in_kind_vnd,
                "goods": a.goods,
                "participants": a.participants,
                "beneficiaries": a.beneficiaries,
            }
            for a in activities
        ],
        cash_vnd=sum(a.cash_vnd for a in activities),
        in_kind_vnd=sum(a.in_kind_vnd for a in activities),
        scan=report.scan.name,
    )
    report.status = target
    report.first_submitted_at = report.first_submitted_at or now
    report._history_user = by
    report.save()
    ReviewEvent.objects.create(report=report, version=version, action="submit", by=by)
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
    return _review(report, by, "return", version_number, reason)


@transaction.atomic
def report_accept(*, report, by, version_number=None):
    return _review(report, by, "accept", version_number)


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
    return _decide(extension, by, Extension.Status.GRANTED, note, granted_date)


@transaction.atomic
def extension_refuse(*, extension, by, note):
    if not note.strip():
        raise WorkflowError(_("Give the reason for refusing."))
    return _decide(extension, by, Extension.Status.REFUSED, note)
