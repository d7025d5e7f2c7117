"""Tracking: the compliance matrix and rates against hand-computed cases, coverage,
inactivity, reassignment, search, reminders and calendar feeds, query bounds."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from icalendar import Calendar
from openpyxl import load_workbook

from assignments import restructuring
from assignments import services as assignment_services
from assignments.models import VI_COLLATION, Agency, Assignment, ReportingDeadline, Village
from assignments.text import vietnamese_collate
from reports import services, tracking
from reports.models import Extension, ReminderLog, Report
from tests.factories import make_agency, make_assignment, make_directive, make_yearly_rule
from tests.reports.conftest import agency_of, make_submitted_report, record_activity

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


def submit(deadline, agency, when, status="submitted"):
    return Report.objects.create(
        deadline=deadline,
        agency=agency,
        status=status,
        first_submitted_at=dt.datetime.combine(when, dt.time(10), tzinfo=HCM),
    )


@pytest.fixture
def case(coordinator):
    """Two yearly deadlines (10/11/2024 and 10/11/2025) and seven agencies."""
    directive = make_directive(issued_on=D(2024, 1, 1))
    rule = make_yearly_rule(directive=directive, first_year=2024, last_year=2025)
    assignment_services.rule_sync_deadlines(rule=rule)
    d2024, d2025 = rule.deadlines.order_by("due_date")
    a = {
        name: make_agency(name=name)
        for name in [
            "A1 từ đầu",
            "A2 giữa năm 2025",
            "A3 kết thúc 3/2025",
            "A4 sáp nhập",
            "A5 kế thừa",
            "A6 gia hạn",
            "A7 bị trả lại",
        ]
    }
    make_assignment(agency=a["A1 từ đầu"], directive=directive, start_date=D(2024, 1, 1))
    make_assignment(agency=a["A2 giữa năm 2025"], directive=directive, start_date=D(2025, 6, 1))
    make_assignment(
        agency=a["A3 kết thúc 3/2025"],
        directive=directive,
        start_date=D(2024, 1, 1),
        end_date=D(2025, 3, 31),
        status="ended",
        end_reason="Điều chỉnh",
    )
    make_assignment(agency=a["A4 sáp nhập"], directive=directive, start_date=D(2024, 1, 1))
    restructuring.agency_merge(
        agencies=[a["A4 sáp nhập"]],
        successor=a["A5 kế thừa"],
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference="Quyết định hợp nhất (thử)",
    )
    make_assignment(agency=a["A6 gia hạn"], directive=directive, start_date=D(2025, 1, 1))
    make_assignment(agency=a["A7 bị trả lại"], directive=directive, start_date=D(2025, 1, 1))
    submit(d2024, a["A1 từ đầu"], D(2024, 11, 10))
    submit(d2025, a["A1 từ đầu"], D(2025, 11, 12))
    submit(d2024, a["A3 kết thúc 3/2025"], D(2024, 11, 11))
    submit(d2024, a["A4 sáp nhập"], D(2024, 11, 1))
    Extension.objects.create(
        deadline=d2025,
        agency=a["A6 gia hạn"],
        reason="Chờ số liệu",
        requested_date=D(2025, 11, 20),
        requested_by=coordinator,
        status="granted",
        granted_date=D(2025, 11, 20),
    )
    submit(d2025, a["A6 gia hạn"], D(2025, 11, 18))
    submit(d2025, a["A7 bị trả lại"], D(2025, 11, 5), status="returned")
    return {"d2024": d2024, "d2025": d2025, "a": a}


def statuses(column, agencies):
    return {
        name: column.cells[agency.pk].status
        for name, agency in agencies.items()
        if agency.pk in column.cells
    }


def test_the_matrix_matches_the_hand_computed_cases(case):
    c2024, c2025 = tracking.compliance([case["d2024"], case["d2025"]], today=D(2026, 1, 1))
    assert statuses(c2024, case["a"]) == {
        "A1 từ đầu": "on_time",  # submitted on the due day itself
        "A3 kết thúc 3/2025": "late",
        "A4 sáp nhập": "on_time",
    }
    assert statuses(c2025, case["a"]) == {
        "A1 từ đầu": "late",
        "A2 giữa năm 2025": "missing",  # assigned in June, expected in November
        "A5 kế thừa": "missing",  # took over A4's twinning on 1/3/2025
        "A6 gia hạn": "on_time",  # late for the deadline, on time for its extension
        "A7 bị trả lại": "returned",
    }
    assert (c2024.expected, c2024.submitted) == (3, 3)
    assert (c2025.expected, c2025.submitted) == (5, 3)
    assert c2025.cells[case["a"]["A6 gia hạn"].pk].due == D(2025, 11, 20)


def test_before_the_due_date_cells_are_pending_or_extended(case):
    (column,) = tracking.compliance([case["d2025"]], today=D(2025, 11, 8))
    result = statuses(column, case["a"])
    assert result["A2 giữa năm 2025"] == "pending"
    assert result["A6 gia hạn"] == "on_time"  # submitted (the test data is in the future)
    assert tracking.cell_status(D(2025, 11, 20), None, None, object(), D(2025, 11, 15)) == (
        "extended"
    )


def test_filters_narrow_the_expected_agencies(case):
    from django.db.models import Q

    (column,) = tracking.compliance(
        [case["d2025"]], today=D(2026, 1, 1), agency_filter=Q(name__startswith="A1")
    )
    assert list(column.cells) == [case["a"]["A1 từ đầu"].pk]


def test_the_matrix_page_and_its_export(client, case, coordinator, settings):
    client.force_login(coordinator)
    response = client.get(reverse("reports:matrix"), {"all_years": "1"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "A2 giữa năm 2025" in content
    assert "Bị trả lại" in content
    export = client.get(reverse("reports:matrix_xlsx"), {"all_years": "1"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["A3 kết thúc 3/2025"][1] in (None, "")  # not expected in 2025
    assert rows["A6 gia hạn"][1].endswith("(18/11/2025)")


def test_coverage_and_villages_without_a_lead(demo, coordinator_user):
    result = tracking.coverage(today=D(2026, 1, 1))
    uncovered = {str(v) for v in result["uncovered"]}
    # The district example's mixed villages lost their agencies with the districts in 2025.
    assert {"thôn 5", "thôn Đoàn Kết", "thôn Hòa Bình"} <= uncovered
    assert result["covered"] == result["total"] - len(uncovered)


def test_agencies_without_activity_for_a_year(demo, reporter):
    record_activity(reporter, date=dt.date.today() - dt.timedelta(days=30))
    inactive = {a.name for a in tracking.inactive_agencies()}
    assert agency_of(reporter).name not in inactive
    assert "Sở Nội vụ" in inactive


def test_the_dashboard_shows_rates_coverage_and_the_chart(
    client, coordinator_user, reporter, march_deadline
):
    make_submitted_report(reporter, march_deadline)
    record_activity(reporter, cash_vnd=12_000_000)
    client.force_login(coordinator_user)
    response = client.get(reverse("reports:dashboard"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in content and "12.000.000 đ" in content
    assert "Sở Nội vụ" in content  # among those who have not submitted


def test_viewers_read_the_dashboard_but_cannot_act(client, viewer, scene):
    client.force_login(viewer)
    assert client.get(reverse("reports:dashboard")).status_code == 200
    response = client.post(
        reverse("reports:report_accept", args=[scene["own_report"].pk]), {"version": 1}
    )
    assert response.status_code == 403


# --- Reassignment ----------------------------------------------------------------------------


def test_reassignment_warns_before_leaving_a_village_without_a_lead(client, coordinator_user):
    assignment = Assignment.objects.get(agency__name="Sở Tư pháp")  # sole lead of làng Kép
    target = Village.objects.get(name="Groi")
    url = reverse("reassign", args=[assignment.pk])
    client.force_login(coordinator_user)
    data = {"village": target.pk, "end_date": "2026-06-30", "reason": "Điều chỉnh phân công"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "làng Kép" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status != "reassigned"
    response = client.post(url, {**data, "confirm_uncovered": "on"}, follow=True)
    assert "làng Kép" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == "reassigned"
    assert assignment.replaced_by.village == target
    assert assignment.history.count() >= 2


def test_reassigning_to_another_agency_needs_no_confirmation(client, coordinator_user):
    assignment = Assignment.objects.get(agency__name="Sở Tư pháp")
    client.force_login(coordinator_user)
    new = make_agency(name="Sở Ngoại vụ mới")
    response = client.post(
        reverse("reassign", args=[assignment.pk]),
        {"agency": new.pk, "end_date": "2026-06-30", "reason": "Sáp nhập"},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.replaced_by.agency == new


# --- Search ---------------------------------------------------------------------------------


def test_one_box_searches_everything_without_diacritics(
    client, reporter, other_reporter, march_deadline
):
    make_submitted_report(other_reporter, march_deadline)
    client.force_login(reporter)
    content = client.get(reverse("reports:search"), {"q": "lang dip"}).content.decode()
    assert "làng Dip" in content
    content = client.get(reverse("reports:search"), {"q": "noi vu"}).content.decode()
    assert "Sở Nội vụ –" not in content  # another agency's report stays hidden


# --- Reminders ------------------------------------------------------------------------------


def reminders(*args):
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_reminders_are_sent_once_and_skip_agencies_that_submitted(
    reporter, other_reporter, coordinator_user
):
    reminders("--date", "03/11/2025")  # 7 days before 10/11/2025
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([reporter.email, other_reporter.email, coordinator_user.email])
    reminder = next(m for m in mail.outbox if m.to == [reporter.email])
    assert "10/11/2025" in reminder.subject
    assert reminder.alternatives and "text/html" in reminder.alternatives[0][1]
    assert "Sở Văn hóa, Thể thao và Du lịch" in reminder.body

    reminders("--date", "03/11/2025")
    assert len(mail.outbox) == 3  # nothing twice

    deadline = ReportingDeadline.objects.get(due_date=D(2025, 11, 10), rule__reporter="agencies")
    make_submitted_report(reporter, deadline)
    mail.outbox.clear()
    reminders("--date", "09/11/2025")  # 1 day before
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [other_reporter.email, coordinator_user.email]
    )


def test_a_missed_deadline_is_chased_once_unless_extended(
    reporter, other_reporter, coordinator_user
):
    deadline = ReportingDeadline.objects.get(due_date=D(2025, 11, 10), rule__reporter="agencies")
    extension = services.extension_request(
        deadline=deadline,
        agency=agency_of(other_reporter),
        by=other_reporter,
        reason="Chờ số liệu",
        requested_date=D(2025, 11, 30),
    )
    services.extension_grant(extension=extension, by=coordinator_user, granted_date=D(2025, 11, 30))
    reminders("--date", "11/11/2025")
    overdue = [m for m in mail.outbox if m.to != [coordinator_user.email]]
    assert [m.to for m in overdue] == [[reporter.email]]
    assert "Quá hạn" in overdue[0].subject
    reminders("--date", "12/11/2025")
    assert len([m for m in mail.outbox if m.to == [reporter.email]]) == 1


def test_dry_run_lists_and_sends_nothing(reporter):
    output = reminders("--date", "03/11/2025", "--dry-run")
    assert reporter.email in output
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_the_coordinators_digest(coordinator_user, reporter, march_deadline):
    make_submitted_report(reporter, march_deadline)
    reminders("--date", "05/11/2025")
    digest = next(m for m in mail.outbox if m.to == [coordinator_user.email])
    assert "10/11/2025" in digest.body  # due this week
    assert "1 báo cáo đang chờ xem xét" in digest.body


# --- Calendar feeds -------------------------------------------------------------------------


def test_an_agency_feed_parses_and_a_revoked_one_is_gone(client, reporter, coordinator_user):
    client.force_login(coordinator_user)
    agency = agency_of(reporter)
    client.post(reverse("reports:calendar_create", args=[agency.pk]))
    feed = agency.calendar_feeds.get()
    client.logout()
    response = client.get(reverse("reports:calendar_feed", args=[feed.token]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    dates = {e.decoded("dtstart") for e in events}
    assert {D(2024, 3, 25), D(2024, 11, 10), D(2025, 11, 10)} <= dates
    assert D(2024, 3, 30) not in dates  # the coordinator's own deadlines are not the agency's
    assert all("kết nghĩa" in str(e["summary"]) for e in events)

    client.force_login(coordinator_user)
    client.post(reverse("reports:calendar_revoke", args=[feed.pk]))
    client.logout()
    assert client.get(reverse("reports:calendar_feed", args=[feed.token])).status_code == 404
    assert client.get(reverse("reports:calendar_feed", args=["unknown"])).status_code == 404


def test_the_coordinators_feed_has_every_deadline(client, coordinator_user):
    client.force_login(coordinator_user)
    client.post(reverse("reports:calendar_create_own"))
    feed = coordinator_user.calendar_feeds.get()
    calendar = Calendar.from_ical(
        client.get(reverse("reports:calendar_feed", args=[feed.token])).content
    )
    dates = {e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    assert {D(2024, 3, 25), D(2024, 3, 30), D(2025, 11, 15)} <= dates


# --- Query bounds at two data sizes -----------------------------------------------------------


BUSY_PAGES = [
    "/dashboard/",
    "/compliance/",
    "/compliance/?all_years=1",
    "/search/?q=lang",
    "/reports/",
    "/reports/?q=so",
    "/agencies/{busy}/",
    "/villages/?agency={busy}",
    "/activities/",
    "/agencies/",
    "/villages/",
    "/deadlines/",
    "/review/",
    "/calendars/",
]


@pytest.mark.parametrize("url", BUSY_PAGES)
def test_page_queries_do_not_grow_with_the_data(
    client, coordinator_user, reporter, march_deadline, url, django_assert_max_num_queries
):
    from reports import synthetic

    def grow(seed, factor):
        synthetic.generate(
            {
                "districts": 2,
                "communes": 4 * factor,
                "villages": 20 * factor,
                "agencies": 10 * factor,
                "assignments": 30 * factor,
                "activities": 200 * factor,
            },
            seed=seed,
        )

    make_submitted_report(reporter, march_deadline)
    record_activity(reporter)
    grow(7, 1)
    busy = Agency.objects.annotate(n=Count("assignments")).order_by("-n", "pk").first()
    url = url.format(busy=busy.pk)
    client.force_login(coordinator_user)
    # The dashboard's formalism panel computes its flags from seven queries of its own.
    with django_assert_max_num_queries(37 if url == "/dashboard/" else 30) as small:
        assert client.get(url).status_code == 200
    grow(8, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's collation is Python")
@pytest.mark.parametrize(
    "url", [*BUSY_PAGES, "/restructuring/", "/extensions/", "/audit/", "/documents/register/"]
)
def test_pages_never_call_the_python_collation_on_sqlite(
    client, coordinator_user, reporter, march_deadline, url
):
    """On SQLite the Vietnamese collation is a Python function called per comparison: the
    pages order and group by the sort key instead, which SQLite compares natively."""
    from reports import synthetic

    make_submitted_report(reporter, march_deadline)
    record_activity(reporter)
    synthetic.generate(
        {
            "districts": 2,
            "communes": 8,
            "villages": 60,
            "agencies": 30,
            "assignments": 90,
            "activities": 300,
        },
        seed=9,
    )
    busy = Agency.objects.annotate(n=Count("assignments")).order_by("-n", "pk").first()
    calls = []

    def counted(left, right):
        calls.append((left, right))
        return vietnamese_collate(left, right)

    client.force_login(coordinator_user)
    connection.ensure_connection()
    connection.connection.create_collation(VI_COLLATION, counted)
    try:
        assert client.get(url.format(busy=busy.pk)).status_code == 200
    finally:
        connection.connection.create_collation(VI_COLLATION, vietnamese_collate)
    assert calls == []


def test_a_page_of_the_matrix_has_the_totals_of_every_agency_and_the_cells_of_its_own(case):
    deadlines = [case["d2024"], case["d2025"]]
    full = tracking.compliance(deadlines)
    columns, page = tracking.matrix_page(deadlines, per_page=3, page_number=2)
    assert [(c.expected, c.submitted) for c in columns] == [(f.expected, f.submitted) for f in full]
    assert page.paginator.count == len(tracking.agencies_of(full))
    for agency, cells in page:
        for cell, whole in zip(cells, full, strict=True):
            expected = whole.cells.get(agency.pk)
            assert (cell and cell.status) == (expected and expected.status)
    # Only the page's agencies have cells built.
    assert {pk for c in columns for pk in c.cells} <= {agency.pk for agency, _cells in page}


def test_the_place_filter_takes_a_name_typed_without_accents(client, demo, coordinator_user):
    client.force_login(coordinator_user)
    response = client.get(reverse("reports:dashboard"), {"unit": "ia kreng"})
    form = response.context["form"]
    assert form.is_valid() and str(form.cleaned_data["unit"]) == "xã Ia Kreng"
    unknown = client.get(reverse("reports:dashboard"), {"unit": "khong co"})
    assert "Không có xã, phường hoặc huyện nào tên" in unknown.content.decode()
    # The page is light whatever the number of units: no list of them is sent.
    assert "<option" not in unknown.content.decode().split('name="unit"')[1].split("</label>")[0]


# --- The coordinating body's own deadlines --------------------------------------------------


def issue_consolidated(deadline, user, on):
    from reports import documents

    fields = documents.default_fields("consolidated", on)
    fields.update(signer_name="Nguyễn Văn Bình")
    for name in ("issuer", "parent_body"):
        fields.pop(name)
    return documents.document_issue(
        kind="consolidated", parameters={"deadline": deadline.pk}, by=user, **fields
    )


def test_the_coordinating_body_meets_its_own_deadline_by_issuing_the_consolidated_report(
    coordinator_user, march_deadline
):
    (column,) = tracking.compliance([march_deadline])
    # Its own deadline of the letter follows the agencies' 25-3: 30-3-2024.
    (standing,) = tracking.own_standing([column], today=D(2024, 3, 28))
    assert standing.deadline.effective == D(2024, 3, 30) and standing.status == tracking.PENDING
    (standing,) = tracking.own_standing([column], today=D(2024, 4, 2))
    assert standing.status == tracking.MISSING and standing.document is None
    late = issue_consolidated(march_deadline, coordinator_user, D(2024, 4, 2))
    (standing,) = tracking.own_standing([column], today=D(2024, 4, 5))
    assert (standing.status, standing.document, standing.date) == (
        tracking.LATE,
        late,
        D(2024, 4, 2),
    )
    # The first report issued counts: one issued earlier makes it on time, a re-issue later
    # changes nothing.
    first = issue_consolidated(march_deadline, coordinator_user, D(2024, 3, 29))
    (standing,) = tracking.own_standing([column], today=D(2024, 4, 5))
    assert (standing.status, standing.document) == (tracking.ON_TIME, first)


def test_the_dashboard_and_the_matrix_show_the_coordinating_bodys_standing(
    client, coordinator_user, march_deadline
):
    document = issue_consolidated(march_deadline, coordinator_user, D(2024, 3, 29))
    client.force_login(coordinator_user)
    matrix = client.get(reverse("reports:matrix"), {"year": 2024})
    html = matrix.content.decode()
    assert "Cơ quan đầu mối: báo cáo tổng hợp" in html and document.number in html
    # 25-3 → 30-3, met on time; 10-11 → 15-11, passed with no report issued.
    own = [(s.deadline.effective, s.status) for s in matrix.context["own"] if s]
    assert own == [(D(2024, 3, 30), tracking.ON_TIME), (D(2024, 11, 15), tracking.MISSING)]
    dashboard = client.get(reverse("reports:dashboard"))
    owns = [s["own"] for s in dashboard.context["summaries"] if s["own"]]
    assert owns and all(s.deadline.rule.reporter == "coordinator" for s in owns)
    assert f"Báo cáo tổng hợp, hạn {owns[0].deadline.effective:%d/%m/%Y}:" in (
        dashboard.content.decode()
    )
    export = client.get(reverse("reports:matrix_xlsx"), {"year": 2024})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet["A2"].value == "Cơ quan đầu mối: báo cáo tổng hợp"
    assert sheet["B2"].value == "Đúng hạn (29/03/2024)"
