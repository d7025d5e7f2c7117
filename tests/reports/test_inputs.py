"""Inputs typed the Vietnamese way (money 15.000.000, dates dd/mm/yyyy) and the change log
that shows what changed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assignments.forms import WishForm
from assignments.models import Assignment
from ketnghia.forms import DateField, DateTimeField, MoneyField, parse_money
from reports.document_views import DocumentForm
from reports.forms import ActivityForm, ExtensionRequestForm, PlannedActivityForm
from reports.models import Activity
from tests.reports.conftest import a_wish, agency_of, record_activity
from tests.reports.test_support import TET_GIFTS

# --- Money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, amount",
    [
        ("15.000.000", 15_000_000),
        ("15000000", 15_000_000),
        ("15 000 000", 15_000_000),
        ("15\u00a0000\u202f000", 15_000_000),
        (" 1.234.567 đ ", 1_234_567),
        ("300.000.000 VND", 300_000_000),
        ("0", 0),
        ("", None),
    ],
)
def test_money_is_typed_with_dots_or_spaces_between_thousands(typed, amount):
    assert parse_money(typed) == amount


@pytest.mark.parametrize("typed", ["15,5", "15.5", "1.23.456", "15.000.00", "mười triệu", "-5"])
def test_what_is_not_whole_dong_is_refused_with_a_message(typed):
    field = MoneyField(min_value=0)
    with pytest.raises(Exception) as error:
        field.clean(typed)
    assert error.value.messages  # a sentence for the reader, not a traceback


def test_a_comma_is_refused_as_a_decimal_mark():
    with pytest.raises(ValueError) as error:
        parse_money("15,5")
    assert "đồng chẵn" in str(error.value.args[0])  # in Vietnamese, the interface's language


def test_money_inputs_are_text_fields_marked_for_the_script():
    html = MoneyField().widget.render("cash", 15_000_000)
    assert 'type="text"' in html
    assert 'inputmode="numeric"' in html
    assert "data-money" in html
    assert 'value="15.000.000"' in html
    assert "min=" not in html and "step=" not in html


def test_every_money_field_of_the_forms_takes_dots(reporter):
    activity = ActivityForm(user=reporter)
    for name in ("cash_budget_vnd", "cash_staff_vnd", "cash_donors_vnd", "cash_other_vnd"):
        assert isinstance(activity.fields[name], MoneyField), name
    from reports.forms import GoodsFormSet, PlannedFormSet, WorksFormSet

    assert isinstance(GoodsFormSet().forms[0].fields["value_vnd"], MoneyField)
    assert isinstance(WorksFormSet().forms[0].fields["value_vnd"], MoneyField)
    assert issubclass(PlannedFormSet.form, PlannedActivityForm)
    assert isinstance(PlannedActivityForm.base_fields["budget_vnd"], MoneyField)


def test_an_activity_typed_with_dots_is_saved_in_dong(client, reporter):
    assignment = Assignment.objects.filter(agency=agency_of(reporter)).first()
    client.force_login(reporter)
    data = {
        **TET_GIFTS,
        "assignment": assignment.pk,
        "date": "10/03/2024",
        "cash_budget_vnd": "15.000.000",
        "cash_staff_vnd": "2 000 000",
        "goods-0-value_vnd": "36.000.000",
        "works-0-value_vnd": "300.000.000",
    }
    response = client.post(reverse("reports:activity_create"), data)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.date == dt.date(2024, 3, 10)
    assert activity.cash_budget_vnd == 15_000_000
    assert activity.cash_staff_vnd == 2_000_000
    assert activity.in_kind_vnd == 36_000_000
    assert activity.works_vnd == 300_000_000
    page = client.get(reverse("reports:activity_edit", args=[activity.pk])).content.decode()
    assert 'value="15.000.000"' in page
    assert 'value="10/03/2024"' in page


def test_a_form_with_an_error_shows_the_amounts_grouped(client, reporter):
    assignment = Assignment.objects.filter(agency=agency_of(reporter)).first()
    client.force_login(reporter)
    data = {
        **TET_GIFTS,
        "assignment": assignment.pk,
        "cash_budget_vnd": "1234567",
        "cash_staff_vnd": "15,5",
    }
    response = client.post(reverse("reports:activity_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="1.234.567"' in page
    assert 'value="15,5"' in page  # as typed, beside its message
    assert not Activity.objects.exists()


# --- Dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, day",
    [
        ("25/03/2024", dt.date(2024, 3, 25)),
        ("5/3/2024", dt.date(2024, 3, 5)),
        ("25-03-2024", dt.date(2024, 3, 25)),
        ("2024-03-25", dt.date(2024, 3, 25)),  # older links
    ],
)
def test_dates_are_typed_day_first(typed, day):
    assert DateField().clean(typed) == day


def test_dates_are_day_first_whatever_the_interface_language():
    with translation.override("en"):
        assert DateField().clean("03/04/2024") == dt.date(2024, 4, 3)


@pytest.mark.parametrize("typed", ["31/02/2024", "2024/25/03", "25 tháng 3", "13/13/2024"])
def test_a_date_not_dd_mm_yyyy_is_refused_with_a_message(typed):
    with pytest.raises(Exception) as error:
        DateField().clean(typed)
    assert error.value.messages


def test_dates_render_as_text_dd_mm_yyyy_with_a_picker_hook():
    html = DateField().widget.render("date", dt.date(2024, 3, 5))
    assert 'type="text"' in html
    assert 'value="05/03/2024"' in html
    assert 'placeholder="dd/mm/yyyy"' in html
    assert 'data-date="date"' in html
    assert "pattern=" in html
    assert 'type="date"' not in html


def test_the_ceremony_time_is_typed_dd_mm_yyyy_hh_mm(settings):
    field = DateTimeField()
    moment = field.clean("15/01/2026 08:30")
    local = moment.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 1, 15), 8, 30)
    assert field.clean("2026-01-15T08:30") == moment
    html = field.widget.render("ceremony_at", moment)
    assert 'value="15/01/2026 08:30"' in html
    assert 'data-date="datetime"' in html


def test_every_date_field_of_the_forms_is_typed_dd_mm_yyyy(reporter, coordinator_user):
    forms = [
        ActivityForm(user=reporter).fields["date"],
        ExtensionRequestForm().fields["requested_date"],
        DocumentForm.base_fields["issued_on"],
        DocumentForm.base_fields["as_of"],
        WishForm(user=coordinator_user).fields["raised_on"],
        WishForm(user=coordinator_user).fields["passed_on"],
    ]
    for field in forms:
        assert isinstance(field, DateField)
    assert isinstance(DocumentForm.base_fields["ceremony_at"], DateTimeField)


# --- The change log ----------------------------------------------------------------------------


def edit_activity(client, reporter, activity, **changes):
    client.force_login(reporter)
    data = {
        **TET_GIFTS,
        "assignment": activity.assignment_id,
        "date": activity.date.strftime("%d/%m/%Y"),
        "kind": activity.kind,
        "description": activity.description,
        "cash_budget_vnd": str(activity.cash_budget_vnd),
        "goods-TOTAL_FORMS": "0",
        "goods-INITIAL_FORMS": "0",
        "works-TOTAL_FORMS": "0",
        "works-INITIAL_FORMS": "0",
        **changes,
    }
    response = client.post(reverse("reports:activity_edit", args=[activity.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_the_log_shows_each_field_changed_with_old_and_new_values(
    client, reporter, coordinator_user
):
    activity = record_activity(reporter, cash_vnd=10_000_000)
    edit_activity(
        client,
        reporter,
        activity,
        cash_budget_vnd="15.000.000",
        kind="production",
        date="12/03/2024",
    )
    client.force_login(coordinator_user)
    page = client.get(reverse("reports:audit_log")).content.decode()
    # Field names as the model names them, choices by their label, money and dates as read.
    with translation.override("vi"):
        cash = str(Activity._meta.get_field("cash_budget_vnd").verbose_name)
        kind = str(Activity._meta.get_field("kind").verbose_name)
        gifts = str(Activity.Kind("gifts").label)
        production = str(Activity.Kind("production").label)
    assert f"{cash[0].upper()}{cash[1:]}: <del>10.000.000 đ</del> → <ins>15.000.000 đ</ins>" in page
    assert f"<del>{gifts}</del> → <ins>{production}</ins>" in page
    assert kind[1:] in page
    assert "<del>10/03/2024</del> → <ins>12/03/2024</ins>" in page


def test_the_log_names_related_objects_not_their_ids(client, reporter, coordinator_user):
    from assignments.models import Agency

    wish = a_wish(agency_of(reporter), reporter)
    first, second = Agency.objects.order_by("pk")[:2]
    for agency in (first, second):
        wish.passed_to = agency
        wish._change_reason = ""
        wish.save()
    client.force_login(coordinator_user)
    page = client.get(reverse("reports:audit_log"), {"kind": "assignments.wish"})
    assert f"<del>{first}</del> → <ins>{second}</ins>" in page.content.decode()
    assert page.context["page"].object_list[0].url == reverse("wish_follow_up", args=[wish.pk])


def test_the_log_shows_created_changed_in_the_interface_language(
    client, reporter, coordinator_user
):
    activity = record_activity(reporter)
    edit_activity(client, reporter, activity, cash_budget_vnd="1.000")
    client.force_login(coordinator_user)
    page = client.get(reverse("reports:audit_log"), {"kind": "reports.activity"})
    entries = page.context["page"].object_list
    assert [str(e.action) for e in entries] == [
        translation.gettext("Changed"),
        translation.gettext("Created"),
    ]


def test_the_log_filters_by_kind_person_and_dates(client, reporter, coordinator_user):
    activity = record_activity(reporter)
    client.force_login(coordinator_user)
    url = reverse("reports:audit_log")

    def shown(**params):
        return [
            (e.record.history_user_id, e.record._meta.model.instance_type._meta.label_lower)
            for e in client.get(url, params).context["page"].object_list
        ]

    assert shown(kind="reports.activity") == [(reporter.pk, "reports.activity")]
    assert shown(kind="reports.activity", person=coordinator_user.pk) == []
    assert all(who == reporter.pk for who, _kind in shown(person=reporter.pk))
    today = (
        activity.history.get().history_date.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    )
    assert shown(kind="reports.activity", since=today.strftime("%d/%m/%Y")) != []
    tomorrow = (today + dt.timedelta(1)).strftime("%d/%m/%Y")
    assert shown(kind="reports.activity", since=tomorrow) == []
    yesterday = (today - dt.timedelta(1)).strftime("%d/%m/%Y")
    assert shown(kind="reports.activity", until=yesterday) == []


def test_a_bad_filter_is_explained_not_a_crash(client, coordinator_user):
    client.force_login(coordinator_user)
    response = client.get(reverse("reports:audit_log"), {"since": "31/02/2024", "kind": "nothing"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"since", "kind"}


def test_each_entry_links_to_its_object(client, reporter, coordinator_user, superuser):
    activity = record_activity(reporter)
    agency = agency_of(reporter)
    agency.short_name = "SVHTTDL"
    agency.save()
    client.force_login(coordinator_user)
    page = client.get(reverse("reports:audit_log"), {"kind": "assignments.agency"})
    entry = page.context["page"].object_list[0]
    assert entry.url == reverse("agency_detail", args=[agency.pk])
    assert entry.name == str(agency)
    # An activity has no page of its own: its admin change page, for staff only.
    page = client.get(reverse("reports:audit_log"), {"kind": "reports.activity"})
    assert page.context["page"].object_list[0].url == ""
    client.force_login(superuser)
    page = client.get(reverse("reports:audit_log"), {"kind": "reports.activity"})
    assert page.context["page"].object_list[0].url == reverse(
        "admin:reports_activity_change", args=[activity.pk]
    )


def test_the_log_is_paginated(client, reporter, coordinator_user):
    for _ in range(3):
        record_activity(reporter)
    client.force_login(coordinator_user)
    page = client.get(reverse("reports:audit_log")).context["page"]
    assert page.paginator.count > 25  # the demo's own history, and these
    assert len(page.object_list) == 25
    second = client.get(reverse("reports:audit_log"), {"page": 2}).context["page"]
    first_ids = {(type(e.record), e.record.history_id) for e in page.object_list}
    assert not first_ids & {(type(e.record), e.record.history_id) for e in second.object_list}


def test_the_log_queries_do_not_grow_with_the_data(client, reporter, coordinator_user):
    client.force_login(coordinator_user)
    url = reverse("reports:audit_log")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for _ in range(2):
        activity = record_activity(reporter)
        edit_activity(client, reporter, activity, cash_budget_vnd="2.000.000")
    client.force_login(coordinator_user)
    small = count()
    for _ in range(12):
        activity = record_activity(reporter)
        edit_activity(client, reporter, activity, cash_budget_vnd="3.000.000", kind="visit")
    client.force_login(coordinator_user)
    large = count()
    # session and user, the filter's people, the count, the page's keys; per kind on the
    # page its records and their previous ones; per related model the names.
    assert large <= small + 4
    assert large <= 60
