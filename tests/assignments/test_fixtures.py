import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from assignments.fixtures import load_fixture
from assignments.models import (
    Agency,
    Assignment,
    Directive,
    EthnicGroup,
    ReportingDeadline,
    User,
    Village,
)
from assignments.text import fold

pytestmark = pytest.mark.django_db
SHARED_LIST = Path(settings.BASE_DIR).parent / "shared" / "data" / "ethnic_groups.csv"


def seed(**options):
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out, **options)
    return out.getvalue()


def test_the_54_ethnic_groups_are_installed_with_their_official_codes():
    groups = EthnicGroup.objects.filter(code_list="gso_1019_2008")
    assert groups.count() == 54
    by_code = dict(groups.values_list("code", "name"))
    assert (by_code["01"], by_code["04"], by_code["10"], by_code["54"]) == (
        "Kinh",
        "Mường",
        "Gia Rai",
        "Ơ Đu",
    )


@pytest.mark.skipif(
    not SHARED_LIST.exists(), reason="the shared reference list is not beside the project"
)
def test_the_ethnic_groups_match_the_reference_list():
    with SHARED_LIST.open(encoding="utf-8") as stream:
        reference = {row["code"]: row["name"] for row in csv.DictReader(stream)}
    assert dict(EthnicGroup.objects.values_list("code", "name")) == reference


def test_the_ethnic_group_fixture_loads_again_with_search_keys():
    EthnicGroup.objects.all().delete()
    assert load_fixture("ethnic_groups") == (54, 0, 0)
    assert EthnicGroup.objects.search("ba na").get().code == "12"
    assert load_fixture("ethnic_groups") == (0, 0, 54)


def test_the_demo_holds_the_gia_lai_case():
    seed(verbosity=0)
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
    dip = Assignment.objects.get(agency__name="Sở Văn hóa, Thể thao và Du lịch")
    assert (str(dip.village), str(dip.village.commune), str(dip.village.commune.parent)) == (
        "làng Dip",
        "xã Ia Kreng",
        "huyện Chư Păh",
    )
    supporting = Assignment.objects.filter(role="supporting").values_list("agency__name", flat=True)
    assert set(supporting) == {
        "Công an tỉnh",
        "Bộ Chỉ huy Quân sự tỉnh",
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    }
    district = Directive.objects.get(number="1573/UBND-KT")
    assert (district.period_from_year, district.period_to_year) == (2020, 2025)
    assert district.implements.number == "1732-CV/HU"


def test_the_demo_deadlines_are_derived_from_the_rules():
    seed(verbosity=0)
    dates = {
        (d.rule.reporter, d.due_date.isoformat())
        for d in ReportingDeadline.objects.select_related("rule")
    }
    assert ("agencies", "2024-03-25") in dates
    assert ("coordinator", "2024-03-30") in dates
    assert ("agencies", "2025-11-10") in dates
    assert ("coordinator", "2025-11-15") in dates


def test_pairs_not_in_the_sources_say_so():
    seed(verbosity=0)
    invented = Assignment.objects.exclude(agency__name="Sở Văn hóa, Thể thao và Du lịch")
    assert all("minh họa" in a.note for a in invented)


def test_seeding_twice_changes_nothing():
    seed(verbosity=0)
    counts = [m.objects.count() for m in (Agency, Village, Assignment, ReportingDeadline, User)]
    history = Assignment.history.count()
    output = seed(verbosity=0)
    assert "tạo mới 0, cập nhật 0, giữ nguyên 119" in output
    assert [
        m.objects.count() for m in (Agency, Village, Assignment, ReportingDeadline, User)
    ] == counts
    assert Assignment.history.count() == history


def test_seeded_rows_have_consistent_search_keys():
    seed(verbosity=0)
    for village in Village.objects.all():
        assert village.search_key == fold(str(village))
    assert Agency.objects.search("so van hoa the thao du lich").count() == 1


def test_the_demo_users_have_their_roles_and_agencies():
    output = seed()
    assert "vhttdl" in output and "ketnghia-demo" in output
    reporter = User.objects.get(username="vhttdl")
    assert reporter.role == User.Role.REPORTER
    assert [a.name for a in reporter.agencies.all()] == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert User.objects.get(username="quantri").is_superuser
    assert User.objects.get(username="lanhdao").role == User.Role.VIEWER
    assert reporter.check_password("ketnghia-demo")


def test_if_empty_leaves_a_database_with_data_alone():
    Agency.objects.create(name="Sở Thật", kind="government")
    seed(if_empty=True, verbosity=0)
    assert Agency.objects.count() == 1


def test_seeding_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)
    assert not Agency.objects.exists()
