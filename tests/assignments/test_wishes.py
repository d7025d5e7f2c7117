"""Villagers' wishes: recorded by a party, passed to a body, answered and resolved; the open
ones by age and by the body they wait on; scoping; counted in the consolidated report."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assignments.models import Agency, Assignment, User, Wish

pytestmark = pytest.mark.django_db
D = dt.date


def wish(agency, raised_on, passed_to=None, **fields):
    pair = Assignment.objects.filter(agency=agency, village__isnull=False).first()
    return Wish.objects.create(
        raised_on=raised_on,
        village=pair.village,
        agency=agency,
        topic=fields.pop("topic", "water"),
        request=fields.pop("request", "Xin hỗ trợ giếng nước"),
        passed_to=passed_to,
        recorded_by=User.objects.get(username="dieuphoi"),
        **fields,
    )


def test_a_wish_is_answered_then_resolved_with_dates(demo):
    culture = Agency.objects.get(name="Sở Văn hóa, Thể thao và Du lịch")
    item = wish(culture, D(2025, 3, 1))
    item.status = "answered"
    with pytest.raises(ValidationError):  # answered without the answer
        item.full_clean()
    item.answer, item.answered_on = "UBND xã đã bố trí kinh phí.", D(2025, 4, 1)
    item.full_clean()
    item.status, item.resolved_on = "resolved", D(2025, 2, 1)
    with pytest.raises(ValidationError):  # resolved before it was raised
        item.full_clean()


def test_open_wishes_by_body_and_scoping(client, demo, django_assert_max_num_queries):
    culture = Agency.objects.get(name="Sở Văn hóa, Thể thao và Du lịch")
    home = Agency.objects.get(name="Sở Nội vụ")
    health = Agency.objects.get(name="Sở Y tế")
    wish(culture, D(2025, 3, 1), passed_to=health, topic="health")
    wish(culture, D(2025, 5, 1), passed_to=health)
    wish(home, D(2025, 6, 1), passed_to_other="UBND xã Ia Kreng", topic="roads")
    client.force_login(User.objects.get(username="dieuphoi"))
    with django_assert_max_num_queries(25) as small:
        page = client.get(reverse("wish_list"))
    bound = len(small.captured_queries)
    waiting = {e["body"]: (e["count"], e["oldest"]) for e in page.context["waiting"]}
    assert waiting == {"Sở Y tế": (2, D(2025, 3, 1)), "UBND xã Ia Kreng": (1, D(2025, 6, 1))}
    for day in range(1, 9):
        wish(culture, D(2025, 7, day), passed_to=health)
    with django_assert_max_num_queries(bound):
        client.get(reverse("wish_list"))
    client.force_login(User.objects.get(username="vhttdl"))
    page = client.get(reverse("wish_list"))
    assert {w.agency for w in page.context["page"]} == {culture}


def test_a_party_records_a_wish_and_follows_it_up(client, demo):
    reporter = User.objects.get(username="vhttdl")
    own = reporter.agencies.get()
    village = Assignment.objects.filter(agency=own, village__isnull=False).first().village
    client.force_login(reporter)
    response = client.post(
        reverse("wish_create"),
        {
            "raised_on": "10/03/2025",
            "village": village.pk,
            "agency": own.pk,
            "topic": "water",
            "request": "Xin hỗ trợ giếng nước",
            "passed_to_other": "UBND xã Ia Kreng",
            "passed_on": "12/03/2025",
        },
    )
    assert response.status_code == 302
    item = Wish.objects.get()
    assert (item.recorded_by, item.status) == (reporter, "pending")
    client.post(
        reverse("wish_follow_up", args=[item.pk]),
        {
            "status": "resolved",
            "answer": "Đã khoan giếng",
            "answered_on": "01/05/2025",
            "resolved_on": "15/05/2025",
        },
    )
    item.refresh_from_db()
    assert item.status == "resolved" and item.resolved_on == D(2025, 5, 15)


def test_the_consolidated_report_counts_the_years_wishes(demo):
    from reports.documents import wishes_of

    culture = Agency.objects.get(name="Sở Văn hóa, Thể thao và Du lịch")
    health = Agency.objects.get(name="Sở Y tế")
    wish(culture, D(2025, 2, 1), passed_to=health)
    wish(
        culture,
        D(2025, 3, 1),
        status="resolved",
        answer="Đã giải quyết",
        answered_on=D(2025, 4, 1),
        resolved_on=D(2025, 4, 2),
    )
    wish(culture, D(2024, 12, 1))  # the year before
    counted = wishes_of(2025, D(2025, 11, 10))
    assert (counted["raised"], counted["resolved"], counted["waiting"]) == (2, 1, 1)
    assert counted["oldest"][0][0] == "2025-02-01" and counted["oldest"][0][3] == "Sở Y tế"
