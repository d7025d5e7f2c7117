"""The import preview in a real browser (Debian's chromium): a messy list is refused with the
file's own row numbers, a suggested agency is picked and remembered, and the preview shows
each value under its heading."""

import datetime as dt

import pytest
from django.core.management import call_command

from tests.browser.test_reporting_flow import Session, browser  # noqa: F401 (fixture)
from tests.spreadsheets import assignment_list, nfd

READ_TABLE = r"""table => Array.from(table.querySelectorAll("tr")).map(
    tr => Array.from(tr.querySelectorAll("th, td")).map(
        cell => cell.textContent.replace(/\s+/g, " ").trim()))"""


def read_table(page, selector):
    heading, *rows = page.eval_on_selector(selector, READ_TABLE)
    return heading, [dict(zip(heading, row, strict=True)) for row in rows]


@pytest.mark.django_db(transaction=True)
def test_the_superuser_imports_a_messy_list_and_reads_its_preview(
    browser,  # noqa: F811
    live_server,
    tmp_path,
    settings,
):
    from assignments.models import (
        AdministrativeUnit,
        AgencyAlias,
        Assignment,
        Directive,
        Village,
    )

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)
    Assignment.objects.filter(end_date__isnull=True).update(
        end_date=dt.date(2025, 12, 31), status="ended", end_reason="Hết giai đoạn (thử)"
    )
    directive = Directive.objects.create(
        kind="cong_van",
        number="98/UBND-NC",
        issuing_body="UBND tỉnh Gia Lai",
        issued_on=dt.date(2026, 1, 15),
        title="Điều chỉnh phân công kết nghĩa (thử)",
    )
    commune = AdministrativeUnit.objects.get(name="Ia Kreng", level="commune", valid_to=None)
    Village.objects.create(name="5", kind="thon", commune=commune)
    data = assignment_list(
        [
            ["Sở VHTT&DL", "làng Dip", "xã Ia Kreng", "huyện Chư Păh", "CT", ""],
            [nfd("SỞ  NỘI VỤ "), "thôn 05", "Ia Kreng", "", "PH", "Ghi chú\u00a0mẫu"],
        ]
    )
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(data)

    admin = Session(browser, live_server, "import-preview")
    admin.login("quantri")
    admin.page.wait_for_load_state()
    admin.goto("/admin/assignments/assignment/import/")
    admin.page.set_input_files("input[name=import_file]", str(path))
    admin.page.select_option("select[name=directive]", value=str(directive.pk))
    admin.page.click("input[type=submit]")
    admin.page.wait_for_selector("#import-errors")
    admin.shot("errors")

    heading, rows = read_table(admin.page, "#import-errors")
    assert heading[:2] == ["Dòng", "Lỗi"]
    assert [row["Dòng"] for row in rows] == ["8"]  # the file's row, as in the message
    assert rows[0]["Lỗi"].startswith("Dòng 8, cột “Cơ quan, đơn vị”")
    assert rows[0]["Cơ quan, đơn vị"] == "Sở VHTT&DL"
    assert rows[0]["Xã"] == "xã Ia Kreng"
    assert rows[0]["Huyện"] == "huyện Chư Păh"

    # Pick the suggestion and submit, without choosing the file again: the name is
    # remembered and the file sent is read again.
    admin.page.check("#alias-choices input[type=checkbox] >> nth=0")
    assert admin.page.input_value("input[name=import_file]") == ""
    admin.page.click("input[type=submit]")
    admin.page.wait_for_selector("#import-preview")
    admin.shot("preview")
    remembered = AgencyAlias.objects.get(alias="Sở VHTT&DL")  # besides the demo's own
    assert remembered.agency.name == "Sở Văn hóa, Thể thao và Du lịch"

    heading, rows = read_table(admin.page, "#import-preview")
    assert heading[1:] == [
        "Cơ quan, đơn vị",
        "Thôn, làng",
        "Xã",
        "Huyện",
        "Vai trò",
        "Ghi chú",
    ]
    culture, home = rows
    assert culture["Cơ quan, đơn vị"] == "Sở Văn hóa, Thể thao và Du lịch"
    assert (culture["Thôn, làng"], culture["Xã"], culture["Huyện"]) == (
        "làng Dip",
        "xã Ia Kreng",
        "huyện Chư Păh",
    )
    assert culture["Vai trò"] == "Chủ trì"
    assert (home["Thôn, làng"], home["Vai trò"], home["Ghi chú"]) == (
        "thôn 5",
        "Phối hợp",
        "Ghi chú mẫu",
    )
    assert {culture[heading[0]], home[heading[0]]} == {"Mới"}
    assert not Assignment.objects.filter(directive=directive).exists()
    assert admin.violations == [], admin.violations
    # "Outcome" is a new message: Vietnamese once the catalogue is merged.
    assert heading[0] == "Kết quả"
