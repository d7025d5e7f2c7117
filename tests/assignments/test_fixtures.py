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
    EthnicGroup,
    ReportingDeadline,
    User,
    Village,
)
from reports.models import Activity, Report

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


def test_seeding_twice_changes_nothing():
    seed(verbosity=0)
    models = (Agency, Village, Assignment, ReportingDeadline, User, Report, Activity)
    counts = [m.objects.count() for m in models]
    history = Assignment.history.count()
    output = seed(verbosity=0)
    assert "Dữ liệu mẫu và diễn biến mẫu đã được nạp." in output
    assert [m.objects.count() for m in models] == counts
    assert Assignment.history.count() == history


def test_the_2024_world_alone_loads_twice_without_change():
    seed(verbosity=0, without_story=True)
    output = seed(verbosity=0, without_story=True)
    assert "tạo mới 0, cập nhật 0, giữ nguyên" in output
    assert not Report.objects.exists()


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
