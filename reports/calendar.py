"""iCalendar feeds of reporting deadlines, read by calendar programs through a secret address."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from icalendar import Calendar, Event

from assignments.models import (
    Agency,
    Assignment,
    Meeting,
    ReportingDeadline,
    ReportingRule,
    coordinating_body_name,
)

from .models import CalendarFeed, Extension


def deadlines_for(feed):
    deadlines = (
        ReportingDeadline.objects.with_effective_date()
        .select_related("rule__directive")
        .order_by("effective")
    )
    if feed.agency_id:
        directives = Assignment.objects.filter(agency_id=feed.agency_id).values("directive_id")
        deadlines = deadlines.filter(
            rule__directive_id__in=directives, rule__reporter=ReportingRule.Reporter.AGENCIES
        )
    return deadlines


def feed_calendar(feed):
    calendar = Calendar()
    calendar.add("prodid", "-//Ket Nghia//Han bao cao//VI")
    calendar.add("version", "2.0")
    calendar.add(
        "x-wr-calname",
        _("Reporting deadlines – %(name)s")
        % {"name": feed.agency.name if feed.agency_id else coordinating_body_name()},
    )
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    extensions = {}
    if feed.agency_id:
        extensions = {
            e.deadline_id: e.granted_date
            for e in Extension.objects.filter(
                agency_id=feed.agency_id, status=Extension.Status.GRANTED
            )
        }
    stamp = timezone.now()
    for deadline in deadlines_for(feed):
        due = extensions.get(deadline.pk) or deadline.effective
        event = Event()
        event.add("uid", f"deadline-{deadline.pk}-{feed.agency_id or 'all'}@ketnghia")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))
        event.add("summary", _("Due: %(label)s") % {"label": deadline.rule.label})
        lines = [str(deadline.rule.directive)]
        if deadline.rule.recipient_list:
            lines.append(
                _("Recipients: %(list)s") % {"list": "; ".join(deadline.rule.recipient_list)}
            )
        if deadline.pk in extensions:
            lines.append(
                _("Extended for this agency (deadline %(date)s).")
                % {"date": deadline.effective.strftime("%d/%m/%Y")}
            )
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    for meeting in meetings_for(feed):
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}-{feed.agency_id or 'all'}@ketnghia")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.due_date)
        event.add("dtend", meeting.due_date + dt.timedelta(days=1))
        event.add("summary", _("Meeting due: %(name)s") % {"name": meeting.agreement.name})
        if meeting.agreement.meeting_months:
            event.add(
                "description",
                _("Every %(months)s months, as the parties agreed.")
                % {"months": meeting.agreement.meeting_months},
            )
        calendar.add_component(event)
    return calendar


def meetings_for(feed):
    """The meetings not yet held of the agreements the feed's agency is party to (all of
    them for the coordinating body's feed)."""
    meetings = Meeting.objects.filter(held_on__isnull=True).select_related("agreement")
    if feed.agency_id:
        meetings = meetings.filter(agreement__parties=feed.agency_id)
    return meetings.order_by("due_date", "pk")


@login_not_required
@require_safe
def feed(request, token):
    """The feed itself: no login (calendar programs cannot log in), the token is the key."""
    calendar_feed = (
        CalendarFeed.objects.active().filter(token=token).select_related("agency").first()
    )
    if calendar_feed is None:
        raise Http404
    response = HttpResponse(
        feed_calendar(calendar_feed).to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="han-bao-cao.ics"'
    return response


def calendar_list(request):
    """Coordinators manage agencies' feeds and their own; reporters see their agency's."""
    user = request.user
    if not (user.is_coordinator or user.is_reporter):
        raise PermissionDenied
    agencies = (
        Agency.objects.visible_to(user).in_force_on(timezone.localdate()).order_by("sort_key")
    )
    own = CalendarFeed.objects.active().filter(user=user).first() if user.is_coordinator else None
    page = Paginator(agencies, 25).get_page(request.GET.get("page"))
    feeds = {
        f.agency_id: f
        for f in CalendarFeed.objects.active().filter(agency__in=[a.pk for a in page.object_list])
    }
    rows = [(agency, feeds.get(agency.pk)) for agency in page.object_list]
    return render(
        request,
        "reports/calendar_list.html",
        {
            "rows": rows,
            "own": own,
            "page": page,
            "base": request.build_absolute_uri("/")[:-1],
        },
    )


@require_POST
def calendar_create(request, agency_pk=None):
    user = request.user
    if not user.is_coordinator:
        raise PermissionDenied
    if agency_pk is None:
        CalendarFeed.objects.active().filter(user=user).update(revoked_at=timezone.now())
        CalendarFeed.objects.create(user=user)
    else:
        agency = get_object_or_404(Agency.objects.visible_to(user), pk=agency_pk)
        CalendarFeed.objects.active().filter(agency=agency).update(revoked_at=timezone.now())
        CalendarFeed.objects.create(agency=agency)
    return redirect("reports:calendar_list")


@require_POST
def calendar_revoke(request, pk):
    user = request.user
    if not user.is_coordinator:
        raise PermissionDenied
    feed_obj = get_object_or_404(CalendarFeed.objects.active(), pk=pk)
    if feed_obj.user_id and feed_obj.user_id != user.pk:
        raise Http404
    feed_obj.revoked_at = timezone.now()
    feed_obj.save(update_fields=["revoked_at"])
    return redirect("reports:calendar_list")
