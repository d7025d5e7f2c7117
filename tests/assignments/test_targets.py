"""Every kind of party and target: a commune or ward twinned as a whole is counted, expected,
listed, exported, searched and administered like a village."""

import datetime as dt

import pytest
from django.urls import reverse

from assignments.models import Assignment
from assignments.resources import AssignmentResource
from reports import documents, services, tracking
from tests.factories import (
    make_agency,
    make_assignment,
    make_commune,
    make_directive,
    make_village,
    make_yearly_rule,
)

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def twinnings():
    """A ward twinned with a whole commune, a department with a village of another commune."""
    kong_bo_la = make_commune(name="Kông Bơ La")
    ia_dok = make_commune(name="Ia Dơk")
    directive = make_directive(number="43/KH-UBND", issued_on=D(2025, 8, 22))
    ward = make_agency(name="Phường Hoài Nhơn Tây", kind="locality", unit=make_commune(name="X"))
    department = make_agency(name="Sở Y tế")
    make_village(name="Groi", commune=kong_bo_la)  # lies in the commune twinned as a whole
    ghe = make_village(name="Ghè", commune=ia_dok)
    lone = make_village(name="Bi", commune=ia_dok)
    return {
        "directive": directive,
        "whole": make_assignment(
            agency=ward,
            village=None,
            commune=kong_bo_la,
            directive=directive,
            start_date=D(2026, 1, 1),
        ),
        "village": make_assignment(
            agency=department, village=ghe, directive=directive, start_date=D(2026, 1, 1)
        ),
        "kong_bo_la": kong_bo_la,
        "ia_dok": ia_dok,
        "lone": lone,
    }


def test_coverage_counts_villages_through_their_commune_and_communes_too(twinnings):
    coverage = tracking.coverage(today=D(2026, 3, 1))
    assert (coverage["total"], coverage["direct"], coverage["through_commune"]) == (3, 1, 1)
    assert [v.name for v in coverage["uncovered"]] == ["Bi"]
    assert coverage["communes"] == {"total": 2, "whole": 1, "through_villages": 1, "none": 0}


def test_the_party_twinned_with_a_commune_is_expected_to_report(twinnings):
    rule = make_yearly_rule(directive=twinnings["directive"], first_year=2026, last_year=2026)
    from assignments.services import rule_sync_deadlines

    rule_sync_deadlines(rule=rule)
    (column,) = tracking.compliance(list(rule.deadlines.all()), today=D(2026, 12, 1))
    names = {a.name for a in tracking.agencies_of([column]).values()}
    assert names == {"Phường Hoài Nhơn Tây", "Sở Y tế"}
    # Narrowed to a commune: only the twinnings that lie in it.
    (narrow,) = tracking.compliance(
        list(rule.deadlines.all()), unit=twinnings["kong_bo_la"], today=D(2026, 12, 1)
    )
    assert {a.name for a in tracking.agencies_of([narrow]).values()} == {"Phường Hoài Nhơn Tây"}


def test_the_assignment_list_document_prints_a_whole_commune(twinnings):
    figures = documents.assignment_list_figures(twinnings["directive"], D(2026, 3, 1))
    rows = [row for group in figures["groups"] for row in group["rows"]]
    assert [row[1:4] for row in rows] == [
        ["Phường Hoài Nhơn Tây", "(toàn địa bàn)", "xã Kông Bơ La"],
        ["Sở Y tế", "làng Ghè", "xã Ia Dơk"],
    ]


def test_the_export_names_the_commune_of_either_target(twinnings):
    dataset = AssignmentResource().export(
        Assignment.objects.filter(pk__in=[twinnings["whole"].pk, twinnings["village"].pk])
    )
    rows = {row["Cơ quan, đơn vị"]: row for row in dataset.dict}
    assert rows["Phường Hoài Nhơn Tây"]["Thôn, làng"] == ""
    assert rows["Phường Hoài Nhơn Tây"]["Xã"] == "xã Kông Bơ La"
    assert rows["Sở Y tế"]["Xã"] == "xã Ia Dơk"


def test_search_finds_communes(client, coordinator, twinnings):
    client.force_login(coordinator)
    response = client.get(reverse("reports:search"), {"q": "kong bo la"})
    assert [str(u) for u in response.context["results"]["units"]] == ["xã Kông Bơ La"]


def test_an_activity_with_a_whole_commune_is_recorded_and_reported(twinnings):
    from assignments.models import User

    officer = User.objects.create_user(username="p", role="reporter")
    activity = services.activity_record(
        assignment=twinnings["whole"],
        by=officer,
        date=D(2026, 2, 1),
        kind="gifts",
        description="Tặng quà Tết",
        cash_budget_vnd=1_000_000,
    )
    snapshot = services.activity_snapshot(activity)
    assert snapshot["target"] == "xã Kông Bơ La, " + str(twinnings["kong_bo_la"].parent)


def test_the_admin_lists_and_filters_both_kinds_of_target(admin_client, twinnings):
    response = admin_client.get(reverse("admin:assignments_assignment_changelist"))
    content = response.content.decode()
    assert "xã Kông Bơ La" in content and "làng Ghè" in content
    found = admin_client.get(
        reverse("admin:assignments_assignment_changelist"), {"q": "kong bo la"}
    )
    assert [a.pk for a in found.context["cl"].result_list] == [twinnings["whole"].pk]


def test_the_agency_page_shows_the_whole_commune(client, coordinator, twinnings):
    client.force_login(coordinator)
    with_dates = twinnings["whole"]
    response = client.get(reverse("agency_detail", args=[with_dates.agency_id]))
    assert response.context["communes"] == [twinnings["kong_bo_la"]]
    assert "toàn xã" in response.content.decode()
