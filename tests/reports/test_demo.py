"""The demo as a newcomer sees it: the Gia Lai case of 2024 and its story to today, loaded
once for this module."""

import datetime as dt

import pytest

from assignments.models import Agency, Assignment, Directive, ReportingDeadline, Village
from assignments.text import fold

pytestmark = pytest.mark.django_db

D = dt.date


def test_the_demo_holds_the_gia_lai_case_of_2024(demo_world):
    directive = Directive.objects.get(number="13-CT/TU")
    letter = directive.implementations.get()
    assert letter.issuing_body == "UBND tỉnh Gia Lai"
    assert set(letter.reporting_rules.values_list("reporter", "frequency")) == {
        ("agencies", "once"),
        ("agencies", "yearly"),
        ("coordinator", "once"),
        ("coordinator", "yearly"),
    }
    lead = Assignment.objects.filter(directive=letter, role="lead", start_date__year=2024)
    assert lead.values("agency").distinct().count() == 20
    assert lead.values("village").distinct().count() == 17
    dip = Assignment.objects.get(
        agency__name="Sở Văn hóa, Thể thao và Du lịch", start_date__year=2024
    )
    commune = dip.village.commune_on(dip.start_date)
    assert (str(dip.village), str(commune), str(commune.parent)) == (
        "làng Dip",
        "xã Ia Kreng",
        "huyện Chư Păh",
    )
    supporting = Assignment.objects.filter(directive=letter, role="supporting").values_list(
        "agency__name", flat=True
    )
    assert set(supporting) == {
        "Công an tỉnh",
        "Bộ Chỉ huy Quân sự tỉnh",
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    }
    district = Directive.objects.get(number="1573/UBND-KT")
    assert (district.period_from_year, district.period_to_year) == (2020, 2025)
    assert district.implements.number == "1732-CV/HU"


def test_the_demo_deadlines_are_derived_from_the_rules(demo_world):
    dates = {
        (d.rule.directive.number, d.rule.reporter, d.due_date.isoformat())
        for d in ReportingDeadline.objects.select_related("rule__directive")
    }
    assert ("345/UBND-NC", "agencies", "2024-03-25") in dates
    assert ("345/UBND-NC", "coordinator", "2024-03-30") in dates
    assert ("345/UBND-NC", "agencies", "2024-11-10") in dates
    # From 22/08/2025 the plan 43/KH-UBND replaces the letter: its deadlines are due instead.
    assert ("345/UBND-NC", "agencies", "2025-11-10") not in dates
    assert ("43/KH-UBND", "agencies", "2025-11-10") in dates
    assert ("43/KH-UBND", "coordinator", "2025-11-15") in dates


def test_every_pair_says_where_it_comes_from(demo_world):
    """A pair is from the press, illustrative (and says so), or passed on by a restructuring
    (then it points to the assignment it continues)."""
    for assignment in Assignment.objects.exclude(agency__name="Sở Văn hóa, Thể thao và Du lịch"):
        continued = assignment.replaces.exists()
        assert continued or "minh họa" in assignment.note or "Báo Gia Lai" in assignment.note, (
            assignment
        )


def test_seeded_rows_have_consistent_search_keys(demo_world):
    for village in Village.objects.all():
        assert village.search_key == fold(str(village))
    assert Agency.objects.search("so van hoa the thao du lich").count() == 1
