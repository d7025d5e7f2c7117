import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from assignments import lifecycle, services
from assignments.lifecycle import InvalidTransition, check_transition
from tests.factories import make_agency, make_assignment

D = dt.date

ALLOWED = [
    ("assigned", "ceremony_held"),
    ("assigned", "reassigned"),
    ("assigned", "transferred"),
    ("assigned", "ended"),
    ("ceremony_held", "active"),
    ("ceremony_held", "reassigned"),
    ("ceremony_held", "transferred"),
    ("ceremony_held", "ended"),
    ("active", "reassigned"),
    ("active", "transferred"),
    ("active", "ended"),
]
ALL = [code for code, _label in lifecycle.STATUS_CHOICES]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transitions_pass(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [(c, t) for c in ALL for t in ALL if (c, t) not in ALLOWED],
)
def test_every_other_transition_is_refused(current, target):
    with pytest.raises(InvalidTransition):
        check_transition(current, target)


def test_a_refused_transition_explains_itself_in_vietnamese():
    with translation.override("vi"):
        with pytest.raises(InvalidTransition) as error:
            check_transition("ended", "active")
        assert error.value.messages == [
            "Phân công kết nghĩa không thể chuyển từ trạng thái “Đã kết thúc” sang "
            "“Đang thực hiện”."
        ]


def test_an_unknown_status_is_refused():
    with pytest.raises(InvalidTransition):
        check_transition("assigned", "archived")


@pytest.mark.django_db
def test_recording_the_ceremony_moves_the_assignment_on(coordinator):
    assignment = make_assignment()
    services.assignment_record_ceremony(
        assignment=assignment, date=D(2024, 3, 15), place="Nhà rông làng Dip", by=coordinator
    )
    assignment.refresh_from_db()
    assert assignment.status == "ceremony_held"
    assert assignment.ceremony_date == D(2024, 3, 15)
    assert assignment.history.first().history_user == coordinator
    services.assignment_activate(assignment=assignment, by=coordinator)
    assignment.refresh_from_db()
    assert assignment.status == "active"


@pytest.mark.django_db
def test_a_ceremony_before_the_assignment_is_refused(coordinator):
    assignment = make_assignment(start_date=D(2024, 2, 27))
    with pytest.raises(ValidationError):
        services.assignment_record_ceremony(
            assignment=assignment, date=D(2024, 1, 1), place="", by=coordinator
        )
    assignment.refresh_from_db()
    assert assignment.status == "assigned"


@pytest.mark.django_db
def test_activating_without_a_ceremony_is_refused_and_changes_nothing(coordinator):
    assignment = make_assignment()
    with pytest.raises(InvalidTransition):
        services.assignment_activate(assignment=assignment, by=coordinator)
    assignment.refresh_from_db()
    assert assignment.status == "assigned"


@pytest.mark.django_db
def test_ending_needs_a_reason(coordinator):
    assignment = make_assignment()
    with pytest.raises(ValidationError):
        services.assignment_end(
            assignment=assignment, end_date=D(2024, 12, 31), reason="", by=coordinator
        )
    services.assignment_end(
        assignment=assignment, end_date=D(2024, 12, 31), reason="Hết giai đoạn", by=coordinator
    )
    assignment.refresh_from_db()
    assert (assignment.status, assignment.end_date) == ("ended", D(2024, 12, 31))


@pytest.mark.django_db
def test_reassignment_ends_the_old_one_and_points_to_the_replacement(coordinator):
    assignment = make_assignment()
    other = make_agency(name="Sở Y tế")
    replacement = services.assignment_reassign(
        assignment=assignment,
        end_date=D(2025, 6, 30),
        reason="Điều chỉnh phân công",
        agency=other,
        by=coordinator,
    )
    assignment.refresh_from_db()
    assert assignment.status == "reassigned"
    assert assignment.replaced_by == replacement
    assert assignment.end_date == D(2025, 6, 30)
    assert (replacement.agency, replacement.village) == (other, assignment.village)
    assert replacement.start_date == D(2025, 7, 1)
    assert replacement.status == "assigned"  # a new agency holds its own ceremony
    # The history keeps the old state (the end date is written first, then the status).
    assert [h.status for h in assignment.history.order_by("history_id")] == [
        "assigned",
        "assigned",
        "reassigned",
    ]


@pytest.mark.django_db
def test_reassigning_to_the_same_agency_and_village_is_refused(coordinator):
    assignment = make_assignment()
    with pytest.raises(ValidationError):
        services.assignment_reassign(
            assignment=assignment, end_date=D(2025, 6, 30), reason="x", by=coordinator
        )
