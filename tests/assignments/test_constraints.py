"""The database itself refuses duplicates and impossible dates, whatever code writes."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from assignments import dbguards
from assignments.models import (
    AdministrativeUnit,
    Agency,
    AgencySuccession,
    Assignment,
    ReportingDeadline,
    ReportingRule,
    RestructuringEvent,
    User,
    Village,
)
from tests.factories import (
    make_agency,
    make_assignment,
    make_commune,
    make_directive,
    make_district,
    make_figures,
    make_province,
    make_village,
)

D = dt.date
pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_a_running_twinning_cannot_be_entered_twice():
    first = make_assignment()
    refused(
        lambda: make_assignment(
            directive=first.directive, agency=first.agency, village=first.village
        )
    )


def test_overlapping_periods_of_the_same_pair_and_role_are_refused_whatever_the_document():
    first = make_assignment(start_date=D(2024, 2, 27), end_date=D(2025, 8, 21), status="ended")
    other_document = make_directive()
    # Overlapping by one day, under another document: refused by the database itself.
    refused(
        lambda: make_assignment(
            directive=other_document,
            agency=first.agency,
            village=first.village,
            start_date=D(2025, 8, 21),
        )
    )
    # An update that would make them overlap is refused too.
    later = make_assignment(
        directive=other_document,
        agency=first.agency,
        village=first.village,
        start_date=D(2025, 8, 22),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        type(later).objects.filter(pk=later.pk).update(start_date=D(2025, 1, 1))
    # Another role, or another party, may share the period.
    assert make_assignment(
        directive=other_document,
        agency=first.agency,
        village=first.village,
        role="supporting",
        start_date=D(2025, 1, 1),
    ).pk
    assert make_assignment(village=first.village, start_date=D(2025, 1, 1)).pk


def test_the_overlap_guard_is_in_place_after_all_migrations():
    assert dbguards.installed(connection)


def test_an_assignment_twins_with_a_village_or_a_commune_never_both_nor_neither():
    village = make_village()
    refused(lambda: make_assignment(village=village, commune=village.commune))
    refused(
        lambda: Assignment.objects.create(
            directive=make_directive(), agency=make_agency(), start_date=D(2025, 1, 1)
        )
    )
    assert make_assignment(village=None, commune=make_commune()).pk


def test_a_commune_taking_part_needs_its_unit():
    refused(lambda: make_agency(kind="locality"))
    assert make_agency(kind="locality", unit=make_commune(), name="Xã Ia Dơk").pk


def test_a_replaced_document_needs_its_last_day_in_force():
    new = make_directive()
    refused(lambda: make_directive(replaced_by=new))
    refused(lambda: make_directive(issued_on=D(2024, 2, 27), in_force_to=D(2024, 1, 1)))


def test_an_ended_twinning_can_be_entered_again():
    first = make_assignment(status="ended", end_date=D(2024, 12, 31))
    again = make_assignment(
        directive=first.directive,
        agency=first.agency,
        village=first.village,
        start_date=D(2025, 1, 1),
    )
    assert again.pk


def test_an_assignment_cannot_end_before_it_starts():
    refused(lambda: make_assignment(start_date=D(2024, 3, 1), end_date=D(2024, 2, 1)))


def test_a_ceremony_cannot_be_after_the_end():
    refused(
        lambda: make_assignment(
            end_date=D(2024, 12, 31), status="ended", ceremony_date=D(2025, 1, 5)
        )
    )


def test_a_held_ceremony_needs_its_date():
    refused(lambda: make_assignment(status="ceremony_held"))


def test_an_ended_assignment_needs_its_end_date():
    refused(lambda: make_assignment(status="ended"))


def test_a_reassigned_assignment_needs_its_replacement():
    refused(lambda: make_assignment(status="reassigned", end_date=D(2024, 12, 31)))


def test_two_villages_of_one_commune_cannot_share_a_name_in_any_spelling():
    commune = make_commune()
    make_village(name="Kép", commune=commune)
    refused(lambda: make_village(name="KÉP ", commune=commune, kind=Village.Kind.THON))


def test_villages_of_the_same_name_in_different_communes_are_different():
    one = make_village(name="Kép", commune=make_commune(name="Ia Ka"))
    two = make_village(name="Kép", commune=make_commune(name="Hà Bầu"))
    assert one.pk != two.pk


def test_poor_or_near_poor_households_cannot_outnumber_households():
    village = make_village()
    refused(lambda: make_figures(village, households=10, poor_households=11))
    refused(lambda: make_figures(village, households=10, near_poor_households=11))
    assert make_figures(village, households=10, poor_households=10).pk


def test_figures_are_one_row_per_village_and_year():
    village = make_village()
    make_figures(village, year=2024)
    refused(lambda: make_figures(village, year=2024))
    assert make_figures(village, year=2025).pk


def test_negative_figures_are_refused():
    village = make_village()
    refused(lambda: make_figures(village, population=-1))
    refused(lambda: make_figures(village, hard_road_km=-1))


def test_an_agency_cannot_succeed_itself():
    agency = make_agency()
    refused(
        lambda: AgencySuccession.objects.create(
            predecessor=agency, successor=agency, effective_date=D(2025, 3, 1)
        )
    )


def test_a_restructuring_names_its_ordering_document():
    user = User.objects.create(username="u")
    refused(
        lambda: RestructuringEvent.objects.create(
            kind="agency_merge", effective_date=D(2025, 3, 1), summary="x", created_by=user
        )
    )


def test_two_current_agencies_cannot_share_a_name():
    make_agency(name="Sở Y tế")
    refused(lambda: make_agency(name="sở y tế"))


def test_an_ended_agencys_name_can_be_reused():
    make_agency(name="Ban Dân tộc tỉnh", valid_to=D(2025, 2, 28))
    assert make_agency(name="Ban Dân tộc tỉnh").pk


def test_validity_cannot_end_before_it_starts():
    refused(lambda: make_agency(valid_from=D(2025, 3, 1), valid_to=D(2025, 2, 1)))
    refused(lambda: make_province(valid_from=D(2025, 7, 1), valid_to=D(2025, 6, 30)))


def test_a_unit_code_is_unique_within_its_code_list_only():
    make_province(name="Gia Lai", code="64", code_list="gso_2004", valid_to=D(2025, 6, 30))
    make_province(name="Bình Định", code="52", code_list="gso_2004", valid_to=D(2025, 6, 30))
    # 2025: merged Gia Lai reuses Bình Định's 52, in the new list.
    assert make_province(name="Gia Lai", code="52", code_list="gso_2025").pk
    refused(lambda: make_province(name="Khác", code="52", code_list="gso_2025"))


def test_a_code_needs_its_code_list():
    refused(lambda: make_province(code="64"))


def test_a_province_has_no_parent_and_a_commune_has_one():
    province = make_province()
    refused(
        lambda: AdministrativeUnit.objects.create(
            level="province", unit_type="tinh", name="Con", parent=province
        )
    )
    refused(
        lambda: AdministrativeUnit.objects.create(level="commune", unit_type="xa", name="Mồ côi")
    )


def test_a_district_name_is_unique_in_its_province_while_valid():
    province = make_province()
    make_district(name="Chư Păh", parent=province)
    refused(lambda: make_district(name="Chư Păh", parent=province))


def test_directive_numbers_are_unique_per_date_and_periods_ordered():
    make_directive(number="13-CT/TU", issued_on=D(2023, 12, 5))
    refused(lambda: make_directive(number="13-CT/TU", issued_on=D(2023, 12, 5)))
    refused(lambda: make_directive(period_from_year=2025, period_to_year=2020))
    refused(lambda: make_directive(period_from_year=1800, period_to_year=1805))


def test_a_rule_must_have_the_fields_of_its_frequency():
    directive = make_directive()
    refused(lambda: ReportingRule.objects.create(directive=directive, label="x", frequency="once"))
    refused(
        lambda: ReportingRule.objects.create(
            directive=directive,
            label="x",
            frequency="yearly",
            due_month=13,
            due_day=10,
            first_year=2024,
            last_year=2025,
        )
    )
    refused(
        lambda: ReportingRule.objects.create(
            directive=directive,
            label="x",
            frequency="yearly",
            due_month=11,
            due_day=10,
            first_year=2026,
            last_year=2025,
        )
    )


def test_a_deadline_is_unique_per_rule_and_a_move_needs_a_reason():
    rule = ReportingRule.objects.create(
        directive=make_directive(), label="x", frequency="once", due_date=D(2024, 3, 25)
    )
    ReportingDeadline.objects.create(rule=rule, due_date=D(2024, 3, 25))
    refused(lambda: ReportingDeadline.objects.create(rule=rule, due_date=D(2024, 3, 25)))
    refused(
        lambda: ReportingDeadline.objects.create(
            rule=rule, due_date=D(2025, 3, 25), moved_to=D(2025, 3, 26)
        )
    )


def test_agency_kinds_and_levels_are_the_domain_ones():
    assert {k for k, _ in Agency.Kind.choices} == {
        "party",
        "government",
        "locality",
        "front",
        "armed_forces",
        "public_service",
        "enterprise",
        "bank",
    }
    assert {k for k, _ in Agency.Level.choices} == {"province", "district", "commune"}
