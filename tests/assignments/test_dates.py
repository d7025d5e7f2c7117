"""Dates that hold: one definition of "in force on a date" for every model with a period, ends
that count from their own day, and the coordinating body of each date."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments.models import (
    AdministrativeUnit,
    Agency,
    Assignment,
    Directive,
    Village,
    coordinating_body_name,
    in_force_q,
    is_in_force,
)
from reports import documents, tracking
from tests.factories import (
    make_agency,
    make_assignment,
    make_commune,
    make_directive,
    make_province,
    make_village,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "date", "expected"),
    [
        (None, None, D(2025, 1, 1), True),
        (D(2025, 3, 1), None, D(2025, 2, 28), False),
        (D(2025, 3, 1), None, D(2025, 3, 1), True),  # the first day counts
        (None, D(2025, 2, 28), D(2025, 2, 28), True),  # the last day counts
        (None, D(2025, 2, 28), D(2025, 3, 1), False),
    ],
)
def test_in_force_includes_the_first_and_the_last_day(start, end, date, expected):
    assert is_in_force(start, end, date) is expected


def test_the_condition_can_follow_a_relation():
    condition = in_force_q(D(2025, 1, 1), "start_date", "end_date", prefix="assignments")
    assert "assignments__start_date__lte" in str(condition)
    assert "assignments__end_date__gte" in str(condition)


@pytest.mark.django_db
def test_every_model_with_a_period_answers_the_same_way():
    date = D(2025, 3, 1)
    ended = D(2025, 2, 28)
    make_agency(name="Cũ", valid_to=ended)
    new = make_agency(name="Mới", valid_from=date)
    province = make_province(valid_to=ended)
    make_directive(number="1/KH", issued_on=D(2024, 1, 1), in_force_to=ended)
    later = make_directive(number="2/KH", issued_on=date)
    assignment = make_assignment(start_date=date)
    make_assignment(start_date=D(2024, 1, 1), end_date=ended, status="ended")
    village = make_village(valid_to=D(2025, 12, 31))
    assert list(Agency.objects.in_force_on(date).filter(name__in=["Cũ", "Mới"])) == [new]
    assert not AdministrativeUnit.objects.in_force_on(date).filter(pk=province.pk).exists()
    assert list(Directive.objects.in_force_on(date).filter(number__in=["1/KH", "2/KH"])) == [later]
    assert list(Assignment.objects.in_force_on(date)) == [assignment]
    assert Village.objects.in_force_on(date).filter(pk=village.pk).exists()
    assert not Village.objects.in_force_on(D(2026, 1, 1)).filter(pk=village.pk).exists()


@pytest.mark.django_db
def test_an_end_decided_for_next_month_ends_nothing_before_then(coordinator):
    today = timezone.localdate()
    village = make_village()
    directive = make_directive(issued_on=D(2024, 1, 1))
    assignment = make_assignment(
        village=village,
        directive=directive,
        start_date=D(2024, 1, 1),
        status="ended",
        end_date=today + dt.timedelta(days=30),
        end_reason="Điều chỉnh từ tháng sau",
    )
    assert list(Assignment.objects.in_force_on(today)) == [assignment]
    covered = tracking.coverage(today=today)
    assert (covered["total"], covered["covered"]) == (1, 1)
    listing = documents.assignment_list_figures(directive, today)
    assert listing["total"] == 1
    after = tracking.coverage(today=today + dt.timedelta(days=31))
    assert after["covered"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("other_lead", "asked"),
    [
        # Still "active" by its status, but its period ends before the change: asked.
        ({"end_date": D(2025, 6, 30), "status": "active"}, True),
        # "Ended" by its status, but in force until 2027: the village keeps a lead.
        ({"end_date": D(2027, 12, 31), "status": "ended", "end_reason": "Hết giai đoạn"}, False),
    ],
)
def test_reassigning_a_lead_away_asks_only_when_no_lead_is_in_force_the_next_day(
    client, coordinator, other_lead, asked
):
    village = make_village()
    directive = make_directive(issued_on=D(2024, 1, 1))
    moving = make_assignment(village=village, directive=directive, start_date=D(2024, 1, 1))
    make_assignment(village=village, directive=directive, start_date=D(2024, 1, 1), **other_lead)
    client.force_login(coordinator)
    data = {
        "village": make_village().pk,
        "end_date": "31/12/2025",
        "reason": "Điều chỉnh",
        "agency": "",
        "commune": "",
        "document": "",
    }
    response = client.post(reverse("reassign", args=[moving.pk]), data)
    moving.refresh_from_db()
    if asked:
        assert response.status_code == 200
        assert "sẽ không còn cơ quan chủ trì kết nghĩa" in response.content.decode()
        assert moving.is_running
    else:
        assert response.status_code == 302
        assert moving.status == "reassigned"


@pytest.mark.django_db
def test_documents_and_pages_name_the_coordinating_body_of_their_date(client, coordinator):
    make_agency(name="Ban Dân tộc tỉnh", is_coordinating_body=True, valid_to=D(2025, 2, 28))
    make_agency(name="Sở Dân tộc và Tôn giáo", is_coordinating_body=True, valid_from=D(2025, 3, 1))
    assert coordinating_body_name(D(2024, 3, 30)) == "Ban Dân tộc tỉnh"
    assert documents.default_fields("consolidated", D(2024, 3, 30))["issuer"] == (
        "Ban Dân tộc tỉnh"
    )
    assert documents.default_fields("consolidated")["issuer"] == "Sở Dân tộc và Tôn giáo"
    client.force_login(coordinator)
    page = client.get(reverse("reports:document_create", args=["consolidated"]))
    assert page.context["form"].initial["issuer"] == "Sở Dân tộc và Tôn giáo"
    assert "Sở Dân tộc và Tôn giáo" in page.content.decode()  # the page's heading too


@pytest.mark.django_db
def test_two_coordinating_bodies_cannot_overlap():
    from django.core.exceptions import ValidationError

    make_agency(name="Ban Dân tộc tỉnh", is_coordinating_body=True)
    second = Agency(name="Sở Dân tộc và Tôn giáo", kind="government", is_coordinating_body=True)
    with pytest.raises(ValidationError):
        second.full_clean()


@pytest.mark.django_db
def test_without_a_coordinating_body_in_the_data_the_setting_names_it(settings):
    settings.COORDINATOR_NAME = "Ban Dân tộc tỉnh Kon Tum"
    assert coordinating_body_name(D(2026, 1, 1)) == "Ban Dân tộc tỉnh Kon Tum"


@pytest.mark.django_db
def test_a_commune_of_a_merged_district_is_found_on_its_date():
    commune = make_commune(name="Ia Kreng", valid_to=D(2025, 6, 30))
    assert AdministrativeUnit.objects.in_force_on(D(2025, 6, 30)).filter(pk=commune.pk).exists()
    assert not AdministrativeUnit.objects.in_force_on(D(2025, 7, 1)).filter(pk=commune.pk).exists()
