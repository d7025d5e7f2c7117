import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from assignments import services as assignment_services
from assignments.models import (
    Agency,
    Assignment,
    ExemplaryModel,
    ReportingDeadline,
    ReportingRule,
    User,
)
from reports import services
from reports.models import CalendarFeed
from tests.pdfs import make_pdf


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, without_story=True, verbosity=0)


@pytest.fixture
def reporter(demo):
    return User.objects.get(username="vhttdl")


@pytest.fixture
def other_reporter(demo):
    return User.objects.get(username="noivu")


@pytest.fixture
def coordinator_user(demo):
    return User.objects.get(username="dieuphoi")


@pytest.fixture
def viewer(demo):
    return User.objects.get(username="lanhdao")


@pytest.fixture
def superuser(demo):
    return User.objects.get(username="quantri")


@pytest.fixture
def march_deadline(demo):
    return ReportingDeadline.objects.get(due_date=dt.date(2024, 3, 25))


def agency_of(user):
    return user.agencies.get()


def make_submitted_report(user, deadline, results="Đã tổ chức lễ kết nghĩa."):
    agency = agency_of(user)
    report = services.report_for(deadline=deadline, agency=agency)
    services.report_save(
        report=report,
        by=user,
        fields={"results": results},
        scan=ContentFile(make_pdf(), name="scan.pdf"),
    )
    return services.report_submit(report=report, by=user)


def record_activity(user, cash_vnd=15_000_000, in_kind_vnd=5_000_000, **fields):
    """An activity of the user's agency: ``cash_vnd`` from its budget, ``in_kind_vnd`` as one
    line of goods."""
    agency = agency_of(user)
    assignment = Assignment.objects.filter(agency=agency).first()
    data = {
        "date": dt.date(2024, 3, 10),
        "kind": "gifts",
        "description": "Tặng quà",
        "cash_budget_vnd": cash_vnd,
        "goods": [
            {
                "item": "phần quà",
                "quantity": 20,
                "unit": "phần",
                "weight_kg": None,
                "value_vnd": in_kind_vnd,
            }
        ]
        if in_kind_vnd
        else [],
    }
    data.update(fields)
    return services.activity_record(assignment=assignment, by=user, **data)


@pytest.fixture
def scene(reporter, other_reporter, march_deadline):
    """Objects of both agencies: each reporter's report, activity and extension request."""
    own = make_submitted_report(reporter, march_deadline)
    other = make_submitted_report(other_reporter, march_deadline)
    later = ReportingDeadline.objects.get(due_date=dt.date(2024, 11, 10), rule__reporter="agencies")
    own_agreement = signed_covenant(agency_of(reporter), reporter)
    other_agreement = signed_covenant(agency_of(other_reporter), other_reporter)
    return {
        "own_report": own,
        "other_report": other,
        "own_activity": record_activity(reporter),
        "other_activity": record_activity(other_reporter),
        "own_extension": services.extension_request(
            deadline=later,
            agency=agency_of(reporter),
            by=reporter,
            reason="Chờ số liệu",
            requested_date=dt.date(2024, 11, 20),
        ),
        "other_extension": services.extension_request(
            deadline=later,
            agency=agency_of(other_reporter),
            by=other_reporter,
            reason="Chờ số liệu",
            requested_date=dt.date(2024, 11, 20),
        ),
        "deadline": march_deadline,
        "later": later,
        "own_agency": agency_of(reporter),
        "other_agency": agency_of(other_reporter),
        "unrelated_agency": Agency.objects.get(name="Sở Y tế"),
        "own_feed": CalendarFeed.objects.create(agency=agency_of(reporter)),
        "own_assignment": Assignment.objects.filter(agency=agency_of(reporter)).first(),
        "own_village": Assignment.objects.filter(agency=agency_of(reporter)).first().village,
        "other_village": Assignment.objects.filter(agency=agency_of(other_reporter))
        .first()
        .village,
        "own_document": issue_agency_report(own, reporter),
        "other_document": issue_agency_report(other, other_reporter),
        "own_agreement": own_agreement,
        "other_agreement": other_agreement,
        "own_task": a_task(own_agreement, reporter),
        "other_task": a_task(other_agreement, other_reporter),
        "own_review": a_review(own_agreement, reporter),
        "other_review": a_review(other_agreement, other_reporter),
        "own_wish": a_wish(agency_of(reporter), reporter),
        "other_wish": a_wish(agency_of(other_reporter), other_reporter),
        "own_model": ExemplaryModel.objects.create(
            name="Mô hình của mình",
            field="economy",
            owner="agency",
            agency=agency_of(reporter),
            start_year=2024,
            description="x",
        ),
        "other_model": ExemplaryModel.objects.create(
            name="Mô hình khác",
            field="economy",
            owner="agency",
            agency=agency_of(other_reporter),
            start_year=2024,
            description="x",
        ),
    }


def a_wish(agency, user):
    from assignments.models import Wish

    return Wish.objects.create(
        raised_on=dt.date(2024, 3, 1),
        village=Assignment.objects.filter(agency=agency).first().village,
        agency=agency,
        topic="water",
        request="Xin hỗ trợ giếng nước",
        recorded_by=user,
    )


def a_task(agreement, user):
    from assignments import agreements

    return agreements.task_plan(
        content=agreement.contents.first(),
        year=2024,
        period="q4",
        description="Hỗ trợ giống lúa",
        by=user,
    )


def a_review(agreement, user):
    from assignments import agreements

    return agreements.review_hold(
        agreement=agreement,
        kind="year",
        year=2024,
        held_on=dt.date(2024, 12, 20),
        remarks="",
        lines=dict.fromkeys(agreement.contents.all(), ("in_progress", "")),
        by=user,
    )


def signed_covenant(agency, user):
    """A covenant of the agency's first pair, with its scan and meetings every 6 months."""
    from assignments import agreements

    return agreements.agreement_record(
        by=user,
        parties=[],
        contents=[{"number": 1, "title": "Phát triển sản xuất", "lead": agency}],
        kind="covenant",
        name=f"Giao ước kết nghĩa của {agency}",
        signed_on=dt.date(2024, 3, 20),
        first_year=2024,
        assignment=Assignment.objects.filter(agency=agency).first(),
        meeting_months=6,
        scan=ContentFile(make_pdf(), name="giao-uoc.pdf"),
    )


def issue_agency_report(report, user):
    from reports import documents

    fields = documents.default_fields("agency_report")
    fields.update(number="1/BC", signer_name="Nguyễn Văn Bình")
    document = documents.document_issue(
        kind="agency_report",
        parameters={"report": report.pk},
        by=user,
        agency=report.agency,
        **fields,
    )
    return documents.render(document)


def plan_rule(directive, by, last_year):
    """The letter's plans, due each 15-12 from 2024 for the following year."""
    rule = ReportingRule.objects.create(
        directive=directive,
        label="Kế hoạch kết nghĩa năm sau",
        kind="plan",
        plan_for_next_year=True,
        frequency="yearly",
        due_month=12,
        due_day=15,
        first_year=2024,
        last_year=last_year,
    )
    assignment_services.rule_sync_deadlines(rule=rule, by=by)
    return rule


@pytest.fixture
def plan_deadline(coordinator_user, march_deadline):
    """The letter's plans, due each 15-12 for the following year: 15/12/2024 for 2025."""
    rule = plan_rule(march_deadline.rule.directive, coordinator_user, last_year=2025)
    return ReportingDeadline.objects.get(rule=rule, due_date=dt.date(2024, 12, 15))


def item(period, kind, assignment=None, budget=0, description="Thăm, tặng quà"):
    return {
        "period": period,
        "assignment": assignment,
        "kind": kind,
        "description": description,
        "budget_vnd": budget,
    }


def submitted_plan(user, deadline, items):
    report = services.report_for(deadline=deadline, agency=agency_of(user))
    services.report_save(
        report=report,
        by=user,
        fields={"objectives": "Hỗ trợ sinh kế, giảm nghèo.", "resources": "Ngân sách cơ quan."},
        scan=ContentFile(make_pdf(), name="ke-hoach.pdf"),
        planned=items,
    )
    return services.report_submit(report=report, by=user)
