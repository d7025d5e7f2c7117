"""The pages that follow an agreement through its years: planning a year's tasks, holding a
review, citing activities as evidence of progress, the meetings' forms and their email
reminders; overdue tasks counted in the database. Light data: a few factories, no demo."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.management import call_command
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assignments import agreements, periods
from assignments.models import (
    AgreementReview,
    ContentTask,
    Meeting,
    Standing,
    User,
)
from assignments.views.agreements import EVIDENCE_OFFERED
from reports.models import Activity, ReminderLog
from tests.factories import make_agency, make_assignment

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = timezone.localdate()


def make_user(username, role=User.Role.REPORTER, agency=None, email=""):
    user = User.objects.create_user(
        username=username, password="x-test-password", role=role, email=email
    )
    if agency is not None:
        user.agencies.add(agency)
    return user


def make_covenant(pair, by, contents=3, **overrides):
    fields = {
        "kind": "covenant",
        "name": f"Giao ước kết nghĩa {pair.agency}",
        "signed_on": D(TODAY.year - 1, 1, 15),
        "first_year": TODAY.year - 1,
        "assignment": pair,
    }
    fields.update(overrides)
    return agreements.agreement_record(
        by=by,
        parties=[],
        contents=[
            {"number": n, "title": f"Nội dung số {n}", "lead": pair.agency}
            for n in range(1, contents + 1)
        ],
        **fields,
    )


def make_activity(pair, by, date, description="Tặng quà cho hộ nghèo"):
    return Activity.objects.create(
        assignment=pair, date=date, kind="gifts", description=description, created_by=by
    )


@pytest.fixture
def pair(db):
    return make_assignment(agency=make_agency(name="Sở Văn hóa, Thể thao và Du lịch"))


@pytest.fixture
def party(pair):
    """The officer of the covenant's agency."""
    return make_user("vhttdl", agency=pair.agency, email="vhttdl@gialai.gov.vn")


@pytest.fixture
def outsider(db):
    """Another agency's officer."""
    return make_user("noivu", agency=make_agency(name="Sở Nội vụ"), email="noivu@gialai.gov.vn")


@pytest.fixture
def viewer(db):
    return make_user("lanhdao", role=User.Role.VIEWER)


@pytest.fixture
def covenant(pair, party):
    return make_covenant(pair, party)


def plan_url(agreement, year):
    return f"{reverse('agreement_plan', args=[agreement.pk])}?year={year}"


def plan_data(*lines, total=5):
    data = {"tasks-TOTAL_FORMS": total, "tasks-INITIAL_FORMS": 0}
    for i, (content, period, description) in enumerate(lines):
        data.update(
            {
                f"tasks-{i}-content": content.pk if content else "",
                f"tasks-{i}-period": period,
                f"tasks-{i}-description": description,
            }
        )
    return data


# --- The year's plan ---------------------------------------------------------------------


def test_a_party_plans_the_tasks_of_a_year_per_content(client, covenant, party):
    first, second, _third = covenant.contents.all()
    year = TODAY.year
    client.force_login(party)
    page = client.get(plan_url(covenant, year))
    assert page.status_code == 200 and page.context["formset"] is not None
    assert page.context["years"] == [year - 1, year, year + 1]  # until further notice
    response = client.post(
        plan_url(covenant, year),
        plan_data((first, "q1", "Sinh hoạt chi bộ chung"), (second, "year", "Hỗ trợ giống lúa")),
    )
    assert response.status_code == 302 and response.url == plan_url(covenant, year)
    tasks = ContentTask.objects.order_by("pk")
    assert [(t.content, t.year, t.period) for t in tasks] == [
        (first, year, "q1"),
        (second, year, "year"),
    ]
    page = client.get(plan_url(covenant, year)).content.decode()
    assert "Sinh hoạt chi bộ chung" in page and "Hỗ trợ giống lúa" in page
    # Another year shows its own tasks only.
    assert "Hỗ trợ giống lúa" not in client.get(plan_url(covenant, year - 1)).content.decode()


def test_a_bad_line_plans_nothing_and_says_which(client, covenant, party):
    first, second, _third = covenant.contents.all()
    client.force_login(party)
    response = client.post(
        plan_url(covenant, TODAY.year),
        plan_data((first, "q1", "Sinh hoạt chi bộ"), (second, "", "Thiếu thời điểm")),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["period"]
    assert not ContentTask.objects.exists()
    # Another agreement's content is no choice here.
    other = make_covenant(make_assignment(), party)
    response = client.post(
        plan_url(covenant, TODAY.year),
        plan_data((other.contents.first(), "q1", "Việc của người khác")),
    )
    assert response.status_code == 200 and response.context["formset"].forms[0].errors["content"]
    assert not ContentTask.objects.exists()


def test_a_year_outside_the_agreement_is_refused(client, pair, party):
    closed = make_covenant(pair, party, first_year=TODAY.year - 1, last_year=TODAY.year - 1)
    client.force_login(party)
    for year in (TODAY.year, TODAY.year - 2, "abc"):
        response = client.post(
            plan_url(closed, year), plan_data((closed.contents.first(), "q1", "Ngoài kỳ"))
        )
        assert response.status_code == 302 and response.url == reverse(
            "agreement_plan", args=[closed.pk]
        )
    assert not ContentTask.objects.exists()
    # Without a year, the page shows the nearest year of the period.
    assert client.get(reverse("agreement_plan", args=[closed.pk])).context["year"] == (
        TODAY.year - 1
    )


def test_a_viewer_reads_the_plan_and_an_outsider_does_not_see_it(
    client, covenant, viewer, outsider
):
    content = covenant.contents.first()
    task = agreements.task_plan(
        content=content, year=TODAY.year, period="q1", description="Họp", by=viewer
    )
    client.force_login(viewer)
    page = client.get(plan_url(covenant, TODAY.year))
    assert page.status_code == 200 and page.context["formset"] is None
    body = page.content.decode()
    assert "Họp" in body and reverse("agreement_task_edit", args=[covenant.pk, task.pk]) not in body
    assert client.post(plan_url(covenant, TODAY.year), plan_data()).status_code == 403
    client.force_login(outsider)
    assert client.get(plan_url(covenant, TODAY.year)).status_code == 404
    assert client.post(plan_url(covenant, TODAY.year), plan_data()).status_code == 404


def test_a_task_is_changed_or_removed_until_progress_is_recorded_for_it(client, covenant, party):
    content = covenant.contents.first()
    task = agreements.task_plan(
        content=content, year=TODAY.year, period="q1", description="Họp", by=party
    )
    kept = agreements.task_plan(
        content=content, year=TODAY.year, period="q2", description="Tặng quà", by=party
    )
    agreements.progress_record(
        content=content, task=kept, date=TODAY, standing="in_progress", note="Đã mua", by=party
    )
    client.force_login(party)
    page = client.get(plan_url(covenant, TODAY.year)).content.decode()
    assert reverse("agreement_task_edit", args=[covenant.pk, task.pk]) in page
    assert reverse("agreement_task_edit", args=[covenant.pk, kept.pk]) not in page
    edit = reverse("agreement_task_edit", args=[covenant.pk, task.pk])
    response = client.post(edit, {"period": "m5", "description": "Họp giao ban"})
    assert response.url == plan_url(covenant, TODAY.year)
    task.refresh_from_db()
    assert (task.period, task.description) == ("m5", "Họp giao ban")
    client.post(reverse("agreement_task_delete", args=[covenant.pk, task.pk]))
    assert not ContentTask.objects.filter(pk=task.pk).exists()
    # What progress was recorded for stays as planned.
    client.post(
        reverse("agreement_task_edit", args=[covenant.pk, kept.pk]),
        {"period": "m5", "description": "Khác"},
    )
    client.post(reverse("agreement_task_delete", args=[covenant.pk, kept.pk]))
    kept.refresh_from_db()
    assert (kept.period, kept.description) == ("q2", "Tặng quà")


# --- Reviews -----------------------------------------------------------------------------


def review_data(agreement, kind="interim", year=None, held_on=None, standings=None):
    contents = list(agreement.contents.all())
    standings = standings or ["done"] * len(contents)
    data = {
        "kind": kind,
        "year": year or TODAY.year,
        "held_on": (held_on or TODAY).strftime("%d/%m/%Y"),
        "remarks": "Hai bên thống nhất đánh giá.",
        "lines-TOTAL_FORMS": len(contents),
        "lines-INITIAL_FORMS": len(contents),
    }
    for i, standing in enumerate(standings):
        data[f"lines-{i}-standing"] = standing
        data[f"lines-{i}-remarks"] = f"Ý kiến {i + 1}"
    return data


def test_a_review_starts_from_each_contents_standing_and_is_shown_on_its_page(
    client, covenant, party
):
    first, second, third = covenant.contents.all()
    agreements.progress_record(
        content=second, date=TODAY, standing="in_progress", note="Đang làm", by=party
    )
    url = reverse("agreement_review_create", args=[covenant.pk])
    client.force_login(party)
    form = client.get(url)
    assert [line.initial["standing"] for line in form.context["lines"]] == [
        "not_started",
        "in_progress",
        "not_started",
    ]
    response = client.post(
        url, review_data(covenant, standings=["done", "in_progress", "not_started"])
    )
    review = AgreementReview.objects.get()
    assert response.url == reverse("agreement_review", args=[covenant.pk, review.pk])
    assert (review.kind, review.year, review.held_on) == ("interim", TODAY.year, TODAY)
    assert [(line.content, line.standing, line.remarks) for line in review.lines.all()] == [
        (first, "done", "Ý kiến 1"),
        (second, "in_progress", "Ý kiến 2"),
        (third, "not_started", "Ý kiến 3"),
    ]
    page = client.get(response.url).content.decode()
    assert "Ý kiến 3" in page and "Hai bên thống nhất đánh giá." in page
    detail = client.get(reverse("agreement_detail", args=[covenant.pk])).content.decode()
    assert response.url in detail


def test_a_review_refuses_an_unjudged_content_a_second_review_and_a_future_date(
    client, covenant, party
):
    url = reverse("agreement_review_create", args=[covenant.pk])
    client.force_login(party)
    response = client.post(url, review_data(covenant, standings=["done", "", "done"]))
    assert response.status_code == 200 and response.context["lines"].forms[1].errors
    assert not AgreementReview.objects.exists()
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client.post(url, review_data(covenant, held_on=tomorrow))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not AgreementReview.objects.exists()
    client.post(url, review_data(covenant))
    # The same kind of review of the same year: a form error, not a traceback.
    response = client.post(url, review_data(covenant, held_on=TODAY - dt.timedelta(days=1)))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors and str(TODAY.year) in errors[0]
    assert AgreementReview.objects.count() == 1
    # A tampered line count neither drops nor adds a content.
    data = review_data(covenant, kind="year")
    data["lines-TOTAL_FORMS"] = 1
    client.post(url, data)
    assert AgreementReview.objects.get(kind="year").lines.count() == 3


def test_only_a_party_holds_a_review(client, covenant, viewer, outsider):
    url = reverse("agreement_review_create", args=[covenant.pk])
    client.force_login(viewer)
    assert client.post(url, review_data(covenant)).status_code == 403
    client.force_login(outsider)
    assert client.post(url, review_data(covenant)).status_code == 404
    assert not AgreementReview.objects.exists()


# --- Activities as evidence of progress --------------------------------------------------


def test_progress_cites_the_parties_activities_as_evidence(client, pair, covenant, party):
    content = covenant.contents.first()
    cited = make_activity(pair, party, TODAY - dt.timedelta(days=3), "Tặng 144 phần quà Tết")
    older = [make_activity(pair, party, D(TODAY.year - 1, 2, 1)) for _ in range(EVIDENCE_OFFERED)]
    stranger = make_activity(make_assignment(), party, TODAY, "Hoạt động của cơ quan khác")
    client.force_login(party)
    page = client.get(reverse("agreement_detail", args=[covenant.pk]))
    offered = list(page.context["progress_form"].fields["activities"].queryset)
    assert len(offered) == EVIDENCE_OFFERED and offered[0] == cited  # the latest first
    assert stranger not in offered and older[0] not in offered
    progress = {
        "content": content.pk,
        "date": TODAY.strftime("%d/%m/%Y"),
        "standing": "in_progress",
        "note": "Đã trao quà Tết",
    }
    url = reverse("agreement_progress", args=[covenant.pk])
    client.post(url, {**progress, "activities": [stranger.pk]})
    assert not content.progress.exists() and not stranger.contents.exists()
    client.post(url, {**progress, "activities": [cited.pk]})
    assert content.progress.get().note == "Đã trao quà Tết"
    assert list(cited.contents.all()) == [content]
    page = client.get(reverse("agreement_detail", args=[covenant.pk])).content.decode()
    assert "Tặng 144 phần quà Tết" in page


# --- Meetings' forms ---------------------------------------------------------------------


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id"]


def test_each_meeting_due_has_a_form_with_ids_of_its_own(client, pair, party):
    signed = make_covenant(pair, party, signed_on=TODAY - dt.timedelta(days=100), meeting_months=1)
    due = agreements.meetings_due([signed], TODAY)
    assert len(due) >= 3
    client.force_login(party)
    body = client.get(reverse("agreement_detail", args=[signed.pk])).content.decode()
    parser = Ids()
    parser.feed(body)
    assert parser.ids and len(parser.ids) == len(set(parser.ids))
    assert body.count('name="minutes"') == len(due)  # the field names the view reads
    meeting = due[1]
    client.post(
        reverse("meeting_held", args=[signed.pk, meeting.pk]),
        {"held_on": TODAY.strftime("%d/%m/%Y"), "minutes": "Thống nhất nội dung."},
    )
    assert Meeting.objects.get(pk=meeting.pk).held_on == TODAY


# --- Overdue tasks, counted by the database ----------------------------------------------


def overdue_as_before(tasks, today):
    """The former definition, task by task: the last day of its period is past."""
    return [
        t
        for t in tasks.exclude(standing=Standing.DONE)
        if periods.bounds(t.period, t.year)[1] < today
    ]


def test_overdue_tasks_are_those_whose_period_ended_as_before(covenant, party):
    content = covenant.contents.first()
    year = covenant.first_year
    for period in ("m1", "m2", "m6", "m12", "q1", "q2", "q4", "year"):
        for y in (year, year + 1):
            agreements.task_plan(
                content=content, year=y, period=period, description=period, by=party
            )
    done = ContentTask.objects.get(year=year, period="m1")
    agreements.progress_record(
        content=content, task=done, date=D(year, 1, 20), standing="done", note="x", by=party
    )
    tasks = ContentTask.objects.order_by("pk")
    for today in (
        D(year, 1, 31),  # the last day of January: not yet over
        D(year, 2, 1),
        D(year, 3, 31),
        D(year, 4, 1),
        D(year, 7, 15),
        D(year, 12, 31),
        D(year + 1, 1, 1),
        D(year + 1, 3, 1),
    ):
        assert list(agreements.overdue_tasks(tasks, today)) == overdue_as_before(tasks, today)


def test_the_dashboard_panel_counts_overdue_tasks_in_one_query(covenant, party):
    content = covenant.contents.first()
    for n in range(5):
        agreements.task_plan(
            content=content, year=covenant.first_year, period="m1", description=f"{n}", by=party
        )
    from django.db import connection

    tasks = ContentTask.objects.all()
    with CaptureQueriesContext(connection) as queries:
        assert agreements.overdue_tasks(tasks, TODAY).count() == 5
    assert len(queries.captured_queries) == 1


# --- Queries do not grow with the agreement ----------------------------------------------


def grow(agreement, pair, by, contents):
    """Add contents, each with a task, progress and a cited activity, and a review."""
    start = agreement.contents.count()
    agreements.contents_write(
        agreement=agreement,
        contents=[
            {"number": n, "title": f"Nội dung số {n}", "lead": pair.agency}
            for n in range(start + 1, contents + 1)
        ],
        by=by,
    )
    for content in agreement.contents.all()[start:]:
        task = agreements.task_plan(
            content=content, year=TODAY.year, period="year", description="Việc", by=by
        )
        agreements.progress_record(
            content=content,
            task=task,
            date=TODAY,
            standing="in_progress",
            note="Bước",
            by=by,
            activities=[make_activity(pair, by, TODAY)],
        )


def test_the_new_pages_queries_do_not_grow_with_the_contents(
    client, pair, party, django_assert_max_num_queries
):
    signed = make_covenant(pair, party, contents=3, meeting_months=3)
    grow(signed, pair, party, 3)
    review = agreements.review_hold(
        agreement=signed,
        kind="year",
        year=TODAY.year - 1,
        held_on=TODAY,
        remarks="",
        lines=dict.fromkeys(signed.contents.all(), ("done", "")),
        by=party,
    )
    client.force_login(party)
    # The plan: session, user, agreement, party check, contents, the year's tasks, the
    # overdue ones (7). The review form: ... contents, their standings (6). The agreement's
    # page: contents with participants, tasks and cited activities, standings, overdue,
    # meetings, parties, progress, the activities offered, reviews with lines (18).
    urls = [
        plan_url(signed, TODAY.year),
        reverse("agreement_review_create", args=[signed.pk]),
        reverse("agreement_detail", args=[signed.pk]),
    ]
    counts = []
    for url in urls:
        client.get(url)  # the session and the cached coordinating body, read once
        with django_assert_max_num_queries(30) as small:
            assert client.get(url).status_code == 200
        counts.append(len(small.captured_queries))
    grow(signed, pair, party, 30)
    review.delete()
    review = agreements.review_hold(
        agreement=signed,
        kind="year",
        year=TODAY.year - 1,
        held_on=TODAY,
        remarks="",
        lines=dict.fromkeys(signed.contents.all(), ("done", "")),
        by=party,
    )
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count) as large:
            assert client.get(url).status_code == 200
        assert len(large.captured_queries) == count, url
    with django_assert_max_num_queries(12):
        page = client.get(reverse("agreement_review", args=[signed.pk, review.pk]))
    assert page.status_code == 200 and "Nội dung số 30" in page.content.decode()


# --- Meeting reminders -------------------------------------------------------------------


def send_reminders(day):
    call_command("send_reminders", "--date", day.strftime("%d/%m/%Y"), stdout=_Null())


class _Null:
    def write(self, *_args):
        pass


def meeting_mail(to):
    return [m for m in mail.outbox if m.to == [to]]


def test_the_parties_reporters_are_reminded_of_a_meeting_once_before_and_once_after(
    pair, party, outsider, settings
):
    settings.REMINDER_DAYS = []  # only the meetings' reminders in this test
    colleague = make_user("vhttdl2", agency=pair.agency)  # no email: nothing to send
    signed = make_covenant(pair, party, signed_on=D(2025, 1, 15), first_year=2025, meeting_months=6)
    agreements.meetings_sync(signed, today=D(2025, 6, 1))
    meeting = signed.meetings.get(due_date=D(2025, 7, 15))
    assert colleague.email == ""

    send_reminders(D(2025, 7, 7))  # 8 days ahead: too early
    assert meeting_mail(party.email) == []
    send_reminders(D(2025, 7, 8))  # within the week
    (soon,) = meeting_mail(party.email)
    assert "15/07/2025" in soon.subject and signed.name in soon.subject
    assert reverse("agreement_detail", args=[signed.pk]) in soon.body
    assert soon.alternatives and "text/html" in soon.alternatives[0][1]
    send_reminders(D(2025, 7, 10))  # the same step is not sent again
    send_reminders(D(2025, 7, 15))  # nor on the day itself
    assert len(meeting_mail(party.email)) == 1
    send_reminders(D(2025, 7, 16))  # missed
    assert len(meeting_mail(party.email)) == 2
    send_reminders(D(2025, 7, 20))
    assert len(meeting_mail(party.email)) == 2
    assert meeting_mail(outsider.email) == []
    assert ReminderLog.objects.filter(key__startswith=f"meeting-soon:{meeting.pk}:").count() == 1


def test_a_meeting_held_is_not_chased_and_coordinators_read_meetings_in_their_digest(
    pair, party, settings
):
    settings.REMINDER_DAYS = []
    coordinator = make_user("dieuphoi", role=User.Role.COORDINATOR, email="dp@gialai.gov.vn")
    signed = make_covenant(pair, party, signed_on=D(2025, 1, 15), first_year=2025, meeting_months=6)
    agreements.meetings_sync(signed, today=D(2025, 6, 1))
    meeting = signed.meetings.get(due_date=D(2025, 7, 15))
    agreements.meeting_held(meeting=meeting, held_on=D(2025, 7, 1), minutes="Đã họp.", by=party)
    send_reminders(D(2025, 7, 16))
    assert meeting_mail(party.email) == []
    meeting.held_on, meeting.minutes = None, ""
    meeting.save()
    mail.outbox.clear()
    send_reminders(D(2025, 7, 17))
    (digest,) = [m for m in mail.outbox if m.to == [coordinator.email]]
    assert "15/07/2025" in digest.body and signed.name in digest.body
