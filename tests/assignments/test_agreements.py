"""Agreements with numbered contents: a covenant signed at a twinning's ceremony and a
coordination programme; their contents, yearly tasks, progress, meetings by the rhythm,
overdue and never-started work, and reviews."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from assignments import agreements
from assignments.models import Agency, Agreement, Assignment, Meeting, Standing, User

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def coordinator(demo):
    return User.objects.get(username="dieuphoi")


@pytest.fixture
def pair(demo):
    return Assignment.objects.get(agency__name="Sở Văn hóa, Thể thao và Du lịch")


def covenant(pair, by, **overrides):
    fields = {
        "kind": Agreement.Kind.COVENANT,
        "name": "Giao ước kết nghĩa",
        "signed_on": D(2024, 3, 20),
        "first_year": 2024,
        "assignment": pair,
        "meeting_months": 6,
        "commitments": "Định kỳ 6 tháng gặp gỡ, trao đổi.",
    }
    fields.update(overrides)
    return agreements.agreement_record(
        by=by,
        parties=[],
        contents=[
            {"number": 1, "title": "Xây dựng Đảng, hệ thống chính trị", "lead": pair.agency},
            {"number": 2, "title": "Phát triển sản xuất", "lead_other": "Làng Dip"},
            {"number": 3, "title": "Văn hóa, thể thao", "lead": pair.agency},
        ],
        **fields,
    )


def programme(by, parties, **overrides):
    fields = {
        "kind": Agreement.Kind.PROGRAMME,
        "name": "Chương trình phối hợp công tác dân vận giai đoạn 2022-2026",
        "number": "02-CTr/BDV",
        "signed_on": D(2022, 3, 1),
        "first_year": 2022,
        "last_year": 2026,
    }
    fields.update(overrides)
    return agreements.agreement_record(
        by=by,
        parties=parties,
        contents=[
            {
                "group": "Nội dung chung",
                "number": n,
                "title": f"Nội dung {n}",
                "lead": parties[n % len(parties)],
                "participants": parties,
            }
            for n in range(1, 4)
        ],
        **fields,
    )


def test_a_covenant_is_signed_by_the_twinnings_agency_and_its_target(pair, coordinator):
    signed = covenant(pair, coordinator)
    assert list(signed.parties.all()) == [pair.agency]
    assert [c.lead_name for c in signed.contents.all()] == [
        pair.agency.name,
        "Làng Dip",
        pair.agency.name,
    ]
    other = Agency.objects.get(name="Sở Nội vụ")
    with pytest.raises(ValidationError):
        agreements.agreement_record(
            by=coordinator,
            parties=[other],
            kind="covenant",
            name="Giao ước",
            signed_on=D(2024, 3, 20),
            first_year=2024,
            assignment=pair,
        )
    with pytest.raises(ValidationError):  # a covenant without its twinning
        agreements.agreement_record(
            by=coordinator,
            parties=[pair.agency],
            kind="covenant",
            name="Giao ước",
            signed_on=D(2024, 3, 20),
            first_year=2024,
        )
    assert Agreement.objects.count() == 1


def test_a_programme_has_two_parties_or_more_and_its_leads_are_parties(coordinator, demo):
    a, b, c = Agency.objects.order_by("pk")[:3]
    with pytest.raises(ValidationError):
        programme(coordinator, [a])
    with pytest.raises(ValidationError):
        agreements.agreement_record(
            by=coordinator,
            parties=[a, b],
            contents=[{"number": 1, "title": "Phối hợp", "lead": c}],
            kind="programme",
            name="Chương trình",
            signed_on=D(2022, 3, 1),
            first_year=2022,
        )
    assert not Agreement.objects.exists()
    signed = programme(coordinator, [a, b])
    assert signed.contents.count() == 3 and signed.meetings.count() == 0  # no rhythm set


def test_the_rhythm_makes_meetings_due_and_one_is_marked_held(pair, coordinator):
    signed = covenant(pair, coordinator, signed_on=D(2025, 8, 31))
    agreements.meetings_sync(signed, today=D(2026, 1, 10))
    # Every 6 months from 31/8/2025 (the day kept within short months), up to a year ahead.
    assert list(signed.meetings.values_list("due_date", flat=True))[:3] == [
        D(2026, 2, 28),
        D(2026, 8, 31),
        D(2027, 2, 28),
    ]
    first = signed.meetings.first()
    with pytest.raises(ValidationError):
        agreements.meeting_held(meeting=first, held_on=D(2026, 3, 2), minutes="", by=coordinator)
    agreements.meeting_held(
        meeting=first,
        held_on=D(2026, 3, 2),
        minutes="Thống nhất nội dung năm 2026.",
        by=coordinator,
    )
    due = agreements.meetings_due([signed], today=D(2026, 8, 20))
    assert [m.due_date for m in due] == [D(2026, 8, 31)]  # the held one no longer due
    # A changed rhythm keeps the minutes of the meetings held.
    signed.meeting_months = 3
    signed.save()
    agreements.meetings_sync(signed, today=D(2026, 1, 10))
    assert Meeting.objects.get(pk=first.pk).minutes == "Thống nhất nội dung năm 2026."


def test_tasks_progress_overdue_and_never_started(pair, coordinator):
    signed = covenant(pair, coordinator)
    first, second, third = signed.contents.all()
    task = agreements.task_plan(
        content=first, year=2025, period="q2", description="Sinh hoạt chi bộ", by=coordinator
    )
    late = agreements.task_plan(
        content=second, year=2025, period="m3", description="Hỗ trợ giống", by=coordinator
    )
    with pytest.raises(ValidationError):  # before the covenant was signed
        agreements.task_plan(
            content=first, year=2023, period="q1", description="Trước khi ký", by=coordinator
        )
    tasks = first.tasks.model.objects.order_by("pk")
    assert list(agreements.overdue_tasks(tasks, today=D(2025, 7, 1))) == [task, late]
    agreements.progress_record(
        content=first,
        task=task,
        date=D(2025, 6, 10),
        standing=Standing.DONE,
        note="Đã tổ chức sinh hoạt chung.",
        by=coordinator,
    )
    task.refresh_from_db()
    assert (task.standing, task.done_on) == (Standing.DONE, D(2025, 6, 10))
    assert list(agreements.overdue_tasks(tasks, today=D(2025, 7, 1))) == [late]
    standings = agreements.content_standings([first, second, third])
    assert standings == {
        first.pk: Standing.DONE,
        second.pk: Standing.NOT_STARTED,
        third.pk: Standing.NOT_STARTED,
    }
    never = agreements.never_started([signed], today=D(2025, 7, 1))
    assert set(never) == {second, third}
    with pytest.raises(ValidationError):  # a task of another content
        agreements.progress_record(
            content=third, task=late, date=D(2025, 6, 1), standing="done", note="x", by=coordinator
        )


def test_a_review_judges_every_content(pair, coordinator):
    signed = covenant(pair, coordinator)
    contents = list(signed.contents.all())
    lines = dict.fromkeys(contents[:2], (Standing.IN_PROGRESS, ""))
    with pytest.raises(ValidationError, match="3"):
        agreements.review_hold(
            agreement=signed,
            kind="year",
            year=2024,
            held_on=D(2024, 12, 20),
            remarks="",
            lines=lines,
            by=coordinator,
        )
    lines[contents[2]] = (Standing.NOT_STARTED, "Chưa bố trí được kinh phí.")
    review = agreements.review_hold(
        agreement=signed,
        kind="year",
        year=2024,
        held_on=D(2024, 12, 20),
        remarks="Hai bên thống nhất.",
        lines=lines,
        by=coordinator,
    )
    assert [line.standing for line in review.lines.all()] == [
        "in_progress",
        "in_progress",
        "not_started",
    ]


def test_a_party_s_reporter_sees_only_its_own_agreements(pair, coordinator):
    own = covenant(pair, coordinator)
    a, b = Agency.objects.exclude(pk=pair.agency_id).order_by("pk")[:2]
    other = programme(coordinator, [a, b])
    reporter = User.objects.get(username="vhttdl")
    assert list(Agreement.objects.visible_to(reporter)) == [own]
    assert set(Agreement.objects.visible_to(coordinator)) == {own, other}


# --- Pages ---------------------------------------------------------------------------------


def test_recording_a_covenant_at_the_ceremony_through_the_page(client, pair):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.pdfs import make_pdf

    reporter = User.objects.get(username="vhttdl")
    client.force_login(reporter)
    url = reverse("agreement_create")
    form = client.get(f"{url}?assignment={pair.pk}")
    assert form.status_code == 200 and form.context["form"].initial["kind"] == "covenant"
    data = {
        "kind": "covenant",
        "assignment": pair.pk,
        "name": "Biên bản kết nghĩa",
        "signed_on": "20/03/2024",
        "place": "Nhà văn hóa làng Dip",
        "first_year": 2024,
        "meeting_months": 6,
        "commitments": "Định kỳ 6 tháng gặp gỡ.",
        "scan": SimpleUploadedFile("giao-uoc.pdf", make_pdf(), content_type="application/pdf"),
        "contents-TOTAL_FORMS": 8,
        "contents-INITIAL_FORMS": 0,
        "contents-0-number": 1,
        "contents-0-title": "Xây dựng hệ thống chính trị",
        "contents-0-lead": pair.agency_id,
        "contents-1-number": 2,
        "contents-1-title": "Phát triển sản xuất",
        "contents-1-lead_other": "Làng Dip",
    }
    response = client.post(url, data)
    signed = Agreement.objects.get()
    assert response.url == reverse("agreement_detail", args=[signed.pk])
    assert signed.contents.count() == 2 and signed.created_by == reporter
    assert signed.meetings.exists()
    page = client.get(response.url).content.decode()
    assert "Phát triển sản xuất" in page and "Làng Dip" in page
    assert client.get(reverse("agreement_scan", args=[signed.pk])).status_code == 200


def test_a_reporter_records_only_agreements_its_agency_is_party_to(client, demo):
    from django.urls import reverse

    client.force_login(User.objects.get(username="vhttdl"))
    a, b = Agency.objects.filter(assignments__isnull=True).order_by("pk")[:2]
    response = client.post(
        reverse("agreement_create"),
        {
            "kind": "programme",
            "name": "Chương trình của người khác",
            "signed_on": "01/03/2022",
            "first_year": 2022,
            "parties": [a.pk, b.pk],
            "contents-TOTAL_FORMS": 0,
            "contents-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200 and not Agreement.objects.exists()
    assert "Cơ quan của bạn phải là một bên" in response.content.decode()


def test_a_meeting_is_marked_held_and_progress_recorded_by_a_party_only(client, pair, coordinator):
    from django.urls import reverse

    signed = covenant(pair, coordinator, signed_on=D(2025, 1, 15))
    meeting = signed.meetings.first()
    url = reverse("meeting_held", args=[signed.pk, meeting.pk])
    held = {"held_on": "16/07/2025", "place": "Làng Dip", "minutes": "Thống nhất kế hoạch."}
    client.force_login(User.objects.get(username="noivu"))  # another agency's officer
    assert client.post(url, held).status_code == 404
    client.force_login(User.objects.get(username="lanhdao"))  # a viewer reads only
    assert client.get(reverse("agreement_detail", args=[signed.pk])).status_code == 200
    assert client.post(url, held).status_code == 403
    client.force_login(User.objects.get(username="vhttdl"))
    client.post(url, {**held, "minutes": ""})
    meeting.refresh_from_db()
    assert meeting.held_on is None
    client.post(url, held)
    meeting.refresh_from_db()
    assert meeting.held_on == D(2025, 7, 16) and meeting.minutes == "Thống nhất kế hoạch."
    content = signed.contents.first()
    client.post(
        reverse("agreement_progress", args=[signed.pk]),
        {
            "content": content.pk,
            "date": "20/07/2025",
            "standing": "in_progress",
            "note": "Họp chi bộ",
        },
    )
    assert content.progress.get().note == "Họp chi bộ"


def test_the_agreement_pages_queries_do_not_grow(
    client, pair, coordinator, django_assert_max_num_queries
):
    from django.urls import reverse

    signed = covenant(pair, coordinator)
    a, b = Agency.objects.exclude(pk=pair.agency_id).order_by("pk")[:2]
    client.force_login(coordinator)
    urls = [reverse("agreement_list"), reverse("agreement_detail", args=[signed.pk])]
    bounds = []
    for url in urls:
        with django_assert_max_num_queries(40) as small:
            assert client.get(url).status_code == 200
        bounds.append(len(small.captured_queries))
    for n in range(6):
        programme(coordinator, [a, b], number=f"0{n}-CTr", meeting_months=3)
        content = signed.contents.first()
        agreements.task_plan(
            content=content, year=2026, period="q1", description=f"Việc {n}", by=coordinator
        )
        agreements.progress_record(
            content=content,
            date=D(2025, 1, n + 1),
            standing="in_progress",
            note=f"Bước {n}",
            by=coordinator,
        )
    signed.meeting_months = 1
    signed.save()
    agreements.meetings_sync(signed)
    for url, bound in zip(urls, bounds, strict=True):
        with django_assert_max_num_queries(bound):
            assert client.get(url).status_code == 200


def test_the_dashboard_shows_meetings_due_and_work_overdue(client, pair, coordinator):
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    signed = covenant(pair, coordinator, signed_on=today - dt.timedelta(days=400))
    content = signed.contents.first()
    agreements.task_plan(
        content=content, year=signed.first_year, period="m1", description="Họp", by=coordinator
    )
    panel = agreements.panel(today)
    assert panel["meetings_count"] >= 1 and panel["meetings"][0].agreement == signed
    assert panel["overdue_tasks"] == 1 and panel["never_started"] == 3
    client.force_login(coordinator)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert signed.name in page and "quá hạn" in page


def test_meetings_due_are_in_the_partys_calendar_feed(client, pair, coordinator):
    from django.urls import reverse
    from icalendar import Calendar

    from reports.models import CalendarFeed

    signed = covenant(pair, coordinator, signed_on=D(2025, 8, 31))
    held, *_rest = signed.meetings.all()
    agreements.meeting_held(meeting=held, held_on=D(2026, 3, 1), minutes="Đã họp.", by=coordinator)
    own = CalendarFeed.objects.create(agency=pair.agency)
    other = CalendarFeed.objects.create(agency=Agency.objects.get(name="Sở Nội vụ"))

    def meetings(feed):
        body = client.get(reverse("reports:calendar_feed", args=[feed.token])).content
        return [
            event.decoded("dtstart")
            for event in Calendar.from_ical(body).walk("VEVENT")
            if str(event["uid"]).startswith("meeting-")
        ]

    due = list(signed.meetings.filter(held_on__isnull=True).values_list("due_date", flat=True))
    assert meetings(own) == due and held.due_date not in meetings(own)
    assert meetings(other) == []


def test_search_finds_agreements_and_models_within_the_users_scope(client, pair, coordinator):
    from django.urls import reverse

    from assignments.models import ExemplaryModel

    covenant(pair, coordinator, name="Giao ước kết nghĩa làng Dip")
    ExemplaryModel.objects.create(
        name="Đội cồng chiêng làng Dip",
        field="culture_society",
        owner="agency",
        agency=pair.agency,
        start_year=2024,
        description="x",
    )
    client.force_login(User.objects.get(username="vhttdl"))
    results = client.get(reverse("reports:search"), {"q": "lang dip"}).context["results"]
    assert [a.name for a in results["agreements"]] == ["Giao ước kết nghĩa làng Dip"]
    assert [m.name for m in results["models"]] == ["Đội cồng chiêng làng Dip"]
    client.force_login(User.objects.get(username="noivu"))  # another agency's officer
    results = client.get(reverse("reports:search"), {"q": "lang dip"}).context["results"]
    assert results["agreements"] == [] and results["models"] == []
