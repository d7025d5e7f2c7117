"""Importing and exporting the contents of an agreement (its "nội dung phối hợp") and the
register of exemplary models, through the resources the admin uses, the admin's preview
and the register page's .xlsx."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.formats.base_formats import XLSX
from openpyxl import load_workbook

from assignments.importing import run_import
from assignments.models import (
    AgencyMembership,
    AgreementContent,
    ExemplaryModel,
    ModelYear,
    User,
)
from assignments.resources import AgreementContentResource, ModelRegisterResource
from tests.factories import (
    make_agency,
    make_assignment,
    make_commune,
    make_district,
    make_model,
    make_programme,
    make_village,
)
from tests.spreadsheets import xlsx

pytestmark = pytest.mark.django_db

CULTURE = "Sở Văn hóa, Thể thao và Du lịch"
HEADER = ["TT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp"]


@pytest.fixture
def parties(db):
    return [
        make_agency("Ban Dân vận Tỉnh ủy", short_name="BDV"),
        make_agency(CULTURE),
        make_agency("Sở Nội vụ"),
    ]


@pytest.fixture
def programme(parties, coordinator):
    return make_programme(parties, coordinator)


def table(*rows):
    """The table of contents as the signed programme carries it: a title, then the table."""
    return xlsx(
        [["CHƯƠNG TRÌNH PHỐI HỢP"], ["Các nội dung phối hợp"], [], HEADER, *map(list, rows)]
    )


# Rows 5 to 10 of the file: two groups under their heading rows; a lead that is no agency;
# participants separated by a semicolon, and by a line break inside the cell.
EIGHT_CONTENTS = [
    ["I", "NỘI DUNG CHUNG", "", ""],
    [1, "Tuyên truyền chủ trương của Đảng", "Ban Dân vận Tỉnh ủy", f"{CULTURE}; Sở Nội vụ"],
    [2, "Vận động đồng bào phát triển sản xuất", "Hai bên", ""],
    ["II", "NỘI DUNG CỤ THỂ", "", ""],
    ["1.", "Xây dựng mô hình “Dân vận khéo”", "BDV", f"Sở Nội vụ\n{CULTURE}"],
    [2, "Sơ kết, tổng kết", CULTURE, "Ban Dân vận Tỉnh ủy"],
]


def import_contents(data, agreement, **options):
    return run_import(
        AgreementContentResource, data, name="noi-dung.xlsx", agreement=agreement, **options
    )


def contents_of(agreement):
    return {
        (c.group, c.number): (
            c.title,
            c.lead.name if c.lead_id else c.lead_other,
            sorted(a.name for a in c.participants.all()),
        )
        for c in agreement.contents.prefetch_related("participants").select_related("lead")
    }


def test_a_programmes_table_imports_with_its_groups_leads_and_participants(programme):
    summary = import_contents(table(*EIGHT_CONTENTS), programme)
    assert summary.errors == []
    assert (summary.rows, summary.new) == (4, 4)  # the heading rows are read, not imported
    assert contents_of(programme) == {
        ("Nội dung chung", 1): (
            "Tuyên truyền chủ trương của Đảng",
            "Ban Dân vận Tỉnh ủy",
            ["Sở Nội vụ", CULTURE],
        ),
        ("Nội dung chung", 2): ("Vận động đồng bào phát triển sản xuất", "Hai bên", []),
        ("Nội dung cụ thể", 1): (
            "Xây dựng mô hình “Dân vận khéo”",
            "Ban Dân vận Tỉnh ủy",
            ["Sở Nội vụ", CULTURE],
        ),
        ("Nội dung cụ thể", 2): ("Sơ kết, tổng kết", CULTURE, ["Ban Dân vận Tỉnh ủy"]),
    }
    assert any("Hai bên" in notice and "7" in notice for notice in summary.notices)
    content = programme.contents.get(group="Nội dung chung", number=1)
    assert content.history.first().history_change_reason


def test_every_bad_row_is_listed_with_its_row_and_nothing_is_written(programme):
    make_agency("Sở Y tế")
    summary = import_contents(
        table(
            [1, "Nội dung đúng", CULTURE, ""],
            ["một", "Số thứ tự sai", CULTURE, ""],
            [3, "", CULTURE, ""],
            [4, "Phối hợp với cơ quan lạ", CULTURE, "Sở Nội vụ; Cơ quan Không Có Thật"],
            [5, "Chủ trì ngoài chương trình", "Sở Y tế", ""],
        ),
        programme,
    )
    assert [error.split(":")[0] for error in summary.errors] == [
        "Dòng 6, cột “TT”",
        "Dòng 7, cột “Nội dung”",
        "Dòng 8, cột “Cơ quan phối hợp”",
        "Dòng 9, cột “Cơ quan chủ trì”",
    ]
    assert "“một”" in summary.errors[0]
    assert "Cơ quan Không Có Thật" in summary.errors[2]
    assert not summary.written
    assert not AgreementContent.objects.exists()


def test_a_lead_or_participant_that_is_not_a_party_is_refused(programme):
    make_agency("Sở Y tế")
    summary = import_contents(
        table([1, "Khám bệnh cho đồng bào", "Sở Y tế", "Sở Y tế; Sở Nội vụ"]), programme
    )
    assert len(summary.errors) == 2
    lead, participant = summary.errors
    assert lead.startswith("Dòng 5, cột “Cơ quan chủ trì”")
    assert participant.startswith("Dòng 5, cột “Cơ quan phối hợp”")
    # Names the agency and the agreement's parties.
    assert "Sở Y tế" in lead and CULTURE in lead and "Ban Dân vận Tỉnh ủy" in lead
    assert not AgreementContent.objects.exists()


def test_an_unknown_agency_gets_the_closest_partys_name(programme):
    summary = import_contents(
        table([1, "Văn hóa, thể thao", "Sở Văn hóa Thể thao Du lịch", ""]), programme
    )
    assert summary.errors == [
        "Dòng 5, cột “Cơ quan chủ trì”: không tìm thấy cơ quan, đơn vị “Sở Văn hóa Thể thao Du "
        f"lịch”. Có phải “{CULTURE}”?"
    ]


def test_importing_the_table_again_updates_instead_of_adding(programme):
    import_contents(table(*EIGHT_CONTENTS), programme)
    again = import_contents(table(*EIGHT_CONTENTS), programme)
    assert (again.errors, again.new, again.updated, again.unchanged) == ([], 0, 0, 4)

    changed = [list(row) for row in EIGHT_CONTENTS]
    changed[1][3] = "Sở Nội vụ"  # one participant less
    changed[2][1] = "Vận động đồng bào phát triển sản xuất, giảm nghèo"
    summary = import_contents(table(*changed), programme)
    assert (summary.errors, summary.new, summary.updated, summary.unchanged) == ([], 0, 2, 2)
    assert programme.contents.count() == 4
    assert contents_of(programme)[("Nội dung chung", 1)][2] == ["Sở Nội vụ"]
    assert contents_of(programme)[("Nội dung chung", 2)][0].endswith("giảm nghèo")


def test_a_content_left_out_of_the_file_is_kept_and_named(programme):
    import_contents(table(*EIGHT_CONTENTS), programme)
    summary = import_contents(table(*EIGHT_CONTENTS[:3]), programme)
    assert (summary.errors, summary.unchanged) == ([], 2)
    assert programme.contents.count() == 4
    assert any("Nội dung cụ thể 1" in notice for notice in summary.notices)


def export_contents(agreement):
    resource = AgreementContentResource()
    return XLSX().export_data(resource.export(agreement.contents.all()))


def test_the_export_imports_back_unchanged_and_into_another_agreement(
    programme, parties, coordinator
):
    import_contents(table(*EIGHT_CONTENTS), programme)
    data = export_contents(programme)
    header = [c.value for c in next(load_workbook(io.BytesIO(data)).active.rows)]
    assert header[:5] == ["TT", "Nhóm", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp"]

    again = import_contents(data, programme)
    assert (again.errors, again.new, again.updated, again.unchanged) == ([], 0, 0, 4)
    other = make_programme(parties, coordinator, name="Chương trình năm 2027")
    copied = import_contents(data, other)
    assert (copied.errors, copied.new) == ([], 4)
    assert contents_of(other) == contents_of(programme)


def test_the_contents_export_escapes_formulas(programme, parties):
    AgreementContent.objects.create(
        agreement=programme, number=1, title='=HYPERLINK("http://x")', lead=parties[0]
    )
    values = [
        c.value
        for row in load_workbook(io.BytesIO(export_contents(programme))).active.rows
        for c in row
    ]
    assert '\'=HYPERLINK("http://x")' in values


# --- The contents through the admin ----------------------------------------------------------


def upload(data, name):
    file = io.BytesIO(data)
    file.name = name
    return file


def export_form(resource):
    """The admin's export form with every column of ``resource`` ticked."""
    ticked = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().fields}
    return {"format": "0", "resource": "0", **ticked}


def confirm(client, response, url_name):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(reverse(url_name), data)


def test_the_admin_previews_the_contents_then_writes_them_on_confirmation(admin_client, programme):
    response = admin_client.post(
        reverse("admin:assignments_agreementcontent_import"),
        {
            "import_file": upload(table(*EIGHT_CONTENTS), "noi-dung.xlsx"),
            "format": "0",
            "resource": "0",
            "agreement": programme.pk,
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Xác nhận nhập" in content and "Tuyên truyền chủ trương" in content
    assert not AgreementContent.objects.exists()
    done = confirm(admin_client, response, "admin:assignments_agreementcontent_process_import")
    assert done.status_code == 302
    assert programme.contents.count() == 4


def test_the_admin_preview_of_a_bad_table_offers_no_confirmation(admin_client, programme):
    response = admin_client.post(
        reverse("admin:assignments_agreementcontent_import"),
        {
            "import_file": upload(table([1, "Nội dung", "Sở Không Có", "Cơ quan lạ"]), "a.xlsx"),
            "format": "0",
            "resource": "0",
            "agreement": programme.pk,
        },
    )
    content = response.content.decode()
    assert "Dòng 5, cột “Cơ quan phối hợp”" in content
    assert response.context.get("confirm_form") is None


def test_the_admin_exports_one_agreements_contents(admin_client, programme, parties, coordinator):
    import_contents(table(*EIGHT_CONTENTS), programme)
    other = make_programme(parties, coordinator, name="Chương trình khác")
    AgreementContent.objects.create(agreement=other, number=9, title="Nội dung khác")
    url = reverse("admin:assignments_agreementcontent_export")
    response = admin_client.post(
        f"{url}?agreement__id__exact={programme.pk}", export_form(AgreementContentResource)
    )
    assert response.status_code == 200
    assert 'filename="noi-dung-phoi-hop-' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 5 and "Nội dung khác" not in str(rows)


def test_only_the_coordinating_body_may_import_even_with_the_permission(client, db):
    from django.contrib.auth.models import Permission

    officer = User.objects.create_user(username="canbo", role=User.Role.REPORTER, is_staff=True)
    officer.user_permissions.set(
        Permission.objects.filter(codename__in=["add_agreementcontent", "add_exemplarymodel"])
    )
    client.force_login(officer)
    assert client.get(reverse("admin:assignments_agreementcontent_import")).status_code == 403
    assert client.get(reverse("admin:assignments_exemplarymodel_import")).status_code == 403


# --- The register of exemplary models --------------------------------------------------------

REGISTER_HEADER = [
    "STT",
    "Tên mô hình",
    "Lĩnh vực",
    "Chủ thể",
    "Tên chủ thể",
    "Cơ quan đăng ký",
    "Xã, phường",
    "Từ năm",
    "Mô tả",
    "Năm",
    "Kết quả",
    "Cấp khen thưởng",
    "Hình thức khen thưởng",
    "Nhân rộng đến",
]


@pytest.fixture
def place(db):
    commune = make_commune("Ia Kreng", parent=make_district("Chư Păh"))
    return {"commune": commune, "village": make_village("Dip", commune=commune)}


@pytest.fixture
def culture(db):
    return make_agency(CULTURE)


def register_file(*rows):
    return xlsx([["DANH SÁCH MÔ HÌNH “DÂN VẬN KHÉO”"], [], REGISTER_HEADER, *map(list, rows)])


# Rows 4 to 8: one model over two years; models of a village, a person and a commune.
REGISTER = [
    [
        1,
        "Bò sinh sản",
        "Kinh tế",
        "Cơ quan, đơn vị",
        CULTURE,
        "",
        "",
        2024,
        "Nuôi bò",
        2024,
        "Đăng ký",
        "",
        "",
        "",
    ],
    [
        2,
        "bò sinh SẢN",
        "Kinh tế",
        "",
        CULTURE,
        "",
        "",
        "",
        "",
        2025,
        "Khen thưởng",
        "Tỉnh",
        "Bằng khen của Chủ tịch UBND tỉnh",
        "làng Ghè",
    ],
    [
        3,
        "Cồng chiêng",
        "Văn hóa - xã hội",
        "Thôn, làng",
        "làng Dip",
        CULTURE,
        "xã Ia Kreng",
        2023,
        "Đội cồng chiêng",
        2025,
        "Hiệu quả",
        "",
        "",
        "",
    ],
    [
        4,
        "Già làng vận động",
        "Xây dựng Đảng và hệ thống chính trị",
        "Cá nhân",
        "Già làng A Nhong",
        CULTURE,
        "Ia Kreng",
        2024,
        "Vận động",
        2025,
        "Khen thưởng",
        "Huyện",
        "",
        "",
    ],
    [
        5,
        "Tổ tự quản",
        "Quốc phòng - an ninh",
        "Xã, phường",
        "xã Ia Kreng",
        "",
        "",
        2024,
        "Tổ tự quản an ninh",
        2025,
        "Đăng ký",
        "",
        "",
        "",
    ],
]


def import_register(data):
    return run_import(ModelRegisterResource, data, name="mo-hinh.xlsx")


def test_the_register_imports_a_model_per_name_and_owner_and_a_row_per_year(culture, place):
    summary = import_register(register_file(*REGISTER))
    assert summary.errors == []
    assert (summary.rows, summary.new) == (5, 5)
    assert ExemplaryModel.objects.count() == 4
    cows = ExemplaryModel.objects.get(name="Bò sinh sản")
    assert (cows.field, cows.owner, cows.agency, cows.start_year) == (
        "economy",
        "agency",
        culture,
        2024,
    )
    assert list(cows.years.values_list("year", "status", "level")) == [
        (2024, "registered", ""),
        (2025, "commended", "province"),
    ]
    assert cows.years.get(year=2025).replicated_to == "làng Ghè"
    gongs = ExemplaryModel.objects.get(name="Cồng chiêng")
    assert (gongs.owner, gongs.village, gongs.commune, gongs.agency) == (
        "village",
        place["village"],
        place["commune"],
        culture,
    )
    elder = ExemplaryModel.objects.get(name="Già làng vận động")
    assert (elder.field, elder.person, elder.years.get().level) == (
        "political_system",
        "Già làng A Nhong",
        "district",
    )
    guard = ExemplaryModel.objects.get(name="Tổ tự quản")
    assert (guard.field, guard.owner, guard.commune, guard.agency) == (
        "defence_security",
        "commune",
        place["commune"],
        None,
    )
    assert gongs.history.first().history_change_reason


def test_the_register_names_a_numbered_village_by_its_number(culture, place):
    second = make_village("2", kind="thon", commune=place["commune"])
    row = list(REGISTER[2])
    row[4] = "Thôn II"  # "Thôn 2" written in Roman numerals
    summary = import_register(register_file(row))
    assert summary.errors == []
    assert ExemplaryModel.objects.get(name="Cồng chiêng").village == second


def test_every_bad_register_row_is_listed_and_nothing_is_written(culture, place):
    rows = [list(row) for row in REGISTER]
    rows[0][2] = "Nông nghiệp"  # no such field
    rows[1][11] = ""  # commended without its level
    rows[2][5] = "Sở Văn hóa Thể thao Du lịch"  # misspelt
    rows[3][9] = "năm nay"
    rows[4][10] = "Xuất sắc"
    summary = import_register(register_file(*rows))
    assert [error.split(":")[0] for error in summary.errors] == [
        "Dòng 4, cột “Lĩnh vực”",
        "Dòng 5, cột “Cấp khen thưởng”",
        "Dòng 6, cột “Cơ quan đăng ký”",
        "Dòng 7, cột “Năm”",
        "Dòng 8, cột “Kết quả”",
    ]
    # The accepted values are listed, the commendation's level asked for, the close name given.
    assert "Kinh tế" in summary.errors[0] and "Quốc phòng - an ninh" in summary.errors[0]
    assert "cấp khen thưởng" in summary.errors[1]
    assert f"“{CULTURE}”" in summary.errors[2]
    assert "Đăng ký" in summary.errors[4]
    assert not ExemplaryModel.objects.exists() and not ModelYear.objects.exists()


def test_importing_the_register_again_changes_nothing_and_a_change_updates(culture, place):
    import_register(register_file(*REGISTER))
    again = import_register(register_file(*REGISTER))
    assert (again.errors, again.new, again.updated, again.unchanged) == ([], 0, 0, 5)
    rows = [list(row) for row in REGISTER]
    rows[0][10] = "Hiệu quả"  # 2024: judged effective after all
    summary = import_register(register_file(*rows))
    assert (summary.errors, summary.new, summary.updated, summary.unchanged) == ([], 0, 1, 4)
    assert ModelYear.objects.get(model__name="Bò sinh sản", year=2024).status == "effective"
    assert ExemplaryModel.objects.count() == 4


def reporter_of(agency):
    user = User.objects.create_user(username="canbo-vh", role=User.Role.REPORTER)
    AgencyMembership.objects.create(user=user, agency=agency)
    return user


def download(client, **query):
    response = client.get(reverse("model_list_xlsx"), query)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    return response, rows


def test_the_register_export_imports_back_unchanged(client, coordinator, culture, place):
    import_register(register_file(*REGISTER))
    client.force_login(coordinator)
    response, rows = download(client, year=2025)
    assert 'filename="mo-hinh-dien-hinh-nam-2025-' in response["Content-Disposition"]
    assert len(rows) == 5  # the heading and the four models of 2025
    summary = import_register(response.content)
    assert (summary.errors, summary.new, summary.updated, summary.unchanged) == ([], 0, 0, 4)


def test_the_register_export_holds_only_the_reporters_agencies_models(client, culture):
    other = make_agency("Công an tỉnh")
    make_model(culture, "Mô hình của mình", years=[(2025, "registered", "")])
    make_model(other, "Mô hình của công an", years=[(2025, "registered", "")])
    client.force_login(reporter_of(culture))
    _response, rows = download(client, year=2025)
    names = [row[0] for row in rows[1:]]
    assert names == ["Mô hình của mình"]


def test_the_register_export_follows_the_pages_year_and_field(client, coordinator, culture):
    make_model(culture, "Kinh tế 2024", years=[(2024, "registered", "")])
    make_model(culture, "Kinh tế 2025", years=[(2025, "registered", "")])
    make_model(culture, "An ninh 2025", field="defence_security", years=[(2025, "effective", "")])
    client.force_login(coordinator)
    _response, rows = download(client, year=2025, field="economy")
    assert [row[0] for row in rows[1:]] == ["Kinh tế 2025"]
    page = client.get(reverse("model_list"), {"year": 2025, "field": "economy"})
    assert f"{reverse('model_list_xlsx')}?year=2025&amp;field=economy" in page.content.decode()


def test_the_register_export_escapes_formulas(client, coordinator, culture):
    make_model(culture, "=1+1", years=[(2025, "registered", "")])
    client.force_login(coordinator)
    _response, rows = download(client, year=2025)
    assert rows[1][0] == "'=1+1"


def test_the_register_export_takes_as_many_queries_for_30_models_as_for_3(
    client, coordinator, culture, place
):
    client.force_login(coordinator)
    assignment = make_assignment(agency=culture, village=place["village"])

    def queries(count):
        for _ in range(count):
            make_model(
                culture,
                years=[(2025, "commended", "province")],
                owner="village",
                village=place["village"],
                commune=place["commune"],
                assignment=assignment,
            )
        with CaptureQueriesContext(connection) as captured:
            download(client, year=2025)
        return len(captured)

    # Session and user, the models' years with everything they show.
    assert queries(3) == queries(27)


def test_the_admin_previews_the_register_then_writes_it(admin_client, culture, place):
    response = admin_client.post(
        reverse("admin:assignments_exemplarymodel_import"),
        {
            "import_file": upload(register_file(*REGISTER), "mo-hinh.xlsx"),
            "format": "0",
            "resource": "0",
        },
    )
    assert response.status_code == 200
    assert "Xác nhận nhập" in response.content.decode()
    assert not ExemplaryModel.objects.exists()
    done = confirm(admin_client, response, "admin:assignments_exemplarymodel_process_import")
    assert done.status_code == 302
    assert (ExemplaryModel.objects.count(), ModelYear.objects.count()) == (4, 5)


def test_the_admin_exports_the_register_of_a_year(admin_client, culture):
    make_model(culture, "Mô hình A", years=[(2024, "registered", ""), (2025, "effective", "")])
    url = reverse("admin:assignments_exemplarymodel_export")
    response = admin_client.post(f"{url}?years__year=2025", export_form(ModelRegisterResource))
    assert response.status_code == 200
    assert 'filename="mo-hinh-dien-hinh-' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("Tên mô hình", "Lĩnh vực", "Chủ thể")
    assert [(row[0], row[9]) for row in rows[1:]] == [("Mô hình A", 2025)]
