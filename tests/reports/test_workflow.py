"""The report lifecycle: draft, submit, lock, return with reason, resubmit, versions kept,
nothing to report, extensions; standing at the day boundary; concurrent review; uploads."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assignments.models import Assignment
from reports import services, timeliness
from reports.models import Activity, Report, ReviewEvent
from tests.pdfs import hand_built_pdf, make_pdf
from tests.reports.conftest import agency_of, make_submitted_report, record_activity

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_draft_is_saved_then_submitted_and_locked(reporter, march_deadline):
    report = services.report_for(deadline=march_deadline, agency=agency_of(reporter))
    services.report_save(report=report, by=reporter, fields={"results": "Nháp"})
    assert Report.objects.get().status == "draft"
    record_activity(reporter, cash_vnd=10_000_000, in_kind_vnd=2_500_000)
    services.report_save(
        report=report,
        by=reporter,
        fields={"results": "Đã thăm, tặng quà"},
        scan=ContentFile(make_pdf(), name="scan.pdf"),
    )
    services.report_submit(report=report, by=reporter)
    report.refresh_from_db()
    assert report.status == "submitted"
    version = report.versions.get()
    assert (version.number, version.results, version.cash_vnd, version.in_kind_vnd) == (
        1,
        "Đã thăm, tặng quà",
        10_000_000,
        2_500_000,
    )
    assert version.activities[0]["description"] == "Tặng quà"
    with pytest.raises(services.WorkflowError):
        services.report_save(report=report, by=reporter, fields={"results": "Sửa sau khi nộp"})
    report.refresh_from_db()
    assert report.results == "Đã thăm, tặng quà"


def test_the_report_form_lists_the_periods_activities_in_queries_that_do_not_grow(
    client, reporter, march_deadline, django_assert_max_num_queries
):
    url = reverse("reports:report_open", args=[march_deadline.pk, agency_of(reporter).pk])
    client.force_login(reporter)
    record_activity(reporter, description="Tặng quà lần 1")
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    for number in range(2, 6):
        record_activity(reporter, description=f"Tặng quà lần {number}")
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        page = client.get(url)
    assert page.content.decode().count("Tặng quà lần") == 5
    # It shows each activity's stored sums: a busy agency's hundreds of goods and works lines
    # are not loaded.
    assert not [q for q in large.captured_queries if "activitygoods" in q["sql"]]
    assert not [q for q in large.captured_queries if "activitywork" in q["sql"]]
    # The submitted version still freezes every activity's goods lines.
    version = make_submitted_report(reporter, march_deadline).versions.get()
    assert [len(a["goods_lines"]) for a in version.activities] == [1] * 5


def test_the_report_form_shows_the_latest_activities_of_a_busy_period_and_counts_them_all(
    client, reporter, march_deadline, monkeypatch
):
    from reports import views

    monkeypatch.setattr(views, "ACTIVITIES_SHOWN", 3)
    for day in range(1, 6):
        record_activity(reporter, date=dt.date(2024, 3, day), description=f"Thăm làng ngày {day}")
    client.force_login(reporter)
    page = client.get(
        reverse("reports:report_open", args=[march_deadline.pk, agency_of(reporter).pk])
    )
    html = page.content.decode()
    # The latest three are listed; all five are counted, summed and part of the report.
    assert [f"Thăm làng ngày {day}" in html for day in range(1, 6)] == [False, False] + [True] * 3
    assert "5 hoạt động trong kỳ" in html and page.context["totals"]["cash"] == 5 * 15_000_000
    version = make_submitted_report(reporter, march_deadline).versions.get()
    assert len(version.activities) == 5


def test_submitting_needs_results_or_nothing_to_report_and_a_scan(reporter, march_deadline):
    report = services.report_for(deadline=march_deadline, agency=agency_of(reporter))
    with pytest.raises(services.WorkflowError, match="kết quả"):
        services.report_submit(report=report, by=reporter)
    services.report_save(report=report, by=reporter, fields={"no_activity": True})
    with pytest.raises(services.WorkflowError, match="scan"):
        services.report_submit(report=report, by=reporter)
    services.report_save(
        report=report, by=reporter, fields={}, scan=ContentFile(make_pdf(), name="scan.pdf")
    )
    services.report_submit(report=report, by=reporter)
    report.refresh_from_db()
    assert (report.status, report.no_activity) == ("submitted", True)
    assert report.versions.get().no_activity


def test_return_revise_resubmit_accept_keeps_every_version(
    reporter, coordinator_user, march_deadline
):
    report = make_submitted_report(reporter, march_deadline, results="Bản đầu")
    with pytest.raises(services.WorkflowError):
        services.report_return(report=report, by=coordinator_user, reason="  ")
    services.report_return(
        report=report, by=coordinator_user, reason="Thiếu số liệu hộ nghèo", version_number=1
    )
    report.refresh_from_db()
    assert report.status == "returned"
    services.report_save(report=report, by=reporter, fields={"results": "Bản sửa"})
    services.report_submit(report=report, by=reporter)
    services.report_accept(report=report, by=coordinator_user, version_number=2)
    report.refresh_from_db()
    assert report.status == "accepted"
    assert list(report.versions.values_list("number", "results")) == [
        (1, "Bản đầu"),
        (2, "Bản sửa"),
    ]
    assert list(report.events.values_list("action", "reason")) == [
        ("submit", ""),
        ("return", "Thiếu số liệu hộ nghèo"),
        ("submit", ""),
        ("accept", ""),
    ]
    # The first submission time is what counts for timeliness.
    assert report.first_submitted_at == report.versions.get(number=1).submitted_at


def test_the_second_of_two_reviewers_gets_a_clear_message(
    reporter, coordinator_user, superuser, march_deadline
):
    report = make_submitted_report(reporter, march_deadline)
    # Both opened the report at version 1; the first accepts.
    services.report_accept(report=report, by=coordinator_user, version_number=1)
    with pytest.raises(services.WorkflowError) as error:
        services.report_return(report=report, by=superuser, reason="Sửa lại", version_number=1)
    assert "Đã tiếp nhận" in error.value.messages[0]
    assert "trả lại" in error.value.messages[0]
    assert ReviewEvent.objects.filter(action="return").count() == 0


def test_a_review_of_a_version_superseded_meanwhile_is_refused(
    reporter, coordinator_user, superuser, march_deadline
):
    report = make_submitted_report(reporter, march_deadline)
    services.report_return(report=report, by=coordinator_user, reason="Bổ sung", version_number=1)
    services.report_submit(report=report, by=reporter)
    with pytest.raises(services.WorkflowError, match="phiên bản mới"):
        services.report_accept(report=report, by=superuser, version_number=1)


def test_review_through_the_pages(client, reporter, coordinator_user, march_deadline):
    report = make_submitted_report(reporter, march_deadline)
    client.force_login(coordinator_user)
    queue = client.get(reverse("reports:review_queue"))
    assert agency_of(reporter).name in queue.content.decode()
    response = client.post(
        reverse("reports:report_return", args=[report.pk]),
        {"reason": "Thiếu bản ký", "version": 1},
        follow=True,
    )
    assert "Đã trả lại báo cáo" in response.content.decode()
    again = client.post(
        reverse("reports:report_accept", args=[report.pk]), {"version": 1}, follow=True
    )
    assert "không thể" in again.content.decode()
    report.refresh_from_db()
    assert report.status == "returned"


def test_the_reporter_writes_and_submits_through_the_page(client, reporter, march_deadline):
    client.force_login(reporter)
    agency = agency_of(reporter)
    url = reverse("reports:report_open", args=[march_deadline.pk, agency.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "results": "Kết quả <script>alert(1)</script>",
            "shortcomings": "",
            "directions": "",
            "proposals": "",
            "scan": SimpleUploadedFile("scan.pdf", make_pdf()),
            "submit": "1",
        },
        follow=True,
    )
    # Saved, then confirmed on the confirmation page.
    confirm = reverse("reports:report_submit", args=[Report.objects.get(agency=agency).pk])
    assert response.redirect_chain[-1][0] == confirm
    response = client.post(confirm, follow=True)
    body = response.content.decode()
    assert "Đã nộp báo cáo" in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert Report.objects.get(agency=agency).status == "submitted"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\0" * 100, "scan.pdf", "không phải là văn bản định dạng PDF"),
        (make_pdf(), "scan.pdf", "lớn hơn"),
        (
            hand_built_pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"),
            "scan.pdf",
            "Tệp PDF có nội dung chủ động (mã lệnh, hành động tự chạy hoặc tệp đính kèm)",
        ),
    ],
    ids=["renamed-exe", "oversize", "javascript"],
)
def test_bad_scans_are_refused_and_nothing_is_lost(
    client, settings, reporter, march_deadline, content, name, message
):
    if message == "lớn hơn":
        settings.UPLOAD_MAX_BYTES = 100
    client.force_login(reporter)
    agency = agency_of(reporter)
    url = reverse("reports:report_open", args=[march_deadline.pk, agency.pk])
    response = client.post(
        url, {"results": "Nội dung đã gõ", "scan": SimpleUploadedFile(name, content), "save": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "Nội dung đã gõ" in body  # what was typed is shown again, not lost
    assert not Report.objects.filter(agency=agency, deadline=march_deadline).exists()
    assert not list(settings.PRIVATE_MEDIA_ROOT.rglob("*.pdf"))  # no file kept either


def test_the_scan_is_stored_outside_static_and_media(reporter, march_deadline, settings):
    report = make_submitted_report(reporter, march_deadline)
    path = report.scan.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT) + "/")
    assert not path.startswith(str(settings.STATIC_ROOT))


def test_a_submitted_report_is_never_deleted(reporter, march_deadline):
    from django.db.models import ProtectedError

    report = make_submitted_report(reporter, march_deadline)
    with pytest.raises(ProtectedError):
        report.delete()
    assert Report.objects.filter(pk=report.pk).exists()


# --- Standing at the day boundary, in Vietnam's time zone ----------------------------------


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        (dt.datetime(2024, 3, 25, 23, 59, 59, tzinfo=HCM), "on_time"),
        (dt.datetime(2024, 3, 25, 16, 59, 59, tzinfo=dt.UTC), "on_time"),  # 23:59:59 in Hà Nội
        (dt.datetime(2024, 3, 25, 17, 0, 0, tzinfo=dt.UTC), "late"),  # 00:00 on the 26th
        (dt.datetime(2024, 3, 26, 0, 0, 0, tzinfo=HCM), "late"),
        (None, "missing"),
    ],
)
def test_standing_at_the_end_of_the_due_day(submitted, expected):
    assert timeliness.standing(dt.date(2024, 3, 25), submitted) == expected


def test_an_extension_moves_the_due_date_for_that_agency_only(
    reporter, other_reporter, coordinator_user
):
    from assignments.models import ReportingDeadline

    deadline = ReportingDeadline.objects.get(
        due_date=dt.date(2024, 11, 10), rule__reporter="agencies"
    )
    extension = services.extension_request(
        deadline=deadline,
        agency=agency_of(reporter),
        by=reporter,
        reason="Chờ số liệu xã",
        requested_date=dt.date(2024, 11, 20),
    )
    with pytest.raises(services.WorkflowError):
        services.extension_request(
            deadline=deadline,
            agency=agency_of(reporter),
            by=reporter,
            reason="Lần hai",
            requested_date=dt.date(2024, 11, 22),
        )
    services.extension_grant(
        extension=extension, by=coordinator_user, granted_date=dt.date(2024, 11, 18)
    )
    granted = services.granted_extension(deadline, agency_of(reporter))
    late_for_others = dt.datetime(2024, 11, 15, 9, 0, tzinfo=HCM)
    assert (
        timeliness.standing(
            timeliness.due_date(deadline.effective_date, granted.granted_date), late_for_others
        )
        == "on_time"
    )
    assert services.granted_extension(deadline, agency_of(other_reporter)) is None
    assert timeliness.standing(deadline.effective_date, late_for_others) == "late"
    with pytest.raises(services.WorkflowError):
        services.extension_refuse(extension=extension, by=coordinator_user, note="Muộn")


def test_a_refused_extension_keeps_the_deadline(reporter, coordinator_user, client):
    from assignments.models import ReportingDeadline

    deadline = ReportingDeadline.objects.get(
        due_date=dt.date(2025, 11, 10), rule__reporter="agencies"
    )
    extension = services.extension_request(
        deadline=deadline,
        agency=agency_of(reporter),
        by=reporter,
        reason="Bận",
        requested_date=dt.date(2025, 11, 30),
    )
    client.force_login(coordinator_user)
    response = client.post(
        reverse("reports:extension_decide", args=[extension.pk]),
        {"decision": "refuse", "note": ""},
        follow=True,
    )
    assert "Hãy nêu lý do từ chối" in response.content.decode()
    client.post(
        reverse("reports:extension_decide", args=[extension.pk]),
        {"decision": "refuse", "note": "Không có căn cứ"},
    )
    extension.refresh_from_db()
    assert extension.status == "refused"
    assert services.granted_extension(deadline, agency_of(reporter)) is None


# --- Activities and the ceremony -------------------------------------------------------------


def test_recording_the_ceremony_moves_the_assignment_to_ceremony_held(reporter):
    agency = agency_of(reporter)
    assignment = Assignment.objects.filter(agency=agency).first()
    assignment.status = "assigned"
    assignment.ceremony_date = None
    assignment.save()
    record_activity(
        reporter,
        kind=Activity.Kind.CEREMONY,
        date=dt.date(2024, 3, 16),
        description="Nhà rông làng Dip",
    )
    assignment.refresh_from_db()
    assert (assignment.status, assignment.ceremony_date) == ("ceremony_held", dt.date(2024, 3, 16))


def test_a_reporter_cannot_record_for_another_agencys_village(client, reporter, other_reporter):
    other = Assignment.objects.filter(agency=agency_of(other_reporter)).first()
    client.force_login(reporter)
    response = client.post(
        reverse("reports:activity_create"),
        {
            "assignment": other.pk,
            "date": "2024-03-10",
            "kind": "visit",
            "description": "Thăm",
            "cash_budget_vnd": 0,
            "goods-TOTAL_FORMS": 0,
            "goods-INITIAL_FORMS": 0,
            "works-TOTAL_FORMS": 0,
            "works-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_amounts_show_as_vnd(client, reporter):
    record_activity(reporter, cash_vnd=1_234_567, in_kind_vnd=0)
    client.force_login(reporter)
    assert "1.234.567 đ" in client.get(reverse("reports:activity_list")).content.decode()


# --- Audit --------------------------------------------------------------------------------------


def test_changes_are_recorded_with_who_did_them(client, reporter, coordinator_user, march_deadline):
    report = make_submitted_report(reporter, march_deadline)
    services.report_accept(report=report, by=coordinator_user)
    activity = record_activity(reporter)
    assert report.history.first().history_user == coordinator_user
    assert activity.history.get().history_user == reporter
    client.force_login(coordinator_user)
    log = client.get(reverse("reports:audit_log")).content.decode()
    assert coordinator_user.get_full_name() in log
