"""Writes that change state or span several models. Each checks, writes inside a transaction
and records who did it (in the audit history)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from . import dbguards, lifecycle
from .models import Assignment, ReportingDeadline

ONE_DAY = dt.timedelta(days=1)
# django-simple-history keeps a change reason of at most 100 characters.
REASON_LENGTH = 100


def save_checked(instance, by, reason=None, **kwargs):
    """Validate and save ``instance``, recording ``by`` and ``reason`` in its audit history.

    The database's own guard against overlapping assignments (a race between two users that
    both passed validation) surfaces as the same message as the validation's.
    """
    instance._history_user = by
    if reason:
        instance._change_reason = reason[:REASON_LENGTH]
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError as error:
        if dbguards.OVERLAP_NAME in str(error):
            raise ValidationError(
                _("Another assignment of this party, target and role overlaps these dates.")
            ) from None
        raise
    return instance


def _locked(assignment):
    """Re-read the assignment under a row lock so two people acting at once cannot both win."""
    return Assignment.objects.select_for_update().get(pk=assignment.pk)


@transaction.atomic
def assignment_record_ceremony(*, assignment, date, place, by):
    """Record the twinning ceremony: assigned → ceremony held."""
    assignment = _locked(assignment)
    lifecycle.check_transition(assignment.status, lifecycle.CEREMONY_HELD)
    if date < assignment.start_date:
        raise ValidationError(_("The ceremony cannot be before the assignment starts."))
    assignment.status = lifecycle.CEREMONY_HELD
    assignment.ceremony_date = date
    assignment.ceremony_place = place
    return save_checked(assignment, by)


@transaction.atomic
def assignment_activate(*, assignment, by):
    """Mark a twinning as running its activities: ceremony held → active."""
    assignment = _locked(assignment)
    lifecycle.check_transition(assignment.status, lifecycle.ACTIVE)
    assignment.status = lifecycle.ACTIVE
    return save_checked(assignment, by)


@transaction.atomic
def assignment_end(*, assignment, end_date, reason, by, document=None):
    """End a running assignment without replacement."""
    assignment = _locked(assignment)
    lifecycle.check_transition(assignment.status, lifecycle.ENDED)
    if not reason.strip():
        raise ValidationError(_("Give the reason for ending the assignment."))
    assignment.status = lifecycle.ENDED
    assignment.end_date = end_date
    assignment.end_reason = reason
    assignment.ending_document = document
    return save_checked(assignment, by)


@transaction.atomic
def assignment_reassign(
    *,
    assignment,
    end_date,
    reason,
    by,
    agency=None,
    village=None,
    commune=None,
    document=None,
):
    """End ``assignment`` on ``end_date`` and replace it, from the next day, by another party
    or target (a village, or a commune twinned as a whole), or both: điều chỉnh phân công.
    Returns the replacement, which holds its own ceremony.
    """
    assignment = _locked(assignment)
    lifecycle.check_transition(assignment.status, lifecycle.REASSIGNED)
    if not reason.strip():
        raise ValidationError(_("Give the reason for the reassignment."))
    if end_date < assignment.start_date:
        raise ValidationError(_("The end cannot be before the assignment started."))
    agency = agency or assignment.agency
    if village is None and commune is None:
        village, commune = assignment.village, assignment.commune
    if agency == assignment.agency and (village, commune) == (
        assignment.village,
        assignment.commune,
    ):
        raise ValidationError(_("The replacement must change the agency or the village."))
    replacement = Assignment(
        directive=assignment.directive,
        agency=agency,
        village=village,
        commune=commune,
        role=assignment.role,
        start_date=end_date + ONE_DAY,
        note=reason,
    )
    # The old one ends first: its end date may free the period the replacement takes.
    assignment.end_date = end_date
    save_checked(assignment, by, reason=reason)
    save_checked(replacement, by, reason=reason)
    assignment.status = lifecycle.REASSIGNED
    assignment.end_date = end_date
    assignment.end_reason = reason
    assignment.ending_document = document
    assignment.replaced_by = replacement
    save_checked(assignment, by, reason=reason)
    return replacement


@transaction.atomic
def rule_sync_deadlines(*, rule, by=None):
    """Make the rule's concrete deadlines match its dates: add the missing, remove the
    obsolete. A deadline that already has reports cannot disappear; the change is refused."""
    wanted = set(rule.due_dates())
    existing = {d.due_date: d for d in rule.deadlines.all()}
    end = rule.directive.in_force_to
    bulk_create_with_history(
        [ReportingDeadline(rule=rule, due_date=date) for date in sorted(wanted - set(existing))],
        ReportingDeadline,
        default_user=by,
    )
    for date in set(existing) - wanted:
        if end is not None and date > end and existing[date].reports.exists():
            continue  # after the document was replaced, but already reported on: kept
        try:
            existing[date]._history_user = by
            existing[date].delete()
        except ProtectedError:
            raise ValidationError(
                _("The deadline of %(date)s already has reports and cannot be removed.")
                % {"date": date.strftime("%d/%m/%Y")}
            ) from None


@transaction.atomic
def deadline_move(*, deadline, new_date, reason, by):
    """Move one concrete deadline (a holiday, say), keeping the reason."""
    if not reason.strip():
        raise ValidationError(_("Moving a deadline needs a reason."))
    deadline = ReportingDeadline.objects.select_for_update().get(pk=deadline.pk)
    deadline.moved_to = None if new_date == deadline.due_date else new_date
    deadline.move_reason = reason if deadline.moved_to else ""
    return save_checked(deadline, by, reason=reason)
