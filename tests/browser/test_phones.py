"""Phones (390 by 844 px, touch) in a real browser: every page a reporter uses in the field and
the coordinator's review, extension, dashboard and matrix pages fit the screen (no sideways
scrolling of the page), and the menu folds behind "☰ Menu" so that the top bar takes under
15 % of the first screen. Each page is saved under test-artefacts/browser/phone/. And, on a
desktop, search by commune typed without accents."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.browser.test_reporting_flow import ARTEFACTS, PASSWORD, Session, browser  # noqa: F401
from tests.pdfs import make_pdf

PHONE = {"width": 390, "height": 844}
PHONE_ARTEFACTS = ARTEFACTS / "phone"


class Phone(Session):
    """A phone's browser tab: small screen, touch, screenshots in their own folder."""

    folder = "phone"
    device = {"viewport": PHONE, "is_mobile": True, "has_touch": True}

    def check(self, path, label):
        """Open ``path``, save it, and say what does not fit (empty when all is well)."""
        response = self.page.goto(self.base + path)
        self.shot(label)
        problems = []
        if response.status != 200:
            problems.append(f"{label}: {path} answered {response.status}")
        width = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"{label}: the page is {width[0]} px wide on a {width[1]} px screen")
        bar = self.page.evaluate("document.querySelector('header.topbar').offsetHeight")
        if bar >= 0.15 * PHONE["height"]:
            problems.append(f"{label}: the folded top bar is {bar} px high")
        return problems


def the_scene():
    """What the pages show: a submitted report, a draft with its scan, a request for more
    time, a plan to write."""
    from assignments.models import Directive, ReportingDeadline, User
    from reports import services
    from reports.models import Report
    from tests.reports.conftest import plan_rule

    reporter = User.objects.get(username="vhttdl")
    agency = reporter.agencies.get()
    today = timezone.localdate()
    expected = [
        deadline
        for deadline in ReportingDeadline.objects.with_effective_date()
        .filter(rule__reporter="agencies", rule__kind="report")
        .order_by("effective")
        if deadline.expected_agencies().filter(pk=agency.pk).exists()
    ]
    existing = {r.deadline_id: r for r in Report.objects.filter(agency=agency)}
    passed = [d for d in expected if d.effective < today][::-1]
    submitted = next(
        (
            existing[d.pk]
            for d in passed
            if getattr(existing.get(d.pk), "status", "") == "submitted"
        ),
        None,
    )
    still_open = [d for d in passed if d.pk not in existing or existing[d.pk].is_editable]
    if submitted is None and not still_open:  # all reviewed: the latest one, then
        submitted = existing[passed[0].pk]
    if submitted is None:  # one waiting for review: the latest passed one still open
        submitted = services.report_for(deadline=still_open[0], agency=agency)
        services.report_save(
            report=submitted,
            by=reporter,
            fields={"results": "Đã tổ chức thăm hỏi, tặng quà cho các hộ nghèo của làng."},
            scan=ContentFile(make_pdf(), name="bao-cao-ky.pdf"),
        )
        services.report_submit(report=submitted, by=reporter)
    coming = next(d for d in expected if d.effective >= today)
    draft = services.report_for(deadline=coming, agency=agency)
    services.report_save(
        report=draft,
        by=reporter,
        fields={"results": "Bản nháp."},
        scan=ContentFile(make_pdf(), name="ban-nhap-ky.pdf"),
    )
    draft.refresh_from_db()
    services.extension_request(
        deadline=coming,
        agency=agency,
        by=reporter,
        reason="Chờ số liệu của xã sau đợt lũ",
        requested_date=coming.effective + dt.timedelta(days=10),
    )
    rule = plan_rule(
        Directive.objects.get(number="345/UBND-NC"),
        User.objects.get(username="dieuphoi"),
        last_year=2024,
    )
    return {
        "agency": agency,
        "submitted": submitted,
        "to_review": Report.objects.filter(status="submitted").first() or submitted,
        "draft": draft,
        "coming": coming,
        "plan": rule.deadlines.get(),
    }


@pytest.mark.django_db(transaction=True)
def test_every_page_of_the_reporter_and_the_coordinator_fits_a_phone(
    browser,  # noqa: F811
    live_server,
    tmp_path,
    settings,
):
    from assignments.models import Agreement, User

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, verbosity=0)
    scene = the_scene()
    agency = scene["agency"]
    # A covenant of the demo's story, read by its party's officer.
    party_user = User.objects.get(username="btctu")
    agreement = Agreement.objects.visible_to(party_user).first()

    reporter = Phone(browser, live_server, "reporter")
    reporter.login("vhttdl")
    reporter.page.wait_for_selector("h1:has-text('Sở Văn hóa, Thể thao và Du lịch')")
    problems = reporter.check("/", "home")
    # The menu unfolds on a tap and folds again.
    assert reporter.page.locator("nav.nav").is_hidden()
    reporter.page.click("label.menu-button")
    assert reporter.page.locator("nav.nav").is_visible()
    reporter.shot("menu-open")
    reporter.page.click("nav >> text=Hạn báo cáo và tình hình nộp")
    reporter.page.wait_for_url("**/deadlines/")
    assert reporter.page.locator("nav.nav").is_hidden()

    pages = [
        (reverse("reports:deadline_list"), "deadlines"),
        (reverse("reports:report_open", args=[scene["draft"].deadline_id, agency.pk]), "report"),
        (reverse("reports:report_detail", args=[scene["submitted"].pk]), "report-detail"),
        (reverse("reports:activity_list"), "activities"),
        (reverse("reports:activity_create"), "activity-form"),
        (reverse("reports:report_open", args=[scene["plan"].pk, agency.pk]), "plan-form"),
        (
            reverse("reports:extension_request", args=[scene["coming"].pk, agency.pk]),
            "extension-request",
        ),
        (reverse("reports:extension_list"), "extensions"),
        (reverse("reports:calendar_list"), "calendars"),
        (reverse("agreement_list"), "agreements"),
        (reverse("wish_list"), "wishes"),
        (reverse("model_list"), "models"),
        (reverse("reports:search") + "?q=ia+kreng", "search"),
    ]
    for path, label in pages:
        problems += reporter.check(path, label)
    # The report form's scan: its own name, linked through the app.
    reporter.page.goto(reporter.base + pages[1][0])
    link = reporter.page.locator("a", has_text=scene["draft"].scan.name.rsplit("/", 1)[-1])
    assert link.get_attribute("href") == reverse("reports:report_scan", args=[scene["draft"].pk])

    party = Phone(browser, live_server, "party")
    party.login("btctu")
    party.page.wait_for_url(f"{party.base}/**")
    problems += party.check(reverse("agreement_list"), "agreements")
    problems += party.check(reverse("agreement_detail", args=[agreement.pk]), "agreement")
    problems += party.check(reverse("agreement_plan", args=[agreement.pk]), "agreement-plan")

    coordinator = Phone(browser, live_server, "coordinator")
    coordinator.login("dieuphoi")
    coordinator.page.wait_for_selector("h1:has-text('Tổng quan')")
    for path, label in [
        (reverse("reports:dashboard"), "dashboard"),
        (reverse("reports:dashboard") + "?year=2024", "dashboard-2024"),
        (reverse("reports:review_queue"), "review-queue"),
        (reverse("reports:report_detail", args=[scene["to_review"].pk]), "report-review"),
        (reverse("reports:extension_list"), "extensions"),
        (reverse("reports:matrix"), "matrix"),
        (reverse("reports:matrix") + "?all_years=1", "matrix-all-years"),
        (reverse("reports:deadline_list"), "deadlines"),
        (reverse("reports:deadline_move", args=[scene["coming"].pk]), "deadline-move"),
    ]:
        problems += coordinator.check(path, label)

    coordinator.page.goto(coordinator.base + reverse("reports:dashboard"))
    coordinator.page.locator(".chart-wrap").screenshot(path=PHONE_ARTEFACTS / "chart.png")

    # The extension decision fits the screen and grants the date asked for as it stands.
    coordinator.page.goto(coordinator.base + reverse("reports:extension_list"))
    form = coordinator.page.locator("form.inline-form").first
    form.scroll_into_view_if_needed()
    box = form.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    form.locator("input[value=grant]").check()
    form.locator("button[type=submit]").click()
    coordinator.page.wait_for_selector("text=Đã đồng ý gia hạn.")
    coordinator.shot("extension-granted")
    granted = scene["coming"].extensions.get(agency=agency)
    assert granted.granted_date == granted.requested_date

    assert problems == []
    assert reporter.violations == [] and party.violations == [] and coordinator.violations == []


@pytest.mark.django_db(transaction=True)
def test_search_by_a_commune_typed_without_accents_shows_its_villages_and_pairs(
    browser,  # noqa: F811
    live_server,
    tmp_path,
    settings,
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)
    coordinator = Session(browser, live_server, "search")
    coordinator.login("dieuphoi")
    coordinator.page.wait_for_selector("h1:has-text('Tổng quan')")
    coordinator.page.fill("form.quick-search input[name=q]", "ia kreng")
    coordinator.page.press("form.quick-search input[name=q]", "Enter")
    coordinator.page.wait_for_url("**/search/?q=ia+kreng")
    units = coordinator.page.locator("section.units")
    units.locator("text=xã Ia Kreng").first.wait_for()
    assert "làng Dip" in units.inner_text()
    assert "Sở Văn hóa, Thể thao và Du lịch" in units.inner_text()
    coordinator.shot("commune")
    units.get_by_role("link", name="làng Dip").first.click()
    coordinator.page.wait_for_selector("h1:has-text('làng Dip')")
    coordinator.shot("village")
    assert coordinator.violations == []
