"""Reminder emails: to agencies' reporters before a deadline (or the date an extension granted
them) and on repeat days after it is missed (their head copied from the second), to
the parties' reporters before a meeting of their covenant or programme falls due and once
after it is missed, and a daily digest to coordinators. Each email is recorded so that it is
never sent twice."""

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from assignments.models import (
    AgencyMembership,
    AgreementParty,
    Meeting,
    ReportingDeadline,
    ReportingRule,
    User,
    coordinating_body_name,
)

from . import tracking
from .models import Extension, ReminderLog, Report

OVERDUE_WINDOW = dt.timedelta(days=30)  # a deadline missed longer ago is not chased by email
# A meeting not held is announced once when it comes within this many days of its due date
# (by the first daily run in that window, so a missed run loses nothing), and chased once
# from the day after its due date, up to OVERDUE_WINDOW.
MEETING_NOTICE = dt.timedelta(days=7)


@dataclass
class Reminder:
    key: str
    recipient: str
    subject: str
    text: str
    html: str
    cc: tuple = ()


def _render(template, context):
    return (
        render_to_string(f"emails/{template}.txt", context),
        render_to_string(f"emails/{template}.html", context),
    )


def reminder_step(due, today, *, before=None, repeats=None, window=None):
    """Which reminder an agency not yet submitted gets today for a report due on ``due`` (the
    deadline's date, or its extension's): ``("before", days_left)`` on the days of
    REMINDER_DAYS, ``("overdue", n)`` from the n-th day of REMINDER_REPEAT_DAYS after it
    (the latest one reached, so a missed daily run is made up the next day and each
    repeat's key keeps it from going twice), or None."""
    before = settings.REMINDER_DAYS if before is None else before
    repeats = sorted(set(settings.REMINDER_REPEAT_DAYS if repeats is None else repeats))
    window = window or overdue_window(repeats)
    left = (due - today).days
    if left >= 0:
        return ("before", left) if left in before else None
    late = -left
    reached = [n for n, days in enumerate(repeats, 1) if days <= late]
    if not reached or late > window.days:
        return None
    return ("overdue", reached[-1])


def overdue_window(repeats=None):
    repeats = settings.REMINDER_REPEAT_DAYS if repeats is None else repeats
    return max(OVERDUE_WINDOW, dt.timedelta(days=max(repeats, default=0)))


# From this repeat on, the agency's head is copied.
HEAD_FROM_REPEAT = 2


def _reminder_key(step, deadline, agency_id, extension, email):
    kind, number = step
    # The first chase keeps the key it had when there was only one.
    name = (
        f"before{number}"
        if kind == "before"
        else ("overdue" if number == 1 else f"overdue{number}")
    )
    # An extension's own schedule is another series of reminders: its date is in the key.
    until = f":until{extension.granted_date:%Y%m%d}" if extension else ""
    return f"{name}:{deadline.pk}:{agency_id}{until}:{email}"


def addresses(agencies):
    """agency id → where its reminders go: its active members' emails, else the agency's own
    address (one query for all of ``agencies``, a mapping of id → Agency)."""
    members = {}
    for membership in (
        AgencyMembership.objects.filter(agency__in=list(agencies), user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email")
    ):
        members.setdefault(membership.agency_id, []).append(membership.user.email)
    return {
        pk: members.get(pk) or ([agency.email] if agency.email else [])
        for pk, agency in agencies.items()
    }


def agency_reminders(today):
    """To each agency's reporters (else the agency's own address) before its date — the
    deadline's, or the one its extension granted — and again on the repeat days after it
    while not submitted; from the second repeat the agency's head is copied."""
    days = sorted(set(settings.REMINDER_DAYS), reverse=True)
    horizon = today + dt.timedelta(days=max(days, default=0))
    start = today - overdue_window()
    extended = Extension.objects.filter(
        status=Extension.Status.GRANTED, granted_date__range=(start, horizon)
    ).values("deadline_id")
    deadlines = list(
        ReportingDeadline.objects.with_effective_date()
        .filter(rule__reporter=ReportingRule.Reporter.AGENCIES)
        .filter(Q(effective__range=(start, horizon)) | Q(pk__in=extended))
        .select_related("rule__directive")
    )
    columns = tracking.compliance(deadlines, today=today)
    agencies = tracking.agencies_of(columns)
    reach = addresses(agencies)
    for column in columns:
        for agency_id, cell in column.cells.items():
            if cell.status not in (tracking.PENDING, tracking.MISSING, tracking.EXTENDED):
                continue  # submitted, or returned for revision
            step = reminder_step(cell.due, today, before=days)
            if step is None:
                continue
            overdue = step[0] == "overdue"
            agency = agencies[agency_id]
            recipients = reach[agency_id]
            head = (
                agency.head_email
                if overdue and step[1] >= HEAD_FROM_REPEAT and agency.head_email not in recipients
                else ""
            )
            context = {
                "agency": agency,
                "deadline": column.deadline,
                "due": cell.due,
                "extension": cell.extension,
                "days_left": (cell.due - today).days,
                "overdue": overdue,
                "repeat": step[1] if overdue else 0,
                "head": head,
                "site": settings.SITE_URL,
                "coordinator": coordinating_body_name(today),
            }
            subject = (
                _("Overdue: %(label)s (due %(date)s)")
                if overdue
                else _("Reminder: %(label)s due %(date)s")
            ) % {"label": column.deadline.rule.label, "date": cell.due.strftime("%d/%m/%Y")}
            text, html = _render("reminder", context)
            for index, email in enumerate(recipients):
                yield Reminder(
                    _reminder_key(step, column.deadline, agency_id, cell.extension, email),
                    email,
                    subject,
                    text,
                    html,
                    # The head once per repeat, on the first reporter's message.
                    cc=(head,) if head and index == 0 else (),
                )


UNREACHABLE_NO_ACCOUNT = "no_account"
UNREACHABLE_NO_EMAIL = "no_email"


def unreachable(agencies):
    """The agencies, of ``agencies`` (id → Agency), that reminders cannot reach: no address
    of their own and no active account with an email (what ``agency_reminders`` writes to).
    In Vietnamese order, each with ``missing``: no account at all, or accounts without an
    email. One query."""
    without = {pk: agency for pk, agency in agencies.items() if not agency.email}
    accounts = {}  # agency id → whether one of its active accounts has an email
    for agency_id, email in (
        AgencyMembership.objects.filter(agency_id__in=list(without), user__is_active=True)
        .order_by()
        .values_list("agency_id", "user__email")
    ):
        accounts[agency_id] = accounts.get(agency_id, False) or bool(email)
    found = []
    for pk, agency in without.items():
        if accounts.get(pk):
            continue
        agency.missing = UNREACHABLE_NO_EMAIL if pk in accounts else UNREACHABLE_NO_ACCOUNT
        found.append(agency)
    return sorted(found, key=lambda agency: agency.sort_key)


def _meetings_unheld(start, end):
    """Meetings not held, due from ``start`` to ``end``, of agreements still in force that
    year."""
    return (
        Meeting.objects.filter(held_on__isnull=True, due_date__range=(start, end))
        .filter(Q(agreement__last_year__isnull=True) | Q(agreement__last_year__gte=start.year))
        .select_related("agreement")
        .order_by("due_date", "pk")
    )


def meeting_reminders(today):
    """To the reporters of each party (else the agency's own address): a meeting of their
    agreement falls due within a week, or was due and is not marked held."""
    meetings = list(_meetings_unheld(today - OVERDUE_WINDOW, today + MEETING_NOTICE))
    parties = {}
    for row in AgreementParty.objects.filter(
        agreement__in={m.agreement_id for m in meetings}
    ).select_related("agency"):
        parties.setdefault(row.agreement_id, []).append(row.agency)
    reach = addresses({a.pk: a for agencies in parties.values() for a in agencies})
    for meeting in meetings:
        overdue = meeting.due_date < today
        agencies = parties.get(meeting.agreement_id, [])
        recipients = list(dict.fromkeys(e for agency in agencies for e in reach[agency.pk]))
        context = {
            "agreement": meeting.agreement,
            "meeting": meeting,
            "agencies": agencies,
            "days_left": (meeting.due_date - today).days,
            "overdue": overdue,
            "site": settings.SITE_URL,
            "coordinator": coordinating_body_name(today),
        }
        subject = (
            _("Meeting overdue (due %(date)s): %(name)s")
            if overdue
            else _("Meeting due %(date)s: %(name)s")
        ) % {"name": meeting.agreement.name, "date": meeting.due_date.strftime("%d/%m/%Y")}
        text, html = _render("meeting_reminder", context)
        step = "overdue" if overdue else "soon"
        for email in recipients:
            yield Reminder(f"meeting-{step}:{meeting.pk}:{email}", email, subject, text, html)


def coordinator_digests(today):
    coordinators = User.objects.filter(is_active=True, role__in=[User.Role.COORDINATOR]).exclude(
        email=""
    )
    if not coordinators:
        return
    week = list(
        ReportingDeadline.objects.with_effective_date()
        .filter(
            rule__reporter=ReportingRule.Reporter.AGENCIES,
            effective__range=(today, today + dt.timedelta(days=7)),
        )
        .select_related("rule__directive")
        .order_by("effective")
    )
    recent = list(
        ReportingDeadline.objects.with_effective_date()
        .filter(
            rule__reporter=ReportingRule.Reporter.AGENCIES,
            effective__range=(today - OVERDUE_WINDOW, today - dt.timedelta(days=1)),
        )
        .select_related("rule__directive")
        .order_by("effective")
    )
    columns = tracking.compliance(week + recent, today=today)
    agencies = tracking.agencies_of(columns)
    due_this_week = [c for c in columns if c.deadline.effective_date >= today]
    overdue = [
        {"column": c, "agencies": c.agencies(agencies, tracking.MISSING)}
        for c in columns
        if c.deadline.effective_date < today
    ]
    overdue = [o for o in overdue if o["agencies"]]
    waiting = Report.objects.filter(status=Report.Status.SUBMITTED).count()
    meetings = list(_meetings_unheld(today - OVERDUE_WINDOW, today + dt.timedelta(days=7)))
    context = {
        "today": today,
        "due_this_week": due_this_week,
        "overdue": overdue,
        "waiting": waiting,
        "meetings_due": [m for m in meetings if m.due_date >= today],
        "meetings_overdue": [m for m in meetings if m.due_date < today],
        "site": settings.SITE_URL,
    }
    text, html = _render("digest", context)
    subject = _("Twinning reports: daily summary of %(date)s") % {
        "date": today.strftime("%d/%m/%Y")
    }
    for user in coordinators:
        yield Reminder(f"digest:{today.isoformat()}:{user.email}", user.email, subject, text, html)


def due_reminders(today):
    """Every reminder due today that has not been sent yet."""
    with translation.override(settings.LANGUAGE_CODE):
        candidates = [
            *agency_reminders(today),
            *meeting_reminders(today),
            *coordinator_digests(today),
        ]
    sent = set(
        ReminderLog.objects.filter(key__in=[r.key for r in candidates]).values_list(
            "key", flat=True
        )
    )
    return [r for r in candidates if r.key not in sent]


def send(reminder):
    message = EmailMultiAlternatives(
        reminder.subject,
        reminder.text,
        settings.DEFAULT_FROM_EMAIL,
        [reminder.recipient],
        cc=list(reminder.cc),
    )
    message.attach_alternative(reminder.html, "text/html")
    message.send()
    with contextlib.suppress(IntegrityError):  # another run recorded it meanwhile
        ReminderLog.objects.create(key=reminder.key, recipient=reminder.recipient)
