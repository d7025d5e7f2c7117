"""The main path in a real browser (Debian's chromium driven by Playwright): the reporter
records an activity and submits a report; the coordinator returns it with a reason; the
reporter resubmits; the coordinator accepts. Each page visited is saved as a screenshot in
test-artefacts/browser/."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from reports.models import Report
from tests.pdfs import make_pdf

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(settings.BASE_DIR) / "test-artefacts" / "browser"
PASSWORD = "ketnghia-demo"


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API runs an event loop in this thread; the ORM calls of the
    # test are ordinary synchronous code, so Django's async guard is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    assert Path(CHROMIUM).exists(), "chromium is missing: run `make test` as root to install it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Session:
    """One person's browser tab; remembers CSP violations and takes screenshots (in the
    class's ``folder`` under test-artefacts/browser/). A subclass sets ``device`` for another
    screen (a phone)."""

    folder = ""
    device = {"viewport": {"width": 1280, "height": 900}}

    def __init__(self, browser, live_server, name):
        self.context = browser.new_context(locale="en-US", **self.device)
        self.page = self.context.new_page()
        self.base = live_server.url
        self.name = name
        self.violations = []
        self.page.on("console", self._console)
        self.shots = 0

    def _console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.violations.append(message.text)

    def goto(self, path):
        self.page.goto(self.base + path)

    def shot(self, label):
        folder = ARTEFACTS / self.folder
        folder.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        self.page.screenshot(
            path=folder / f"{self.name}-{self.shots:02d}-{label}.png", full_page=True
        )

    def login(self, username):
        self.goto("/accounts/login/")
        self.shot("login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_report_goes_from_reporter_to_coordinator_and_back(
    browser, live_server, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)
    scan = tmp_path / "bao-cao-ky.pdf"
    scan.write_bytes(make_pdf())

    reporter = Session(browser, live_server, "reporter")
    reporter.login("vhttdl")
    reporter.page.wait_for_selector("h1:has-text('Sở Văn hóa, Thể thao và Du lịch')")
    assert "Đơn vị của tôi" in reporter.page.content()  # Vietnamese for an English browser
    reporter.shot("my-agency")
    reporter.page.set_viewport_size({"width": 390, "height": 844})  # a phone
    reporter.shot("my-agency-phone")
    reporter.page.set_viewport_size({"width": 1280, "height": 900})

    reporter.page.click("nav >> text=Hoạt động kết nghĩa")
    reporter.page.click("text=Ghi nhận hoạt động")
    reporter.shot("activity-form")
    reporter.page.select_option(
        "select[name=assignment]", label="Sở Văn hóa, Thể thao và Du lịch – làng Dip"
    )
    reporter.page.fill("input[name=date]", "2024-03-10")
    reporter.page.select_option("select[name=kind]", "gifts")
    reporter.page.fill("textarea[name=description]", "Tặng quà cho 50 hộ nghèo làng Dip")
    reporter.page.fill("input[name=cash_budget_vnd]", "15000000")
    reporter.page.fill("input[name=goods-0-item]", "suất quà, mỗi suất 20 kg gạo")
    reporter.page.fill("input[name=goods-0-quantity]", "50")
    reporter.page.fill("input[name=goods-0-unit]", "suất")
    reporter.page.fill("input[name=goods-0-weight_kg]", "1000")
    reporter.page.fill("input[name=goods-0-value_vnd]", "5000000")
    reporter.page.fill("input[name=beneficiary_poor_households]", "50")
    reporter.page.click("button:has-text('Lưu')")
    reporter.page.wait_for_selector("text=15.000.000 đ")
    assert "5.000.000 đ" in reporter.page.content()
    reporter.shot("activities")

    reporter.page.click("nav >> text=Hạn báo cáo và tình hình nộp")
    reporter.shot("deadlines")
    reporter.page.locator("tr", has_text="25/03/2024").get_by_role(
        "link", name="Lập báo cáo"
    ).click()
    reporter.page.fill("textarea[name=results]", "Đã tổ chức lễ kết nghĩa và tặng quà.")
    reporter.page.set_input_files("input[name=scan]", str(scan))
    reporter.shot("report-form")
    reporter.page.click("button[name=submit]")
    reporter.page.click("button[name=confirm]")  # the confirmation page
    reporter.page.wait_for_selector("text=Đã nộp báo cáo.")
    reporter.shot("report-submitted")
    report = Report.objects.get()
    assert report.status == "submitted"

    coordinator = Session(browser, live_server, "coordinator")
    coordinator.login("dieuphoi")
    coordinator.page.wait_for_selector("h1:has-text('Tổng quan')")
    coordinator.page.click("nav >> text=Báo cáo chờ xem xét")
    coordinator.shot("review-queue")
    coordinator.page.click("text=Báo cáo kết quả tổ chức, triển khai công tác kết nghĩa")
    coordinator.page.wait_for_selector("text=15.000.000 đ")
    coordinator.shot("report")
    coordinator.page.fill("textarea[name=reason]", "Đề nghị bổ sung số hộ được hỗ trợ.")
    coordinator.page.click("button:has-text('Trả lại')")
    coordinator.page.wait_for_selector("text=Đã trả lại báo cáo")
    coordinator.shot("returned")

    reporter.goto(f"/reports/{report.pk}/")
    reporter.page.wait_for_selector("text=Đề nghị bổ sung số hộ được hỗ trợ.")
    reporter.shot("returned-report")
    reporter.page.click("text=Chỉnh sửa báo cáo")
    reporter.page.fill(
        "textarea[name=results]", "Đã tổ chức lễ kết nghĩa; tặng quà cho 50 hộ nghèo."
    )
    reporter.page.click("button[name=submit]")
    reporter.page.click("button[name=confirm]")  # the confirmation page
    reporter.page.wait_for_selector("text=Đã nộp báo cáo.")
    reporter.shot("resubmitted")

    coordinator.goto(f"/reports/{report.pk}/")
    coordinator.page.click("button:has-text('Tiếp nhận')")
    coordinator.page.wait_for_selector("text=Đã tiếp nhận báo cáo.")
    coordinator.shot("accepted")

    report.refresh_from_db()
    assert report.status == "accepted"
    assert list(report.versions.values_list("number", flat=True)) == [1, 2]
    assert reporter.violations == [] and coordinator.violations == []


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_reads_the_dashboard_and_the_matrix(
    browser, live_server, tmp_path, settings
):
    from django.utils import timezone

    from reports import synthetic

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, verbosity=0)
    synthetic.generate(
        {
            "districts": 3,
            "communes": 8,
            "villages": 40,
            "agencies": 25,
            "assignments": 60,
            "activities": 400,
        },
        seed=3,
    )
    coordinator = Session(browser, live_server, "tracking")
    coordinator.login("dieuphoi")
    coordinator.page.wait_for_selector("h1:has-text('Tổng quan')")
    assert coordinator.page.locator("svg.chart rect").count() > 0
    assert "thôn, làng đồng bào DTTS hiện có cơ quan chủ trì" in coordinator.page.content()
    coordinator.shot("dashboard")
    coordinator.page.select_option("select[name=kind]", "armed_forces")
    coordinator.page.click("form.filters button")
    coordinator.page.wait_for_url("**kind=armed_forces**")
    coordinator.shot("dashboard-filtered")
    coordinator.page.click("nav >> text=Bảng theo dõi nộp báo cáo")
    coordinator.page.wait_for_selector("table.matrix")
    coordinator.shot("matrix")
    coordinator.goto(f"/compliance/?year={timezone.localdate().year - 1}")
    cells = coordinator.page.locator("table.matrix td.cell")
    assert cells.count() > 0
    coordinator.shot("matrix-last-year")
    with coordinator.page.expect_download() as download:
        coordinator.page.click("text=Tải tệp .xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert coordinator.violations == []


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_previews_then_confirms_a_merger(browser, live_server, tmp_path, settings):
    from assignments.models import Agency, Assignment, RestructuringEvent

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)
    coordinator = Session(browser, live_server, "restructuring")
    coordinator.login("dieuphoi")
    coordinator.page.wait_for_selector("h1:has-text('Tổng quan')")
    transport = Agency.objects.get(name="Sở Giao thông vận tải")
    coordinator.goto(f"/agencies/{transport.pk}/")
    coordinator.page.click("text=Sáp nhập vào cơ quan, đơn vị khác")
    coordinator.page.select_option("select[name=successor]", label="Sở Xây dựng")
    coordinator.page.fill("input[name=date]", "01/03/2025")
    coordinator.page.fill("input[name=document_reference]", "Quyết định số 12/QĐ-UBND (thử)")
    coordinator.shot("merge-form")
    coordinator.page.click("button[value=preview]")
    coordinator.page.wait_for_selector("text=Những việc sẽ thực hiện")
    assert "chuyển tiếp từ ngày 01/03/2025" in coordinator.page.content()
    assert not RestructuringEvent.objects.exists()
    coordinator.shot("merge-preview")
    coordinator.page.click("button[value=confirm]")
    coordinator.page.wait_for_selector("text=Đã ghi nhận")
    coordinator.shot("restructurings")
    assert RestructuringEvent.objects.get().kind == "agency_merge"
    held = Assignment.objects.in_force_on(dt.date(2025, 3, 1))
    assert not held.filter(agency=transport).exists()
    assert coordinator.violations == []


@pytest.mark.django_db(transaction=True)
def test_select_all_on_the_export_page_works_under_the_content_security_policy(
    browser, live_server, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)
    admin = Session(browser, live_server, "export")
    admin.login("quantri")
    admin.page.wait_for_url("**/")
    admin.goto("/admin/assignments/agency/export/")
    toggle = admin.page.locator("input.select-toggle")
    fields = admin.page.locator('.selectable-field-export-row input[type="checkbox"]:visible')
    fields = fields.and_(admin.page.locator(":not(.select-toggle)"))
    assert fields.count() > 2
    assert all(box.is_checked() for box in fields.all())
    toggle.uncheck()
    assert not any(box.is_checked() for box in fields.all())
    admin.shot("none-selected")
    toggle.check()
    assert all(box.is_checked() for box in fields.all())
    assert admin.violations == []


@pytest.mark.django_db(transaction=True)
def test_the_reporter_plans_the_year_and_the_coordinator_accepts_the_plan(
    browser, live_server, tmp_path, settings
):
    from assignments.models import Directive, User
    from tests.reports.conftest import plan_rule

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)
    plan_rule(
        Directive.objects.get(number="345/UBND-NC"),
        User.objects.get(username="dieuphoi"),
        last_year=2024,
    )
    scan = tmp_path / "ke-hoach-ky.pdf"
    scan.write_bytes(make_pdf())

    reporter = Session(browser, live_server, "plan")
    reporter.login("vhttdl")
    reporter.page.wait_for_selector("h1:has-text('Sở Văn hóa, Thể thao và Du lịch')")
    reporter.page.click("nav >> text=Hạn báo cáo và tình hình nộp")
    reporter.page.locator("tr", has_text="15/12/2024").get_by_role(
        "link", name="Lập kế hoạch"
    ).click()
    reporter.page.fill("textarea[name=objectives]", "Hỗ trợ sinh kế, giảm nghèo bền vững.")
    reporter.page.select_option("select[name=planned-0-period]", "q1")
    reporter.page.select_option("select[name=planned-0-kind]", "gifts")
    reporter.page.fill("textarea[name=planned-0-description]", "Thăm, chúc Tết, tặng quà")
    reporter.page.fill("input[name=planned-0-budget_vnd]", "10000000")
    reporter.page.select_option("select[name=planned-1-period]", "m7")
    reporter.page.select_option("select[name=planned-1-assignment]", label="làng Dip, xã Ia Kreng")
    reporter.page.select_option("select[name=planned-1-kind]", "production")
    reporter.page.fill("textarea[name=planned-1-description]", "Hỗ trợ bò giống cho hộ nghèo")
    reporter.page.set_input_files("input[name=scan]", str(scan))
    reporter.shot("plan-form")
    reporter.page.set_viewport_size({"width": 390, "height": 844})
    reporter.shot("plan-form-phone")
    reporter.page.set_viewport_size({"width": 1280, "height": 900})
    reporter.page.click("button[name=submit]")
    reporter.page.click("button[name=confirm]")  # the confirmation page
    reporter.page.wait_for_selector("text=Đã nộp báo cáo.")
    assert "Hỗ trợ bò giống cho hộ nghèo" in reporter.page.content()
    reporter.shot("plan-submitted")
    plan = Report.objects.get()
    assert plan.status == "submitted" and len(plan.versions.get().planned) == 2

    coordinator = Session(browser, live_server, "plan-review")
    coordinator.login("dieuphoi")
    coordinator.goto(f"/reports/{plan.pk}/")
    coordinator.page.wait_for_selector("text=10.000.000 đ")
    coordinator.page.click("button:has-text('Tiếp nhận')")
    coordinator.page.wait_for_selector("text=Đã tiếp nhận báo cáo.")
    coordinator.shot("plan-accepted")
    plan.refresh_from_db()
    assert plan.status == "accepted"
    assert reporter.violations == [] and coordinator.violations == []


@pytest.mark.django_db(transaction=True)
def test_the_party_records_its_covenant_at_the_ceremony_and_marks_a_meeting_held(
    browser, live_server, tmp_path, settings
):
    from django.utils import timezone

    from assignments.models import Agreement, Assignment

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)
    pair = Assignment.objects.get(agency__name="Sở Văn hóa, Thể thao và Du lịch")
    signed_on = timezone.localdate() - dt.timedelta(days=190)  # its first meeting now due
    scan = tmp_path / "giao-uoc.pdf"
    scan.write_bytes(make_pdf())

    party = Session(browser, live_server, "covenant")
    party.login("vhttdl")
    party.page.wait_for_selector("h1:has-text('Sở Văn hóa, Thể thao và Du lịch')")
    party.goto(f"/agreements/new/?assignment={pair.pk}")
    party.page.fill(
        "input[name=name]", "Biên bản kết nghĩa giữa Sở Văn hóa, Thể thao và Du lịch và làng Dip"
    )
    party.page.fill("input[name=signed_on]", signed_on.isoformat())
    party.page.fill("input[name=place]", "Nhà văn hóa làng Dip")
    party.page.fill("input[name=first_year]", str(signed_on.year))
    party.page.fill("input[name=meeting_months]", "6")
    party.page.fill("textarea[name=commitments]", "Định kỳ 6 tháng gặp gỡ, trao đổi.")
    party.page.set_input_files("input[name=scan]", str(scan))
    party.page.fill("input[name=contents-0-number]", "1")
    party.page.fill("textarea[name=contents-0-title]", "Xây dựng Đảng, hệ thống chính trị")
    party.page.fill("input[name=contents-1-number]", "2")
    party.page.fill("textarea[name=contents-1-title]", "Phát triển sản xuất, giảm nghèo")
    party.page.fill("input[name=contents-1-lead_other]", "Làng Dip")
    party.shot("covenant-form")
    party.page.click("button:has-text('Lưu')")
    party.page.wait_for_selector("text=Đã ghi nhận giao ước, chương trình.")
    assert "Phát triển sản xuất, giảm nghèo" in party.page.content()
    party.shot("covenant")
    covenant = Agreement.objects.get()
    assert covenant.parties.get() == pair.agency and covenant.contents.count() == 2

    form = party.page.locator("form", has_text="Ghi nhận cuộc họp đến hạn").first
    form.locator("input[name=place]").fill("Nhà văn hóa làng Dip")
    form.locator("textarea[name=minutes]").fill("Thống nhất hỗ trợ giống lúa vụ tới.")
    form.locator("button:has-text('Ghi nhận đã họp')").click()
    party.page.wait_for_selector("text=Đã ghi nhận cuộc họp.")
    party.shot("meeting-held")
    first = covenant.meetings.order_by("due_date").first()
    assert first.held_on == timezone.localdate()
    assert first.minutes == "Thống nhất hỗ trợ giống lúa vụ tới."
    party.page.set_viewport_size({"width": 390, "height": 844})
    party.shot("covenant-phone")
    assert fits_the_width(party)
    party.page.set_viewport_size({"width": 1280, "height": 900})

    # The year's plan: a task for the second content, in the fourth quarter.
    party.goto(f"/agreements/{covenant.pk}/plan/")
    plan = party.page.locator("form.card[method=post]")
    plan.locator("select[name=tasks-0-content]").select_option(index=2)
    plan.locator("select[name=tasks-0-period]").select_option("q4")
    plan.locator("textarea[name=tasks-0-description]").fill("Hỗ trợ giống lúa vụ đông xuân")
    party.shot("plan-form")
    with party.page.expect_navigation():
        plan.locator("button.primary").click()
    task = covenant.contents.get(number=2).tasks.get()
    assert (task.period, task.year) == ("q4", timezone.localdate().year)
    assert "Hỗ trợ giống lúa vụ đông xuân" in party.page.locator("table").first.inner_text()
    party.shot("plan")
    party.page.set_viewport_size({"width": 390, "height": 844})
    party.shot("plan-phone")
    assert fits_the_width(party)
    party.page.set_viewport_size({"width": 1280, "height": 900})

    # A review of the year: every content judged, the first one done.
    party.goto(f"/agreements/{covenant.pk}/reviews/new/")
    party.page.select_option("select[name=lines-0-standing]", "done")
    party.page.fill("textarea[name=lines-0-remarks]", "Đã tổ chức sinh hoạt chung.")
    party.page.fill("textarea[name=remarks]", "Hai bên thống nhất.")
    party.page.set_viewport_size({"width": 390, "height": 844})
    party.shot("review-form-phone")
    assert fits_the_width(party)
    party.page.set_viewport_size({"width": 1280, "height": 900})
    with party.page.expect_navigation():
        party.page.click("form.card button.primary")
    review = covenant.reviews.get()
    assert [line.standing for line in review.lines.all()] == ["done", "not_started"]
    assert "Đã tổ chức sinh hoạt chung." in party.page.content()
    party.shot("review")
    party.page.set_viewport_size({"width": 390, "height": 844})
    party.shot("review-phone")
    assert fits_the_width(party)
    assert party.violations == []


def fits_the_width(session):
    """Nothing wider than the window: no sideways scrolling of the whole page."""
    return session.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
