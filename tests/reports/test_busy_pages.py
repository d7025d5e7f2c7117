"""Pages that stay light when an agency twins with hundreds of villages and a province holds
tens of thousands of reports: what they show is still all there, in the order users expect."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from assignments import services
from assignments.models import Agency, AgencyMembership, ReportingDeadline, User
from reports import tracking
from reports.models import Report
from tests.factories import (
    make_agency,
    make_assignment,
    make_directive,
    make_once_rule,
    make_yearly_rule,
)

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


@pytest.fixture
def department(db):
    """A department twinned with 40 villages today, 3 more in the past, and its reporter."""
    agency = make_agency("Sở Nông nghiệp và Môi trường")
    directive = make_directive()
    for _index in range(40):
        make_assignment(agency=agency, directive=directive)
    for _index in range(3):
        make_assignment(
            agency=agency,
            directive=directive,
            start_date=D(2020, 1, 1),
            end_date=D(2021, 1, 1),
            status="ended",
            end_reason="Hết nhiệm kỳ",
        )
    reporter = User.objects.create_user("nnmt", password="x", role=User.Role.REPORTER)
    AgencyMembership.objects.create(user=reporter, agency=agency)
    return {"agency": agency, "reporter": reporter}


def test_an_agency_with_many_villages_shows_the_first_and_links_to_them_all(client, department):
    agency, reporter = department["agency"], department["reporter"]
    client.force_login(reporter)
    page = client.get(reverse("agency_detail", args=[agency.pk]))
    assert page.status_code == 200
    shown = page.context["villages"]
    assert page.context["villages_count"] == 40 and len(shown) == 30
    assert [v.sort_key for v in shown] == sorted(v.sort_key for v in shown)
    assert f"{reverse('village_list')}?agency={agency.pk}" in page.content.decode()
    # The assignments table, ended ones included, is paginated.
    assignments = page.context["assignments"]
    assert assignments.paginator.count == 43 and len(assignments) == 25
    second = client.get(reverse("agency_detail", args=[agency.pk]), {"page": 2})
    assert len(second.context["assignments"]) == 18

    everything = client.get(reverse("village_list"), {"agency": agency.pk})
    assert everything.context["page"].paginator.count == 40  # today's, not the ended ones
    assert everything.context["agency"] == agency


def test_the_village_list_of_another_agency_is_refused_to_a_reporter(client, department):
    other = make_agency("Sở Y tế")
    make_assignment(agency=other)
    client.force_login(department["reporter"])
    response = client.get(reverse("village_list"), {"agency": other.pk})
    assert response.status_code == 404


def test_the_dashboard_counts_every_inactive_agency_and_lists_the_first_twenty(client, coordinator):
    directive = make_directive()
    for index in range(23):
        make_assignment(agency=make_agency(f"Sở {index:02d}"), directive=directive)
    ended = make_agency("Sở đã giải thể", valid_to=D(2024, 12, 31))
    make_assignment(agency=ended, directive=directive, end_date=D(2024, 12, 31))
    client.force_login(coordinator)
    response = client.get(reverse("reports:dashboard"))
    inactive = list(tracking.inactive_agencies())
    assert response.context["inactive_count"] == len(inactive) == 23
    assert ended not in inactive  # ended agencies are not chased
    listed = response.context["inactive"]
    assert [a.pk for a in listed] == [a.pk for a in inactive[:20]]
    assert [a.name for a in listed][:3] == ["Sở 00", "Sở 01", "Sở 02"]


@pytest.fixture
def reports(coordinator):
    """Reports of three agencies at two deadlines, submitted on different days."""
    directive = make_directive(number="43/KH-UBND", title="Kế hoạch kết nghĩa")
    make_once_rule(directive=directive)
    make_yearly_rule(directive=directive, first_year=2024, last_year=2024)
    for rule in directive.reporting_rules.all():
        services.rule_sync_deadlines(rule=rule)
    march, november = ReportingDeadline.objects.order_by("due_date")
    agencies = [make_agency(name) for name in ("Sở Tài chính", "Sở Y tế", "Ban Dân tộc")]
    made = {}
    for day, (deadline, agency) in enumerate(
        [
            (march, agencies[0]),
            (november, agencies[1]),
            (march, agencies[2]),
            (november, agencies[0]),
        ]
    ):
        made[(deadline.due_date.month, agency.name)] = Report.objects.create(
            deadline=deadline,
            agency=agency,
            status="submitted",
            first_submitted_at=dt.datetime(2024, 3, 1 + day, 9, tzinfo=HCM),
        )
    Report.objects.create(deadline=november, agency=agencies[2], status="draft")
    return made


def test_submitted_reports_are_listed_latest_first(client, coordinator, reports):
    client.force_login(coordinator)
    page = client.get(reverse("reports:report_list")).context["page"]
    assert [r.first_submitted_at.day for r in page] == [4, 3, 2, 1]  # the draft is not listed


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("so y te", {(11, "Sở Y tế")}),
        ("tai chinh 43", {(3, "Sở Tài chính"), (11, "Sở Tài chính")}),  # agency and document
        ("ke hoach dan toc", {(3, "Ban Dân tộc")}),
        ("khong co", set()),
    ],
)
def test_the_search_finds_every_word_in_the_agency_or_the_document(
    client, coordinator, reports, query, found
):
    client.force_login(coordinator)
    listed = client.get(reverse("reports:report_list"), {"q": query}).context["page"]
    assert {(r.deadline.due_date.month, r.agency.name) for r in listed} == found
    searched = client.get(reverse("reports:search"), {"q": query}).context["results"]
    assert {(r.deadline.due_date.month, r.agency.name) for r in searched["reports"]} == found


def test_the_deadline_list_counts_the_reports_submitted_at_each_deadline(
    client, coordinator, reports
):
    client.force_login(coordinator)
    page = client.get(reverse("reports:deadline_list")).context["page"]
    assert {d.due_date.month: d.submitted for d in page} == {3: 2, 11: 2}  # not the draft
    assert Agency.objects.count() == 3
