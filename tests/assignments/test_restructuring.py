"""Restructuring as operations: every change of the world is previewed without writing, then
applied by the same plan, moving what the old parties and units held, and recorded with who,
when and the ordering document."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assignments import restructuring
from assignments.models import (
    AdministrativeUnit,
    Agency,
    AgencyMembership,
    AgencySuccession,
    Assignment,
    ReportingDeadline,
    RestructuringEvent,
    User,
    Village,
    VillageLocation,
    coordinating_body_name,
)
from assignments.restructuring import NewAgency, NewUnit
from assignments.services import rule_sync_deadlines
from tests.factories import (
    make_agency,
    make_assignment,
    make_commune,
    make_directive,
    make_district,
    make_province,
    make_village,
    make_yearly_rule,
)

D = dt.date
ORDER = "Quyết định số 12/QĐ-UBND ngày 28/02/2025 (thử)"
pytestmark = pytest.mark.django_db


def footprint():
    """Everything a restructuring writes, counted."""
    return (
        Agency.objects.count(),
        Assignment.objects.count(),
        AgencySuccession.objects.count(),
        RestructuringEvent.objects.count(),
        AdministrativeUnit.objects.count(),
        VillageLocation.objects.count(),
        Assignment.history.count(),
        Agency.history.count(),
        Village.history.count(),
    )


def new_department(name="Sở Nông nghiệp và Môi trường"):
    return NewAgency(name=name, kind="government", level="province")


# --- Mergers of parties -------------------------------------------------------------------


def test_a_preview_writes_nothing_and_the_merger_applies_the_steps_it_showed(coordinator):
    farming, environment = make_agency(name="Sở NN&PTNT"), make_agency(name="Sở TN&MT")
    make_assignment(agency=farming, status="ceremony_held", ceremony_date=D(2024, 3, 20))
    make_assignment(agency=environment)
    before = footprint()
    plan = restructuring.agency_merge_preview(
        agencies=[farming, environment], successor=new_department(), date=D(2025, 3, 1)
    )
    assert plan.ok and plan.texts
    assert footprint() == before
    event = restructuring.agency_merge(
        agencies=[farming, environment],
        successor=new_department(),
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference=ORDER,
    )
    assert event.steps == plan.texts
    assert (event.kind, event.effective_date, event.created_by) == (
        "agency_merge",
        D(2025, 3, 1),
        coordinator,
    )
    assert event.ordering_document == ORDER


def test_merged_parties_pass_their_running_assignments_on_without_a_new_ceremony(coordinator):
    old = make_agency(name="Ban Dân tộc tỉnh")
    running = make_assignment(agency=old, status="ceremony_held", ceremony_date=D(2024, 3, 20))
    finished = make_assignment(
        agency=old, status="ended", end_date=D(2024, 12, 31), end_reason="Hết giai đoạn"
    )
    restructuring.agency_merge(
        agencies=[old],
        successor=new_department("Sở Dân tộc và Tôn giáo"),
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference=ORDER,
    )
    successor = Agency.objects.get(name="Sở Dân tộc và Tôn giáo")
    old.refresh_from_db()
    running.refresh_from_db()
    assert (old.valid_to, list(old.successors.all())) == (D(2025, 2, 28), [successor])
    assert successor.valid_from == D(2025, 3, 1)
    assert (running.status, running.end_date) == ("transferred", D(2025, 2, 28))
    passed = running.replaced_by
    assert (passed.agency, passed.village, passed.directive) == (
        successor,
        running.village,
        running.directive,
    )
    assert (passed.start_date, passed.status, passed.ceremony_date) == (
        D(2025, 3, 1),
        "ceremony_held",
        D(2024, 3, 20),
    )
    finished.refresh_from_db()
    assert finished.agency == old and finished.replaced_by is None
    # Who, when and why are in the audit history of every row touched.
    assert running.history.first().history_user == coordinator
    assert "12/QĐ-UBND" in running.history.first().history_change_reason


def test_a_merger_where_the_successor_already_twins_the_village_ends_the_old_one(coordinator):
    old, successor = make_agency(), make_agency()
    village = make_village()
    kept = make_assignment(agency=successor, village=village)
    duplicate = make_assignment(agency=old, village=village, directive=kept.directive)
    plan = restructuring.agency_merge_preview(
        agencies=[old], successor=successor, date=D(2025, 3, 1)
    )
    assert any("đã đảm nhận" in text for text in plan.texts)
    restructuring.agency_merge(
        agencies=[old],
        successor=successor,
        date=D(2025, 3, 1),
        by=coordinator,
        document=None,
        document_reference=ORDER,
    )
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.end_date) == ("ended", D(2025, 2, 28))
    assert Assignment.objects.in_force_on(D(2025, 3, 1)).filter(village=village).count() == 1


def test_two_merged_parties_with_the_same_village_leave_one_twinning(coordinator):
    one, two = make_agency(), make_agency()
    village = make_village()
    first = make_assignment(agency=one, village=village)
    make_assignment(agency=two, village=village, directive=first.directive)
    restructuring.agency_merge(
        agencies=[one, two],
        successor=new_department(),
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference=ORDER,
    )
    held = Assignment.objects.in_force_on(D(2025, 3, 1)).filter(village=village)
    assert [a.agency.name for a in held] == ["Sở Nông nghiệp và Môi trường"]


def test_reporters_join_the_successor_and_keep_their_old_party(coordinator):
    old = make_agency()
    reporter = User.objects.create_user(username="bc", role="reporter")
    AgencyMembership.objects.create(user=reporter, agency=old)
    make_assignment(agency=old)
    restructuring.agency_merge(
        agencies=[old],
        successor=new_department(),
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference=ORDER,
    )
    assert {a.name for a in reporter.agencies.all()} == {old.name, "Sở Nông nghiệp và Môi trường"}
    # Their landing page is the party in force.
    from django.test import Client

    client = Client()
    client.force_login(reporter)
    successor = Agency.objects.get(name="Sở Nông nghiệp và Môi trường")
    assert client.get(reverse("home")).url == reverse("agency_detail", args=[successor.pk])


def test_the_coordinating_body_passes_to_its_new_successor_and_is_named_by_date(coordinator):
    bdt = make_agency(name="Ban Dân tộc tỉnh", is_coordinating_body=True)
    restructuring.agency_merge(
        agencies=[bdt],
        successor=new_department("Sở Dân tộc và Tôn giáo"),
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference=ORDER,
    )
    assert coordinating_body_name(D(2025, 2, 28)) == "Ban Dân tộc tỉnh"
    assert coordinating_body_name(D(2025, 3, 1)) == "Sở Dân tộc và Tôn giáo"


def test_the_coordinating_body_cannot_pass_to_an_existing_party():
    bdt = make_agency(name="Ban Dân tộc tỉnh", is_coordinating_body=True)
    plan = restructuring.agency_merge_preview(
        agencies=[bdt], successor=make_agency(name="Sở Nội vụ"), date=D(2025, 3, 1)
    )
    assert not plan.ok
    assert "cơ quan đầu mối" in plan.errors[0]


def test_a_merger_refuses_what_cannot_be(coordinator):
    ended = make_agency(valid_to=D(2024, 12, 31))
    alive = make_agency()
    plan = restructuring.agency_merge_preview(
        agencies=[ended, alive], successor=alive, date=D(2025, 3, 1)
    )
    assert not plan.ok
    plan = restructuring.agency_merge_preview(
        agencies=[ended], successor=make_agency(), date=D(2025, 3, 1)
    )
    assert any("đã kết thúc" in error for error in plan.errors)
    other = make_agency(name="Khác")
    before = footprint()
    with pytest.raises(ValidationError):
        restructuring.agency_merge(
            agencies=[ended],
            successor=other,
            date=D(2025, 3, 1),
            by=coordinator,
            document_reference=ORDER,
        )
    assert footprint() == before


def test_a_restructuring_needs_its_ordering_document(coordinator):
    old = make_agency()
    with pytest.raises(ValidationError):
        restructuring.agency_merge(
            agencies=[old], successor=new_department(), date=D(2025, 3, 1), by=coordinator
        )
    assert not RestructuringEvent.objects.exists()


def test_reports_of_the_old_party_stay_under_its_name_and_the_successor_is_expected_later(
    coordinator,
):
    from reports.models import Report

    directive = make_directive(issued_on=D(2024, 1, 1))
    rule = make_yearly_rule(directive=directive, first_year=2024, last_year=2025)
    rule_sync_deadlines(rule=rule)
    old = make_agency(name="Sở Kế hoạch và Đầu tư")
    make_assignment(agency=old, directive=directive, start_date=D(2024, 1, 1))
    d2024, d2025 = rule.deadlines.order_by("due_date")
    report = Report.objects.create(deadline=d2024, agency=old)
    restructuring.agency_merge(
        agencies=[old],
        successor=make_agency(name="Sở Tài chính"),
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference=ORDER,
    )
    report.refresh_from_db()
    assert report.agency == old
    assert [a.name for a in d2024.expected_agencies()] == ["Sở Kế hoạch và Đầu tư"]
    assert [a.name for a in d2025.expected_agencies()] == ["Sở Tài chính"]


# --- Split and renaming ----------------------------------------------------------------------


def test_a_split_gives_each_assignment_to_the_successor_chosen_for_it(coordinator):
    labour = make_agency(name="Sở Lao động - Thương binh và Xã hội")
    reporter = User.objects.create_user(username="ld", role="reporter")
    AgencyMembership.objects.create(user=reporter, agency=labour)
    first = make_assignment(agency=labour)
    second = make_assignment(agency=labour)
    third = make_assignment(agency=labour)
    interior, health = make_agency(name="Sở Nội vụ"), make_agency(name="Sở Y tế")
    schools = NewAgency(name="Sở Giáo dục nghề nghiệp", kind="government", level="province")
    allocation = {first.pk: 0, second.pk: 1, third.pk: None}
    restructuring.agency_split(
        agency=labour,
        successors=[interior, health, schools],
        allocation=allocation,
        members_to=0,
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference=ORDER,
    )
    held = {a.target: a.agency.name for a in Assignment.objects.in_force_on(D(2025, 3, 1))}
    assert held == {first.village: "Sở Nội vụ", second.village: "Sở Y tế"}
    third.refresh_from_db()
    assert (third.status, third.end_date) == ("ended", D(2025, 2, 28))
    assert set(labour.successors.values_list("name", flat=True)) == {
        "Sở Nội vụ",
        "Sở Y tế",
        "Sở Giáo dục nghề nghiệp",
    }
    assert set(AgencySuccession.objects.values_list("kind", flat=True)) == {"split"}
    assert {a.name for a in reporter.agencies.all()} == {labour.name, "Sở Nội vụ"}


def test_a_split_refuses_an_assignment_left_without_a_choice():
    labour = make_agency()
    assignment = make_assignment(agency=labour)
    plan = restructuring.agency_split_preview(
        agency=labour, successors=[make_agency(), make_agency()], allocation={}, date=D(2025, 3, 1)
    )
    assert not plan.ok
    assert str(assignment) in plan.errors[0]


def test_a_renamed_party_keeps_its_past_under_the_old_name(coordinator):
    old = make_agency(name="Sở Thông tin và Truyền thông", short_name="STTTT")
    assignment = make_assignment(agency=old, status="ceremony_held", ceremony_date=D(2024, 4, 1))
    restructuring.agency_rename(
        agency=old,
        name="Sở Khoa học, Công nghệ và Truyền thông",
        short_name="SKHCNTT",
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference=ORDER,
    )
    new = Agency.objects.get(name="Sở Khoa học, Công nghệ và Truyền thông")
    assert (new.kind, new.level, new.short_name) == (old.kind, old.level, "SKHCNTT")
    assert old.successions_out.get().kind == "rename"
    assignment.refresh_from_db()
    assert assignment.replaced_by.agency == new
    assert assignment.replaced_by.ceremony_date == D(2024, 4, 1)
    assert RestructuringEvent.objects.get().kind == "agency_rename"


def test_a_rename_to_a_name_in_use_is_refused():
    make_agency(name="Sở Tài chính")
    plan = restructuring.agency_rename_preview(
        agency=make_agency(), name="sở tài chính", date=D(2025, 3, 1)
    )
    assert not plan.ok


# --- Mergers of administrative units ---------------------------------------------------------


@pytest.fixture
def gia_lai_2025():
    """Two 2024 communes of huyện Chư Păh, and the 2025 province their successor lies in."""
    old_province = make_province(name="Gia Lai")
    district = make_district(name="Chư Păh", parent=old_province)
    ia_kreng = make_commune(name="Ia Kreng", parent=district)
    ha_tay = make_commune(name="Hà Tây", parent=district)
    new_province = make_province(
        name="Gia Lai", code="52", code_list="gso_2025", valid_from=D(2025, 7, 1)
    )
    return {
        "district": district,
        "ia_kreng": ia_kreng,
        "ha_tay": ha_tay,
        "province": new_province,
        "dip": make_village(name="Dip", commune=ia_kreng),
        "ke": make_village(name="Kê", commune=ha_tay),
    }


def merge_communes(world, by, **extra):
    return restructuring.unit_merge(
        units=[world["ia_kreng"], world["ha_tay"]],
        successor=NewUnit(name="Ia Khươl", unit_type="xa", parent=world["province"]),
        date=D(2025, 7, 1),
        by=by,
        document_reference="Nghị quyết số 1664/NQ-UBTVQH15 (thử)",
        **extra,
    )


def test_a_commune_merger_moves_villages_and_keeps_where_they_lay(coordinator, gia_lai_2025):
    world = gia_lai_2025
    merge_communes(world, coordinator)
    new = AdministrativeUnit.objects.get(name="Ia Khươl")
    dip = Village.objects.get(pk=world["dip"].pk)
    assert dip.commune == new
    assert dip.commune_on(D(2024, 3, 1)) == world["ia_kreng"]
    assert dip.commune_on(D(2025, 6, 30)) == world["ia_kreng"]
    assert dip.commune_on(D(2025, 7, 1)) == new
    # The district had no other commune: it ends with them.
    world["district"].refresh_from_db()
    assert world["district"].valid_to == D(2025, 6, 30)
    assert set(new.predecessors.all()) == {world["ia_kreng"], world["ha_tay"]}


def test_a_2024_assignment_list_still_prints_the_2024_commune_and_district(
    coordinator, gia_lai_2025
):
    from reports import documents

    world = gia_lai_2025
    directive = make_directive(issued_on=D(2024, 2, 27))
    make_assignment(
        agency=make_agency(name="Sở Văn hóa"), village=world["dip"], directive=directive
    )
    merge_communes(world, coordinator)
    in_2024 = documents.assignment_list_figures(directive, D(2024, 3, 1))
    row = in_2024["groups"][0]["rows"][0]
    assert (row[2], row[3], row[4]) == ("làng Dip", "xã Ia Kreng", "huyện Chư Păh")
    in_2026 = documents.assignment_list_figures(directive, D(2026, 1, 1))
    row = in_2026["groups"][0]["rows"][0]
    assert (row[2], row[3], row[4]) == ("làng Dip", "xã Ia Khươl", "tỉnh Gia Lai")


def test_a_whole_commune_twinning_passes_to_the_merged_commune(coordinator, gia_lai_2025):
    world = gia_lai_2025
    ward = make_agency(name="Phường Hoài Nhơn Tây")
    twinning = make_assignment(
        agency=ward,
        village=None,
        commune=world["ha_tay"],
        status="ceremony_held",
        ceremony_date=D(2025, 1, 18),
    )
    merge_communes(world, coordinator)
    twinning.refresh_from_db()
    passed = twinning.replaced_by
    assert (str(passed.commune), passed.start_date, passed.ceremony_date) == (
        "xã Ia Khươl",
        D(2025, 7, 1),
        D(2025, 1, 18),
    )


def test_the_communes_own_twinning_parties_merge_with_them(coordinator, gia_lai_2025):
    world = gia_lai_2025
    authority = make_agency(name="Xã Ia Kreng", kind="locality", unit=world["ia_kreng"])
    make_assignment(agency=authority, village=make_village())
    merge_communes(world, coordinator)
    authority.refresh_from_db()
    successor = authority.successors.get()
    assert (successor.name, successor.kind, str(successor.unit)) == (
        "Xã Ia Khươl",
        "locality",
        "xã Ia Khươl",
    )
    assert Assignment.objects.in_force_on(D(2025, 7, 1)).get().agency == successor


def test_villages_that_would_share_a_name_stop_the_merger(coordinator, gia_lai_2025):
    world = gia_lai_2025
    make_village(name="Dip", commune=world["ha_tay"], kind="thon")  # "thôn Dip" folds alike
    plan = restructuring.unit_merge_preview(
        units=[world["ia_kreng"], world["ha_tay"]],
        successor=NewUnit(name="Ia Khươl", unit_type="xa", parent=world["province"]),
        date=D(2025, 7, 1),
    )
    assert not plan.ok
    assert "trùng tên" in plan.errors[0]
    with pytest.raises(ValidationError):
        merge_communes(world, coordinator)
    assert not AdministrativeUnit.objects.filter(name="Ia Khươl").exists()


def test_a_province_merges_only_when_its_units_have(coordinator, gia_lai_2025):
    world = gia_lai_2025
    old_province = world["district"].parent
    plan = restructuring.unit_merge_preview(
        units=[old_province], successor=world["province"], date=D(2025, 7, 1)
    )
    assert not plan.ok  # huyện Chư Păh is still in force
    merge_communes(world, coordinator)
    department = make_agency(name="Sở Y tế", unit=old_province)
    restructuring.unit_merge(
        units=[old_province],
        successor=world["province"],
        date=D(2025, 7, 1),
        by=coordinator,
        document_reference="Nghị quyết số 202/2025/QH15",
    )
    department.refresh_from_db()
    assert department.unit == world["province"]  # the department continues in the new province


# --- A document replaced by a new one ------------------------------------------------------


def test_a_replaced_document_stops_its_later_deadlines_and_chosen_pairs_continue(coordinator):
    from reports.models import Report

    old = make_directive(number="345/UBND-NC", issued_on=D(2024, 2, 27))
    rule = make_yearly_rule(directive=old, first_year=2024, last_year=2030)
    rule_sync_deadlines(rule=rule)
    Report.objects.create(
        deadline=rule.deadlines.get(due_date=D(2026, 11, 10)), agency=make_agency()
    )
    new = make_directive(number="43/KH-UBND", issued_on=D(2025, 8, 22))
    keeps = make_assignment(directive=old, status="active", ceremony_date=D(2024, 3, 15))
    ends = make_assignment(directive=old)
    plan = restructuring.regime_replace_preview(
        directive=old, new_directive=new, date=D(2025, 8, 22), continuing=[keeps.pk]
    )
    assert any("đã có báo cáo" in warning for warning in plan.warnings)
    restructuring.regime_replace(
        directive=old,
        new_directive=new,
        date=D(2025, 8, 22),
        continuing=[keeps.pk],
        by=coordinator,
    )
    old.refresh_from_db()
    assert (old.in_force_to, old.replaced_by) == (D(2025, 8, 21), new)
    due = set(ReportingDeadline.objects.filter(rule=rule).values_list("due_date", flat=True))
    # 2024 stays; 2025 and later are gone, but for the deadline that already had a report.
    assert due == {D(2024, 11, 10), D(2026, 11, 10)}
    keeps.refresh_from_db()
    continued = keeps.replaced_by
    assert (continued.directive, continued.agency, continued.village) == (
        new,
        keeps.agency,
        keeps.village,
    )
    assert (continued.start_date, continued.status) == (D(2025, 8, 22), "active")
    ends.refresh_from_db()
    assert (ends.status, ends.end_date) == ("ended", D(2025, 8, 21))
    event = RestructuringEvent.objects.get()
    assert event.document == new  # the new document itself is the order


def test_the_directive_a_replaced_letter_implemented_is_replaced_with_it(coordinator):
    old_directive = make_directive(number="13-CT/TU", issued_on=D(2023, 12, 5))
    new_directive = make_directive(number="03-CT/TU", issued_on=D(2025, 8, 7))
    old = make_directive(number="345/UBND-NC", implements=old_directive)
    new = make_directive(number="43/KH-UBND", issued_on=D(2025, 8, 22), implements=new_directive)
    restructuring.regime_replace(
        directive=old, new_directive=new, date=D(2025, 8, 22), continuing=[], by=coordinator
    )
    old_directive.refresh_from_db()
    assert (old_directive.replaced_by, old_directive.in_force_to) == (
        new_directive,
        D(2025, 8, 21),
    )


# --- The pages and the admin -------------------------------------------------------------------


def merge_form(agency, **extra):
    return {
        "agencies": [agency.pk],
        "successor": "",
        "new_name": "Sở Nông nghiệp và Môi trường",
        "new_kind": "government",
        "new_level": "province",
        "date": "01/03/2025",
        "document_reference": ORDER,
        **extra,
    }


def test_the_page_previews_then_applies_what_the_coordinator_confirmed(client, coordinator):
    old = make_agency(name="Sở NN&PTNT")
    make_assignment(agency=old)
    client.force_login(coordinator)
    url = reverse("agency_merge")
    assert client.get(url, {"agencies": old.pk}).context["form"].initial["agencies"] == [old.pk]
    preview = client.post(url, {**merge_form(old), "action": "preview"})
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert "Những việc sẽ thực hiện" in preview.content.decode()
    assert not RestructuringEvent.objects.exists()
    done = client.post(
        url, {**merge_form(old), "action": "confirm", "fingerprint": plan.fingerprint()}
    )
    assert done.status_code == 302
    assert RestructuringEvent.objects.get().steps == plan.texts


def test_a_plan_that_changed_since_the_preview_is_shown_again_not_applied(client, coordinator):
    old = make_agency(name="Sở NN&PTNT")
    make_assignment(agency=old)
    client.force_login(coordinator)
    url = reverse("agency_merge")
    plan = client.post(url, {**merge_form(old), "action": "preview"}).context["plan"]
    make_assignment(agency=old)  # someone adds an assignment meanwhile
    response = client.post(
        url, {**merge_form(old), "action": "confirm", "fingerprint": plan.fingerprint()}
    )
    assert response.status_code == 200
    assert not RestructuringEvent.objects.exists()
    assert "Dữ liệu đã thay đổi" in response.content.decode()


def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(client, coordinator):
    old = make_agency()
    client.force_login(coordinator)
    before = footprint()
    response = client.post(
        reverse("agency_merge"),
        {**merge_form(old, date="31/02/2025", document_reference=""), "action": "confirm"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Hãy nêu văn bản quy định việc thay đổi." in content
    assert footprint() == before


def test_every_restructuring_page_renders_for_coordinators(client, coordinator, gia_lai_2025):
    client.force_login(coordinator)
    for name in ("agency_merge", "agency_split", "agency_rename", "unit_merge", "regime_replace"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    listing = client.get(reverse("restructuring_list"))
    assert "Sáp nhập cơ quan, đơn vị" in listing.content.decode()


def test_the_split_page_asks_who_takes_each_assignment(client, coordinator):
    labour = make_agency(name="Sở LĐTBXH")
    assignment = make_assignment(agency=labour)
    interior, health = make_agency(name="Sở Nội vụ"), make_agency(name="Sở Y tế")
    client.force_login(coordinator)
    data = {
        "agency": labour.pk,
        "successors": [interior.pk, health.pk],
        "date": "01/03/2025",
        "document_reference": ORDER,
        "action": "preview",
    }
    first = client.post(reverse("agency_split"), data)
    assert f"alloc_{assignment.pk}" in first.context["form"].fields
    data[f"alloc_{assignment.pk}"] = "1"
    plan = client.post(reverse("agency_split"), data).context["plan"]
    assert plan.ok
    client.post(
        reverse("agency_split"), {**data, "action": "confirm", "fingerprint": plan.fingerprint()}
    )
    assert Assignment.objects.in_force_on(D(2025, 3, 1)).get().agency == health


def test_the_admin_sends_restructurings_to_the_same_pages(admin_client):
    one, two = make_agency(), make_agency()
    response = admin_client.post(
        reverse("admin:assignments_agency_changelist"),
        {"action": "merge", "_selected_action": [one.pk, two.pk]},
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("agency_merge") + "?agencies=")
    assert set(response.url.split("=")[1].split(",")) == {str(one.pk), str(two.pk)}


def test_the_admin_refuses_to_end_a_party_that_still_holds_assignments(admin_client):
    agency = make_agency(name="Sở Ngoại vụ")
    make_assignment(agency=agency)
    data = {
        "name": agency.name,
        "short_name": "",
        "level": "province",
        "kind": "government",
        "unit": "",
        "email": "",
        "valid_from": "",
        "valid_to": "31/12/2025",
        "note": "",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "successions_out-TOTAL_FORMS": 0,
        "successions_out-INITIAL_FORMS": 0,
    }
    response = admin_client.post(reverse("admin:assignments_agency_change", args=[agency.pk]), data)
    assert response.status_code == 200
    assert "trang Sắp xếp, tổ chức lại" in response.content.decode()
    agency.refresh_from_db()
    assert agency.valid_to is None


def test_the_pages_of_restructured_parties_keep_a_fixed_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    def merge_one(index):
        old = make_agency(name=f"Cũ {index}")
        for _ in range(3):
            make_assignment(agency=old)
        restructuring.agency_merge(
            agencies=[old],
            successor=busy,
            date=D(2025, 3, index),
            by=coordinator,
            document_reference=ORDER,
        )

    busy = make_agency(name="Sở kế thừa")
    client.force_login(coordinator)
    merge_one(1)
    urls = [reverse("restructuring_list"), reverse("agency_detail", args=[busy.pk])]
    small = []
    for url in urls:
        with django_assert_max_num_queries(30) as counted:
            assert client.get(url).status_code == 200
        small.append(len(counted.captured_queries))
    for index in range(2, 12):
        merge_one(index)
    for url, bound in zip(urls, small, strict=True):
        with django_assert_max_num_queries(bound):
            assert client.get(url).status_code == 200


def test_the_admin_ends_a_document_only_when_nothing_is_held_after(admin_client):
    directive = make_directive(number="1573/UBND-KT", issued_on=D(2020, 7, 10))
    held = make_assignment(directive=directive, start_date=D(2020, 7, 10))
    data = {
        "kind": "cong_van",
        "number": directive.number,
        "issuing_body": directive.issuing_body,
        "issued_on": "10/07/2020",
        "title": directive.title,
        "period_from_year": "2020",
        "period_to_year": "2025",
        "implements": "",
        "in_force_to": "31/12/2025",
        "note": "",
        "reporting_rules-TOTAL_FORMS": 0,
        "reporting_rules-INITIAL_FORMS": 0,
    }
    url = reverse("admin:assignments_directive_change", args=[directive.pk])
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "trang Sắp xếp, tổ chức lại" in refused.content.decode()
    Assignment.objects.filter(pk=held.pk).update(
        status="ended", end_date=D(2025, 12, 31), end_reason="Hết giai đoạn"
    )
    assert admin_client.post(url, data).status_code == 302
    directive.refresh_from_db()
    assert directive.in_force_to == D(2025, 12, 31)
