import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from assignments import deadlines, restructuring, services
from assignments.models import ReportingDeadline, ReportingRule
from tests.factories import (
    make_agency,
    make_assignment,
    make_directive,
    make_once_rule,
    make_village,
    make_yearly_rule,
)

D = dt.date


# --- Pure derivation ------------------------------------------------------------------------


def test_a_one_time_rule_gives_its_date():
    assert deadlines.derive_due_dates(frequency="once", due_date=D(2024, 3, 25)) == [D(2024, 3, 25)]


def test_a_yearly_rule_gives_one_date_per_year_inclusive():
    dates = deadlines.derive_due_dates(
        frequency="yearly", month=11, day=10, first_year=2024, last_year=2027
    )
    assert dates == [D(2024, 11, 10), D(2025, 11, 10), D(2026, 11, 10), D(2027, 11, 10)]


def test_a_yearly_rule_on_29_february_falls_back_to_the_28th():
    dates = deadlines.derive_due_dates(
        frequency="yearly", month=2, day=29, first_year=2024, last_year=2025
    )
    assert dates == [D(2024, 2, 29), D(2025, 2, 28)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frequency": "once"},
        {"frequency": "yearly", "month": 11, "day": 10, "first_year": 2024},
        {"frequency": "yearly", "month": 11, "day": 10, "first_year": 2025, "last_year": 2024},
        {"frequency": "monthly"},
    ],
)
def test_incomplete_rules_are_refused(kwargs):
    with pytest.raises(ValueError):
        deadlines.derive_due_dates(**kwargs)


def test_the_effective_date_prefers_extension_then_move():
    due, moved, extended = D(2024, 11, 10), D(2024, 11, 12), D(2024, 11, 20)
    assert deadlines.effective_due_date(due) == due
    assert deadlines.effective_due_date(due, moved) == moved
    assert deadlines.effective_due_date(due, moved, extended) == extended


# --- Concrete deadlines in the database ------------------------------------------------------


@pytest.mark.django_db
def test_syncing_a_yearly_rule_creates_one_deadline_per_year():
    rule = make_yearly_rule(first_year=2024, last_year=2026)
    services.rule_sync_deadlines(rule=rule)
    assert list(rule.deadlines.values_list("due_date", flat=True)) == [
        D(2024, 11, 10),
        D(2025, 11, 10),
        D(2026, 11, 10),
    ]


@pytest.mark.django_db
def test_syncing_follows_a_changed_rule_and_is_idempotent():
    rule = make_yearly_rule(first_year=2024, last_year=2026)
    services.rule_sync_deadlines(rule=rule)
    kept = rule.deadlines.get(due_date=D(2025, 11, 10))
    rule.first_year, rule.last_year = 2025, 2027
    rule.save()
    services.rule_sync_deadlines(rule=rule)
    services.rule_sync_deadlines(rule=rule)
    assert list(rule.deadlines.values_list("due_date", flat=True)) == [
        D(2025, 11, 10),
        D(2026, 11, 10),
        D(2027, 11, 10),
    ]
    assert rule.deadlines.filter(pk=kept.pk).exists()  # an unchanged year keeps its row


@pytest.mark.django_db
def test_deadline_sync_is_recorded_in_the_audit_history(coordinator):
    rule = make_once_rule()
    services.rule_sync_deadlines(rule=rule, by=coordinator)
    record = ReportingDeadline.history.get()
    assert record.history_type == "+"
    assert record.history_user == coordinator


@pytest.mark.django_db
def test_moving_a_deadline_keeps_the_reason_and_the_original_date(coordinator):
    rule = make_yearly_rule(first_year=2024, last_year=2024)
    services.rule_sync_deadlines(rule=rule)
    deadline = rule.deadlines.get()
    services.deadline_move(
        deadline=deadline,
        new_date=D(2024, 11, 11),
        reason="10-11-2024 là Chủ nhật",
        by=coordinator,
    )
    deadline.refresh_from_db()
    assert deadline.due_date == D(2024, 11, 10)
    assert deadline.effective_date == D(2024, 11, 11)
    assert deadline.move_reason == "10-11-2024 là Chủ nhật"
    assert deadline.history.first().history_user == coordinator
    annotated = ReportingDeadline.objects.with_effective_date().get()
    assert annotated.effective == D(2024, 11, 11)


@pytest.mark.django_db
def test_moving_a_deadline_without_reason_is_refused(coordinator):
    rule = make_once_rule()
    services.rule_sync_deadlines(rule=rule)
    with pytest.raises(ValidationError, match=r"reason|lý do"):
        services.deadline_move(
            deadline=rule.deadlines.get(), new_date=D(2024, 3, 26), reason=" ", by=coordinator
        )
    assert rule.deadlines.get().moved_to is None


@pytest.mark.django_db
def test_a_moved_deadline_stays_moved_when_the_rule_is_synced_again(coordinator):
    rule = make_once_rule()
    services.rule_sync_deadlines(rule=rule)
    services.deadline_move(
        deadline=rule.deadlines.get(), new_date=D(2024, 3, 26), reason="Nghỉ lễ", by=coordinator
    )
    services.rule_sync_deadlines(rule=rule)
    assert rule.deadlines.get().moved_to == D(2024, 3, 26)


@pytest.mark.django_db
def test_upcoming_deadlines_are_ordered_by_effective_date():
    rule = make_yearly_rule(first_year=2024, last_year=2027)
    services.rule_sync_deadlines(rule=rule)
    upcoming = ReportingDeadline.objects.upcoming(today=D(2025, 11, 11))
    assert [d.effective for d in upcoming] == [D(2026, 11, 10), D(2027, 11, 10)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {
            "frequency": "yearly",
            "due_month": 4,
            "due_day": 31,
            "first_year": 2024,
            "last_year": 2025,
        },
        {"frequency": "once"},
        {"frequency": "yearly", "due_month": 11, "due_day": 10},
    ],
)
def test_rule_validation_gives_a_clear_error(fields):
    rule = ReportingRule(directive=make_directive(), label="Báo cáo", **fields)
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert error.value.messages


# --- Who is expected at a deadline -------------------------------------------------------------


@pytest.mark.django_db
def test_expected_agencies_follow_the_assignments_in_force_on_the_due_date():
    directive = make_directive()
    march = make_once_rule(directive=directive, due_date=D(2024, 3, 25))
    services.rule_sync_deadlines(rule=march)
    deadline = march.deadlines.get()
    from_start = make_assignment(directive=directive, start_date=D(2024, 2, 27))
    # Assigned in June: not expected for March.
    make_assignment(directive=directive, start_date=D(2024, 6, 1))
    # Ended in February: not expected either.
    make_assignment(
        directive=directive,
        start_date=D(2024, 1, 10),
        end_date=D(2024, 2, 28),
        status="ended",
        end_reason="Điều chỉnh",
    )
    # Another directive's assignment does not count.
    make_assignment(start_date=D(2024, 1, 1))
    assert list(deadline.expected_agencies()) == [from_start.agency]


@pytest.mark.django_db
def test_after_a_merger_the_successor_is_expected(coordinator):
    directive = make_directive()
    rule = make_yearly_rule(directive=directive, first_year=2024, last_year=2025)
    services.rule_sync_deadlines(rule=rule)
    old, successor = make_agency(name="Sở Kế hoạch và Đầu tư"), make_agency(name="Sở Tài chính")
    make_assignment(directive=directive, agency=old, village=make_village())
    restructuring.agency_merge(
        agencies=[old],
        successor=successor,
        date=D(2025, 3, 1),
        by=coordinator,
        document_reference="Quyết định hợp nhất (thử)",
    )
    by_year = {d.due_date.year: list(d.expected_agencies()) for d in rule.deadlines.all()}
    assert by_year == {2024: [old], 2025: [successor]}


@pytest.mark.django_db
def test_a_moved_deadline_counts_assignments_in_force_on_the_new_date(coordinator):
    directive = make_directive()
    rule = make_once_rule(directive=directive, due_date=D(2024, 3, 25))
    services.rule_sync_deadlines(rule=rule)
    late_start = make_assignment(directive=directive, start_date=D(2024, 3, 27))
    deadline = rule.deadlines.get()
    assert list(deadline.expected_agencies()) == []
    services.deadline_move(
        deadline=deadline, new_date=D(2024, 3, 29), reason="Lùi hạn", by=coordinator
    )
    deadline.refresh_from_db()
    assert list(deadline.expected_agencies()) == [late_start.agency]


@pytest.mark.django_db
def test_coordinator_rules_expect_no_agency():
    directive = make_directive()
    make_assignment(directive=directive)
    rule = make_once_rule(
        directive=directive, reporter=ReportingRule.Reporter.COORDINATOR, due_date=D(2024, 3, 30)
    )
    services.rule_sync_deadlines(rule=rule)
    assert not rule.deadlines.get().expected_agencies().exists()
