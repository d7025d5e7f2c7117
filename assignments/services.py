"""Writes that change state or span several models. Each checks, writes inside a transaction
and records who did it (in the audit history)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from . import lifecycle
from .models import AdministrativeUnit, Assignment, ReportingDeadline, UnitSuccession, Village

ONE_DAY = dt.timedelta(days=1)


def _save(instance, by, reason=None, **kwargs):
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save(**kwargs)
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
    return _save(assignment, by)


@transaction.atomic
def assignment_activate(*, assignment, by):
    """Mark a twinning as running its activities: ceremony held → active."""
    assignment = _locked(assignment)
    lifecycle.check_transition(assignment.status, lifecycle.ACTIVE)
    assignment.status = lifecycle.ACTIVE
    return _save(assignment, by)


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
    return _save(assignment, by)


@transaction.atomic
def assignment_reassign(
    *,
    assignment,
    end_date,
    reason,
    by,
    agency=None,
    village=None,
    document=None,
    keep_ceremony=False,
):
    """End ``assignment`` on ``end_date`` and replace it, from the next day, by another agency
    or village (or both). Returns the replacement.

    ``keep_ceremony`` carries the ceremony over, for an agency that takes over its
    predecessor's twinning after a merger: the village has had its ceremony.
    """
    assignment = _locked(assignment)
    lifecycle.check_transition(assignment.status, lifecycle.REASSIGNED)
    agency = agency or assignment.agency
    village = village or assignment.village
    if agency == assignment.agency and village == assignment.village:
        raise ValidationError(_("The replacement must change the agency or the village."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the reassignment."))
    replacement = Assignment(
        directive=assignment.directive,
        agency=agency,
        village=village,
        role=assignment.role,
        start_date=end_date + ONE_DAY,
        note=reason,
    )
    if keep_ceremony and assignment.status != lifecycle.ASSIGNED:
        replacement.status = assignment.status
        replacement.ceremony_date = assignment.ceremony_date
        replacement.ceremony_place = assignment.ceremony_place
    _save(replacement, by, reason=reason)
    assignment.status = lifecycle.REASSIGNED
    assignment.end_date = end_date
    assignment.end_reason = reason
    assignment.ending_document = document
    assignment.replaced_by = replacement
    _save(assignment, by, reason=reason)
    return replacement


@transaction.atomic
def agency_merge(*, agency, successor, merge_date, by, document=None):
    """Merge ``agency`` into ``successor`` from ``merge_date``.

    Its running assignments pass to the successor from that date without a new ceremony;
    reports already made stay under the old agency. Where the successor already runs the
    same twinning, the old assignment simply ends.
    """
    if agency == successor:
        raise ValidationError(_("An agency cannot be merged into itself."))
    last_day = merge_date - ONE_DAY
    reason = _("Merged into %(successor)s") % {"successor": successor.name}
    already = set(successor.assignments.running().values_list("directive_id", "village_id"))
    for assignment in agency.assignments.running():
        if (assignment.directive_id, assignment.village_id) in already:
            assignment_end(
                assignment=assignment, end_date=last_day, reason=reason, by=by, document=document
            )
        else:
            assignment_reassign(
                assignment=assignment,
                end_date=last_day,
                reason=reason,
                by=by,
                agency=successor,
                document=document,
                keep_ceremony=True,
            )
    agency.valid_to = last_day
    agency.successor = successor
    return _save(agency, by, reason=reason)


@transaction.atomic
def unit_merge(*, predecessors, successor, effective_date, by, note=""):
    """End the ``predecessors`` the day before ``effective_date``, link them to ``successor``,
    and move the villages of merged communes to it (their history keeps the old commune)."""
    last_day = effective_date - ONE_DAY
    for unit in predecessors:
        if unit == successor:
            raise ValidationError(_("A unit cannot succeed itself."))
        unit.valid_to = last_day
        _save(unit, by, reason=note)
        UnitSuccession.objects.get_or_create(
            predecessor=unit,
            successor=successor,
            defaults={"effective_date": effective_date, "note": note},
        )
        if unit.level == AdministrativeUnit.Level.COMMUNE:
            for village in Village.objects.filter(commune=unit):
                village.commune = successor
                _save(village, by, reason=note)
    return successor


@transaction.atomic
def rule_sync_deadlines(*, rule, by=None):
    """Make the rule's concrete deadlines match its dates: add the missing, remove the
    obsolete. A deadline that already has reports cannot disappear; the change is refused."""
    wanted = set(rule.due_dates())
    existing = {d.due_date: d for d in rule.deadlines.all()}
    bulk_create_with_history(
        [ReportingDeadline(rule=rule, due_date=date) for date in sorted(wanted - set(existing))],
        ReportingDeadline,
        default_user=by,
    )
    for date in set(existing) - wanted:
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
    return _save(deadline, by, reason=reason)
