"""The formalism flags on the demo's story, in a real browser (desktop): the coordinator finds
them on the dashboard, lists them, reads the shared passages of a copied report on its review
page, and sets one flag aside with a note. Screenshots in test-artefacts/browser/."""

import pytest
from django.core.management import call_command

from reports import formalism
from reports.models import FlagDismissal
from tests.browser.test_reporting_flow import Session, browser  # noqa: F401 (a fixture)


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_reads_the_formalism_flags_and_sets_one_aside(
    browser,  # noqa: F811
    live_server,
    tmp_path,
    settings,
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, verbosity=0)
    # The demo's story raises every kind of flag.
    kinds = {flag.kind for flag in formalism.flags()}
    assert kinds == {"similar_report", "visits_only", "ceremony_only"}

    coordinator = Session(browser, live_server, "formalism")
    coordinator.login("dieuphoi")
    coordinator.page.wait_for_selector("h1:has-text('Tổng quan')")
    panel = coordinator.page.locator("section.formalism")
    panel.scroll_into_view_if_needed()
    assert panel.locator("li a").count() >= 1
    coordinator.shot("dashboard-panel")

    coordinator.goto("/flags/")
    rows = coordinator.page.locator("table.flags tbody tr")
    assert rows.count() >= 3
    coordinator.shot("flag-list")
    for kind in sorted(kinds):
        coordinator.goto(f"/flags/?kind={kind}")
        assert coordinator.page.locator("table.flags tbody tr td a").count() >= 1, kind

    # A copied report: its review page shows the percentage and the shared passages.
    coordinator.goto("/flags/?kind=similar_report")
    coordinator.page.locator("table.flags tbody tr td a").first.click()
    coordinator.page.wait_for_selector("section.formalism mark")
    assert "%" in coordinator.page.locator("section.formalism .badge").first.inner_text()
    coordinator.shot("review-page-shared-passages")

    # Set the first flag of the list aside, with a note.
    coordinator.goto("/flags/?kind=ceremony_only")
    first = coordinator.page.locator("table.flags tbody tr").first
    key = first.locator("input[name=key]").get_attribute("value")
    first.locator("details.flag-dismiss summary").click()
    first.locator("textarea[name=note]").fill(
        "Đã kiểm tra: đơn vị hoạt động qua chương trình khác."
    )
    coordinator.shot("dismiss-form")
    first.locator("details.flag-dismiss button[type=submit]").click()
    coordinator.page.wait_for_selector("ul.messages li.success")
    assert FlagDismissal.objects.filter(key=key, dismissed_by__username="dieuphoi").exists()
    assert coordinator.page.locator(f"input[name=key][value='{key}']").count() == 0
    coordinator.shot("after-dismissal")

    coordinator.goto("/flags/?kind=ceremony_only&dismissed=on")
    assert "Đã kiểm tra: đơn vị hoạt động qua chương trình khác." in coordinator.page.content()
    coordinator.shot("set-aside-shown")
    assert coordinator.violations == []
