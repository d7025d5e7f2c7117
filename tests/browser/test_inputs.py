"""Money and dates typed the Vietnamese way in an English-language browser (en-US, which
would show a type="date" field as mm/dd/yyyy), and the change log showing the edit.
Screenshots in test-artefacts/browser/."""

import datetime as dt

import pytest
from django.core.management import call_command

from reports.models import Activity
from tests.browser.test_reporting_flow import Session, browser  # noqa: F401 (a fixture)


@pytest.fixture
def demo(settings, tmp_path, transactional_db):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)


def fill_activity(page, description):
    page.select_option("select[name=assignment]", index=1)
    page.select_option("select[name=kind]", "gifts")
    page.fill("textarea[name=description]", description)


@pytest.mark.django_db(transaction=True)
def test_money_with_dots_and_dates_dd_mm_yyyy_in_an_english_browser(
    browser,  # noqa: F811
    live_server,
    demo,
):
    reporter = Session(browser, live_server, "inputs")
    reporter.login("vhttdl")
    reporter.page.wait_for_selector("nav")
    reporter.goto("/activities/new/")
    page = reporter.page
    date = page.locator("input[name=date]")
    assert date.get_attribute("type") == "text"
    assert date.get_attribute("placeholder") == "dd/mm/yyyy"

    # Typed: the separators appear while typing.
    fill_activity(page, "Tặng quà Tết cho hộ nghèo")
    date.fill("05/03/2024")
    cash = page.locator("input[name=cash_budget_vnd]")
    cash.fill("")  # it shows 0
    cash.press_sequentially("15000000")
    assert cash.input_value() == "15.000.000"
    page.fill("input[name=goods-0-item]", "phần quà, mỗi phần 10 kg gạo")
    page.fill("input[name=goods-0-quantity]", "144")
    page.fill("input[name=goods-0-unit]", "phần")
    page.locator("input[name=goods-0-value_vnd]").press_sequentially("36000000")
    assert page.locator("input[name=goods-0-value_vnd]").input_value() == "36.000.000"
    reporter.shot("money-typed")
    page.click("button:has-text('Lưu')")
    page.wait_for_selector("text=15.000.000 đ")
    activity = Activity.objects.get(description="Tặng quà Tết cho hộ nghèo")
    assert activity.cash_budget_vnd == 15_000_000
    assert activity.date == dt.date(2024, 3, 5)
    reporter.shot("money-saved")

    # Shown again as typed in Vietnam, then edited: the date picked with the picker.
    reporter.goto(f"/activities/{activity.pk:d}/edit/")
    assert page.locator("input[name=cash_budget_vnd]").input_value() == "15.000.000"
    assert page.locator("input[name=date]").input_value() == "05/03/2024"
    page.click("input[name=date] ~ .date-picker-button")
    # The browser's own calendar cannot be clicked by a test: its input is what it fills.
    page.locator("input[name=date] ~ input[type=date]").fill("2024-03-20")
    assert page.locator("input[name=date]").input_value() == "20/03/2024"
    page.keyboard.press("Escape")  # the browser's calendar, left open by the test
    page.locator("input[name=cash_budget_vnd]").click()
    page.locator("input[name=cash_budget_vnd]").fill("")
    page.locator("input[name=cash_budget_vnd]").press_sequentially("20.000.000")
    assert page.locator("input[name=cash_budget_vnd]").input_value() == "20.000.000"
    reporter.shot("date-picked")
    page.click("button:has-text('Lưu')")
    page.wait_for_selector("text=20.000.000 đ")
    activity.refresh_from_db()
    assert activity.date == dt.date(2024, 3, 20)
    assert activity.cash_budget_vnd == 20_000_000

    # A comma is not money: a Vietnamese message, nothing saved, the other amount kept.
    reporter.goto("/activities/new/")
    fill_activity(page, "Hỗ trợ sản xuất")
    page.locator("input[name=date]").fill("10/04/2024")
    page.locator("input[name=cash_budget_vnd]").fill("15,5")
    page.locator("input[name=cash_staff_vnd]").fill("1234567")
    page.click("button:has-text('Lưu')")
    page.wait_for_selector(".errorlist")
    assert page.locator("input[name=cash_staff_vnd]").input_value() == "1.234.567"
    assert page.locator("input[name=cash_budget_vnd]").input_value() == "15,5"
    assert not Activity.objects.filter(description="Hỗ trợ sản xuất").exists()
    reporter.shot("money-refused")
    assert not reporter.violations

    # The coordinator reads what changed.
    coordinator = Session(browser, live_server, "audit")
    coordinator.login("dieuphoi")
    coordinator.page.wait_for_selector("nav")
    coordinator.goto("/audit/?kind=reports.activity")
    diff = coordinator.page.locator(".audit-diff").first
    assert "15.000.000 đ" in diff.inner_text() and "20.000.000 đ" in diff.inner_text()
    assert "05/03/2024" in diff.inner_text() and "20/03/2024" in diff.inner_text()
    coordinator.shot("audit-diff")
    assert not coordinator.violations
