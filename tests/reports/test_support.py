"""Support as it is counted: cash by source, goods as quantity, unit and value, works by type,
beneficiaries by category; their totals in reports, on the dashboard and in documents."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assignments.models import Agency, Assignment
from reports import documents, services, support, tracking
from reports.models import Activity, SupportYear
from tests.reports.conftest import agency_of, make_submitted_report, record_activity

D = dt.date
pytestmark = pytest.mark.django_db

TET_GIFTS = {
    "date": "2024-03-10",
    "kind": "gifts",
    "description": "Tặng quà Tết cho gia đình chính sách, hộ nghèo",
    "cash_budget_vnd": "10000000",
    "cash_staff_vnd": "2000000",
    "cash_donors_vnd": "0",
    "cash_other_vnd": "0",
    "participants": "12",
    "beneficiary_poor_households": "120",
    "beneficiary_policy_families": "24",
    "beneficiary_pupils": "",
    "beneficiary_others": "",
    "goods-TOTAL_FORMS": "2",
    "goods-INITIAL_FORMS": "0",
    "goods-0-item": "phần quà, mỗi phần 10 kg gạo",
    "goods-0-quantity": "144",
    "goods-0-unit": "phần",
    "goods-0-weight_kg": "1440",
    "goods-0-value_vnd": "36000000",
    "goods-1-item": "",
    "works-TOTAL_FORMS": "1",
    "works-INITIAL_FORMS": "0",
    "works-0-kind": "great_unity_house",
    "works-0-quantity": "3",
    "works-0-unit": "căn",
    "works-0-value_vnd": "300000000",
    "works-0-description": "Nhà Đại đoàn kết cho hộ nghèo",
}


def record(client, reporter, **changes):
    assignment = Assignment.objects.filter(agency=agency_of(reporter)).first()
    client.force_login(reporter)
    data = {**TET_GIFTS, "assignment": assignment.pk, **changes}
    return client.post(reverse("reports:activity_create"), data)


def test_an_activity_records_its_support_line_by_line(client, reporter):
    response = record(client, reporter)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.cash_vnd, activity.in_kind_vnd, activity.works_vnd) == (
        12_000_000,
        36_000_000,
        300_000_000,
    )
    (gift,) = activity.goods.all()
    assert (gift.quantity, gift.unit, gift.weight_kg) == (144, "phần", 1440)
    (house,) = activity.works.all()
    assert (house.kind, house.quantity, house.unit) == ("great_unity_house", 3, "căn")
    assert activity.history.count() == 1  # one record of the activity, lines included
    listing = client.get(reverse("reports:activity_list")).content.decode()
    assert "144 phần phần quà, mỗi phần 10 kg gạo" in listing
    assert "300.000.000 đ" in listing


def test_a_line_with_a_missing_quantity_is_refused_and_nothing_is_saved(client, reporter):
    response = record(client, reporter, **{"goods-0-quantity": ""})
    assert response.status_code == 200
    assert "Trường này là bắt buộc" in response.content.decode()
    assert not Activity.objects.exists()


def test_editing_replaces_the_lines_and_the_totals_follow(client, reporter):
    record(client, reporter)
    activity = Activity.objects.get()
    gift = activity.goods.get()
    house = activity.works.get()
    data = {
        **TET_GIFTS,
        "assignment": activity.assignment_id,
        "goods-TOTAL_FORMS": "1",
        "goods-INITIAL_FORMS": "1",
        "goods-0-id": gift.pk,
        "goods-0-value_vnd": "40000000",
        "works-TOTAL_FORMS": "1",
        "works-INITIAL_FORMS": "1",
        "works-0-id": house.pk,
        "works-0-DELETE": "on",
    }
    response = client.post(reverse("reports:activity_edit", args=[activity.pk]), data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.in_kind_vnd, activity.works_vnd) == (40_000_000, 0)
    assert not activity.works.exists()


def test_a_submitted_version_freezes_the_support_and_documents_count_it(
    client, reporter, march_deadline
):
    record(client, reporter)
    report = make_submitted_report(reporter, march_deadline)
    version = report.versions.get()
    assert (version.cash_vnd, version.in_kind_vnd, version.works_vnd) == (
        12_000_000,
        36_000_000,
        300_000_000,
    )
    (frozen,) = version.activities
    assert frozen["goods_lines"][0]["weight_kg"] == "1440.00"
    assert frozen["works"][0]["kind"] == "great_unity_house"
    assert frozen["beneficiaries"]["beneficiary_poor_households"] == 120
    figures = documents.consolidated_figures(march_deadline)
    support = figures["support"]
    assert dict(support["cash_sources"]) == {
        "Ngân sách của cơ quan, đơn vị": 10_000_000,
        "Đóng góp của cán bộ, công chức": 2_000_000,
    }
    assert [(w["label"], w["count"], w["quantity"], w["value"]) for w in support["works"]] == [
        ("Nhà Đại đoàn kết", 1, 3.0, 300_000_000)
    ]
    assert support["kg"] == 1440.0
    assert dict(support["beneficiaries"]) == {"Hộ nghèo": 120, "Gia đình chính sách": 24}
    assert figures["totals"]["works_vnd"] == 300_000_000
    own = documents.agency_report_figures(report)
    assert own["works_vnd"] == 300_000_000


def test_versions_frozen_before_sources_were_recorded_count_their_cash_as_other():
    support = documents.support_of(
        [{"cash_vnd": 5_000_000, "in_kind_vnd": 1_000_000, "goods": "gạo"}]
    )
    assert support["cash_sources"] == [["Nguồn khác, chưa phân loại", 5_000_000]]
    assert (support["cash"], support["in_kind"], support["works_vnd"]) == (
        5_000_000,
        1_000_000,
        0,
    )


def test_the_dashboard_totals_support_by_source_and_kind(client, reporter, coordinator_user):
    record(client, reporter)
    (row,) = tracking.support_by_year()
    assert (row["year"], row["cash_budget"], row["cash_staff"], row["works"], row["total"]) == (
        2024,
        10_000_000,
        2_000_000,
        300_000_000,
        348_000_000,
    )
    assert row["poor_households"] == 120
    client.force_login(coordinator_user)
    content = client.get(reverse("reports:dashboard"), {"year": 2024}).content.decode()
    assert "348.000.000 đ" in content
    assert "bar-works" in content


def test_a_service_call_with_lines_validates_them(reporter):
    from django.core.exceptions import ValidationError

    assignment = Assignment.objects.filter(agency=agency_of(reporter)).first()
    with pytest.raises(ValidationError):
        services.activity_record(
            assignment=assignment,
            by=reporter,
            date=D(2024, 3, 10),
            kind="construction",
            description="Làm đường",
            works=[{"kind": "road", "quantity": 0, "unit": "km", "value_vnd": 1}],
        )
    assert not Activity.objects.exists()


def test_an_activity_outside_its_twinnings_period_is_refused(reporter):
    from django.core.exceptions import ValidationError

    assignment = Assignment.objects.filter(agency=agency_of(reporter)).first()
    with pytest.raises(ValidationError) as refused:
        services.activity_record(
            assignment=assignment,
            by=reporter,
            date=assignment.start_date - dt.timedelta(days=1),
            kind="visit",
            description="Thăm",
        )
    assert "date" in refused.value.message_dict
    assert not Activity.objects.exists()


def yearly_rows():
    fields = ("agency_id", "year", "activities", *SupportYear.SUMS)
    return sorted(SupportYear.objects.values_list(*fields))


def rebuilt_rows():
    """What a recomputation from every activity gives."""
    support.rebuild()
    return yearly_rows()


def test_the_yearly_sums_follow_every_recording_correction_and_deletion(
    client, reporter, other_reporter, superuser
):
    first = record_activity(reporter, cash_vnd=15_000_000, in_kind_vnd=5_000_000)
    record_activity(reporter, cash_vnd=1_000_000, in_kind_vnd=0, date=D(2025, 4, 2))
    record_activity(other_reporter, cash_vnd=7_000_000, in_kind_vnd=0)
    agency = agency_of(reporter)
    assert SupportYear.objects.get(agency=agency, year=2024).cash == 15_000_000
    assert SupportYear.objects.get(agency=agency, year=2025).cash == 1_000_000
    recorded = yearly_rows()
    assert recorded == rebuilt_rows()

    # Moved to another year: the old year loses it, the new year gains it.
    services.activity_update(activity=first, by=reporter, date=D(2025, 6, 1))
    assert not SupportYear.objects.filter(agency=agency, year=2024).exists()
    moved = SupportYear.objects.get(agency=agency, year=2025)
    assert (moved.activities, moved.cash, moved.in_kind) == (2, 16_000_000, 5_000_000)
    assert yearly_rows() == rebuilt_rows()

    # Deleted in the administration (recorded by mistake): the sums follow.
    client.force_login(superuser)
    response = client.post(
        reverse("admin:reports_activity_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=first.pk).exists()
    left = SupportYear.objects.get(agency=agency, year=2025)
    assert (left.activities, left.cash, left.in_kind) == (1, 1_000_000, 0)
    assert yearly_rows() == rebuilt_rows()


def test_a_twinning_given_to_another_party_takes_its_sums_along(client, reporter, superuser):
    activity = record_activity(reporter, cash_vnd=15_000_000, in_kind_vnd=5_000_000)
    assignment = activity.assignment
    other = Agency.objects.exclude(pk=assignment.agency_id).exclude(
        assignments__village=assignment.village
    )[0]
    client.force_login(superuser)
    url = reverse("admin:assignments_assignment_change", args=[assignment.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: "" if value is None else value
        for name, value in form.initial.items()
        if name in form.fields
    }
    data["agency"] = other.pk
    data["start_date"] = assignment.start_date.isoformat()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not SupportYear.objects.filter(agency=agency_of(reporter)).exists()
    assert SupportYear.objects.get(agency=other, year=2024).cash == 15_000_000
    assert yearly_rows() == rebuilt_rows()


def test_the_activity_list_counts_and_totals_without_adding_up_every_activity(
    client, reporter, other_reporter
):
    for day in range(1, 4):
        record_activity(reporter, cash_vnd=day * 1_000_000, in_kind_vnd=0, date=D(2024, 3, day))
    record_activity(other_reporter, cash_vnd=50_000_000, in_kind_vnd=0)
    client.force_login(reporter)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:activity_list"))
    page = response.context["page"]
    assert page.paginator.count == 3  # the reporter's own, not the other agency's
    assert [a.cash_vnd for a in page] == [3_000_000, 2_000_000, 1_000_000]
    assert response.context["totals"]["cash"] == 6_000_000
    assert "6.000.000 đ" in response.content.decode()
    summing = [
        q["sql"]
        for q in queries
        if "reports_activity" in q["sql"] and ("COUNT(" in q["sql"] or "SUM(" in q["sql"])
    ]
    assert summing == []
