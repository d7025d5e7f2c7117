import datetime as dt

import pytest
from django.core.management import call_command

from assignments.models import Assignment, Directive

# A row of an assignment list: agency, village, commune, district, role, note.
DIP = ["Sở Văn hóa, Thể thao và Du lịch", "làng Dip", "xã Ia Kreng", "huyện Chư Păh", "", ""]


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, without_story=True, verbosity=0)


@pytest.fixture
def directive(demo):
    """A new letter with no assignments yet; the demo's 2024 list ended on 31/12/2025, so
    that the same pairs can be assigned again under it."""
    Assignment.objects.filter(end_date__isnull=True).update(
        end_date=dt.date(2025, 12, 31), status="ended", end_reason="Hết giai đoạn (thử)"
    )
    return Directive.objects.create(
        kind="cong_van",
        number="99/UBND-NC",
        issuing_body="UBND tỉnh Gia Lai",
        issued_on=dt.date(2026, 1, 15),
        title="Điều chỉnh phân công kết nghĩa",
    )
