"""The demo as a newcomer sees it: the Gia Lai case of 2024 and its story to today, loaded
once for this module."""

import datetime as dt

import pytest

from assignments.models import Agency, Assignment, Directive, ReportingDeadline, Village
from assignments.text import fold

pytestmark = pytest.mark.django_db

D = dt.date


def test_the_demo_holds_the_gia_lai_case_of_2024(demo_world):
    directive = Directive.objects.get(number="13-CT/TU")
    letter = directive.implementations.get()
    assert letter.issuing_body == "UBND tỉnh Gia Lai"
    assert set(letter.reporting_rules.values_list("reporter", "frequency")) == {
        ("agencies", "once"),
        ("agencies", "yearly"),
        ("coordinator", "once"),
        ("coordinator", "yearly"),
    }
    lead = Assignment.objects.filter(directive=letter, role="lead", start_date__year=2024)
    assert lead.values("agency").distinct().count() == 20
    assert lead.values("village").distinct().count() == 17
    dip = Assignment.objects.get(
        agency__name="Sở Văn hóa, Thể thao và Du lịch", start_date__year=2024
    )
    commune = dip.village.commune_on(dip.start_date)
    assert (str(dip.village), str(commune), str(commune.parent)) == (
        "làng Dip",
        "xã Ia Kreng",
        "huyện Chư Păh",
    )
    supporting = Assignment.objects.filter(directive=letter, role="supporting").values_list(
        "agency__name", flat=True
    )
    assert set(supporting) == {
        "Công an tỉnh",
        "Bộ Chỉ huy Quân sự tỉnh",
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    }
    district = Directive.objects.get(number="1573/UBND-KT")
    assert (district.period_from_year, district.period_to_year) == (2020, 2025)
    assert district.implements.number == "1732-CV/HU"


def test_the_demo_deadlines_are_derived_from_the_rules(demo_world):
    dates = {
        (d.rule.directive.number, d.rule.reporter, d.due_date.isoformat())
        for d in ReportingDeadline.objects.select_related("rule__directive")
    }
    assert ("345/UBND-NC", "agencies", "2024-03-25") in dates
    assert ("345/UBND-NC", "coordinator", "2024-03-30") in dates
    assert ("345/UBND-NC", "agencies", "2024-11-10") in dates
    # From 22/08/2025 the plan 43/KH-UBND replaces the letter: its deadlines are due instead.
    assert ("345/UBND-NC", "agencies", "2025-11-10") not in dates
    assert ("43/KH-UBND", "agencies", "2025-11-10") in dates
    assert ("43/KH-UBND", "coordinator", "2025-11-15") in dates


def test_every_pair_says_where_it_comes_from(demo_world):
    """A pair is from the press, illustrative (and says so), or passed on by a restructuring
    (then it points to the assignment it continues)."""
    for assignment in Assignment.objects.exclude(agency__name="Sở Văn hóa, Thể thao và Du lịch"):
        continued = assignment.replaces.exists()
        assert continued or "minh họa" in assignment.note or "Báo Gia Lai" in assignment.note, (
            assignment
        )


def test_seeded_rows_have_consistent_search_keys(demo_world):
    for village in Village.objects.all():
        assert village.search_key == fold(str(village))
    assert Agency.objects.search("so van hoa the thao du lich").count() == 1


def column_at(due, reporter="agencies"):
    from reports import tracking

    deadline = ReportingDeadline.objects.get(due_date=due, rule__reporter=reporter)
    (column,) = tracking.compliance([deadline])
    agencies = tracking.agencies_of([column])
    return {agencies[pk].name: cell.status for pk, cell in column.cells.items()}


def test_at_10_11_2025_the_expected_parties_are_the_successors(demo_world):
    expected = column_at(D(2025, 11, 10))
    assert "Sở Nông nghiệp và Môi trường" in expected
    assert "Sở Xây dựng" in expected and "Sở Tài chính" in expected
    ceased = {
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Sở Tài nguyên và Môi trường",
        "Sở Giao thông vận tải",
        "Sở Kế hoạch và Đầu tư",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở Thông tin và Truyền thông",
        "Văn phòng UBND tỉnh",  # its pair ended with the old regime
    }
    assert not ceased & set(expected)
    assert all(Agency.objects.get(name=name).is_in_force(D(2025, 11, 10)) for name in expected)


def test_the_2024_consolidated_report_names_the_2024_bodies(demo_world):
    from reports import documents

    deadline = ReportingDeadline.objects.get(due_date=D(2024, 3, 25), rule__reporter="agencies")
    figures = documents.consolidated_figures(deadline)
    named = set(figures["on_time"] + figures["late"] + figures["missing"])
    assert {"Sở Kế hoạch và Đầu tư", "Sở Lao động - Thương binh và Xã hội"} <= named
    assert "Sở Nông nghiệp và Môi trường" not in named
    assert documents.default_fields("consolidated", D(2024, 3, 30))["issuer"] == (
        "Ban Dân tộc tỉnh"
    )
    assert documents.default_fields("consolidated")["issuer"] == "Sở Dân tộc và Tôn giáo"


def test_the_reports_of_2024_to_2026_have_every_standing(demo_world):
    from reports.models import Extension, Report

    assert set(column_at(D(2024, 3, 25)).values()) == {"on_time", "late", "missing"}
    latest = set(column_at(D(2026, 11, 10)).values())
    assert {"on_time", "missing", "returned", "extended"} <= latest
    assert Report.objects.filter(versions__number=2).exists()  # returned, then resubmitted
    assert Report.objects.filter(status="submitted").exists()  # waiting for review
    assert Extension.objects.filter(status="granted").count() >= 3


def test_the_story_counts_support_as_the_press_does(demo_world):
    from reports.models import ActivityGoods, ActivityWork

    parcels = ActivityGoods.objects.get(item="phần quà, mỗi phần 10 kg gạo")
    assert (parcels.quantity, parcels.weight_kg) == (144, 1440)
    assert parcels.activity.assignment.agency.name == "Ban Tổ chức Tỉnh ủy"
    houses = ActivityWork.objects.get(kind="great_unity_house")
    assert (houses.quantity, houses.value_vnd) == (3, 300_000_000)
    assert set(ActivityWork.objects.values_list("kind", flat=True)) >= {
        "road",
        "culture_house",
        "water",
    }


def test_the_2025_restructuring_is_on_record(demo_world):
    from assignments.models import AdministrativeUnit, RestructuringEvent

    kinds = set(RestructuringEvent.objects.values_list("kind", flat=True))
    assert kinds == {"agency_merge", "agency_split", "unit_merge", "regime_replace"}
    assert all(e.ordering_document for e in RestructuringEvent.objects.all())
    assert Directive.objects.get(number="13-CT/TU").replaced_by.number == "03-CT/TU"
    assert Directive.objects.get(number="345/UBND-NC").replaced_by.number == "43/KH-UBND"
    districts = AdministrativeUnit.objects.filter(level="district")
    assert set(districts.values_list("valid_to", flat=True)) == {D(2025, 6, 30)}
    old = AdministrativeUnit.objects.filter(level="province", code_list="gso_2004")
    assert set(old.values_list("valid_to", flat=True)) == {D(2025, 6, 30)}
    ar_doch = Village.objects.get(name="Ar Dôch Kơ Tu")
    assert ar_doch.commune_on(D(2025, 6, 1)).place == "xã Đê Ar, huyện Mang Yang"
    assert ar_doch.commune_on(D(2026, 1, 15)).place == "xã Lơ Pang, tỉnh Gia Lai"
    assert Agency.objects.coordinating_body_on(D(2026, 11, 22)).name == "Sở Dân tộc và Tôn giáo"
    recipients = (
        ReportingDeadline.objects.filter(
            rule__directive__number="43/KH-UBND", rule__reporter="agencies"
        )
        .first()
        .rule.recipients
    )
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy" in recipients


def test_the_new_regime_has_every_kind_of_party_and_target(demo_world):
    plan = Directive.objects.get(number="43/KH-UBND")
    pairs = {
        (a.agency.name, str(a.target), a.agency.kind, a.ceremony_date)
        for a in Assignment.objects.filter(directive=plan, start_date__gte=D(2025, 10, 1))
    }
    assert ("Ban Tổ chức Tỉnh ủy", "làng Ar Dôch Kơ Tu", "party", D(2026, 1, 15)) in pairs
    assert ("Phường An Nhơn Bắc", "làng Ghè", "locality", D(2025, 12, 27)) in pairs
    assert ("Xã Ia Dơk", "phường An Nhơn Bắc", "locality", D(2025, 12, 27)) in pairs
    assert ("Phường Hoài Nhơn Tây", "xã Kông Bơ La", "locality", D(2026, 1, 18)) in pairs
    assert {kind for _n, _t, kind, _c in pairs} >= {"bank", "enterprise"}


def test_every_village_has_its_figures_for_2023_to_2026(demo_world):
    from assignments.models import VillageYearFigures

    for village in Village.objects.all():
        years = set(village.figures.values_list("year", flat=True))
        assert years == {2023, 2024, 2025, 2026}, village
    poor = dict(
        VillageYearFigures.objects.filter(village__name="Dip").values_list(
            "year", "poor_households"
        )
    )
    assert poor[2023] > poor[2026]


@pytest.mark.parametrize(
    "username", ["dieuphoi", "vhttdl", "noivu", "btctu", "annhonbac", "lanhdao"]
)
def test_every_demo_account_sees_real_content(client, demo_world, username):
    from django.urls import reverse

    from assignments.models import User

    user = User.objects.get(username=username)
    client.force_login(user)
    home = client.get(reverse("home"), follow=True)
    assert home.status_code == 200
    activities = client.get(reverse("reports:activity_list"))
    assert activities.context["page"].paginator.count > 0
    deadlines = client.get(reverse("reports:deadline_list"))
    assert deadlines.status_code == 200
    if user.is_reporter:
        assert deadlines.context["rows"], username
        agency = home.context["agency"]
        assert agency.is_in_force(D(2026, 11, 22))
        assert home.context["assignments"]
    else:
        dashboard = home.context
        assert dashboard["summaries"] and dashboard["support"]
        assert dashboard["coverage"]["total"] > 0
        reports = client.get(reverse("reports:report_list"))
        assert reports.context["page"].paginator.count > 0


def test_render_report_works_for_every_kind_on_the_demo(demo_world, tmp_path):
    from django.core.management import call_command

    from reports.models import IssuedDocument

    arguments = {
        "assignment_list": {"directive": "43/KH-UBND"},
        "consolidated": {"directive": "43/KH-UBND", "year": 2025},
        "agency_report": {"agency": "Sở Văn hóa, Thể thao và Du lịch"},
        "reminder_letter": {"directive": "43/KH-UBND", "year": 2026},
        "review": {"directive": "345/UBND-NC", "year": 2026, "first_year": 2024},
    }
    for kind, options in arguments.items():
        output = tmp_path / f"{kind}.pdf"
        call_command("render_report", kind, output=output, verbosity=0, **options)
        assert output.read_bytes().startswith(b"%PDF-"), kind
    review = IssuedDocument.objects.get(kind="review")
    years = {row["year"]: row for row in review.figures["rows"]}
    assert years[2025]["households"] and years[2026]["poor"] is not None
    assert "43/KH-UBND" in review.figures["directive"]  # the review spans both regimes


def test_the_documents_of_the_story_name_the_bodies_of_their_dates(client, demo_world):
    from django.urls import reverse

    from assignments.models import User
    from reports.models import IssuedDocument

    issued = {d.kind: d for d in IssuedDocument.objects.all()}
    assert set(issued) == {"consolidated", "assignment_list", "reminder_letter", "agency_report"}
    assert all(d.status == "done" and d.pages for d in issued.values())
    assert issued["consolidated"].issuer == "Ban Dân tộc tỉnh"  # 30/03/2024
    assert issued["reminder_letter"].issuer == "Sở Dân tộc và Tôn giáo"  # 18/11/2026
    assert issued["agency_report"].issuer == "Sở Văn hóa, Thể thao và Du lịch"
    listing = issued["assignment_list"].figures
    assert "xã Lơ Pang" in {row[3] for group in listing["groups"] for row in group["rows"]}
    client.force_login(User.objects.get(username="vhttdl"))
    seen = client.get(reverse("reports:document_list")).context["page"].object_list
    assert [d.kind for d in seen] == ["agency_report"]


@pytest.mark.parametrize("narrowed", ["everyone", "government", "district", "commune"])
def test_every_page_of_the_matrix_agrees_with_the_whole_computation(demo_world, narrowed):
    """Across the story's mergers, splits and replaced documents (agencies expected at some
    deadlines only), the pages of the matrix hold the same agencies, in the same order, with
    the same cells and totals as the matrix computed whole."""
    from django.db.models import Q

    from assignments.models import AdministrativeUnit
    from reports import tracking

    deadlines = list(
        ReportingDeadline.objects.with_effective_date()
        .filter(rule__reporter="agencies")
        .select_related("rule")
        .order_by("effective", "pk")
    )
    agency_filter = unit = None
    if narrowed == "government":
        agency_filter = Q(kind="government")
    elif narrowed == "district":
        unit = AdministrativeUnit.objects.filter(level="district").order_by("pk").first()
    elif narrowed == "commune":
        unit = AdministrativeUnit.objects.get(name="Ia Kreng", level="commune")
    full = tracking.compliance(deadlines, agency_filter=agency_filter, unit=unit)
    agencies = sorted(tracking.agencies_of(full).values(), key=lambda a: (a.sort_key, a.pk))
    assert agencies, "the narrowed matrix is not empty"
    rows, number = [], 1
    while True:
        columns, page = tracking.matrix_page(
            deadlines, agency_filter=agency_filter, unit=unit, page_number=number, per_page=4
        )
        assert [(c.expected, c.submitted) for c in columns] == [
            (f.expected, f.submitted) for f in full
        ]
        rows += [(agency.pk, [cell and cell.status for cell in cells]) for agency, cells in page]
        if not page.has_next():
            break
        number += 1
    assert rows == [
        (agency.pk, [(c.cells.get(agency.pk) and c.cells[agency.pk].status) for c in full])
        for agency in agencies
    ]
    if narrowed == "everyone":
        # Parties expected at some deadlines only (ended by a merger, or new): the case the
        # page's shortcut for the others must not miss.
        assert any(None in statuses and any(statuses) for _pk, statuses in rows)


def test_the_demo_holds_the_seeds_programmes_and_covenants(demo_world):
    from assignments.models import Agreement

    dak_doa = Agreement.objects.get(name__contains="dân vận chính quyền giai đoạn 2022-2026")
    assert (dak_doa.kind, dak_doa.first_year, dak_doa.last_year) == ("programme", 2022, 2026)
    assert dak_doa.contents.count() == 8 and dak_doa.parties.count() == 2
    forces = Agreement.objects.get(name__contains="lực lượng vũ trang năm 2022")
    groups = list(forces.contents.values_list("group", flat=True))
    assert (groups.count("Nội dung chung"), groups.count("Nội dung cụ thể")) == (7, 10)
    assert forces.reviews.get().kind == "final" and forces.parties.count() == 3
    kon_tum = Agreement.objects.get(parties__name="Ban Dân vận Tỉnh ủy Kon Tum")
    assert {t.year for c in kon_tum.contents.all() for t in c.tasks.all()} == {2024}
    covenants = Agreement.objects.filter(kind="covenant")
    assert {c.assignment.agency.name for c in covenants} == {"Xã Ia Dơk", "Ban Tổ chức Tỉnh ủy"}
    assert all(c.contents.count() == 5 and c.meeting_months == 6 for c in covenants)
    # Minh họa: what the sources do not say is marked as such.
    assert all("minh họa" in a.note for a in Agreement.objects.all())
