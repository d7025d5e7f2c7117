"""Importing assignment lists as people make them, through the resource used by the admin
and by the import_assignments command."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assignments.importing import run_import
from assignments.models import Agency, Assignment, Village
from assignments.resources import AssignmentResource
from tests.assignments.conftest import DIP
from tests.spreadsheets import assignment_list, csv_bytes, nfd, xlsx

pytestmark = pytest.mark.django_db


def run(data, directive, name="list.xlsx", **options):
    return run_import(AssignmentResource, data, name=name, directive=directive, **options)


def test_a_messy_official_list_imports(directive):
    data = assignment_list(
        [
            DIP,
            [nfd("SỞ  NỘI VỤ "), "Kép", "Ia Ka", "Chư Păh", "Phối hợp", "Ghi chú\u00a0mẫu"],
            ["Sở Văn hóa-Thể thao và Du lịch", "Đê Kjiêng", "xã Hà Tây", "", "chủ trì", ""],
        ]
    )
    summary = run(data, directive)
    assert summary.errors == []
    assert (summary.rows, summary.new, summary.unchanged) == (3, 3, 0)
    created = Assignment.objects.filter(directive=directive).select_related("agency", "village")
    assert {(a.agency.name, str(a.village), a.role) for a in created} == {
        ("Sở Văn hóa, Thể thao và Du lịch", "làng Dip", "lead"),
        ("Sở Nội vụ", "làng Kép", "supporting"),
        ("Sở Văn hóa, Thể thao và Du lịch", "làng Đê Kjiêng", "lead"),
    }
    kep = created.get(agency__name="Sở Nội vụ")
    assert kep.village.commune.name == "Ia Ka"  # not the làng Kép of xã Hà Bầu
    assert kep.note == "Ghi chú mẫu"
    # Never back-dated to the document's date: the start chosen on import (default today).
    assert kep.start_date == timezone.localdate()
    assert kep.history.get().history_change_reason


def test_the_start_date_comes_from_the_row_else_from_the_import(directive):
    data = assignment_list(
        [DIP, ["Sở Nội vụ", "Kép", "Ia Ka", "Chư Păh", "", ""]],
        extra_column=("Ngày bắt đầu", ["01/03/2026", ""]),
    )
    summary = run(data, directive, start_date=dt.date(2026, 2, 1))
    assert summary.errors == []
    starts = dict(
        Assignment.objects.filter(directive=directive).values_list("agency__name", "start_date")
    )
    assert starts == {
        "Sở Văn hóa, Thể thao và Du lịch": dt.date(2026, 3, 1),
        "Sở Nội vụ": dt.date(2026, 2, 1),
    }


def test_a_start_before_the_document_or_not_a_date_is_refused(directive):
    data = assignment_list(
        [DIP, ["Sở Nội vụ", "Kép", "Ia Ka", "Chư Păh", "", ""]],
        extra_column=("Ngày bắt đầu", ["01/01/2026", "mai"]),
    )
    summary = run(data, directive)
    assert summary.errors == [
        "Dòng 8, cột “Ngày bắt đầu”: Ngày 01/01/2026 trước ngày ban hành văn bản (15/01/2026).",
        "Dòng 9, cột “Ngày bắt đầu”: “mai” không phải là ngày (dd/mm/yyyy).",
    ]
    assert not Assignment.objects.filter(directive=directive).exists()


def test_a_pair_already_twinned_under_another_document_is_refused(directive):
    Assignment.objects.filter(agency__name=DIP[0]).update(end_date=None, status="active")
    summary = run(assignment_list([DIP]), directive)
    assert summary.errors == [
        "Dòng 8, cột “Cơ quan, đơn vị”: Cơ quan, đơn vị này đã kết nghĩa với làng Dip với vai "
        "trò này từ 27/02/2024 (345/UBND-NC): thời gian sẽ bị trùng."
    ]


def test_a_row_without_a_village_twins_with_the_whole_commune(directive):
    summary = run(
        assignment_list([["Sở Nội vụ", "", "xã Ia Kreng", "huyện Chư Păh", "", ""]]), directive
    )
    assert summary.errors == []
    assignment = Assignment.objects.get(directive=directive)
    assert (assignment.village, str(assignment.commune)) == (None, "xã Ia Kreng")


def test_csv_with_and_without_bom(directive):
    rows = [["STT", "Cơ quan", "Thôn, làng", "Xã"], [1, *DIP[:3]]]
    assert run(csv_bytes(rows, bom=True), directive, name="ds.csv").new == 1
    again = run(csv_bytes(rows, delimiter=";"), directive, name="ds.csv")
    assert (again.errors, again.new, again.unchanged) == ([], 0, 1)


def test_importing_the_same_file_twice_changes_nothing(directive):
    data = assignment_list([DIP, ["Sở Nội vụ", "Kép", "Ia Ka", "Chư Păh", "", ""]])
    assert run(data, directive).new == 2
    history = Assignment.history.count()
    second = run(data, directive)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 2)
    assert Assignment.objects.filter(directive=directive).count() == 2
    assert Assignment.history.count() == history


def test_a_changed_role_is_an_update(directive):
    run(assignment_list([DIP]), directive)
    changed = run(assignment_list([[*DIP[:4], "Phối hợp", ""]]), directive)
    assert (changed.new, changed.updated) == (0, 1)
    assert Assignment.objects.get(directive=directive).role == "supporting"


def test_a_repeated_row_is_reported_not_doubled(directive):
    summary = run(
        assignment_list([DIP, ["Sở Văn hóa-Thể thao và Du lịch", "Dip", "Ia Kreng", "", "", ""]]),
        directive,
    )
    assert summary.new == 1
    assert summary.unchanged == 1
    assert summary.notices == ["Dòng 9 trùng với dòng 8 và được bỏ qua."]
    assert Assignment.objects.filter(directive=directive).count() == 1


def test_an_unknown_village_names_row_column_value_and_the_closest_name(directive):
    summary = run(
        assignment_list([DIP, ["Sở Nội vụ", "làng Dipp", "xã Ia Kreng", "", "", ""]]), directive
    )
    assert summary.errors == [
        "Dòng 9, cột “Thôn, làng”: không tìm thấy thôn, làng “làng Dipp” ở xã Ia Kreng. "
        "Có phải “làng Dip”?"
    ]


def test_every_error_is_reported_and_nothing_is_written(directive):
    before = (Assignment.objects.count(), Agency.objects.count(), Village.objects.count())
    summary = run(
        assignment_list(
            [
                DIP,
                ["Sở Văn hoá Thể thao", "Dip", "Ia Kreng", "", "", ""],
                ["Sở Nội vụ", "Kép", "Ia Kaa", "", "", ""],
                ["Sở Y tế", "Dip", "Ia Kreng", "", "Tham gia", ""],
            ]
        ),
        directive,
    )
    assert len(summary.errors) == 3
    assert summary.errors[0].startswith("Dòng 9, cột “Cơ quan, đơn vị”")
    assert "Có phải “Sở Văn hóa, Thể thao và Du lịch”" in summary.errors[0]
    assert summary.errors[1].startswith("Dòng 10, cột “Xã”")
    assert summary.errors[2].startswith("Dòng 11, cột “Vai trò”")
    assert not summary.written
    assert (Assignment.objects.count(), Agency.objects.count(), Village.objects.count()) == before


def test_missing_agencies_and_villages_are_created_only_when_asked(directive):
    rows = [["Ban Quản lý rừng phòng hộ", "làng Mới", "Ia Kreng", "Chư Păh", "", ""]]
    refused = run(assignment_list(rows), directive)
    assert len(refused.errors) == 2
    assert not Agency.objects.filter(name="Ban Quản lý rừng phòng hộ").exists()
    created = run(assignment_list(rows), directive, create_missing=True)
    assert created.errors == [] and created.new == 1
    village = Village.objects.get(name="Mới")
    assert (village.kind, village.commune.name) == ("lang", "Ia Kreng")
    assert Agency.objects.filter(name="Ban Quản lý rừng phòng hộ").exists()


def test_a_village_in_an_unknown_commune_is_never_created(directive):
    summary = run(
        assignment_list([["Sở Y tế", "làng Mới", "xã Không Có", "", "", ""]]),
        directive,
        create_missing=True,
    )
    assert len(summary.errors) == 1
    assert not Village.objects.filter(name="Mới").exists()


def test_dry_run_writes_nothing(directive):
    summary = run(assignment_list([DIP]), directive, dry_run=True)
    assert (summary.errors, summary.new, summary.written) == ([], 1, False)
    assert not Assignment.objects.filter(directive=directive).exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "ds.xlsx", "Tệp rỗng"),
        (b"MZ\x90\x00", "ds.exe", "không phải tệp .xlsx, .xls hoặc .csv"),
        (b"PK\x03\x04garbage", "ds.xlsx", "bị hỏng"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "ds.xlsx", "mật khẩu"),
        ("STT;Tên\n1;Sở Y tế".encode("utf-16"), "ds.csv", "UTF-8"),
        (xlsx([["Danh sách"], ["a", "b"]]), "ds.xlsx", "Không tìm thấy dòng tiêu đề"),
        (
            xlsx([["STT", "Cơ quan, đơn vị", "Thôn, làng"], [1, "Sở Y tế", "Dip"]]),
            "ds.xlsx",
            "Thiếu cột bắt buộc: Xã",
        ),
        (xlsx([["STT", "Cơ quan", "Thôn, làng", "Xã"]]), "ds.xlsx", "không có dòng dữ liệu"),
    ],
    ids=[
        "empty",
        "extension",
        "corrupt",
        "password",
        "not-utf8",
        "no-header",
        "missing-column",
        "no-rows",
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(directive, data, name, message):
    count = Assignment.objects.count()
    summary = run(data, directive, name=name)
    assert len(summary.errors) == 1
    assert message in summary.errors[0]
    assert Assignment.objects.count() == count


def test_a_file_over_the_size_limit_is_refused(directive, settings):
    settings.IMPORT_MAX_BYTES = 1000
    summary = run(b"x" * 1001, directive, name="ds.csv")
    assert "vượt quá giới hạn" in summary.errors[0]


def test_a_list_over_the_row_limit_is_refused(directive, settings):
    settings.IMPORT_MAX_ROWS = 2
    summary = run(assignment_list([DIP, DIP, DIP]), directive)
    assert "vượt quá giới hạn 2 dòng" in summary.errors[0]


def test_the_query_count_does_not_grow_with_the_rows(directive, django_assert_max_num_queries):
    villages = list(Village.objects.select_related("commune__parent")[:12])
    agencies = list(Agency.objects.filter(valid_to__isnull=True)[:12])

    def rows(n):
        return [
            [agencies[i].name, str(villages[i]), str(villages[i].commune), "", "", ""]
            for i in range(n)
        ]

    small, large = assignment_list(rows(2)), assignment_list(rows(12))
    with django_assert_max_num_queries(40) as small_run:
        assert run(small, directive, dry_run=True).new == 2
    with django_assert_max_num_queries(len(small_run.captured_queries)) as large_run:
        assert run(large, directive, dry_run=True).new == 12
    assert len(large_run.captured_queries) == len(small_run.captured_queries)
    # Importing a list again (every row unchanged) does not query row by row either.
    run(small, directive)
    run(large, directive)
    with django_assert_max_num_queries(40) as small_again:
        assert run(small, directive).unchanged == 2
    with django_assert_max_num_queries(len(small_again.captured_queries)):
        assert run(large, directive).unchanged == 12


# --- The command ---------------------------------------------------------------------------


def command(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_assignments", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_and_prints_a_summary(directive, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(assignment_list([DIP]))
    out, _err = command(path, "--directive", "99/UBND-NC", "--start-date", "01/02/2026")
    assert "Số dòng đọc: 1; mới: 1; cập nhật: 0; không đổi: 0; lỗi: 0." in out
    assert Assignment.objects.get(directive=directive).start_date == dt.date(2026, 2, 1)


def test_the_command_fails_on_errors_and_writes_nothing(directive, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(assignment_list([DIP, ["Sở Không Có", "Dip", "Ia Kreng", "", "", ""]]))
    with pytest.raises(CommandError):
        command(path, "--directive", "99/UBND-NC")
    assert not Assignment.objects.filter(directive=directive).exists()


def test_the_command_dry_run_writes_nothing(directive, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(assignment_list([DIP]))
    out, _err = command(path, "--directive", "99/UBND-NC", "--dry-run")
    assert "mới: 1" in out
    assert not Assignment.objects.filter(directive=directive).exists()


def test_the_command_refuses_an_unknown_directive(demo, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(assignment_list([DIP]))
    with pytest.raises(CommandError, match="13-CT/TUX"):
        command(path, "--directive", "13-CT/TUX")
