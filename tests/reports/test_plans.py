"""Yearly twinning plans: drafted and submitted by the agency's reporter like a report,
reviewed the same way, printed as a Kế hoạch in the legal layout, and compared with what was
done (on the plan's page and in the consolidated report)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assignments import periods
from assignments.models import Assignment, ReportingDeadline
from reports import documents, plans, services
from reports.models import PlannedActivity, Report
from tests.pdfs import layout, make_pdf
from tests.reports.conftest import agency_of, item, record_activity, submitted_plan
from tests.reports.test_documents import (
    check_appendix,
    check_format,
    check_report_heading,
    flat,
    issue,
    main_part,
    pdf_bytes,
    snapshot,
    text_of,
)

pytestmark = pytest.mark.django_db


def test_a_plan_is_written_on_its_form_and_submitted_with_its_activities_frozen(
    client, reporter, plan_deadline
):
    assert plan_deadline.plan_year == 2025
    own = Assignment.objects.filter(agency=agency_of(reporter)).first()
    url = reverse("reports:report_open", args=[plan_deadline.pk, agency_of(reporter).pk])
    client.force_login(reporter)
    page = client.get(url).content.decode()
    assert "Objectives and requirements" in page or "Mục đích, yêu cầu" in page
    assert own.target_place() in page  # the agency's own twinnings are offered
    assert "kế hoạch năm 2025" in page and "2.025" not in page
    data = {
        "objectives": "Hỗ trợ sinh kế, giảm nghèo bền vững.",
        "resources": "Ngân sách cơ quan: 40.000.000 đồng.",
        "organisation": "Văn phòng chủ trì.",
        "planned-TOTAL_FORMS": "3",
        "planned-INITIAL_FORMS": "0",
        "planned-MIN_NUM_FORMS": "0",
        "planned-MAX_NUM_FORMS": "1000",
        "planned-0-period": "q1",
        "planned-0-kind": "gifts",
        "planned-0-description": "Thăm, chúc Tết, tặng quà",
        "planned-0-budget_vnd": "10000000",
        "planned-1-period": "m7",
        "planned-1-assignment": str(own.pk),
        "planned-1-kind": "production",
        "planned-1-description": "Hỗ trợ bò giống",
        "planned-1-budget_vnd": "",
        "planned-2-period": "",  # an untouched extra line is skipped
        "planned-2-kind": "",
        "planned-2-description": "",
        "planned-2-budget_vnd": "",
        "scan": SimpleUploadedFile("ke-hoach.pdf", make_pdf(), content_type="application/pdf"),
        "save": "1",
    }
    assert client.post(url, data).status_code == 302
    report = Report.objects.get(deadline=plan_deadline)
    assert report.status == "draft" and report.is_plan
    assert [(p.period, p.assignment_id, p.budget_vnd) for p in report.planned.all()] == [
        ("q1", None, 10_000_000),
        ("m7", own.pk, 0),
    ]
    # Saved again (the two lines now stored), then submitted.
    lines = list(report.planned.all())
    data.update(
        {
            "planned-TOTAL_FORMS": "2",
            "planned-INITIAL_FORMS": "2",
            "planned-0-id": str(lines[0].pk),
            "planned-1-id": str(lines[1].pk),
            "planned-1-DELETE": "on",
            "submit": "1",
        }
    )
    del data["save"], data["scan"]
    response = client.post(url, data)
    assert response.url == reverse("reports:report_submit", args=[report.pk])
    assert client.post(response.url).status_code == 302  # confirmed
    report.refresh_from_db()
    assert report.status == "submitted"
    (version,) = report.versions.all()
    assert version.objectives == "Hỗ trợ sinh kế, giảm nghèo bền vững."
    assert [(i["period"], i["kind"], i["budget_vnd"]) for i in version.planned] == [
        ("q1", "gifts", 10_000_000)
    ]
    assert version.planned[0]["period_label"] and version.activities == []
    # Locked like a report.
    with pytest.raises(services.WorkflowError):
        services.report_save(report=report, by=reporter, fields={}, planned=[])
    assert report.planned.count() == 1


def test_a_plan_needs_its_objectives_an_activity_and_the_signed_scan(reporter, plan_deadline):
    report = services.report_for(deadline=plan_deadline, agency=agency_of(reporter))
    with pytest.raises(services.WorkflowError, match="mục đích"):
        services.report_submit(report=report, by=reporter)
    services.report_save(report=report, by=reporter, fields={"objectives": "Giảm nghèo."})
    with pytest.raises(services.WorkflowError, match="hoạt động dự kiến"):
        services.report_submit(report=report, by=reporter)
    services.report_save(report=report, by=reporter, fields={}, planned=[item("q1", "gifts")])
    with pytest.raises(services.WorkflowError, match="bản scan"):
        services.report_submit(report=report, by=reporter)
    report.refresh_from_db()
    assert report.status == "draft" and report.planned.count() == 1


def test_a_plan_cannot_name_another_agencys_twinning(
    client, reporter, other_reporter, plan_deadline
):
    other = Assignment.objects.filter(agency=agency_of(other_reporter)).first()
    report = services.report_for(deadline=plan_deadline, agency=agency_of(reporter))
    with pytest.raises(services.WorkflowError):
        services.report_save(
            report=report, by=reporter, fields={}, planned=[item("q1", "visit", other)]
        )
    assert not PlannedActivity.objects.exists()
    # The form neither offers it nor accepts it.
    url = reverse("reports:report_open", args=[plan_deadline.pk, agency_of(reporter).pk])
    client.force_login(reporter)
    response = client.post(
        url,
        {
            "objectives": "Giảm nghèo.",
            "planned-TOTAL_FORMS": "1",
            "planned-INITIAL_FORMS": "0",
            "planned-0-period": "q1",
            "planned-0-assignment": str(other.pk),
            "planned-0-kind": "visit",
            "planned-0-description": "Thăm làng",
            "save": "1",
        },
    )
    assert response.status_code == 200 and not PlannedActivity.objects.exists()
    assert response.context["planned"].forms[0].errors["assignment"]


def test_each_activity_done_carries_out_one_planned_activity_the_narrowest_first():
    year, today = 2025, dt.date(2025, 8, 20)
    items = [
        item("year", "gifts"),
        item("q1", "gifts"),
        item("m2", "gifts", assignment=7),
        item("q2", "production"),
        item("q3", "visit"),
        item("q4", "construction"),
    ]
    done = [
        (dt.date(2025, 2, 10), "gifts", 7),  # Tết: the February line, at its twinning
        (dt.date(2025, 3, 5), "gifts", 8),  # the first quarter's
        (dt.date(2024, 12, 30), "gifts", 8),  # the year before: nothing
        (dt.date(2025, 7, 2), "visit", 8),
    ]
    result = plans.progress(items, done, year, today)
    assert [(r["period"], r["standing"], r["done_on"]) for r in result] == [
        ("year", plans.UNDER_WAY, None),  # the year is not over; no third gift yet
        ("q1", plans.DONE, dt.date(2025, 3, 5)),
        ("m2", plans.DONE, dt.date(2025, 2, 10)),
        ("q2", plans.NOT_DONE, None),  # its quarter is over
        ("q3", plans.DONE, dt.date(2025, 7, 2)),
        ("q4", plans.UNDER_WAY, None),
    ]
    # An activity at another twinning does not carry out a line for a given one.
    assert plans.progress([item("m2", "gifts", assignment=9)], done, year, today)[0][
        "standing"
    ] == (plans.NOT_DONE)
    assert periods.bounds("q4", 2025) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert periods.bounds("m2", 2024) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_the_plan_is_reviewed_like_a_report_and_shows_what_was_done(
    client, reporter, coordinator_user, plan_deadline, django_assert_max_num_queries
):
    own = Assignment.objects.filter(agency=agency_of(reporter)).first()
    report = submitted_plan(
        reporter,
        plan_deadline,
        [item("q1", "gifts", budget=10_000_000), item("q2", "production", own)],
    )
    record_activity(reporter, date=dt.date(2025, 2, 1), kind="gifts", description="Tặng quà Tết")
    url = reverse("reports:report_detail", args=[report.pk])
    client.force_login(coordinator_user)
    with django_assert_max_num_queries(40) as small:
        page = client.get(url).content.decode()
    bound = len(small.captured_queries)  # (read now: each request empties the log)
    assert "01/02/2025" in page  # the date the gifts line was carried out
    assert "kế hoạch năm 2025" in page and "2.025" not in page
    assert "10.000.000" in page
    issue_url = reverse("reports:document_create", args=["agency_plan"])
    assert f"{issue_url}?report={report.pk}" in page
    form = client.get(f"{issue_url}?report={report.pk}")
    assert form.context["form"].initial["report"] == report.pk
    for _ in range(5):
        record_activity(reporter, date=dt.date(2025, 2, 3), kind="gifts")
    with django_assert_max_num_queries(bound):
        client.get(url)
    response = client.post(
        reverse("reports:report_return", args=[report.pk]),
        {"reason": "Ghi rõ kinh phí", "version": 1},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "returned"
    client.force_login(reporter)
    form = client.get(
        reverse("reports:report_open", args=[plan_deadline.pk, report.agency_id])
    ).content.decode()
    assert "Ghi rõ kinh phí" in form and "Thăm, tặng quà" in form  # the lines kept
    services.report_submit(report=report, by=reporter)
    services.report_accept(report=report, by=coordinator_user)
    assert report.versions.count() == 2


def test_the_plan_prints_as_a_ke_hoach_numbered_by_the_register(
    coordinator_user, reporter, plan_deadline
):
    own = Assignment.objects.filter(agency=agency_of(reporter)).first()
    report = submitted_plan(
        reporter,
        plan_deadline,
        [
            item("q1", "gifts", budget=10_000_000, description="Thăm, chúc Tết <b>hộ nghèo</b>"),
            item("m7", "production", own, budget=30_000_000, description="Hỗ trợ bò giống"),
        ],
    )
    fields = documents.default_fields("agency_plan", agency=report.agency)
    assert fields["issuer"] == report.agency.name and fields["addressees"] == ""
    fields.update(
        issued_on=dt.date(2024, 12, 10), signer_title="GIÁM ĐỐC", signer_name="Nguyễn Văn An"
    )
    document = documents.render(
        documents.document_issue(
            kind="agency_plan", parameters={"report": report.pk}, by=reporter, **fields
        )
    )
    assert document.number.startswith("01/KH-") and document.issuing_agency == report.agency
    whole = flat(check_format(document, number=document.number, recipients=(fields["recipients"],)))
    check_report_heading(document)
    assert document.figures["title"] == "KẾ HOẠCH"
    assert document.figures["subject"] == "Thực hiện công tác kết nghĩa năm 2025"
    for text in [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NỘI DUNG, THỜI GIAN THỰC HIỆN",
        "Hỗ trợ sinh kế, giảm nghèo.",
        "Thăm, chúc Tết <b>hộ nghèo</b>",  # as typed, never markup
        "Hỗ trợ bò giống",
        own.target_place(),
        "40.000.000",  # the total
        "III. KINH PHÍ, NGUỒN LỰC",
        "IV. TỔ CHỨC THỰC HIỆN",
    ]:
        assert text in whole, text
    snapshot(document, "ke-hoach")
    # The Word file holds the same plan.
    from docx import Document

    with document.docx.open("rb") as file:
        word = Document(io.BytesIO(file.read()))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "Hỗ trợ bò giống" in " ".join(cells) and "40.000.000 đ" in cells
    paragraphs = " ".join(p.text for p in word.paragraphs)
    assert "KẾ HOẠCH" in paragraphs and "MỤC ĐÍCH, YÊU CẦU" in paragraphs
    # A report is not offered as a plan, nor a plan as a report.
    form = documents_form("agency_report", coordinator_user)
    assert report not in form.fields["report"].queryset
    assert report in documents_form("agency_plan", coordinator_user).fields["report"].queryset


def documents_form(kind, user):
    from reports.document_views import DocumentForm

    return DocumentForm(kind=kind, user=user)


def test_the_consolidated_report_compares_plans_with_what_was_done(
    coordinator_user, reporter, other_reporter, plan_deadline
):
    own = Assignment.objects.filter(agency=agency_of(reporter)).first()
    submitted_plan(
        reporter,
        plan_deadline,
        [
            item("q1", "gifts", budget=10_000_000),
            item("q2", "production", own, budget=30_000_000),
            item("q4", "construction", own, budget=100_000_000),
        ],
    )
    record_activity(
        reporter, date=dt.date(2025, 1, 20), kind="gifts", cash_vnd=8_000_000, in_kind_vnd=0
    )
    deadline = ReportingDeadline.objects.get(
        rule__directive=plan_deadline.rule.directive,
        rule__reporter="agencies",
        rule__kind="report",
        due_date=dt.date(2025, 11, 10),
    )
    document = issue(
        "consolidated", {"deadline": deadline.pk}, coordinator_user, issued_on=dt.date(2025, 11, 14)
    )
    (row,) = document.figures["plans"]
    assert row == {
        "agency": agency_of(reporter).name,
        "planned": 3,
        "done": 1,
        "not_done": 1,  # the second quarter is over without it
        "under_way": 1,  # the fourth quarter runs past the report's deadline
        "budget": 140_000_000,
        "spent": 8_000_000,
    }
    assert agency_of(other_reporter).name in document.figures["without_plan"]
    snapshot(document, "bao-cao-tong-hop-ke-hoach")
    pages = check_format(document)
    whole = flat(pages)
    assert "Thực hiện kế hoạch kết nghĩa năm 2025: 1 cơ quan, đơn vị có kế hoạch" in whole
    # Two appendices, "Phụ lục I" and "Phụ lục II", each counting its own pages.
    laid = layout(pdf_bytes(document))
    appendices = laid[len(main_part(laid)) :]
    starts = [i for i, page in enumerate(appendices) if page.runs[0].text.startswith("Phụ lục")]
    assert [appendices[i].runs[0].text for i in starts] == ["Phụ lục I", "Phụ lục II"]
    attached = "(Kèm theo Báo cáo số 15/BC-BDT ngày 14 tháng 11 năm 2025 của Ban Dân tộc tỉnh)"
    check_appendix(
        appendices[: starts[1]], "KẾT QUẢ CÔNG TÁC KẾT NGHĨA CỦA TỪNG CƠ QUAN, ĐƠN VỊ", attached
    )
    check_appendix(
        appendices[starts[1] :], "KẾT QUẢ THỰC HIỆN KẾ HOẠCH KẾT NGHĨA NĂM 2025", attached
    )
    assert "140.000.000" in flat([p.text for p in appendices[starts[1] :]])
    _reader, texts = text_of(document)
    assert "2.025" not in flat(texts)


def test_a_plans_deadline_is_tracked_and_chased_like_a_reports(
    reporter, other_reporter, plan_deadline
):
    from reports import tracking

    submitted_plan(reporter, plan_deadline, [item("q1", "gifts")])  # today: long after 15/12/2024
    (column,) = tracking.compliance([plan_deadline], today=dt.date(2025, 1, 10))
    agencies = tracking.agencies_of([column])
    assert agency_of(reporter) in column.agencies(agencies, tracking.LATE)
    assert agency_of(other_reporter) in column.agencies(agencies, tracking.MISSING)
    # The coordinating body consolidates reports, not plans: no standing of its own here.
    assert tracking.own_standing([column], today=dt.date(2025, 1, 10)) == [None]
