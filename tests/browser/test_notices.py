"""The notices in a real browser (desktop): the reporter submits through the confirmation
page, the coordinator's bell shows it and opening the notice marks it read and leads to the
report; the coordinator returns it with a reason and the reporter's home flags it with the
reason, the bell counting it. Screenshots in test-artefacts/browser/notices/."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from assignments.models import ReportingDeadline, User
from reports import services
from reports.models import Notice, Report
from tests.browser.test_reporting_flow import Session, browser  # noqa: F401
from tests.pdfs import make_pdf

REASON = "Đề nghị bổ sung số hộ nghèo được hỗ trợ."


class NoticeSession(Session):
    folder = "notices"

    def bell_count(self):
        badge = self.page.locator(".bell .badge")
        return badge.inner_text() if badge.count() else ""


@pytest.mark.django_db(transaction=True)
def test_submission_and_return_notices_reach_the_bell_and_the_home_page(
    browser,  # noqa: F811
    live_server,
    tmp_path,
    settings,
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)
    user = User.objects.get(username="vhttdl")
    agency = user.agencies.get()
    deadline = ReportingDeadline.objects.get(due_date="2024-03-25")
    report = services.report_save(
        report=services.report_for(deadline=deadline, agency=agency),
        by=user,
        fields={"results": "Đã tổ chức lễ kết nghĩa và tặng quà."},
        scan=ContentFile(make_pdf(), name="scan.pdf"),
    )

    reporter = NoticeSession(browser, live_server, "reporter")
    reporter.login("vhttdl")
    reporter.page.wait_for_selector("h1")
    reporter.goto(f"/reports/{deadline.pk}/{agency.pk}/")
    reporter.page.click("button[name=submit]")
    reporter.page.wait_for_selector("button[name=confirm]")
    reporter.shot("confirm-submission")
    report.refresh_from_db()
    assert report.status == "draft"  # not before the confirmation
    reporter.page.click("button[name=confirm]")
    reporter.page.wait_for_selector("text=Đã nộp báo cáo.")
    report.refresh_from_db()
    assert report.status == "submitted"

    coordinator = NoticeSession(browser, live_server, "coordinator")
    coordinator.login("dieuphoi")
    coordinator.page.wait_for_selector("h1:has-text('Tổng quan')")
    assert coordinator.bell_count() == "1"
    coordinator.page.click(".bell")
    coordinator.page.wait_for_selector(".notice.unread")
    assert agency.name in coordinator.page.locator(".notice.unread").inner_text()
    coordinator.shot("notices")
    coordinator.page.click(".notice.unread button")
    coordinator.page.wait_for_url(f"**/reports/{report.pk}/")
    assert Notice.objects.get(recipient__username="dieuphoi").read_at is not None
    assert coordinator.bell_count() == ""
    coordinator.page.fill("textarea[name=reason]", REASON)
    coordinator.page.click("button:has-text('Trả lại')")
    coordinator.page.wait_for_selector("text=Đã trả lại báo cáo")
    coordinator.shot("returned")

    reporter.goto("/")
    reporter.page.wait_for_selector(".returned-flag")
    flag = reporter.page.locator(".returned-flag").inner_text()
    assert REASON in flag and deadline.rule.label in flag
    assert reporter.bell_count() == "1"
    reporter.shot("home-returned-flag")
    reporter.page.click(".bell")
    reporter.page.click(".notice.unread button")
    reporter.page.wait_for_url(f"**/reports/{report.pk}/")
    assert REASON in reporter.page.locator(".returned-flag").inner_text()
    reporter.shot("returned-report")
    assert Report.objects.get().status == "returned"
    assert reporter.violations == [] and coordinator.violations == []
