"""Notices: the bell (each user's own, read or unread), the emails of those who chose them,
the returned report flagged with its reason, the confirmation before submitting, the
reminders' repeats (with the head copied and extensions chased) and the agencies no
reminder can reach."""

import datetime as dt
import io
import logging

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assignments.models import Agency, ReportingDeadline, User
from reports import notices, reminders, services
from reports.models import Notice, Report
from tests.pdfs import make_pdf
from tests.reports.conftest import agency_of, make_submitted_report

D = dt.date
REASON = "Đề nghị bổ sung số hộ được hỗ trợ."


@pytest.fixture
def yearly_2025(demo):
    return ReportingDeadline.objects.get(due_date=D(2025, 11, 10), rule__reporter="agencies")


def returned_report(reporter, coordinator_user, deadline):
    report = make_submitted_report(reporter, deadline)
    return services.report_return(report=report, by=coordinator_user, reason=REASON)


# --- Notices made by the services -----------------------------------------------------------


def test_a_submission_tells_every_active_coordinator_and_nobody_else(
    reporter, coordinator_user, march_deadline
):
    away = User.objects.create_user(username="nghi", role=User.Role.COORDINATOR, is_active=False)
    report = make_submitted_report(reporter, march_deadline)
    notice = Notice.objects.get()
    assert notice.recipient == coordinator_user and notice.kind == "submitted"
    assert notice.url == reverse("reports:report_detail", args=[report.pk])
    assert str(agency_of(reporter)) in notice.text and "25/03/2024" in notice.text
    assert notice.read_at is None
    assert not away.notices.exists() and not reporter.notices.exists()


def test_a_return_tells_the_agencys_reporters_with_the_reason(
    reporter, other_reporter, coordinator_user, march_deadline
):
    report = returned_report(reporter, coordinator_user, march_deadline)
    (notice,) = reporter.notices.all()
    assert notice.kind == "returned" and REASON in notice.text
    assert notice.url == reverse("reports:report_detail", args=[report.pk])
    assert not other_reporter.notices.exists()


def test_an_acceptance_and_extension_decisions_tell_the_reporters(
    reporter, coordinator_user, march_deadline, yearly_2025
):
    report = make_submitted_report(reporter, march_deadline)
    services.report_accept(report=report, by=coordinator_user)
    assert reporter.notices.get().kind == "accepted"
    agency = agency_of(reporter)
    asked = services.extension_request(
        deadline=yearly_2025,
        agency=agency,
        by=reporter,
        reason="Chờ số liệu",
        requested_date=D(2025, 11, 30),
    )
    services.extension_grant(extension=asked, by=coordinator_user, granted_date=D(2025, 11, 25))
    granted = reporter.notices.get(kind="extension")
    assert "25/11/2025" in granted.text and granted.url == reverse("reports:extension_list")


def test_a_refused_extension_tells_whoever_asked(reporter, coordinator_user, yearly_2025):
    asked = services.extension_request(
        deadline=yearly_2025,
        agency=agency_of(reporter),
        by=reporter,
        reason="Chờ số liệu",
        requested_date=D(2025, 11, 30),
    )
    services.extension_refuse(
        extension=asked, by=coordinator_user, note="Không có lý do chính đáng"
    )
    assert "Không có lý do chính đáng" in reporter.notices.get(kind="extension").text


def test_a_moved_deadline_tells_the_reporters_of_the_agencies_expected_there(
    reporter, other_reporter, coordinator_user, yearly_2025
):
    services.deadline_move(
        deadline=yearly_2025, new_date=D(2025, 11, 14), reason="Trùng ngày lễ", by=coordinator_user
    )
    for user in (reporter, other_reporter):
        notice = user.notices.get(kind="deadline_moved")
        assert "10/11/2025" in notice.text and "14/11/2025" in notice.text
        assert "Trùng ngày lễ" in notice.text
    assert not coordinator_user.notices.exists()


def test_a_long_reason_is_clipped_to_the_notices_length(reporter, coordinator_user, march_deadline):
    report = make_submitted_report(reporter, march_deadline)
    services.report_return(report=report, by=coordinator_user, reason="x" * 2000)
    text = reporter.notices.get().text
    assert len(text) == notices.TEXT_LENGTH and text.endswith("…")


# --- Emails ---------------------------------------------------------------------------------


def test_emails_go_after_the_commit_to_those_who_chose_them(
    reporter, coordinator_user, march_deadline, django_capture_on_commit_callbacks
):
    User.objects.create_user(
        username="dieuphoi2", email="dp2@example.invalid", role=User.Role.COORDINATOR
    )
    coordinator_user.notify_by_email = True
    coordinator_user.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = make_submitted_report(reporter, march_deadline)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    (email,) = mail.outbox
    assert email.to == [coordinator_user.email]
    assert reverse("reports:report_detail", args=[report.pk]) in email.body

    reporter.notify_by_email = True
    reporter.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(report=report, by=coordinator_user, reason=REASON)
    (email,) = mail.outbox
    assert email.to == [reporter.email] and REASON in email.body
    assert email.alternatives[0][1] == "text/html"


def test_a_failing_mail_server_is_logged_and_the_submission_stands(
    reporter,
    coordinator_user,
    march_deadline,
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
):
    coordinator_user.notify_by_email = True
    coordinator_user.save()

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with (
        caplog.at_level(logging.ERROR, logger="reports.notices"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = make_submitted_report(reporter, march_deadline)
    assert Report.objects.get(pk=report.pk).status == "submitted"
    assert coordinator_user.notices.count() == 1
    assert "SMTP down" in caplog.text


# --- The bell and the notices page ----------------------------------------------------------


def make_notices(user, count, start=0):
    Notice.objects.bulk_create(
        Notice(recipient=user, kind="reminder", text=f"Thông báo {start + i}", url="/deadlines/")
        for i in range(count)
    )


def test_the_bell_counts_the_users_unread_notices_in_one_query(
    client, reporter, other_reporter, django_assert_num_queries
):
    make_notices(reporter, 3)
    make_notices(other_reporter, 5)
    reporter.notices.filter(text="Thông báo 0").update(read_at=timezone.now())
    client.force_login(reporter)
    url = reverse("reports:my_settings")
    body = client.get(url).content.decode()
    assert 'class="bell unread"' in body and 'aria-label="unread">2</span>' in body.replace(
        'aria-label="chưa đọc"', 'aria-label="unread"'
    )
    # The page's own queries (session, user) and exactly one for the bell.
    client.get(url)
    with django_assert_num_queries(3) as counted:
        client.get(url)
    assert sum("reports_notice" in q["sql"] for q in counted.captured_queries) == 1


def test_an_anonymous_page_asks_nothing_about_notices(client, demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(5) as counted:
        assert client.get(reverse("login")).status_code == 200
    assert not any("reports_notice" in q["sql"] for q in counted.captured_queries)


def test_the_notices_page_lists_the_users_own_newest_first_in_constant_queries(
    client, reporter, other_reporter, django_assert_max_num_queries
):
    make_notices(reporter, 3)
    make_notices(other_reporter, 2, start=100)
    client.force_login(reporter)
    url = reverse("reports:notice_list")
    with django_assert_max_num_queries(10) as few:
        body = client.get(url).content.decode()
    assert body.index("Thông báo 2") < body.index("Thông báo 0")
    assert "Thông báo 100" not in body
    make_notices(reporter, 60, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert "Thông báo 62" in body and "Thông báo 0" not in body  # page 1 of 3


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, reporter, other_reporter):
    make_notices(reporter, 2)
    make_notices(other_reporter, 1)
    notice = reporter.notices.first()
    client.force_login(reporter)
    response = client.post(reverse("reports:notice_open", args=[notice.pk]))
    assert response.status_code == 302 and response.url == "/deadlines/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    theirs = other_reporter.notices.get()
    assert client.post(reverse("reports:notice_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notice_never_leads_off_the_site(client, reporter):
    notice = Notice.objects.create(
        recipient=reporter, kind="reminder", text="x", url="https://example.com/"
    )
    client.force_login(reporter)
    response = client.post(reverse("reports:notice_open", args=[notice.pk]))
    assert response.url == reverse("reports:notice_list")


def test_mark_all_read_touches_only_the_users_notices(client, reporter, other_reporter):
    make_notices(reporter, 3)
    make_notices(other_reporter, 2)
    client.force_login(reporter)
    client.post(reverse("reports:notice_read_all"))
    assert not reporter.notices.unread().exists()
    assert other_reporter.notices.unread().count() == 2


def test_a_user_chooses_notices_by_email_on_the_settings_page(client, coordinator_user):
    client.force_login(coordinator_user)
    assert client.get(reverse("reports:my_settings")).status_code == 200
    response = client.post(reverse("reports:my_settings"), {"notify_by_email": "on"})
    assert response.status_code == 302
    coordinator_user.refresh_from_db()
    assert coordinator_user.notify_by_email
    client.post(reverse("reports:my_settings"), {})
    coordinator_user.refresh_from_db()
    assert not coordinator_user.notify_by_email


# --- The returned report flagged; extensions offered only ahead -----------------------------


def test_a_returned_report_is_flagged_with_its_reason_on_the_reporters_pages(
    client, reporter, coordinator_user, march_deadline
):
    report = returned_report(reporter, coordinator_user, march_deadline)
    client.force_login(reporter)
    for url in (
        reverse("home"),
        reverse("agency_detail", args=[agency_of(reporter).pk]),
        reverse("reports:deadline_list"),
        reverse("reports:report_detail", args=[report.pk]),
    ):
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert 'class="card alert returned-flag"' in body, url
        assert REASON in body, url


def test_returned_is_said_once_in_the_deadlines_row(
    client, reporter, coordinator_user, march_deadline
):
    returned_report(reporter, coordinator_user, march_deadline)
    client.force_login(reporter)
    body = client.get(reverse("reports:deadline_list")).content.decode()
    table = body[body.index("<tbody>") :]
    row = next(r for r in table.split("<tr>") if "25/03/2024" in r)
    assert row.count("Bị trả lại") == 1


def test_more_time_is_offered_only_for_deadlines_ahead(client, reporter, march_deadline):
    agency = agency_of(reporter)
    client.force_login(reporter)
    body = client.get(reverse("reports:deadline_list")).content.decode()
    past = reverse("reports:extension_request", args=[march_deadline.pk, agency.pk])
    assert past not in body
    response = client.get(past, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:deadline_list")
    today = timezone.localdate()
    ahead = (
        ReportingDeadline.objects.with_effective_date()
        .filter(rule__reporter="agencies", effective__gte=today)
        .order_by("effective")
        .first()
    )
    if ahead is not None and ahead.expected_agencies().filter(pk=agency.pk).exists():
        url = reverse("reports:extension_request", args=[ahead.pk, agency.pk])
        assert client.get(url).status_code == 200


# --- Confirmation before submitting ---------------------------------------------------------


def draft(reporter, deadline, **fields):
    report = services.report_for(deadline=deadline, agency=agency_of(reporter))
    return services.report_save(
        report=report,
        by=reporter,
        fields={"results": "Đã tổ chức lễ kết nghĩa.", **fields},
        scan=ContentFile(make_pdf(), name="scan.pdf"),
    )


def test_the_forms_submit_button_asks_for_confirmation_first(client, reporter, march_deadline):
    report = draft(reporter, march_deadline)
    client.force_login(reporter)
    url = reverse("reports:report_open", args=[march_deadline.pk, report.agency_id])
    response = client.post(url, {"results": "Đã tổ chức lễ kết nghĩa.", "submit": "1"})
    confirm = reverse("reports:report_submit", args=[report.pk])
    assert response.status_code == 302 and response.url == confirm
    report.refresh_from_db()
    assert report.status == "draft"  # saved, not submitted
    page = client.get(confirm).content.decode()
    assert "Sau khi nộp" in page  # needs the merged catalogue
    assert f'action="{confirm}"' in page and "Đã tổ chức lễ kết nghĩa." in page
    response = client.post(confirm, {"confirm": "1"}, follow=True)
    assert "Đã nộp báo cáo" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"
    # Asked again for a submitted report: back to its page, nothing changes.
    response = client.get(confirm)
    assert response.url == reverse("reports:report_detail", args=[report.pk])
    assert report.versions.count() == 1


def test_an_incomplete_report_is_sent_back_to_its_form_not_to_the_confirmation(
    client, reporter, march_deadline
):
    report = services.report_for(deadline=march_deadline, agency=agency_of(reporter))
    client.force_login(reporter)
    url = reverse("reports:report_open", args=[march_deadline.pk, report.agency_id])
    response = client.post(url, {"results": "", "submit": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Hãy ghi kết quả đạt được" in response.content.decode()
    response = client.get(reverse("reports:report_submit", args=[report.pk]), follow=True)
    assert response.redirect_chain[-1][0] == url
    report.refresh_from_db()
    assert report.status == "draft"


# --- Reminders: the schedule ----------------------------------------------------------------


DUE = D(2025, 11, 10)


def steps(before=(7, 1), repeats=(1, 7, 14)):
    """Which reminder each day from 10 days before to 40 days after gets."""
    return {
        day: step
        for offset in range(-10, 41)
        if (
            step := reminders.reminder_step(
                DUE, (day := DUE + dt.timedelta(days=offset)), before=before, repeats=repeats
            )
        )
    }


def test_the_schedule_reminds_before_and_repeats_on_the_configured_days_only():
    assert steps() == {
        D(2025, 11, 3): ("before", 7),
        D(2025, 11, 9): ("before", 1),
        D(2025, 11, 11): ("overdue", 1),
        D(2025, 11, 12): ("overdue", 1),  # the same repeat: its key was already used
        **{DUE + dt.timedelta(days=n): ("overdue", 1) for n in range(3, 7)},
        **{DUE + dt.timedelta(days=n): ("overdue", 2) for n in range(7, 14)},
        **{DUE + dt.timedelta(days=n): ("overdue", 3) for n in range(14, 31)},
    }
    # Past the window nothing is chased any more.
    assert reminders.reminder_step(DUE, DUE + dt.timedelta(days=31), before=(7, 1)) is None


def test_the_repeat_days_come_from_the_settings(settings):
    settings.REMINDER_REPEAT_DAYS = [3, 10]
    assert reminders.reminder_step(DUE, D(2025, 11, 12), before=()) is None
    assert reminders.reminder_step(DUE, D(2025, 11, 13), before=()) == ("overdue", 1)
    assert reminders.reminder_step(DUE, D(2025, 11, 20), before=()) == ("overdue", 2)


def send_reminders(date):
    call_command("send_reminders", "--date", date.strftime("%d/%m/%Y"), stdout=io.StringIO())


def agency_mail(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_missed_deadline_is_chased_on_each_repeat_once_with_the_head_from_the_second(
    reporter, coordinator_user, yearly_2025
):
    agency = agency_of(reporter)
    Agency.objects.filter(pk=agency.pk).update(head_email="giamdoc@example.invalid")
    sent = []
    for offset in range(1, 20):
        before = len(agency_mail(reporter))
        send_reminders(DUE + dt.timedelta(days=offset))
        sent += [(offset, message) for message in agency_mail(reporter)[before:]]
    assert [offset for offset, _message in sent] == [1, 7, 14]  # nothing twice, right days
    sent_on = dict(sent)
    assert sent_on[1].cc == []
    assert sent_on[7].cc == ["giamdoc@example.invalid"]
    assert sent_on[14].cc == ["giamdoc@example.invalid"]
    assert "Quá hạn" in sent_on[7].subject


def test_an_extension_is_reminded_before_its_new_date_and_chased_after_it(
    reporter, coordinator_user, yearly_2025
):
    asked = services.extension_request(
        deadline=yearly_2025,
        agency=agency_of(reporter),
        by=reporter,
        reason="Chờ số liệu",
        requested_date=D(2025, 12, 20),
    )
    new_date = D(2025, 12, 20)
    services.extension_grant(extension=asked, by=coordinator_user, granted_date=new_date)
    sent = []
    for offset in range(-10, 60):
        day = DUE + dt.timedelta(days=offset)
        before = len(agency_mail(reporter))
        send_reminders(day)
        sent += [(day, message) for message in agency_mail(reporter)[before:]]
    sent_on = dict(sent)
    assert len(sent_on) == len(sent)  # nothing twice
    # Before the original date (the extension was granted later in real life; here from the
    # start): nothing for the old date, the new date's own schedule instead.
    assert sorted(sent_on) == [
        D(2025, 12, 13),  # 7 days before the new date
        D(2025, 12, 19),  # 1 day before
        D(2025, 12, 21),  # chased after it, 1 day
        D(2025, 12, 27),  # 7 days
        D(2026, 1, 3),  # 14 days
    ]
    assert all("20/12/2025" in m.subject for m in sent_on.values())


# --- Who cannot be reminded -----------------------------------------------------------------


def test_the_dashboard_lists_the_agencies_no_reminder_can_reach(
    client, coordinator_user, reporter, django_assert_num_queries
):
    today = timezone.localdate()
    deadlines = list(
        ReportingDeadline.objects.with_effective_date()
        .filter(rule__reporter="agencies", effective__lte=today)
        .order_by("-effective")[:1]
    )
    from reports import tracking

    agencies = tracking.agencies_of(tracking.compliance(deadlines))
    own = agency_of(reporter)
    assert own.pk in agencies
    Agency.objects.filter(pk=own.pk).update(email="")
    User.objects.filter(pk=reporter.pk).update(email="")
    agencies[own.pk].email = ""
    with django_assert_num_queries(1):
        found = reminders.unreachable(agencies)
    assert own in found
    assert next(a for a in found if a == own).missing == reminders.UNREACHABLE_NO_EMAIL
    client.force_login(coordinator_user)
    body = client.get(reverse("reports:dashboard")).content.decode()
    assert 'class="card unreachable"' in body and own.name in body
