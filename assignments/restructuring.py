"""Restructuring: each change of the world is one service with a ``*_preview`` twin.

A merger, split or renaming of parties, a merger of administrative units, or a document
replaced by a new one. The preview computes the plan (every step, in words, with warnings and
errors) without writing; the service computes the same plan again inside its transaction,
refuses it if it has errors, then applies its steps and records the restructuring with who,
when and the ordering document. The pages and the admin call both; there is no other path.

Dates: ``date`` is the first day of the new state. What ends, ends the day before; what
continues (an assignment passed on to a successor party, commune or document) starts on that
day with its ceremony carried over, so nobody holds a second ceremony.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import lifecycle
from .models import (
    AdministrativeUnit,
    Agency,
    AgencyMembership,
    AgencySuccession,
    Assignment,
    Directive,
    ReportingDeadline,
    RestructuringEvent,
    UnitSuccession,
    Village,
    VillageLocation,
)
from .services import ONE_DAY, rule_sync_deadlines, save_checked
from .text import fold

Kind = RestructuringEvent.Kind


def _d(date):
    return date.strftime("%d/%m/%Y")


# --- Plans ---------------------------------------------------------------------------------


@dataclass(eq=False)
class NewAgency:
    """A party the restructuring creates (the new department of a merger, the new name)."""

    name: str
    kind: str
    level: str
    unit: AdministrativeUnit | None = None
    short_name: str = ""
    email: str = ""
    is_coordinating_body: bool = False

    def __str__(self):
        return self.name


@dataclass(eq=False)
class NewUnit:
    """A commune or ward the restructuring creates."""

    name: str
    unit_type: str
    parent: AdministrativeUnit
    code: str = ""
    code_list: str = ""

    def __str__(self):
        return f"{AdministrativeUnit.PREFIX.get(self.unit_type, '')} {self.name}".strip()

    @property
    def level(self):
        return AdministrativeUnit.LEVEL_OF_TYPE[self.unit_type]


@dataclass
class Step:
    op: str
    text: str
    args: dict


@dataclass
class Plan:
    """What a restructuring will do: steps in words (shown for confirmation and kept on the
    record), warnings to read, and errors that stop it."""

    kind: str
    date: dt.date
    summary: str = ""
    steps: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    # (party, target, role) already taken from the date on by a step of this plan
    taken: set = field(default_factory=set)

    def add(self, op, text, **args):
        self.steps.append(Step(op, text, args))

    @property
    def texts(self):
        return [step.text for step in self.steps]

    @property
    def ok(self):
        return not self.errors

    def fingerprint(self):
        """A digest of what the coordinator saw: confirming a plan that changed meanwhile
        (someone else acted) is refused and the new plan shown."""
        text = "\n".join([self.summary, *self.texts, *self.warnings, *self.errors])
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _key(obj):
    return ("new", id(obj)) if isinstance(obj, NewAgency | NewUnit) else (type(obj), obj.pk)


def _target_key(assignment, commune=None):
    if commune is not None:
        return ("commune", _key(commune))
    if assignment.village_id:
        return ("village", assignment.village_id)
    return ("commune", _key(assignment.commune))


# --- Planning helpers ------------------------------------------------------------------------


def _concerned(assignments, date):
    """Assignments still to be held on or after ``date``: not closed, or ended on a later day
    (an end decided for after the date passes on with the assignment)."""
    return (
        assignments.filter(Q(end_date__isnull=True) | Q(end_date__gte=date))
        .exclude(status__in=lifecycle.REPLACED, end_date__lt=date)
        .select_related("agency", "directive", "village__commune", "commune__parent")
        .order_by("pk")
    )


def _holds_already(plan, agency, target_key, role, date, exclude=None):
    """Whether ``agency`` already holds ``target`` in ``role`` from ``date`` (in the data, or
    by an earlier step of the plan)."""
    if (_key(agency), target_key, role) in plan.taken:
        return True
    if isinstance(agency, NewAgency):
        return False
    existing = (
        Assignment.objects.filter(agency=agency, role=role)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=date))
        .exclude(pk=exclude)
    )
    kind, value = target_key
    if kind == "village":
        existing = existing.filter(village_id=value)
    elif value[0] == "new":
        return False
    else:
        existing = existing.filter(commune_id=value[1])
    return existing.exists()


def _already_replaced(plan, assignment):
    """A reassigned or passed-on assignment cannot be moved again by a later restructuring."""
    if assignment.status in lifecycle.REPLACED:
        plan.errors.append(
            _(
                "%(assignment)s is already replaced from %(date)s: change that first, or choose "
                "a later date."
            )
            % {"assignment": assignment, "date": _d(assignment.end_date + ONE_DAY)}
        )
        return True
    return False


def _plan_pass_on(plan, assignment, reason, *, agency=None, commune=None, directive=None):
    """Pass ``assignment`` on from the plan's date (to a new party, commune or document), or
    end it where the new holder already has the same twinning."""
    date = plan.date
    new_agency = agency or assignment.agency
    target_key = _target_key(assignment, commune)
    if _already_replaced(plan, assignment):
        return
    if _holds_already(plan, new_agency, target_key, assignment.role, date, assignment.pk):
        if assignment.start_date >= date:
            plan.errors.append(
                _("%(assignment)s starts on %(start)s, but %(agency)s already holds it then.")
                % {
                    "assignment": assignment,
                    "start": _d(assignment.start_date),
                    "agency": new_agency,
                }
            )
            return
        plan.add(
            "end",
            _("%(assignment)s ends on %(date)s: %(agency)s already holds this twinning.")
            % {"assignment": assignment, "date": _d(date - ONE_DAY), "agency": new_agency},
            assignment=assignment,
            reason=reason,
        )
        return
    plan.taken.add((_key(new_agency), target_key, assignment.role))
    changes = {}
    if agency is not None:
        changes["agency"] = agency
    if commune is not None:
        changes["commune"] = commune
    if directive is not None:
        changes["directive"] = directive
    what = {
        "assignment": assignment,
        "date": _d(max(date, assignment.start_date)),
        "agency": new_agency,
        "target": commune or assignment.target,
        "document": (directive or assignment.directive).number,
    }
    if assignment.start_date >= date:
        text = _(
            "%(assignment)s has not started yet: it will be held by %(agency)s, with "
            "%(target)s under %(document)s, from %(date)s."
        )
    else:
        text = _(
            "%(assignment)s passes on from %(date)s: %(agency)s with %(target)s under "
            "%(document)s, without a new ceremony."
        )
    plan.add("pass_on", text % what, assignment=assignment, changes=changes, reason=reason)


def _plan_end(plan, assignment, reason):
    if _already_replaced(plan, assignment):
        return
    plan.add(
        "end",
        _("%(assignment)s ends on %(date)s.")
        % {"assignment": assignment, "date": _d(plan.date - ONE_DAY)},
        assignment=assignment,
        reason=reason,
    )


def _check_agency_alive(plan, agency, date):
    if agency.valid_to is not None and agency.valid_to < date - ONE_DAY:
        plan.errors.append(
            _("%(agency)s already ended on %(end)s.")
            % {"agency": agency, "end": _d(agency.valid_to)}
        )
    if agency.valid_from is not None and agency.valid_from >= date:
        plan.errors.append(
            _("%(agency)s only starts on %(start)s: choose a later date.")
            % {"agency": agency, "start": _d(agency.valid_from)}
        )


def _plan_successor(plan, successor):
    """Create a new successor, or check that an existing one is in force on the date."""
    if isinstance(successor, NewAgency):
        plan.add(
            "create_agency",
            _("Create %(agency)s (%(kind)s), in force from %(date)s.")
            % {
                "agency": successor,
                "kind": Agency.Kind(successor.kind).label,
                "date": _d(plan.date),
            },
            agency=successor,
        )
    elif not successor.is_in_force(plan.date):
        plan.errors.append(
            _("%(agency)s is not in force on %(date)s.")
            % {"agency": successor, "date": _d(plan.date)}
        )


def _plan_ending(plan, agency, successors, kind):
    """The party ends the day before the date; each successor succeeds it."""
    plan.add(
        "end_agency",
        _("%(agency)s ends on %(date)s; its reports and documents stay under its name.")
        % {"agency": agency, "date": _d(plan.date - ONE_DAY)},
        agency=agency,
    )
    for successor in successors:
        plan.add(
            "agency_succession",
            _("%(successor)s succeeds %(agency)s from %(date)s.")
            % {"successor": successor, "agency": agency, "date": _d(plan.date)},
            predecessor=agency,
            successor=successor,
            kind=kind,
        )


def _plan_membership(plan, user, successor):
    plan.add(
        "membership",
        _(
            "%(user)s becomes a reporter of %(successor)s too (and keeps reading the records "
            "of the old party)."
        )
        % {"user": user.get_full_name() or user.username, "successor": successor},
        user=user,
        agency=successor,
    )


def _plan_agencies_into(plan, predecessors, successor, kind, reason):
    """End ``predecessors`` the day before the plan's date and pass their assignments,
    reporters and the coordinating role on to ``successor`` (used by mergers, renamings and
    the authorities of merged communes)."""
    date = plan.date
    _plan_successor(plan, successor)
    members = {}
    for membership in AgencyMembership.objects.filter(agency__in=predecessors).select_related(
        "user"
    ):
        members.setdefault(membership.user_id, membership.user)
    if not isinstance(successor, NewAgency):
        for user_id in AgencyMembership.objects.filter(agency=successor).values_list(
            "user_id", flat=True
        ):
            members.pop(user_id, None)
    for agency in predecessors:
        _check_agency_alive(plan, agency, date)
        _plan_ending(plan, agency, [successor], kind)
        if agency.is_coordinating_body and not isinstance(successor, NewAgency):
            if not successor.is_coordinating_body:
                plan.errors.append(
                    _(
                        "%(agency)s is the coordinating body: it can pass only to a new party "
                        "(a merger into a new body, or a renaming)."
                    )
                    % {"agency": agency}
                )
        elif agency.is_coordinating_body:
            plan.add(
                "coordinating_body",
                _("%(successor)s becomes the coordinating body from %(date)s.")
                % {"successor": successor, "date": _d(date)},
                successor=successor,
            )
        for assignment in _concerned(agency.assignments.all(), date):
            _plan_pass_on(plan, assignment, reason, agency=successor)
        # Reports written for later deadlines (the merger recorded late) are not moved.
        count = agency.reports.filter(deadline__due_date__gte=date).count()
        if count:
            plan.warnings.append(
                _(
                    "%(agency)s has %(count)s report(s) for deadlines from %(date)s on; they "
                    "stay under its name."
                )
                % {"agency": agency, "count": count, "date": _d(date)}
            )
    for user in members.values():
        _plan_membership(plan, user, successor)


def _reason(plan, document=None, document_reference=""):
    where = str(document.number) if document else document_reference
    return f"{plan.summary} ({where})" if where else plan.summary


# --- Applying ------------------------------------------------------------------------------


def _created(made, obj):
    return made.get(id(obj), obj)


def _apply(plan, *, by, reason, document, event):
    """Carry out the plan's steps, in order."""
    made = {}
    date, last_day = plan.date, plan.date - ONE_DAY
    for step in plan.steps:
        args = step.args
        if step.op == "create_agency":
            spec = args["agency"]
            agency = Agency(
                name=spec.name,
                short_name=spec.short_name,
                kind=spec.kind,
                level=spec.level,
                unit=_created(made, spec.unit),
                email=spec.email,
                is_coordinating_body=spec.is_coordinating_body,
                valid_from=date,
            )
            made[id(spec)] = save_checked(agency, by, reason)
        elif step.op == "create_unit":
            spec = args["unit"]
            unit = AdministrativeUnit(
                level=spec.level,
                unit_type=spec.unit_type,
                name=spec.name,
                parent=spec.parent,
                code=spec.code,
                code_list=spec.code_list if spec.code else "",
                valid_from=date,
            )
            made[id(spec)] = save_checked(unit, by, reason)
        elif step.op == "end_agency":
            agency = Agency.objects.select_for_update().get(pk=args["agency"].pk)
            agency.valid_to = last_day
            save_checked(agency, by, reason)
        elif step.op == "agency_succession":
            AgencySuccession.objects.create(
                predecessor=args["predecessor"],
                successor=_created(made, args["successor"]),
                kind=args["kind"],
                effective_date=date,
                event=event,
            )
        elif step.op == "coordinating_body":
            successor = _created(made, args["successor"])
            successor.is_coordinating_body = True
            save_checked(successor, by, reason)
        elif step.op == "membership":
            AgencyMembership.objects.get_or_create(
                user=args["user"], agency=_created(made, args["agency"])
            )
        elif step.op == "pass_on":
            changes = {k: _created(made, v) for k, v in args["changes"].items()}
            pass_on(
                assignment=args["assignment"],
                date=date,
                reason=reason,
                by=by,
                document=document,
                **changes,
            )
        elif step.op == "end":
            end_for_restructuring(
                assignment=args["assignment"],
                last_day=last_day,
                reason=reason,
                by=by,
                document=document,
            )
        elif step.op == "end_unit":
            unit = AdministrativeUnit.objects.select_for_update().get(pk=args["unit"].pk)
            unit.valid_to = last_day
            save_checked(unit, by, reason)
        elif step.op == "unit_succession":
            UnitSuccession.objects.create(
                predecessor=args["predecessor"],
                successor=_created(made, args["successor"]),
                effective_date=date,
                note=reason[:255],
                event=event,
            )
        elif step.op == "move_agency":
            agency = Agency.objects.select_for_update().get(pk=args["agency"].pk)
            agency.unit = _created(made, args["unit"])
            save_checked(agency, by, reason)
        elif step.op == "move_village":
            _move_village(args["village"], _created(made, args["commune"]), date, by, reason, event)
        elif step.op == "end_directive":
            directive = Directive.objects.select_for_update().get(pk=args["directive"].pk)
            directive.in_force_to = last_day
            directive.replaced_by = args["replaced_by"]
            save_checked(directive, by, reason)
            for rule in directive.reporting_rules.all():
                rule_sync_deadlines(rule=rule, by=by)
        elif step.op != "note":  # notes only inform
            raise ValueError(step.op)
    return made


def _move_village(village, commune, date, by, reason, event):
    """Close the village's location on the day before ``date`` and open one in ``commune``."""
    village = Village.objects.select_for_update().get(pk=village.pk)
    current = village.locations.in_force_on(date).first()
    if current is not None:
        if current.valid_from is not None and current.valid_from >= date:
            current.delete()  # a location that never began: replaced
        else:
            current.valid_to = date - ONE_DAY
            current.save(update_fields=["valid_to"])
    VillageLocation.objects.create(village=village, commune=commune, valid_from=date, event=event)
    if not village.locations.filter(valid_from__gt=date).exists():
        village.commune = commune
        save_checked(village, by, reason)


def _record(plan, *, by, document, document_reference, note):
    if plan.errors:
        raise ValidationError(plan.errors)
    if document is None and not document_reference.strip():
        raise ValidationError(_("Name the document that orders the change."))
    reason = _reason(plan, document, document_reference)
    event = RestructuringEvent.objects.create(
        kind=plan.kind,
        effective_date=plan.date,
        document=document,
        document_reference=document_reference.strip(),
        summary=plan.summary[:500],
        steps=plan.texts,
        note=note,
        created_by=by,
    )
    _apply(plan, by=by, reason=reason, document=document, event=event)
    return event


# --- Assignment moves shared by every restructuring -----------------------------------------------


def _check_not_replaced_meanwhile(assignment):
    """Two people restructuring at once: the second finds the assignment already moved."""
    if assignment.status in lifecycle.REPLACED:
        raise ValidationError(
            _("%(assignment)s was changed meanwhile by someone else: preview again.")
            % {"assignment": assignment}
        )


@transaction.atomic
def pass_on(*, assignment, date, reason, by, document=None, **changes):
    """Hand a running assignment over from ``date`` to another party, target or document:
    the old one ends the day before (passed on), the new one carries its ceremony, so no new
    ceremony is due. An assignment that has not started yet is changed in place."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _check_not_replaced_meanwhile(assignment)
    if assignment.start_date >= date:
        for name, value in changes.items():
            setattr(assignment, name, value)
        if "commune" in changes:
            assignment.village = None
        return save_checked(assignment, by, reason)
    replacement = Assignment(
        directive=assignment.directive,
        agency=assignment.agency,
        village=assignment.village,
        commune=assignment.commune,
        role=assignment.role,
        start_date=date,
        end_date=assignment.end_date,
        note=reason,
    )
    for name, value in changes.items():
        setattr(replacement, name, value)
    if assignment.status == lifecycle.ENDED:
        replacement.status = lifecycle.ENDED
        replacement.end_reason = assignment.end_reason
        replacement.ending_document = assignment.ending_document
    elif assignment.status != lifecycle.ASSIGNED:
        replacement.status = assignment.status
    if assignment.ceremony_date:
        replacement.ceremony_date = assignment.ceremony_date
        replacement.ceremony_place = assignment.ceremony_place
        if replacement.status == lifecycle.ASSIGNED:
            replacement.status = lifecycle.CEREMONY_HELD
    # End the old one first: the same party may keep the same target (a new document).
    assignment.end_date = date - ONE_DAY
    save_checked(assignment, by, reason)
    save_checked(replacement, by, reason)
    assignment.status = lifecycle.TRANSFERRED
    assignment.replaced_by = replacement
    assignment.end_reason = reason
    assignment.ending_document = document
    save_checked(assignment, by, reason)
    return replacement


@transaction.atomic
def end_for_restructuring(*, assignment, last_day, reason, by, document=None):
    """End an assignment on ``last_day`` (or keep an earlier end already decided)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _check_not_replaced_meanwhile(assignment)
    assignment.end_date = (
        last_day if assignment.end_date is None else min(assignment.end_date, last_day)
    )
    if assignment.status in lifecycle.RUNNING:
        assignment.status = lifecycle.ENDED
    assignment.end_reason = reason
    assignment.ending_document = document
    return save_checked(assignment, by, reason)


# --- Agency merger --------------------------------------------------------------------------


def agency_merge_preview(*, agencies, successor, date):
    """Several parties → one from ``date`` (``successor`` existing, or a NewAgency)."""
    agencies = list(agencies)
    plan = Plan(
        Kind.AGENCY_MERGE,
        date,
        _("%(agencies)s merged into %(successor)s from %(date)s")
        % {
            "agencies": "; ".join(str(a) for a in agencies),
            "successor": successor,
            "date": _d(date),
        },
    )
    if not agencies:
        plan.errors.append(_("Choose the parties that merge."))
    if not isinstance(successor, NewAgency) and any(a.pk == successor.pk for a in agencies):
        plan.errors.append(_("The successor cannot be one of the parties that merge."))
    if plan.ok:
        _plan_agencies_into(plan, agencies, successor, AgencySuccession.Kind.MERGE, plan.summary)
    return plan


@transaction.atomic
def agency_merge(*, agencies, successor, date, by, document=None, document_reference="", note=""):
    plan = agency_merge_preview(agencies=agencies, successor=successor, date=date)
    return _record(plan, by=by, document=document, document_reference=document_reference, note=note)


# --- Agency renaming ------------------------------------------------------------------------------


def agency_rename_preview(*, agency, name, short_name="", date):
    """The same body under a new name from ``date``: a new record of the party takes over
    its assignments and reporters, so that what was done before keeps the old name."""
    successor = NewAgency(
        name=name,
        short_name=short_name,
        kind=agency.kind,
        level=agency.level,
        unit=agency.unit,
        email=agency.email,
    )
    plan = Plan(
        Kind.AGENCY_RENAME,
        date,
        _("%(agency)s renamed %(name)s from %(date)s")
        % {"agency": agency, "name": name, "date": _d(date)},
    )
    if not name.strip():
        plan.errors.append(_("Give the new name."))
    elif (
        Agency.objects.filter(name_key=fold(name)).in_force_on(date).exclude(pk=agency.pk).exists()
    ):
        plan.errors.append(_("Another party already has this name."))
    if plan.ok:
        _plan_agencies_into(plan, [agency], successor, AgencySuccession.Kind.RENAME, plan.summary)
    return plan


@transaction.atomic
def agency_rename(
    *, agency, name, short_name="", date, by, document=None, document_reference="", note=""
):
    plan = agency_rename_preview(agency=agency, name=name, short_name=short_name, date=date)
    return _record(plan, by=by, document=document, document_reference=document_reference, note=note)


# --- Agency split ------------------------------------------------------------------------------


def agency_split_preview(*, agency, successors, allocation, date, members_to=None):
    """One party → several from ``date``. ``allocation`` maps each of its running assignments
    (by id) to the successor (its index in ``successors``) that takes it, or None to end it;
    its reporters join ``members_to`` (an index) if given."""
    successors = list(successors)
    plan = Plan(
        Kind.AGENCY_SPLIT,
        date,
        _("%(agency)s split between %(successors)s from %(date)s")
        % {
            "agency": agency,
            "successors": "; ".join(str(s) for s in successors),
            "date": _d(date),
        },
    )
    if len(successors) < 2:
        plan.errors.append(_("A split needs at least two successors."))
    if any(not isinstance(s, NewAgency) and s.pk == agency.pk for s in successors):
        plan.errors.append(_("The party cannot succeed itself."))
    if not plan.ok:
        return plan
    _check_agency_alive(plan, agency, date)
    for successor in successors:
        _plan_successor(plan, successor)
    _plan_ending(plan, agency, successors, AgencySuccession.Kind.SPLIT)
    for assignment in _concerned(agency.assignments.all(), date):
        if assignment.pk not in allocation:
            plan.errors.append(
                _("Choose who takes %(assignment)s, or end it.") % {"assignment": assignment}
            )
            continue
        index = allocation[assignment.pk]
        if index is None:
            _plan_end(plan, assignment, plan.summary)
        else:
            _plan_pass_on(plan, assignment, plan.summary, agency=successors[index])
    if members_to is not None:
        target = successors[members_to]
        for membership in agency.memberships.select_related("user"):
            _plan_membership(plan, membership.user, target)
    if agency.is_coordinating_body:
        plan.warnings.append(
            _("%(agency)s was the coordinating body: mark its successor as such in its record.")
            % {"agency": agency}
        )
    return plan


@transaction.atomic
def agency_split(
    *,
    agency,
    successors,
    allocation,
    date,
    by,
    members_to=None,
    document=None,
    document_reference="",
    note="",
):
    plan = agency_split_preview(
        agency=agency,
        successors=successors,
        allocation=allocation,
        date=date,
        members_to=members_to,
    )
    return _record(plan, by=by, document=document, document_reference=document_reference, note=note)


# --- Merger of administrative units ---------------------------------------------------------


def _authority_of(unit, date):
    return (
        Agency.objects.filter(kind=Agency.Kind.LOCALITY, unit=unit).in_force_on(date).first()
        if not isinstance(unit, NewUnit)
        else None
    )


def _authority_name(unit):
    text = str(unit)
    return text[:1].upper() + text[1:]


def unit_merge_preview(*, units, successor, date):
    """Communes or wards merged into one from ``date`` (``successor`` existing or a NewUnit);
    also districts or provinces whose communes have all been merged already."""
    units = list(units)
    plan = Plan(
        Kind.UNIT_MERGE,
        date,
        _("%(units)s merged into %(successor)s from %(date)s")
        % {
            "units": "; ".join(u.place for u in units),
            "successor": successor,
            "date": _d(date),
        },
    )
    if not units:
        plan.errors.append(_("Choose the units that merge."))
        return plan
    levels = {u.level for u in units}
    if len(levels) > 1 or successor.level not in levels:
        plan.errors.append(_("The units that merge and the new unit must be of the same level."))
        return plan
    if not isinstance(successor, NewUnit) and any(u.pk == successor.pk for u in units):
        plan.errors.append(_("A unit cannot succeed itself."))
        return plan
    level = successor.level
    if isinstance(successor, NewUnit):
        plan.add(
            "create_unit",
            _("Create %(unit)s in %(parent)s, in force from %(date)s.")
            % {"unit": successor, "parent": successor.parent, "date": _d(date)},
            unit=successor,
        )
    elif not successor.is_in_force(date):
        plan.errors.append(
            _("%(unit)s is not in force on %(date)s.") % {"unit": successor, "date": _d(date)}
        )
    ending = {u.pk for u in units}
    for unit in units:
        if not unit.is_in_force(date - ONE_DAY):
            plan.errors.append(
                _("%(unit)s is not in force on %(date)s.")
                % {"unit": unit.place, "date": _d(date - ONE_DAY)}
            )
        plan.add(
            "end_unit",
            _("%(unit)s ends on %(date)s.") % {"unit": unit.place, "date": _d(date - ONE_DAY)},
            unit=unit,
        )
        plan.add(
            "unit_succession",
            _("%(successor)s succeeds %(unit)s from %(date)s.")
            % {"successor": successor, "unit": unit.place, "date": _d(date)},
            predecessor=unit,
            successor=successor,
        )
        if level != AdministrativeUnit.Level.COMMUNE:
            remaining = unit.children.in_force_on(date).exclude(pk__in=ending)
            if remaining.exists():
                plan.errors.append(
                    _(
                        "%(unit)s still has units in force on %(date)s (%(names)s): merge them "
                        "first."
                    )
                    % {
                        "unit": unit,
                        "date": _d(date),
                        "names": ", ".join(str(c) for c in remaining[:5]),
                    }
                )
    if level == AdministrativeUnit.Level.COMMUNE:
        _plan_commune_contents(plan, units, successor)
    # Other parties tied to a merged unit now belong to its successor (the departments of two
    # merged provinces, a commune's school).
    for agency in (
        Agency.objects.filter(unit__in=units)
        .exclude(kind=Agency.Kind.LOCALITY)
        .in_force_on(date)
        .order_by("sort_key")
    ):
        plan.add(
            "move_agency",
            _("%(agency)s belongs to %(successor)s from %(date)s.")
            % {"agency": agency, "successor": successor, "date": _d(date)},
            agency=agency,
            unit=successor,
        )
    return plan


def _plan_commune_contents(plan, communes, successor):
    """Villages move, commune targets pass on, the communes' own authorities merge, and a
    district left with no commune ends."""
    date = plan.date
    names = {}
    if not isinstance(successor, NewUnit):
        for village in Village.objects.located_in(successor, date).in_force_on(date):
            names[village.name_key] = village
    locations = (
        VillageLocation.objects.in_force_on(date)
        .filter(commune__in=communes)
        .select_related("village", "commune")
        .order_by("village__name_key")
    )
    for location in locations:
        village = location.village
        if not village.is_in_force(date):
            continue
        clash = names.get(village.name_key)
        if clash is not None:
            plan.errors.append(
                _(
                    "%(village)s of %(commune)s and %(other)s would have the same name in "
                    "%(successor)s: rename one of them first."
                )
                % {
                    "village": village,
                    "commune": location.commune,
                    "other": clash,
                    "successor": successor,
                }
            )
            continue
        names[village.name_key] = village
        plan.add(
            "move_village",
            _("%(village)s moves from %(old)s to %(new)s on %(date)s (its history keeps %(old)s).")
            % {"village": village, "old": location.commune, "new": successor, "date": _d(date)},
            village=village,
            commune=successor,
        )
    for assignment in _concerned(Assignment.objects.filter(commune__in=communes), date):
        _plan_pass_on(plan, assignment, plan.summary, commune=successor)
    authorities = list(
        Agency.objects.filter(kind=Agency.Kind.LOCALITY, unit__in=communes).in_force_on(
            date - ONE_DAY
        )
    )
    if authorities:
        authority = _authority_of(successor, date) or NewAgency(
            name=_authority_name(successor),
            kind=Agency.Kind.LOCALITY,
            level=AdministrativeUnit.Level.COMMUNE,
            unit=successor,
        )
        _plan_agencies_into(plan, authorities, authority, AgencySuccession.Kind.MERGE, plan.summary)
    ending = {c.pk for c in communes}
    successor_parent = successor.parent.pk if successor.parent else None
    for district_id in {c.parent_id for c in communes if c.parent_id}:
        district = AdministrativeUnit.objects.get(pk=district_id)
        if district.level != AdministrativeUnit.Level.DISTRICT or district.pk == successor_parent:
            continue
        if district.valid_to is not None and district.valid_to < date:
            continue
        if not district.children.in_force_on(date).exclude(pk__in=ending).exists():
            plan.add(
                "end_unit",
                _("%(unit)s has no commune left and ends on %(date)s.")
                % {"unit": district.place, "date": _d(date - ONE_DAY)},
                unit=district,
            )
            for agency in Agency.objects.filter(unit=district).in_force_on(date):
                plan.warnings.append(
                    _(
                        "%(agency)s belongs to %(unit)s, which ends: record its merger, split "
                        "or end separately."
                    )
                    % {"agency": agency, "unit": district}
                )


@transaction.atomic
def unit_merge(*, units, successor, date, by, document=None, document_reference="", note=""):
    plan = unit_merge_preview(units=units, successor=successor, date=date)
    return _record(plan, by=by, document=document, document_reference=document_reference, note=note)


# --- A document replaced by a new one -------------------------------------------------------------


def regime_replace_preview(*, directive, new_directive, date, continuing):
    """``directive`` replaced by ``new_directive`` from ``date``: its deadlines from then on
    are no longer derived; the running assignments whose ids are in ``continuing`` go on
    under the new document (same pair, no new ceremony), the others end."""
    continuing = set(continuing)
    plan = Plan(
        Kind.REGIME_REPLACE,
        date,
        _("%(old)s replaced by %(new)s from %(date)s")
        % {"old": directive.number, "new": new_directive.number, "date": _d(date)},
    )
    if new_directive.pk == directive.pk:
        plan.errors.append(_("A document cannot replace itself."))
        return plan
    if new_directive.issued_on > date:
        plan.errors.append(
            _("%(new)s is issued on %(issued)s, after %(date)s.")
            % {"new": new_directive.number, "issued": _d(new_directive.issued_on), "date": _d(date)}
        )
    if directive.in_force_to is not None and directive.in_force_to < date - ONE_DAY:
        plan.errors.append(
            _("%(old)s already stopped being in force on %(end)s.")
            % {"old": directive.number, "end": _d(directive.in_force_to)}
        )
    if date <= directive.issued_on:
        plan.errors.append(_("The date must be after the old document was issued."))
    plan.add(
        "end_directive",
        _("%(old)s stays in force until %(date)s; %(new)s replaces it.")
        % {"old": directive.number, "date": _d(date - ONE_DAY), "new": new_directive.number},
        directive=directive,
        replaced_by=new_directive,
    )
    dropped = ReportingDeadline.objects.filter(
        rule__directive=directive, due_date__gte=date
    ).select_related("rule")
    for deadline in dropped.order_by("due_date"):
        if deadline.reports.exists():
            plan.warnings.append(
                _("The deadline of %(date)s (%(label)s) already has reports: it is kept.")
                % {"date": _d(deadline.due_date), "label": deadline.rule.label}
            )
        else:
            plan.steps.append(
                Step(
                    "note",
                    _("The deadline of %(date)s (%(label)s) is no longer due under %(old)s.")
                    % {
                        "date": _d(deadline.due_date),
                        "label": deadline.rule.label,
                        "old": directive.number,
                    },
                    {},
                )
            )
    parent, new_parent = directive.implements, new_directive.implements
    if (
        parent is not None
        and new_parent is not None
        and parent.pk != new_parent.pk
        and parent.in_force_to is None
        and not parent.implementations.exclude(pk=directive.pk).in_force_on(date).exists()
    ):
        plan.add(
            "end_directive",
            _("%(old)s stays in force until %(date)s; %(new)s replaces it.")
            % {"old": parent.number, "date": _d(date - ONE_DAY), "new": new_parent.number},
            directive=parent,
            replaced_by=new_parent,
        )
    if not new_directive.reporting_rules.exists():
        plan.warnings.append(
            _("%(new)s has no reporting rule yet: add its deadlines in its record.")
            % {"new": new_directive.number}
        )
    for assignment in _concerned(directive.assignments.all(), date):
        if assignment.pk in continuing:
            _plan_pass_on(plan, assignment, plan.summary, directive=new_directive)
        else:
            _plan_end(plan, assignment, plan.summary)
    return plan


@transaction.atomic
def regime_replace(
    *, directive, new_directive, date, continuing, by, document=None, document_reference="", note=""
):
    plan = regime_replace_preview(
        directive=directive, new_directive=new_directive, date=date, continuing=continuing
    )
    # The replacing document is itself the order, unless another is named.
    return _record(
        plan,
        by=by,
        document=document or new_directive,
        document_reference=document_reference,
        note=note,
    )
