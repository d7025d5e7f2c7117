"""Village figures by year: entered on a form or imported from Excel (one row per
village-year), shown on the village's page over the years, read by the reviews."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from assignments.importing import run_import
from assignments.models import AgencyMembership, User, VillageYearFigures
from assignments.resources import VillageFiguresResource
from reports import documents
from tests.factories import (
    make_agency,
    make_assignment,
    make_commune,
    make_directive,
    make_district,
    make_figures,
    make_village,
)
from tests.spreadsheets import xlsx

D = dt.date
pytestmark = pytest.mark.django_db

FORM = {
    "year": "2025",
    "households": "212",
    "population": "1.046",
    "poor_households": "41",
    "near_poor_households": "18",
    "left_poverty_households": "7",
    "hard_road_km": "2,5",
    "has_grid_power": "true",
    "has_culture_house": "true",
    "has_school": "false",
    "has_clean_water": "unknown",
    "note": "Số liệu UBND xã cung cấp",
}


@pytest.fixture
def dip():
    return make_village(name="Dip", commune=make_commune(name="Ia Kreng"))


@pytest.fixture
def reporter_of_dip(dip):
    agency = make_agency(name="Sở Văn hóa")
    make_assignment(agency=agency, village=dip)
    user = User.objects.create_user(username="vh", role="reporter")
    AgencyMembership.objects.create(user=user, agency=agency)
    return user


def test_a_coordinator_enters_a_years_figures_and_sees_them_over_the_years(
    client, coordinator, dip
):
    make_figures(dip, year=2024, households=208, poor_households=48)
    client.force_login(coordinator)
    response = client.post(reverse("village_figures_new", args=[dip.pk]), FORM)
    assert response.status_code == 302
    figures = dip.figures.get(year=2025)
    assert (figures.population, figures.hard_road_km) == (1046, Decimal("2.5"))
    assert (figures.has_grid_power, figures.has_school, figures.has_clean_water) == (
        True,
        False,
        None,
    )
    assert figures.history.get().history_user == coordinator
    page = client.get(reverse("village_detail", args=[dip.pk]))
    years = [f.year for f in page.context["figures"]]
    assert years == [2025, 2024]
    content = page.content.decode()
    assert "2,5" in content and "1.046" in content


def test_a_year_is_entered_once_then_corrected(client, coordinator, dip):
    make_figures(dip, year=2025, households=200)
    client.force_login(coordinator)
    twice = client.post(reverse("village_figures_new", args=[dip.pk]), FORM)
    assert twice.status_code == 200
    assert "đã tồn tại" in twice.content.decode() or "đã có" in twice.content.decode()
    assert dip.figures.get(year=2025).households == 200
    corrected = client.post(reverse("village_figures", args=[dip.pk, 2025]), FORM)
    assert corrected.status_code == 302
    assert dip.figures.get(year=2025).households == 212


def test_impossible_figures_are_refused_in_vietnamese(client, coordinator, dip):
    client.force_login(coordinator)
    response = client.post(
        reverse("village_figures_new", args=[dip.pk]),
        {**FORM, "poor_households": "300", "hard_road_km": "-1"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "không được lớn hơn số hộ" in content
    assert not dip.figures.exists()


def test_who_may_enter_figures(client, dip, reporter_of_dip):
    other = User.objects.create_user(username="khac", role="reporter")
    AgencyMembership.objects.create(user=other, agency=make_agency(name="Sở khác"))
    viewer = User.objects.create_user(username="xem", role="viewer")
    url = reverse("village_figures_new", args=[dip.pk])
    client.force_login(reporter_of_dip)
    assert client.post(url, FORM).status_code == 302  # a party twinned with the village
    client.force_login(other)
    assert client.get(url).status_code == 404  # not even shown that the village exists
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    assert client.get(reverse("village_detail", args=[dip.pk])).status_code == 200


def figures_file(*rows):
    header = [
        "STT",
        "Thôn, làng",
        "Xã",
        "Huyện",
        "Năm",
        "Số hộ",
        "Số khẩu",
        "Số hộ nghèo",
        "Số hộ cận nghèo",
        "Số hộ thoát nghèo",
        "Đường cứng hóa (km)",
        "Điện lưới",
        "Nhà văn hóa",
        "Trường, lớp",
        "Nước sạch",
    ]
    return xlsx([["SỐ LIỆU CÁC THÔN, LÀNG KẾT NGHĨA"], header, *rows])


def test_figures_import_one_row_per_village_and_year_all_or_nothing(dip):
    kep = make_village(name="Kép", commune=make_commune(name="Ia Ka", parent=dip.commune.parent))
    data = figures_file(
        [
            1,
            "làng Dip",
            "xã Ia Kreng",
            "",
            2024,
            "208",
            "1.020",
            "48",
            "20",
            "",
            "2,1",
            "x",
            "x",
            "",
            "không",
        ],
        [
            2,
            "làng Dip",
            "xã Ia Kreng",
            "",
            2025,
            "212",
            "1.046",
            "41",
            "18",
            "7",
            "2,5",
            "x",
            "x",
            "x",
            "x",
        ],
        [3, "làng Kép", "Ia Ka", "", 2025, "150", "700", "30", "", "", "", "", "", "", ""],
    )
    summary = run_import(VillageFiguresResource, data, name="so-lieu.xlsx")
    assert (summary.errors, summary.new) == ([], 3)
    assert [f.year for f in dip.figures.order_by("year")] == [2024, 2025]
    assert dip.figures.get(year=2025).left_poverty_households == 7
    assert dip.figures.get(year=2024).has_clean_water is False
    assert kep.figures.get().has_grid_power is None
    again = run_import(VillageFiguresResource, data, name="so-lieu.xlsx")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)


def test_a_figures_file_with_errors_writes_nothing_and_says_every_one(dip):
    data = figures_file(
        [1, "làng Dip", "xã Ia Kreng", "", 2025, "212", "", "300", "", "", "", "x", "", "", ""],
        [2, "làng Không Có", "xã Ia Kreng", "", 2025, "10", "", "", "", "", "", "", "", "", ""],
        [3, "làng Dip", "xã Ia Kreng", "", 1800, "10", "", "", "", "", "", "có lẽ", "", "", ""],
    )
    summary = run_import(VillageFiguresResource, data, name="so-lieu.xlsx")
    assert len(summary.errors) == 4
    assert "Dòng 3" in summary.errors[0] and "không được lớn hơn số hộ" in summary.errors[0]
    assert "Dòng 4" in summary.errors[1] and "Không Có" in summary.errors[1]
    assert any("1990" in e for e in summary.errors) and any("có lẽ" in e for e in summary.errors)
    assert not VillageYearFigures.objects.exists()


def test_a_list_made_before_the_merger_names_the_old_commune(coordinator, dip):
    from assignments import restructuring

    province = dip.commune.parent.parent
    restructuring.unit_merge(
        units=[dip.commune],
        successor=restructuring.NewUnit(name="Ia Khươl", unit_type="xa", parent=province),
        date=D(2025, 7, 1),
        by=coordinator,
        document_reference="Nghị quyết (thử)",
    )
    data = figures_file(
        [1, "làng Dip", "xã Ia Kreng", "", 2024, "208", "", "", "", "", "", "", "", "", ""]
    )
    summary = run_import(VillageFiguresResource, data, name="so-lieu-2024.xlsx")
    assert summary.errors == []
    assert dip.figures.get(year=2024).households == 208


def test_the_review_reads_the_figures_year_by_year(dip):
    directive = make_directive(issued_on=D(2024, 1, 1))
    make_assignment(village=dip, directive=directive, start_date=D(2024, 1, 1))
    make_figures(dip, year=2024, households=208, poor_households=48, hard_road_km=Decimal("2"))
    make_figures(dip, year=2025, households=212, poor_households=41, left_poverty_households=7)
    rows = documents.review_figures(directive, 2024, 2026)["rows"]
    assert [(r["year"], r["households"], r["poor"], r["left_poverty"]) for r in rows] == [
        (2024, 208, 48, None),
        (2025, 212, 41, 7),
        (2026, None, None, None),
    ]
    assert rows[0]["road_km"] == 2.0


def test_the_village_page_queries_do_not_grow_with_its_history(
    client, coordinator, dip, django_assert_max_num_queries
):
    client.force_login(coordinator)
    make_figures(dip, year=2020)
    make_assignment(village=dip)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("village_detail", args=[dip.pk]))
    for year in range(2021, 2027):
        make_figures(dip, year=year)
    for _ in range(6):
        make_assignment(village=dip)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("village_detail", args=[dip.pk]))


def test_the_village_list_shows_the_latest_figures_in_a_fixed_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    district = make_district()
    client.force_login(coordinator)
    for index in range(3):
        make_figures(make_village(commune=make_commune(name=f"X{index}", parent=district)))
    with django_assert_max_num_queries(20) as small:
        response = client.get(reverse("village_list"))
    assert response.context["page"][0].figures_year == 2024
    for index in range(20):
        village = make_village(commune=make_commune(name=f"Y{index}", parent=district))
        make_figures(village, year=2025)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("village_list"))


def test_figures_name_a_numbered_village_by_its_number_however_written(dip):
    fifth = make_village(name="5", kind="thon", commune=dip.commune)
    empty = [""] * 9
    data = figures_file(
        [1, "thôn 05", "xã Ia Kreng", "", 2024, "100", *empty],
        [2, "Thôn V", "Ia Kreng", "", 2025, "101", *empty],
    )
    summary = run_import(VillageFiguresResource, data, name="so-lieu.xlsx")
    assert (summary.errors, summary.new) == ([], 2)
    assert list(fifth.figures.order_by("year").values_list("year", "households")) == [
        (2024, 100),
        (2025, 101),
    ]
