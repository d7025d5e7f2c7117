"""Notices of the reporting workflow: in the application (the bell) for everyone concerned,
and by email for those who chose it (``User.notify_by_email``). The services call these
functions inside their transaction, so a notice exists exactly when its change does; the
text is written at once in the site's language (a notice is a record of what happened, not
a label), and emails leave only after the transaction commits."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from assignments.models import AgencyMembership, ReportingDeadline, User

from .models import Notice, Report, ReviewEvent

log = logging.getLogger(__name__)

TEXT_LENGTH = Notice._meta.get_field("text").max_length


def _title(deadline):
    """What a notice names: the report's label with its date (a yearly label repeats)."""
    return f"{deadline.rule.label} ({deadline.effective_date:%d/%m/%Y})"


def coordinators():
    return User.objects.filter(is_active=True, role=User.Role.COORDINATOR)


def reporters(agency_ids):
    """The active reporters of the agencies (a reporter of a merged party belongs to both)."""
    return User.objects.filter(
        is_active=True,
        role=User.Role.REPORTER,
        pk__in=AgencyMembership.objects.filter(agency_id__in=agency_ids).values("user_id"),
    )


def _clip(text):
    return text if len(text) <= TEXT_LENGTH else text[: TEXT_LENGTH - 1] + "…"


def notify(users, *, kind, text, url):
    """One unread notice for each of ``users``."""
    Notice.objects.bulk_create(
        [Notice(recipient=user, kind=kind, text=_clip(text), url=url) for user in users]
    )


def _send(messages):
    for message in messages:
        try:
            message.send()
        except Exception:  # the change is made and recorded; a mail server down must not undo it
            log.exception("Notice email to %s failed", ", ".join(message.to))


def email_after_commit(users, *, subject, template, context):
    """Email the users who asked for notices by email, once the transaction commits; a
    failure is logged, never raised (the notice in the application remains)."""
    addresses = sorted({u.email for u in users if u.notify_by_email and u.email})
    if not addresses:
        return
    context = {**context, "site": settings.SITE_URL}
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    messages = []
    for address in addresses:
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    transaction.on_commit(lambda: _send(messages))


def report_submitted(report, version):
    """To every active coordinator: in the application, and by email to those who chose it."""
    users = list(coordinators())
    url = reverse("reports:report_detail", args=[report.pk])
    with translation.override(settings.LANGUAGE_CODE):
        title = _title(report.deadline)
        notify(
            users,
            kind=Notice.Kind.SUBMITTED,
            text=_("%(agency)s submitted “%(report)s” (version %(number)d).")
            % {"agency": report.agency, "report": title, "number": version.number},
            url=url,
        )
        email_after_commit(
            users,
            subject=_("Report submitted: %(report)s – %(agency)s")
            % {"report": title, "agency": report.agency},
            template="report_submitted",
            context={"report": report, "version": version, "title": title, "url": url},
        )


def report_returned(report, reason):
    """To the agency's reporters, with the reason; by email to those who chose it."""
    users = list(reporters([report.agency_id]))
    url = reverse("reports:report_detail", args=[report.pk])
    with translation.override(settings.LANGUAGE_CODE):
        title = _title(report.deadline)
        notify(
            users,
            kind=Notice.Kind.RETURNED,
            text=_("“%(report)s” of %(agency)s was returned for revision: %(reason)s")
            % {"report": title, "agency": report.agency, "reason": reason},
            url=url,
        )
        email_after_commit(
            users,
            subject=_("Report returned for revision: %(report)s") % {"report": title},
            template="report_returned",
            context={"report": report, "title": title, "reason": reason, "url": url},
        )


def report_accepted(report):
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            reporters([report.agency_id]),
            kind=Notice.Kind.ACCEPTED,
            text=_("“%(report)s” of %(agency)s was accepted.")
            % {"report": _title(report.deadline), "agency": report.agency},
            url=reverse("reports:report_detail", args=[report.pk]),
        )


def extension_decided(extension):
    """To whoever asked and the agency's other reporters."""
    users = {u.pk: u for u in reporters([extension.agency_id])}
    if extension.requested_by.is_active:
        users.setdefault(extension.requested_by_id, extension.requested_by)
    values = {"report": _title(extension.deadline), "agency": extension.agency}
    with translation.override(settings.LANGUAGE_CODE):
        if extension.status == extension.Status.GRANTED:
            text = _("More time for “%(report)s” (%(agency)s) was granted: new date %(date)s.") % {
                **values,
                "date": f"{extension.granted_date:%d/%m/%Y}",
            }
        else:
            text = _(
                "The request for more time for “%(report)s” (%(agency)s) was refused: %(note)s"
            ) % {**values, "note": extension.decision_note}
        notify(
            users.values(),
            kind=Notice.Kind.EXTENSION,
            text=text,
            url=reverse("reports:extension_list"),
        )


def deadline_moved(deadline, old_date, reason):
    """To the reporters of the agencies expected at the deadline (none for the coordinating
    body's own deadlines: its staff moved it)."""
    from . import tracking

    deadline = (
        ReportingDeadline.objects.with_effective_date().select_related("rule").get(pk=deadline.pk)
    )
    if deadline.effective_date == old_date:
        return
    columns = tracking.compliance([deadline])
    agency_ids = {pk for column in columns for pk in column.cells}
    if not agency_ids:
        return
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            reporters(agency_ids),
            kind=Notice.Kind.DEADLINE_MOVED,
            text=_("The deadline “%(report)s” was moved from %(old)s to %(new)s: %(reason)s")
            % {
                "report": deadline.rule.label,
                "old": f"{old_date:%d/%m/%Y}",
                "new": f"{deadline.effective_date:%d/%m/%Y}",
                "reason": reason,
            },
            url=reverse("reports:deadline_list"),
        )


def returned_with_reasons(reports):
    """The returned reports among ``reports`` (a queryset), each with ``return_reason`` and
    ``returned_at`` from its latest return: two queries."""
    returned = list(
        reports.filter(status=Report.Status.RETURNED)
        .select_related("deadline__rule", "agency")
        .order_by("-pk")
    )
    events = {}
    for event in ReviewEvent.objects.filter(
        report__in=[r.pk for r in returned], action=ReviewEvent.Action.RETURN
    ).order_by("at", "pk"):
        events[event.report_id] = event  # the latest wins
    for report in returned:
        event = events.get(report.pk)
        report.return_reason = event.reason if event else ""
        report.returned_at = event.at if event else None
    return returned
