"""The coordinator's own tools and finding things: moving a deadline with a reason, granting
an extension from the date asked for, the attached scan's link, search by commune or
district, the all-years matrix, the dashboard's year filter and the chart's labels."""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from assignments.models import ReportingDeadline
from reports import services, tracking
from tests.pdfs import make_pdf
from tests.reports.conftest import agency_of, record_activity

pytestmark = pytest.mark.django_db


def a_coming_deadline():
    today = timezone.localdate()
    return (
        ReportingDeadline.objects.with_effective_date()
        .filter(rule__reporter="agencies", effective__gte=today)
        .order_by("effective")
        .first()
    )


# --- Moving a deadline -----------------------------------------------------------------------


def test_the_coordinator_moves_a_deadline_with_a_reason_and_the_history_names_them(
    client, coordinator_user
):
    deadline = a_coming_deadline()
    new_date = timezone.localdate() + dt.timedelta(days=40)
    client.force_login(coordinator_user)
    response = client.post(
        reverse("reports:deadline_move", args=[deadline.pk]),
        {"new_date": new_date.strftime("%d/%m/%Y"), "reason": "Trùng kỳ nghỉ lễ"},
    )
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.moved_to == new_date
    assert deadline.move_reason == "Trùng kỳ nghỉ lễ"
    latest = deadline.history.first()
    assert latest.history_user == coordinator_user
    assert latest.history_change_reason == "Trùng kỳ nghỉ lễ"
    # The page shows who moved it, and the list shows the new date with the reason.
    page = client.get(reverse("reports:deadline_move", args=[deadline.pk])).content.decode()
    assert (coordinator_user.get_full_name() or coordinator_user.username) in page
    listing = client.get(reverse("reports:deadline_list")).content.decode()
    assert "Trùng kỳ nghỉ lễ" in listing


def test_moving_a_deadline_without_a_reason_is_refused_and_changes_nothing(
    client, coordinator_user
):
    deadline = a_coming_deadline()
    client.force_login(coordinator_user)
    new_date = timezone.localdate() + dt.timedelta(days=40)
    response = client.post(
        reverse("reports:deadline_move", args=[deadline.pk]),
        {"new_date": new_date.strftime("%d/%m/%Y"), "reason": "   "},
    )
    assert response.status_code == 200
    assert "Điều chỉnh hạn báo cáo phải nêu lý do." in response.content.decode()
    deadline.refresh_from_db()
    assert deadline.moved_to is None
    assert deadline.history.count() == 1  # only its creation


def test_a_deadline_cannot_be_moved_into_the_past(client, coordinator_user):
    deadline = a_coming_deadline()
    client.force_login(coordinator_user)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        reverse("reports:deadline_move", args=[deadline.pk]),
        {"new_date": yesterday.strftime("%d/%m/%Y"), "reason": "Sớm hơn"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_date"]
    deadline.refresh_from_db()
    assert deadline.moved_to is None


def test_the_move_is_offered_to_coordinators_only(client, coordinator_user, viewer):
    deadline = a_coming_deadline()
    url = reverse("reports:deadline_move", args=[deadline.pk])
    client.force_login(coordinator_user)
    assert url in client.get(reverse("reports:deadline_list")).content.decode()
    every_year = client.get(reverse("reports:matrix"), {"all_years": "1"})
    assert url in every_year.content.decode()
    client.force_login(viewer)
    assert url not in client.get(reverse("reports:deadline_list")).content.decode()
    assert client.post(url, {"new_date": "01/01/2099", "reason": "x"}).status_code == 403


# --- Extensions --------------------------------------------------------------------------------


def test_the_grant_form_starts_from_the_date_the_agency_asked_for(client, coordinator_user, scene):
    extension = scene["own_extension"]
    client.force_login(coordinator_user)
    response = client.get(reverse("reports:extension_list"))
    forms = {e.pk: e.decision_form for e in response.context["page"]}
    assert forms[extension.pk]["granted_date"].value() == dt.date(2024, 11, 20)
    # Each row's form has ids of its own, and shows the date asked for as dd/mm/yyyy.
    field = re.search(
        rf'<input[^>]*id="id_{extension.pk}_granted_date"[^>]*>', response.content.decode()
    )
    assert field and 'value="20/11/2024"' in field.group()
    # Granting as offered needs no typing: the date comes back as it was shown.
    client.post(
        reverse("reports:extension_decide", args=[extension.pk]),
        {"decision": "grant", "granted_date": forms[extension.pk]["granted_date"].value()},
    )
    extension.refresh_from_db()
    assert (extension.status, extension.granted_date) == ("granted", dt.date(2024, 11, 20))


# --- The attached scan ------------------------------------------------------------------------


def test_the_report_form_links_the_attached_scan_through_the_app(
    client, reporter, other_reporter, march_deadline
):
    report = services.report_for(deadline=march_deadline, agency=agency_of(reporter))
    services.report_save(
        report=report,
        by=reporter,
        fields={"results": "Nháp"},
        scan=ContentFile(make_pdf(), name="bao-cao-ky.pdf"),
    )
    report.refresh_from_db()
    client.force_login(reporter)
    page = client.get(
        reverse("reports:report_open", args=[march_deadline.pk, report.agency_id])
    ).content.decode()
    download = reverse("reports:report_scan", args=[report.pk])
    file_name = report.scan.name.rsplit("/", 1)[-1]
    assert f'<a href="{download}">{file_name}</a>' in page
    assert 'href="scans/' not in page and f'href="{report.scan.name}"' not in page
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content)[:4] == b"%PDF"
    client.force_login(other_reporter)
    assert client.get(download).status_code == 404


# --- Search -----------------------------------------------------------------------------------


def test_search_by_commune_finds_the_commune_its_villages_and_the_pairs_there(
    client, coordinator_user
):
    client.force_login(coordinator_user)
    response = client.get(reverse("reports:search"), {"q": "ia kreng"})
    units = response.context["results"]["units"]
    kreng = next(u for u in units if u.name == "Ia Kreng")
    assert "làng Dip" in [str(v) for v, _location in kreng.found_villages]
    assert "Sở Văn hóa, Thể thao và Du lịch" in [a.agency.name for a in kreng.found_pairs]
    content = response.content.decode()
    assert "xã Ia Kreng" in content and "làng Dip" in content
    assert "Sở Văn hóa, Thể thao và Du lịch" in content
    response = client.get(reverse("reports:search"), {"q": "dak doa"})
    assert "Đak Đoa" in [u.name for u in response.context["results"]["units"]]


def test_a_reporter_finds_a_commune_but_only_their_own_pairs_in_it(client, other_reporter):
    client.force_login(other_reporter)
    response = client.get(reverse("reports:search"), {"q": "ia kreng"})
    kreng = next(u for u in response.context["results"]["units"] if u.name == "Ia Kreng")
    assert all(a.agency in other_reporter.agencies.all() for a in kreng.found_pairs)
    assert "Sở Văn hóa, Thể thao và Du lịch" not in response.content.decode()


# --- The matrix of all years, the dashboard's year, the chart ---------------------------------


def test_the_matrix_and_the_dashboard_link_to_the_matrix_of_all_years(client, coordinator_user):
    client.force_login(coordinator_user)
    matrix = client.get(reverse("reports:matrix"), {"kind": "department"}).content.decode()
    assert 'href="?kind=department&amp;all_years=1"' in matrix
    every = client.get(reverse("reports:matrix"), {"all_years": "1"})
    assert every.context["year"] is None
    assert 'href="?"' in every.content.decode()  # back to this year
    dashboard = client.get(reverse("reports:dashboard")).content.decode()
    assert f'href="{reverse("reports:matrix")}?all_years=1"' in dashboard


def test_the_dashboards_year_filter_changes_the_deadline_cards(client, coordinator_user):
    client.force_login(coordinator_user)
    today = timezone.localdate()
    default = client.get(reverse("reports:dashboard")).context["summaries"]
    assert any(s["column"].deadline.effective_date >= today for s in default)
    summaries = client.get(reverse("reports:dashboard"), {"year": "2024"}).context["summaries"]
    assert summaries
    assert {s["column"].deadline.effective_date.year for s in summaries} == {2024}
    dates = [s["column"].deadline.effective_date for s in summaries]
    assert dates == sorted(dates)


def test_the_chart_has_round_axis_values_and_each_bars_amount(client, coordinator_user, reporter):
    record_activity(reporter, cash_vnd=12_000_000, in_kind_vnd=0)
    client.force_login(coordinator_user)
    content = client.get(reverse("reports:dashboard"), {"year": "2024"}).content.decode()
    chart = content.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'class="tick"' in chart and ">0 đ</text>" in chart
    assert 'class="amount"' in chart and "12.000.000 đ</text>" in chart


def test_axis_values_are_round_and_cover_the_tallest_bar():
    assert tracking.nice_ticks(12_000_000) == [0, 5_000_000, 10_000_000, 15_000_000]
    assert tracking.nice_ticks(1_234_567_890)[-1] >= 1_234_567_890
    assert tracking.nice_ticks(0) == [0]
    chart = tracking.bar_chart([{"year": 2024, "cash": 900, "in_kind": 0, "works": 450}])
    assert [t["value"] for t in chart["axis"]] == [0, 250, 500, 750, 1000]
    tallest = max(chart["bars"], key=lambda b: b["value"])
    assert tallest["y"] > chart["axis"][-1]["y"]  # below the top tick


# --- Query bounds -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/search/?q=huyen", "/extensions/", "/deadlines/"])
def test_lists_that_grow_keep_their_queries(
    client, coordinator_user, reporter, url, django_assert_max_num_queries
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
                "activities": 50 * factor,
            },
            seed=seed,
        )

    grow(7, 1)
    client.force_login(coordinator_user)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    grow(8, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
