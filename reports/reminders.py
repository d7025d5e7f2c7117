"""Reminder emails: to agencies' reporters before a deadline and once after it is missed, to
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
from .models import ReminderLog, Report

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


def _render(template, context):
    return (
        render_to_string(f"emails/{template}.txt", context),
        render_to_string(f"emails/{template}.html", context),
    )


def agency_reminders(today):
    days = sorted(set(settings.REMINDER_DAYS), reverse=True)
    horizon = today + dt.timedelta(days=max(days, default=0))
    deadlines = list(
        ReportingDeadline.objects.with_effective_date()
        .filter(
            rule__reporter=ReportingRule.Reporter.AGENCIES,
            effective__range=(today - OVERDUE_WINDOW, horizon),
        )
        .select_related("rule__directive")
    )
    columns = tracking.compliance(deadlines, today=today)
    agencies = tracking.agencies_of(columns)
    members = {}
    for membership in (
        AgencyMembership.objects.filter(agency__in=agencies, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    ):
        members.setdefault(membership.agency_id, []).append(membership.user.email)
    for column in columns:
        for agency_id, cell in column.cells.items():
            if cell.status not in (tracking.PENDING, tracking.MISSING) or cell.extension:
                continue  # submitted, returned for revision, or granted more time
            left = (cell.due - today).days
            if left < 0:
                kind = "overdue"
            elif left in days:
                kind = f"before{left}"
            else:
                continue
            agency = agencies[agency_id]
            recipients = members.get(agency_id) or ([agency.email] if agency.email else [])
            context = {
                "agency": agency,
                "deadline": column.deadline,
                "due": cell.due,
                "days_left": left,
                "overdue": left < 0,
                "site": settings.SITE_URL,
                "coordinator": coordinating_body_name(today),
            }
            subject = (
                _("Overdue: %(label)s (due %(date)s)")
                if left < 0
                else _("Reminder: %(label)s due %(date)s")
            ) % {"label": column.deadline.rule.label, "date": cell.due.strftime("%d/%m/%Y")}
            text, html = _render("reminder", context)
            for email in recipients:
                yield Reminder(
                    f"{kind}:{column.deadline.pk}:{agency_id}:{email}", email, subject, text, html
                )


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
    members = {}
    for membership in (
        AgencyMembership.objects.filter(
            agency__in={a.pk for agencies in parties.values() for a in agencies},
            user__is_active=True,
            user__role=User.Role.REPORTER,
        )
        .exclude(user__email="")
        .select_related("user")
    ):
        members.setdefault(membership.agency_id, []).append(membership.user.email)
    for meeting in meetings:
        overdue = meeting.due_date < today
        agencies = parties.get(meeting.agreement_id, [])
        recipients = []
        for agency in agencies:
            for email in members.get(agency.pk) or ([agency.email] if agency.email else []):
                if email not in recipients:
                    recipients.append(email)
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
        reminder.subject, reminder.text, settings.DEFAULT_FROM_EMAIL, [reminder.recipient]
    )
    message.attach_alternative(reminder.html, "text/html")
    message.send()
    with contextlib.suppress(IntegrityError):  # another run recorded it meanwhile
        ReminderLog.objects.create(key=reminder.key, recipient=reminder.recipient)
