"""Names as offices write them: numbered villages ("thôn 05", "Thôn II") and abbreviated
agencies ("Sở VHTT&DL"), remembered as aliases once a user picks the agency in the preview."""

import io
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from assignments.agency_names import initials
from assignments.importing import run_import
from assignments.models import AdministrativeUnit, Agency, AgencyAlias, Assignment, Village
from assignments.resources import AssignmentResource
from assignments.text import name_key
from tests.assignments.conftest import DIP
from tests.spreadsheets import assignment_list

pytestmark = pytest.mark.django_db

VHTT = "Sở Văn hóa, Thể thao và Du lịch"


def run(data, directive, **options):
    return run_import(AssignmentResource, data, name="ds.xlsx", directive=directive, **options)


def ia_kreng():
    return AdministrativeUnit.objects.get(name="Ia Kreng", level="commune", valid_to=None)


# --- Numbered names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("thôn 05", "Thôn 5"),
        ("Thôn II", "thôn 2"),
        ("Tổ XV", "tổ 15"),
        ("II", "2"),
        ("Khu 3, thôn IV", "khu 03 thon 4"),
    ],
)
def test_numbers_in_names_compare_by_value(written, same_as):
    assert name_key(written) == name_key(same_as)


@pytest.mark.parametrize("name", ["Ia Ka", "làng Vi", "Plei Ia", "Mix", "thôn vi"])
def test_words_that_look_like_roman_numerals_stay_words(name):
    assert not any(ch.isdigit() for ch in name_key(name))


def test_thon_05_and_thon_v_are_the_existing_thon_5_never_a_duplicate(directive):
    commune = ia_kreng()
    thon5 = Village.objects.create(name="5", kind="thon", commune=commune)
    thon2 = Village.objects.create(name="2", kind="thon", commune=commune)
    villages = Village.objects.count()
    data = assignment_list(
        [
            ["Sở Nội vụ", "thôn 05", "xã Ia Kreng", "", "CT", ""],
            [VHTT, "Thôn V", "Ia Kreng", "", "PH", ""],
            ["Sở Tư pháp", "Thôn II", "Ia Kreng", "", "", ""],
        ]
    )
    summary = run(data, directive, create_missing=True)
    assert summary.errors == []
    assert Village.objects.count() == villages
    rows = Assignment.objects.filter(directive=directive)
    assert {(a.agency.name, a.village_id, a.role) for a in rows} == {
        ("Sở Nội vụ", thon5.pk, "lead"),
        (VHTT, thon5.pk, "supporting"),
        ("Sở Tư pháp", thon2.pk, "lead"),
    }
    # Importing the same list again changes nothing.
    again = run(data, directive, create_missing=True)
    assert (again.errors, again.new, again.unchanged) == ([], 0, 3)
    assert Village.objects.count() == villages


def test_a_missing_numbered_village_is_created_once(directive):
    data = assignment_list(
        [
            ["Sở Nội vụ", "thôn 07", "xã Ia Kreng", "", "", ""],
            [VHTT, "Thôn 7", "Ia Kreng", "", "", ""],
        ]
    )
    summary = run(data, directive, create_missing=True)
    assert summary.errors == []
    assert Village.objects.filter(commune=ia_kreng(), name__in=["07", "7"]).count() == 1


# --- Abbreviations and aliases -------------------------------------------------------------


def test_initials_of_the_significant_words():
    assert initials(VHTT) == initials("Sở VHTT&DL") == "svhttdl"
    assert initials("Sở Lao động - Thương binh và Xã hội") == initials("Sở LĐ-TB&XH")
    assert initials("Bộ Chỉ huy Quân sự tỉnh") == initials("BCH Quân sự tỉnh")
    assert initials("Ủy ban nhân dân huyện Chư Păh") == initials("UBND huyện Chư Păh")
    # A heading written all in capitals is words, not letters.
    assert initials("SỞ NỘI VỤ") == initials("Sở Nội vụ") == "snv"


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("Sở VHTT&DL", VHTT),
        ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("BCH Quân sự tỉnh", "Bộ Chỉ huy Quân sự tỉnh"),
        ("Công an tỉnh GL", "Công an tỉnh"),
    ],
)
def test_an_abbreviated_agency_gets_the_agency_suggested_first(directive, written, meant):
    data = assignment_list([[written, "làng Dip", "xã Ia Kreng", "", "", ""]])
    summary = run(data, directive, create_missing=False)
    assert len(summary.errors) == 1
    assert f"Có phải “{meant}”" in summary.errors[0]
    assert not Assignment.objects.filter(directive=directive).exists()


def test_create_missing_never_creates_an_abbreviation_of_an_existing_agency(directive):
    agencies = Agency.objects.count()
    data = assignment_list([["Sở VHTT&DL", "làng Dip", "xã Ia Kreng", "", "", ""]])
    summary = run(data, directive, create_missing=True)
    assert len(summary.errors) == 1
    assert f"Có phải “{VHTT}”" in summary.errors[0]
    assert Agency.objects.count() == agencies


def test_a_remembered_alias_resolves_the_agency_and_says_so(directive):
    AgencyAlias.objects.create(agency=Agency.objects.get(name=VHTT), alias="Sở VHTT&DL")
    data = assignment_list([["SỞ VHTT & DL", "làng Dip", "xã Ia Kreng", "", "", ""]])
    summary = run(data, directive)
    assert summary.errors == []
    assert Assignment.objects.get(directive=directive).agency.name == VHTT
    assert any("SỞ VHTT & DL" in n and VHTT in n for n in summary.notices)


def test_create_missing_never_creates_an_agency_under_a_remembered_alias(directive):
    AgencyAlias.objects.create(agency=Agency.objects.get(name=VHTT), alias="Sở VHTT&DL")
    agencies = Agency.objects.count()
    data = assignment_list([["Sở VHTT&DL", "làng Dip", "xã Ia Kreng", "", "", ""]])
    assert run(data, directive, create_missing=True).errors == []
    assert Agency.objects.count() == agencies


# --- In the admin --------------------------------------------------------------------------


def upload(data):
    file = io.BytesIO(data)
    file.name = "ds.xlsx"
    return file


def preview(client, data, directive, **extra):
    return client.post(
        reverse("admin:assignments_assignment_import"),
        {
            "import_file": upload(data),
            "format": "0",
            "resource": "0",
            "directive": directive.pk,
            **extra,
        },
    )


class Tables(HTMLParser):
    """The tables of a page by id: each a list of rows, each a list of cell texts."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.current, self.cell = {}, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.current[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_preview_puts_each_value_under_its_heading(admin_client, directive):
    data = assignment_list(
        [DIP, ["Sở Nội vụ", "Kép", "Ia Ka", "Chư Păh", "PH", "Ghi chú mẫu"]],
    )
    table = Tables(preview(admin_client, data, directive).content.decode()).tables["import-preview"]
    heading, *rows = table
    assert heading[1:] == ["Cơ quan, đơn vị", "Thôn, làng", "Xã", "Huyện", "Vai trò", "Ghi chú"]
    assert all(len(row) == len(heading) for row in rows)
    kep = dict(zip(heading, rows[1], strict=True))
    assert kep["Xã"] == "xã Ia Ka"
    assert kep["Vai trò"] == "Phối hợp"
    assert kep["Ghi chú"] == "Ghi chú mẫu"
    assert dict(zip(heading, rows[0], strict=True))["Vai trò"] == "Chủ trì"


def test_the_rows_in_error_show_the_files_row_numbers(admin_client, directive):
    data = assignment_list([DIP, ["Sở Không Có", "Dip", "Ia Kreng", "", "", ""]])
    table = Tables(preview(admin_client, data, directive).content.decode()).tables["import-errors"]
    heading, *rows = table
    assert heading[:2] == ["Dòng", "Lỗi"]
    assert len(rows) == 1 and len(rows[0]) == len(heading)
    row = dict(zip(heading, rows[0], strict=True))
    assert row["Dòng"] == "9"
    assert row["Lỗi"].startswith("Dòng 9, cột “Cơ quan, đơn vị”")
    assert row["Cơ quan, đơn vị"] == "Sở Không Có"
    assert row["Xã"] == "Ia Kreng"


def test_a_suggestion_picked_in_the_preview_is_remembered(admin_client, admin_user, directive):
    data = assignment_list([["Sở VHTT&DL", "làng Dip", "xã Ia Kreng", "", "", ""]])
    vhtt = Agency.objects.get(name=VHTT)
    first = preview(admin_client, data, directive)
    content = first.content.decode()
    assert f'value="{vhtt.pk}:Sở VHTT&amp;DL"' in content
    assert "confirm_form" not in first.context or first.context["confirm_form"] is None

    demo_aliases = AgencyAlias.objects.count()  # those the demo remembers
    again = preview(admin_client, data, directive, remember_alias=f"{vhtt.pk}:Sở VHTT&DL")
    alias = AgencyAlias.objects.get(agency=vhtt)
    assert (alias.agency, alias.alias, alias.key, alias.created_by) == (
        vhtt,
        "Sở VHTT&DL",
        "so vhtt dl",
        admin_user,
    )
    assert again.context["confirm_form"] is not None  # the dry run now passes
    assert not Assignment.objects.filter(directive=directive).exists()
    # Ticking it again does not remember it twice.
    preview(admin_client, data, directive, remember_alias=f"{vhtt.pk}:Sở VHTT&DL")
    assert AgencyAlias.objects.count() == demo_aliases + 1


def test_a_suggestion_is_remembered_without_choosing_the_file_again(
    admin_client, admin_user, directive, django_user_model
):
    data = assignment_list([["Sở VHTT&DL", "làng Dip", "xã Ia Kreng", "", "", ""]])
    vhtt = Agency.objects.get(name=VHTT)
    first = preview(admin_client, data, directive)
    token = first.context["reuse_file"]
    content = first.content.decode()
    assert f'name="reuse_file" value="{token}"' in content
    assert "Tệp “ds.xlsx” được giữ lại" in content
    # The file input is not required then: the browser lets the form go without a file.
    assert 'name="import_file" required' not in content

    url = reverse("admin:assignments_assignment_import")
    fields = {"format": "0", "resource": "0", "directive": directive.pk}
    # A token altered, or another user's, reads nothing and says so.
    other = django_user_model.objects.create_superuser("quantri2", password="x")
    client = Client()
    client.force_login(other)
    stolen = client.post(url, {**fields, "reuse_file": token}, follow=True)
    assert "confirm_form" not in stolen.context or stolen.context["confirm_form"] is None
    assert "không còn được giữ" in stolen.content.decode()
    forged = admin_client.post(url, {**fields, "reuse_file": token[:-2] + "xx"})
    assert "không còn được giữ" in forged.content.decode()

    again = admin_client.post(
        url, {**fields, "reuse_file": token, "remember_alias": f"{vhtt.pk}:Sở VHTT&DL"}
    )
    assert AgencyAlias.objects.get(alias="Sở VHTT&DL").agency == vhtt
    assert again.context["confirm_form"] is not None  # the same file, now resolved
    assert again.context["confirm_form"].initial["original_file_name"] == "ds.xlsx"
    # The kept file is read once: the same token again finds nothing.
    replay = admin_client.post(url, {**fields, "reuse_file": token})
    assert "không còn được giữ" in replay.content.decode()


def test_coordinators_review_and_search_aliases(admin_client, demo):
    vhtt = Agency.objects.get(name=VHTT)
    AgencyAlias.objects.create(agency=vhtt, alias="Sở VHTT&DL")
    remembered = AgencyAlias.objects.count()  # with the demo's own
    url = reverse("admin:assignments_agencyalias_changelist")
    assert "Sở VHTT&amp;DL" in admin_client.get(url, {"q": "vhtt"}).content.decode()
    assert "Sở VHTT&amp;DL" not in admin_client.get(url, {"q": "noi vu"}).content.decode()
    # A name already remembered cannot be added again.
    add = admin_client.post(
        reverse("admin:assignments_agencyalias_add"), {"agency": vhtt.pk, "alias": "SỞ VHTT-DL"}
    )
    assert add.status_code == 200
    assert AgencyAlias.objects.count() == remembered
