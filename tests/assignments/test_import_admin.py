"""Import with preview and confirmation, export and templates, through the admin."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assignments.models import AdministrativeUnit, Agency, Assignment, Directive, Village
from assignments.resources import AssignmentResource, escape_formula
from tests.assignments.conftest import DIP
from tests.spreadsheets import assignment_list, xlsx

pytestmark = pytest.mark.django_db


def upload(data, name="ds.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


def preview(client, data, directive, name="ds.xlsx"):
    return client.post(
        reverse("admin:assignments_assignment_import"),
        {
            "import_file": upload(data, name),
            "format": "0",
            "resource": "0",
            "directive": directive.pk,
        },
    )


def test_the_preview_shows_each_rows_outcome_and_writes_nothing(admin_client, directive):
    data = assignment_list([DIP, ["Sở Nội vụ", "Kép", "Ia Ka", "Chư Păh", "", ""]])
    response = preview(admin_client, data, directive)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Xem trước" in content
    assert content.count("Mới") >= 2
    assert "Xác nhận nhập" in content
    assert not Assignment.objects.filter(directive=directive).exists()

    confirm = response.context["confirm_form"]
    data = {name: confirm.initial.get(name, "") for name in confirm.fields}
    data["create_missing"] = "" if not data["create_missing"] else "on"
    done = admin_client.post(reverse("admin:assignments_assignment_process_import"), data)
    assert done.status_code == 302
    assert Assignment.objects.filter(directive=directive).count() == 2
    again = preview(admin_client, assignment_list([DIP]), directive)
    assert "Không đổi / bỏ qua" in again.content.decode()


def test_the_preview_lists_every_error_and_offers_no_confirmation(admin_client, directive):
    data = assignment_list(
        [
            DIP,
            ["Sở Nội vụ", "Dipp", "Ia Kreng", "", "", ""],
            ["Sở Không Có", "Dip", "Ia Kreng", "", "", ""],
        ]
    )
    response = preview(admin_client, data, directive)
    content = response.content.decode()
    assert "Một số dòng có lỗi" in content
    assert "Dòng 9, cột “Thôn, làng”" in content
    assert "Dòng 10, cột “Cơ quan, đơn vị”" in content
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert "Traceback" not in content


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04broken", "ds.xlsx", "bị hỏng"),
        (b"x", "ds.pdf", "không phải tệp .xlsx, .xls hoặc .csv"),
        (xlsx([["a"], ["b"]]), "ds.xlsx", "Không tìm thấy dòng tiêu đề"),
    ],
)
def test_a_bad_file_gets_a_message_on_the_form(admin_client, directive, data, name, message):
    response = preview(admin_client, data, directive, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_an_oversize_upload_is_refused(admin_client, directive, settings):
    settings.IMPORT_MAX_BYTES = 2000
    response = preview(admin_client, b"x" * 3000, directive, name="ds.csv")
    assert "vượt quá giới hạn" in response.content.decode()


@pytest.mark.parametrize(
    "model", ["assignment", "agency", "village", "administrativeunit", "directive"]
)
def test_each_list_has_an_import_page_and_an_empty_template(admin_client, demo, model):
    page = admin_client.get(reverse(f"admin:assignments_{model}_import"))
    assert page.status_code == 200
    assert "Tải mẫu danh sách trống" in page.content.decode()
    template = admin_client.get(reverse(f"admin:assignments_{model}_import_template"))
    assert template.status_code == 200
    header = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.rows)]
    assert "STT" in header and len(header) >= 3


def test_a_template_filled_in_imports(admin_client, directive):
    template = admin_client.get(reverse("admin:assignments_assignment_import_template"))
    workbook = load_workbook(io.BytesIO(template.content))
    workbook.active.append([1, *DIP[:3]])
    stream = io.BytesIO()
    workbook.save(stream)
    from assignments.importing import run_import

    summary = run_import(
        AssignmentResource, stream.getvalue(), name="mau.xlsx", directive=directive
    )
    assert (summary.errors, summary.new) == ([], 1)


def test_the_import_pages_require_the_import_permission(client, demo):
    from assignments.models import User

    viewer = User.objects.get(username="lanhdao")
    viewer.is_staff = True
    viewer.save()
    client.force_login(viewer)
    response = client.get(reverse("admin:assignments_assignment_import"))
    assert response.status_code == 403
    assert client.get(reverse("admin:assignments_assignment_import_template")).status_code == 403


# --- Export ----------------------------------------------------------------------------------


def test_formula_escaping_covers_every_dangerous_start_and_keeps_numbers():
    for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert escape_formula(text) == "'" + text
    assert escape_formula("Sở Y tế") == "Sở Y tế"
    assert escape_formula(42) == 42


@pytest.mark.parametrize("file_format", ["0", "1"], ids=["xlsx", "csv"])
def test_exports_escape_formulas_in_text(admin_client, demo, file_format):
    Agency.objects.create(name='=HYPERLINK("http://x","bấm")', kind="government")
    response = admin_client.post(
        reverse("admin:assignments_agency_export"),
        {
            "format": file_format,
            "resource": "0",
            **{
                f"agencyresource_{f}": "on"
                for f in ("name", "short_name", "level", "kind", "email")
            },
        },
    )
    assert response.status_code == 200
    if file_format == "0":
        values = [
            c.value for row in load_workbook(io.BytesIO(response.content)).active.rows for c in row
        ]
    else:
        values = [
            c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row
        ]
    assert '\'=HYPERLINK("http://x","bấm")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_village_export_keeps_numbers_numeric(demo):
    from assignments.resources import VillageResource

    dataset = VillageResource().export(VillageResource().get_export_queryset())
    households = dataset["Số hộ"]
    assert all(isinstance(v, int) for v in households if v not in ("", None))


# --- The other lists -----------------------------------------------------------------------


def run(resource, rows, **options):
    from assignments.importing import run_import

    return run_import(resource, xlsx(rows), name="ds.xlsx", **options)


def test_agencies_import_and_reimport_unchanged(demo):
    from assignments.resources import AgencyResource

    rows = [
        ["DANH SÁCH CƠ QUAN"],
        ["STT", "Tên cơ quan, đơn vị", "Tên viết tắt", "Khối", "Email"],
        [1, "Sở Ngoại vụ", "Sở NgV", "Cơ quan chính quyền", "songv@gialai.gov.vn"],
        [2, "Hội Nông dân tỉnh", "HND", "Mặt trận Tổ quốc và các đoàn thể", ""],
    ]
    first = run(AgencyResource, rows)
    assert (first.errors, first.new, first.updated) == ([], 1, 1)
    assert Agency.objects.get(name="Hội Nông dân tỉnh").kind == "front"
    second = run(AgencyResource, rows)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 2)
    bad = run(AgencyResource, [rows[1], [1, "Sở X", "", "Khối lạ", "not-an-email"]])
    assert len(bad.errors) == 2


def test_villages_import_with_commune_and_ethnic_groups(demo):
    from assignments.resources import VillageResource

    rows = [
        ["STT", "Thôn, làng", "Xã", "Huyện", "Dân tộc", "Số hộ", "Số khẩu", "Số hộ nghèo", "ĐBKK"],
        [1, "làng Dip", "Ia Kreng", "Chư Păh", "Jrai", "215", "1.002", "50", "x"],
        [2, "plei Mới", "Ia Kreng", "Chư Păh", "Gia Rai, Ba Na", "80", "350", "90", ""],
    ]
    summary = run(VillageResource, rows)
    assert summary.errors == ["Dòng 3, cột “Số hộ nghèo”: số hộ nghèo không được lớn hơn số hộ."]
    rows[2][7] = "9"
    summary = run(VillageResource, rows, year=2025)
    assert (summary.errors, summary.new, summary.updated) == ([], 1, 1)
    dip = Village.objects.get(name="Dip")
    # The households columns are the figures of the year chosen on import.
    figures = dip.figures.get(year=2025)
    assert (figures.households, figures.population, figures.poor_households) == (215, 1002, 50)
    assert dip.figures.get(year=2024).households == 212  # the year before is kept
    new = Village.objects.get(name="Mới")
    assert new.kind == "plei"
    assert new.locations.get().commune == new.commune
    assert {g.name for g in new.ethnic_groups.all()} == {"Gia Rai", "Ba Na"}
    again = run(VillageResource, rows, year=2025)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


def test_the_official_unit_list_imports_with_codes_as_text(db):
    from assignments.resources import AdministrativeUnitResource

    rows = [
        ["Tỉnh Thành Phố", "Mã TP", "Quận Huyện", "Mã QH", "Phường Xã", "Mã PX", "Cấp"],
        ["Tỉnh Gia Lai", 64, "Huyện Chư Păh", 627, "Xã Ia Kreng", "07870", "Xã"],
        ["Tỉnh Gia Lai", 64, "Huyện Chư Păh", 627, "Thị trấn Phú Hòa", "07861", "Thị trấn"],
    ]
    summary = run(AdministrativeUnitResource, rows, code_list="gso_2004")
    assert (summary.errors, summary.new) == ([], 2)
    commune = AdministrativeUnit.objects.get(name="Ia Kreng")
    assert (commune.code, commune.code_list, str(commune.parent)) == (
        "07870",
        "gso_2004",
        "huyện Chư Păh",
    )
    assert AdministrativeUnit.objects.get(name="Phú Hòa").unit_type == "thi_tran"
    assert AdministrativeUnit.objects.get(level="province").code == "64"
    again = run(AdministrativeUnitResource, rows, code_list="gso_2004")
    assert (again.new, again.unchanged) == (0, 2)
    assert AdministrativeUnit.objects.count() == 4


def test_directives_import_with_the_document_they_implement(demo):
    from assignments.resources import DirectiveResource

    rows = [
        [
            "STT",
            "Số, ký hiệu",
            "Loại văn bản",
            "Ngày ban hành",
            "Cơ quan ban hành",
            "Trích yếu",
            "Từ năm",
            "Đến năm",
            "Thực hiện văn bản",
        ],
        [
            1,
            "120/KH-UBND",
            "Kế hoạch",
            "20/03/2024",
            "UBND tỉnh Gia Lai",
            "Kế hoạch thực hiện Chỉ thị 13",
            "2024",
            "2026",
            "13-CT/TU",
        ],
        [
            2,
            "121/KH-UBND",
            "Kế hoạch",
            "31/02/2024",
            "UBND tỉnh Gia Lai",
            "Sai ngày",
            "",
            "",
            "99-CT/XX",
        ],
    ]
    summary = run(DirectiveResource, rows)
    assert len(summary.errors) == 2
    assert not Directive.objects.filter(number="120/KH-UBND").exists()
    summary = run(DirectiveResource, rows[:2])
    assert (summary.errors, summary.new) == ([], 1)
    plan = Directive.objects.get(number="120/KH-UBND")
    assert (plan.kind, plan.implements.number, plan.period_to_year) == (
        "ke_hoach",
        "13-CT/TU",
        2026,
    )


def confirm_fields(response):
    confirm = response.context["confirm_form"]
    data = {name: confirm.initial.get(name, "") for name in confirm.fields}
    data["create_missing"] = "" if not data["create_missing"] else "on"
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_confirming_reads_only_the_previews_own_file(admin_client, directive, media):
    response = preview(admin_client, assignment_list([DIP]), directive)
    data = confirm_fields(response)
    assert (media / "django-import-export" / data["import_file_name"]).exists()
    # A name posted back as a path reads (and removes) nothing else of the storage.
    other = media / "keep.csv"
    other.write_text("STT,Cơ quan,Thôn,Xã\n1,Sở Nội vụ,Kép,Ia Ka\n", encoding="utf-8")
    url = reverse("admin:assignments_assignment_process_import")
    refused = admin_client.post(url, {**data, "import_file_name": "../keep.csv"})
    assert refused.status_code == 200
    assert "Không rõ tệp của lần xem trước này" in refused.content.decode()
    assert other.exists() and not Assignment.objects.filter(directive=directive).exists()
    # Confirmed once, the file is gone: confirming again says so, without an error page.
    assert admin_client.post(url, data).status_code == 302
    again = admin_client.post(url, data, follow=True)
    assert again.redirect_chain[-1][0] == reverse("admin:assignments_assignment_import")
    assert "không còn được giữ" in again.content.decode()
    assert Assignment.objects.filter(directive=directive).count() == 1


def test_files_of_previews_left_unconfirmed_are_removed_after_two_days(admin_client, media):
    import datetime as dt
    import os

    folder = media / "django-import-export"
    folder.mkdir()
    old, recent = folder / ("a" * 32), folder / ("b" * 32)
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    three_days_ago = (dt.datetime.now() - dt.timedelta(days=3)).timestamp()
    os.utime(old, (three_days_ago, three_days_ago))
    assert admin_client.get(reverse("admin:assignments_village_import")).status_code == 200
    assert not old.exists() and recent.exists()
