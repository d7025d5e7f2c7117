"""Lists shaped as offices really send them: the list on another sheet, hidden rows, section
rows and a signature block, an old .xls file, and the header words real lists use."""

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from assignments.importing import run_import
from assignments.models import Agency, Assignment
from assignments.resources import AssignmentResource
from tests.assignments.conftest import DIP
from tests.spreadsheets import xlsx

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = ["STT", "Cơ quan, đơn vị", "Thôn, làng", "Xã", "Huyện", "Vai trò", "Ghi chú"]
KEP = ["Sở Nội vụ", "Kép", "Ia Ka", "Chư Păh", "", ""]


def run(data, directive, name="list.xlsx", **options):
    return run_import(AssignmentResource, data, name=name, directive=directive, **options)


def workbook(sheets, hidden=()):
    """An .xlsx of several sheets: {title: rows}; ``hidden`` are (title, row number)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    for title, number in hidden:
        book[title].row_dimensions[number].hidden = True
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def numbered(rows):
    return [HEADER, *([i, *row] for i, row in enumerate(rows, start=1))]


COVER = [["UBND TỈNH GIA LAI"], ["Số: 345/UBND-NC"], ["V/v phân công kết nghĩa"]]


def imported(directive):
    return {
        (a.agency.name, a.village.name if a.village else a.commune.name)
        for a in Assignment.objects.filter(directive=directive).select_related(
            "agency", "village", "commune"
        )
    }


# --- 3. The list on another sheet -----------------------------------------------------------


def test_the_list_on_another_sheet_is_found_and_named(directive):
    data = workbook({"Công văn": COVER, "DS phân công": numbered([DIP, KEP])})
    summary = run(data, directive)
    assert summary.errors == []
    assert summary.new == 2
    assert "Danh sách ở trang tính “DS phân công”." in summary.notices


def test_two_sheets_with_a_list_ask_which_and_the_option_chooses(directive):
    data = workbook({"Năm 2024": numbered([DIP]), "Năm 2026": numbered([KEP])})
    summary = run(data, directive)
    assert summary.errors == [
        "Nhiều trang tính có danh sách: “Năm 2024”, “Năm 2026”. Hãy chọn trang tính cần nhập."
    ]
    assert not Assignment.objects.filter(directive=directive).exists()

    summary = run(data, directive, sheet="năm 2026")
    assert summary.errors == []
    assert imported(directive) == {("Sở Nội vụ", "Kép")}


def test_the_admin_asks_for_the_sheet_and_reads_the_kept_file_with_it(admin_client, directive):
    data = workbook({"A": numbered([DIP]), "B": numbered([KEP])})
    url = reverse("admin:assignments_assignment_import")
    fields = {"format": "0", "resource": "0", "directive": directive.pk}
    asked = admin_client.post(url, {**fields, "import_file": upload(data)})
    assert "Nhiều trang tính có danh sách: “A”, “B”" in asked.content.decode()
    assert asked.context.get("confirm_form") is None
    # Only the sheet is given; the file is the one kept from the question.
    chosen = admin_client.post(
        url, {**fields, "sheet": "B", "reuse_file": asked.context["reuse_file"]}
    )
    assert chosen.context["confirm_form"] is not None
    assert chosen.context["confirm_form"].initial["sheet"] == "B"
    assert [row.import_type for row in chosen.context["result"].valid_rows()] == ["new"]


def test_a_sheet_that_does_not_exist_is_named_with_the_sheets_there_are(directive):
    data = workbook({"Công văn": COVER, "DS": numbered([DIP])})
    summary = run(data, directive, sheet="Phụ lục")
    assert summary.errors == [
        "Không có trang tính nào tên “Phụ lục”. Các trang tính: “Công văn”, “DS”."
    ]


def command(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_assignments", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_takes_the_sheet_and_hidden_rows_options(directive, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(
        workbook(
            {"A": numbered([DIP]), "B": numbered([DIP, KEP])},
            hidden=[("B", 3)],
        )
    )
    with pytest.raises(CommandError):
        command(path, "--directive", "99/UBND-NC")
    assert not Assignment.objects.filter(directive=directive).exists()
    command(path, "--directive", "99/UBND-NC", "--sheet", "B", "--include-hidden")
    assert imported(directive) == {(DIP[0], "Dip"), ("Sở Nội vụ", "Kép")}


# --- 4. Hidden rows -----------------------------------------------------------------------------


def test_hidden_rows_are_skipped_and_listed_unless_asked_for(directive):
    old = ["Sở Không Có", "Dip", "Ia Kreng", "", "", ""]
    data = workbook({"DS": numbered([DIP, old, old, KEP])}, hidden=[("DS", 3), ("DS", 4)])
    summary = run(data, directive)
    assert summary.errors == []
    assert "Bỏ qua 2 dòng ẩn: 3, 4." in summary.notices
    assert imported(directive) == {(DIP[0], "Dip"), ("Sở Nội vụ", "Kép")}

    Assignment.objects.filter(directive=directive).delete()
    summary = run(data, directive, include_hidden=True)
    assert [e.split(",")[0] for e in summary.errors] == ["Dòng 3", "Dòng 4"]
    assert not Assignment.objects.filter(directive=directive).exists()


def rewrite_sheets(data, change):
    """``data`` with each worksheet's XML passed through ``change``, as other programs
    write it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = change(content)
            target.writestr(item, content)
    return stream.getvalue()


def test_a_stale_recorded_size_does_not_cut_the_list_short(directive):
    # Some programs record a sheet's size as "A1" whatever it holds; the list is read whole.
    data = rewrite_sheets(
        workbook({"DS": numbered([DIP, KEP])}),
        lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', xml),
    )
    assert b'<dimension ref="A1"/>' in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml"
    )
    summary = run(data, directive)
    assert summary.errors == [] and summary.new == 2


def test_hidden_rows_and_merged_cells_are_seen_in_prefixed_xml(directive):
    # Writers built on the Open XML SDK prefix every tag ("<x:row hidden=\"1\">").
    book = Workbook()
    sheet = book.active
    sheet.title = "DS"
    for row in [
        ["STT", "Cơ quan, đơn vị", "Địa bàn kết nghĩa", None, None, "Vai trò"],
        [None, None, "Thôn, làng", "Xã", "Huyện", None],
        [1, *DIP[:4], ""],
        [2, "Sở Không Có", "Dip", "Ia Kreng", "", ""],
        [3, *KEP[:4], ""],
    ]:
        sheet.append(row)
    sheet.merge_cells("C1:E1")
    sheet.row_dimensions[4].hidden = True
    stream = io.BytesIO()
    book.save(stream)

    def prefix(xml):
        xml = re.sub(rb"<(/?)(?!\?)([A-Za-z]+)([ />])", rb"<\1x:\2\3", xml)
        return xml.replace(b"<x:worksheet xmlns=", b"<x:worksheet xmlns:x=", 1)

    data = rewrite_sheets(stream.getvalue(), prefix)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b'<x:row r="4" hidden="1"' in xml and b'<x:mergeCell ref="C1:E1"' in xml
    summary = run(data, directive)
    assert summary.errors == []
    assert "Bỏ qua 1 dòng ẩn: 4." in summary.notices
    assert imported(directive) == {(DIP[0], "Dip"), ("Sở Nội vụ", "Kép")}


def upload(data, name="ds.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


def test_the_admin_preview_reads_the_chosen_sheet_and_its_hidden_rows(admin_client, directive):
    data = workbook(
        {"A": numbered([DIP]), "B": numbered([DIP, KEP])},
        hidden=[("B", 3)],
    )
    fields = {"format": "0", "resource": "0", "directive": directive.pk}
    url = reverse("admin:assignments_assignment_import")
    response = admin_client.post(url, {**fields, "import_file": upload(data)})
    assert "Nhiều trang tính có danh sách" in response.content.decode()

    response = admin_client.post(url, {**fields, "import_file": upload(data), "sheet": "B"})
    assert response.context["result"].notices[:2] == [
        "Danh sách ở trang tính “B”.",
        "Bỏ qua 1 dòng ẩn: 3.",
    ]
    confirm = response.context["confirm_form"]
    assert confirm.initial["sheet"] == "B"
    posted = {name: confirm.initial.get(name, "") for name in confirm.fields}
    posted["create_missing"] = ""
    posted["include_hidden"] = ""
    done = admin_client.post(reverse("admin:assignments_assignment_process_import"), posted)
    assert done.status_code == 302
    assert imported(directive) == {(DIP[0], "Dip")}

    Assignment.objects.filter(directive=directive).delete()
    response = admin_client.post(
        url, {**fields, "import_file": upload(data), "sheet": "B", "include_hidden": "on"}
    )
    assert response.context["confirm_form"].initial["include_hidden"] is True
    assert response.context["result"].totals["new"] == 2


# --- 5. Section rows and the signature block ----------------------------------------------------


def test_section_rows_not_merged_are_not_data_and_never_agencies(directive):
    rows = [
        HEADER,
        ["I", "HUYỆN CHƯ PĂH"],
        [1, *DIP],
        [None, "II. HUYỆN ĐAK ĐOA"],
        [2, *KEP],
        ["III", None, None, "THÀNH PHỐ PLEIKU"],
        [None, "HUYỆN IA GRAI", "HUYỆN IA GRAI", "HUYỆN IA GRAI"],
    ]
    agencies = Agency.objects.count()
    summary = run(xlsx(rows), directive, create_missing=True)
    assert summary.errors == []
    assert summary.rows == 2
    assert imported(directive) == {(DIP[0], "Dip"), ("Sở Nội vụ", "Kép")}
    assert Agency.objects.count() == agencies
    # The preview says what it took for headings, with the file's row numbers.
    assert (
        "Đã coi 4 dòng là tiêu đề mục, không phải dữ liệu: 2 (“I” – “HUYỆN CHƯ PĂH”), "
        "4 (“II. HUYỆN ĐAK ĐOA”), 6 (“III” – “THÀNH PHỐ PLEIKU”), 7 (“HUYỆN IA GRAI”)."
    ) in summary.notices


def test_a_signature_block_ends_the_table(directive):
    rows = [
        *numbered([DIP, KEP]),
        [],
        [None, "Nơi nhận:", None, None, None, "KT. TRƯỞNG BAN"],
        [None, "- Như trên;", None, None, None, "PHÓ TRƯỞNG BAN"],
        [None, "- Lưu: VT.", None, None, None, "(Đã ký)"],
        [],
        [None, None, None, None, None, "Nguyễn Văn An"],
    ]
    agencies = Agency.objects.count()
    summary = run(xlsx(rows), directive, create_missing=True)
    assert summary.errors == []
    assert summary.rows == 2
    assert Agency.objects.count() == agencies
    assert (
        "Bảng kết thúc ở dòng 5, nơi bắt đầu phần chữ ký (“Nơi nhận:” – “KT. TRƯỞNG BAN”)."
    ) in summary.notices


def test_a_signers_name_alone_after_a_blank_row_is_not_data(directive):
    rows = [*numbered([DIP, KEP]), [], [None, None, "Nguyễn Văn An"]]
    summary = run(xlsx(rows), directive)
    assert summary.errors == []
    assert summary.rows == 2
    assert "Bảng kết thúc ở dòng 5, nơi bắt đầu phần chữ ký (“Nguyễn Văn An”)." in summary.notices


def test_a_lone_value_between_rows_of_data_is_still_an_error(directive):
    rows = [*numbered([DIP]), [], [2, "Sở Nội vụ"], [3, *KEP]]
    summary = run(xlsx(rows), directive)
    assert [e.split(",")[0] for e in summary.errors] == ["Dòng 4"]


# --- 8. Old .xls files ---------------------------------------------------------------------------


def test_an_old_xls_file_imports(directive):
    data = (FIXTURES / "list.xls").read_bytes()
    assert len(data) < 20_000
    summary = run(data, directive, name="ds.xls")
    assert summary.errors == []
    # The cover letter is sheet 1; row 5 ("Sở Không Có") is hidden.
    assert summary.notices[:2] == [
        "Danh sách ở trang tính “DS phân công”.",
        "Bỏ qua 1 dòng ẩn: 5.",
    ]
    starts = dict(
        Assignment.objects.filter(directive=directive).values_list("agency__name", "start_date")
    )
    assert starts == {DIP[0]: dt.date(2026, 3, 1), "Sở Nội vụ": dt.date.today()}
    again = run(data, directive, name="ds.xls")
    assert (again.new, again.unchanged) == (0, 2)


def test_an_xls_with_its_hidden_row_included_reports_it(directive):
    data = (FIXTURES / "list.xls").read_bytes()
    summary = run(data, directive, name="ds.xls", include_hidden=True)
    assert [e.split(",")[0] for e in summary.errors] == ["Dòng 5"]


def test_an_ole_file_that_is_not_an_xls_gets_the_password_message(directive):
    # An .xlsx encrypted with a password is an OLE container too, without a workbook.
    summary = run(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, directive)
    assert "mật khẩu" in summary.errors[0]


# --- 9. Header words as real lists use them ------------------------------------------------------


def test_the_header_words_of_real_lists_are_recognised(directive):
    rows = [
        ["STT", "Đơn vị kết nghĩa", "Thôn, làng kết nghĩa", "Thuộc xã", "Thuộc huyện", "Vai trò"],
        [1, *DIP[:5]],
        [2, *KEP[:5]],
    ]
    summary = run(xlsx(rows), directive)
    assert summary.errors == []
    assert imported(directive) == {(DIP[0], "Dip"), ("Sở Nội vụ", "Kép")}


def test_the_target_column_may_be_headed_dia_ban_ket_nghia(directive):
    rows = [["TT", "Cơ quan, đơn vị được phân công", "Địa bàn kết nghĩa", "Huyện"]]
    rows.append([1, "Sở Nội vụ", "xã Ia Ka", "Chư Păh"])
    summary = run(xlsx(rows), directive)
    assert summary.errors == []
    assert imported(directive) == {("Sở Nội vụ", "Ia Ka")}


def test_a_missing_column_shows_the_header_row_found(directive):
    rows = [["Danh sách"], [], ["STT", "Đơn vị", "Làng", "Vai trò"], [1, "Sở Y tế", "Dip", ""]]
    summary = run(xlsx(rows), directive)
    assert summary.errors == [
        "Thiếu cột bắt buộc: Xã. Dòng tiêu đề tìm thấy (dòng 3) ghi: “STT” | “Đơn vị” | "
        "“Làng” | “Vai trò”; các cột nhận ra: STT, Cơ quan, đơn vị, Vai trò."
    ]


def test_the_header_words_of_the_other_lists_are_recognised(directive):
    from assignments.models import Directive, Village
    from assignments.resources import AgencyResource, DirectiveResource, VillageResource

    def read(resource, rows, **options):
        return run_import(resource, xlsx(rows), name="ds.xlsx", **options)

    # Headers with their unit in brackets, as statistics tables write them.
    villages = read(
        VillageResource,
        [
            [
                *["TT", "Tên thôn, làng, buôn", "Thuộc xã", "Thuộc huyện", "Dân tộc chủ yếu"],
                *["Tổng số hộ dân", "Số nhân khẩu (người)", "Số hộ nghèo (theo chuẩn mới)"],
            ],
            [1, "làng Ghè Mới", "Ia Kreng", "Chư Păh", "Jrai", "120", "530", "30"],
        ],
        year=2025,
    )
    assert villages.errors == [] and villages.new == 1
    figures = Village.objects.get(name="Ghè Mới").figures.get(year=2025)
    assert (figures.households, figures.population, figures.poor_households) == (120, 530, 30)

    agencies = read(
        AgencyResource,
        [
            ["STT", "Sở, ban, ngành", "Ký hiệu", "Thuộc khối", "E-mail"],
            [1, "Sở Ngoại vụ", "SNgV", "Cơ quan chính quyền", "songv@gialai.gov.vn"],
        ],
    )
    assert agencies.errors == []
    assert Agency.objects.get(name="Sở Ngoại vụ").email == "songv@gialai.gov.vn"

    directives = read(
        DirectiveResource,
        [
            ["STT", "Số hiệu văn bản", "Ngày văn bản", "Nơi ban hành", "Trích yếu nội dung"],
            [1, "12/KH-BDT", "05/03/2025", "Ban Dân tộc tỉnh", "Kế hoạch kết nghĩa năm 2025"],
        ],
    )
    assert directives.errors == [] and directives.new == 1
    assert Directive.objects.get(number="12/KH-BDT").issued_on == dt.date(2025, 3, 5)


def test_a_sheet_that_unpacks_far_beyond_its_size_is_refused_before_it_is_read(directive, settings):
    # A "zip bomb": a few kilobytes that unpack to megabytes of XML.
    settings.IMPORT_MAX_BYTES = 50_000
    padding = b"<!--" + b" " * 1_100_000 + b"-->"
    data = rewrite_sheets(
        workbook({"DS": numbered([DIP])}),
        lambda xml: xml.replace(b"<sheetData>", padding + b"<sheetData>"),
    )
    assert len(data) < settings.IMPORT_MAX_BYTES
    (error,) = run(data, directive).errors
    assert "hơn 1 MB" in error
    assert not Assignment.objects.filter(directive=directive).exists()


def test_a_package_without_a_workbook_is_named_damaged(directive):
    source = zipfile.ZipFile(io.BytesIO(workbook({"DS": numbered([DIP])})))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as target:
        for item in source.infolist():
            if item.filename != "_rels/.rels":
                target.writestr(item, source.read(item.filename))
        target.writestr(
            "_rels/.rels",
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
        )
    (error,) = run(stream.getvalue(), directive).errors
    assert "bị hỏng" in error


def test_a_title_merged_over_every_column_is_read_as_wide_as_the_table():
    from assignments.spreadsheets import read_sheets
    from tests.spreadsheets import xlsx as build

    data = build([["DANH SÁCH PHÂN CÔNG"], HEADER, [1, *DIP]], merges=["A1:XFD1"])
    (sheet,) = read_sheets(data)
    number, title = sheet.rows[0]
    assert number == 1 and len(sheet.rows) == 3
    assert title == ["DANH SÁCH PHÂN CÔNG"] * len(HEADER)
