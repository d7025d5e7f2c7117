"""Backups: one archive holds the database, the private and media files and a manifest with
checksums and the schema; a restore into an empty database and empty folders gives back every
row and every byte, and refuses — changing nothing — a damaged archive, another engine or
schema, or a database or folder that is not empty. On the real engine of the run."""

import datetime as dt
import hashlib
import io
import json
import os
import re
import tarfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from assignments import dbguards
from assignments.models import Directive, ReportingDeadline, User
from reports import backups
from reports.models import private_storage
from tests.pdfs import make_pdf
from tests.reports.conftest import issue_agency_report, make_submitted_report

DATABASE_MEMBER = backups.DATABASE_MEMBERS[connection.vendor]


@pytest.fixture
def folders(settings, tmp_path):
    """The private and media folders of the application, in a temporary place."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def use_empty_folders(settings, tmp_path):
    """Point the application at new, empty folders, as a restore on a new machine would."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "restored" / "private"
    settings.MEDIA_ROOT = tmp_path / "restored" / "media"


@pytest.fixture
def empty_database(tmp_path):
    """A database of this run's engine with nothing in it: a new SQLite file, or a new
    PostgreSQL database (named ``backup_...``: other test runs share the server)."""
    if connection.vendor == "sqlite":
        yield {**connection.settings_dict, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"backup_restore_{os.getpid()}"
    postgres_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    postgres_server(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield {**connection.settings_dict, "NAME": name}
    finally:
        postgres_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_server(statement):
    import psycopg

    # Outside the test's transaction: CREATE DATABASE cannot run inside one.
    with psycopg.connect(**backups.postgres_params(connection.settings_dict)) as server:
        server.autocommit = True
        server.execute(statement)


@contextmanager
def opened(database):
    """A Django connection to another database of the same engine."""
    other = type(connections["default"])(database, alias="restored")
    try:
        yield other
    finally:
        other.close()


def every_row(db):
    """Every table of the schema with its rows, in a stable order."""
    with db.cursor() as cursor:
        tables = {}
        for table in db.introspection.table_names(cursor):
            # Names from the database's own catalogue, quoted.
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608
            rows = [tuple(_comparable(value) for value in row) for row in cursor.fetchall()]
            tables[table] = sorted(rows, key=repr)
        return tables


def _comparable(value):
    return bytes(value) if isinstance(value, memoryview) else value


def tables_in(database):
    if connection.vendor == "sqlite" and not Path(database["NAME"]).exists():
        return []
    with opened(database) as db, db.cursor() as cursor:
        return db.introspection.table_names(cursor)


def every_file(settings):
    """Every private and media file by its path in the archive, with its bytes."""
    files = {}
    for prefix, root in (("private", settings.PRIVATE_MEDIA_ROOT), ("media", settings.MEDIA_ROOT)):
        for path in Path(root).rglob("*"):
            if path.is_file():
                files[f"{prefix}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return files


def make_files():
    """A signed scan, an issued document, a directive's PDF, an oddly named and an empty file."""
    private_storage().save("scans/2024/scan.pdf", ContentFile(make_pdf()))
    private_storage().save("documents/2024/Báo cáo – làng Díp.pdf", ContentFile(make_pdf(2)))
    private_storage().save("documents/2024/empty.xlsx", ContentFile(b""))
    default_storage.save("directives/2023/13-CT-TU.pdf", ContentFile(make_pdf()))


def make_data():
    """The demo's world with a submitted report (its scan), an issued document (its PDF and
    spreadsheet) and a directive with its file."""
    call_command("seed_demo", force=True, without_story=True, verbosity=0)
    reporter = User.objects.get(username="vhttdl")
    deadline = ReportingDeadline.objects.get(due_date=dt.date(2024, 3, 25))
    issue_agency_report(make_submitted_report(reporter, deadline), reporter)
    directive = Directive.objects.order_by("pk").first()
    directive.file.save("13-CT-TU.pdf", ContentFile(make_pdf()))
    make_files()


@pytest.fixture
def archive(transactional_db, folders, tmp_path):
    """An archive of the migrated test database and a few files. Outside a test transaction,
    as the command runs: SQLite cannot copy a database a transaction holds for writing."""
    make_files()
    return backups.backup_create(destination=tmp_path / "archives").path


def rewritten(archive, change):
    """A copy of ``archive`` whose members pass through ``change(name, data)``, which returns
    the new bytes, or None to leave the member out."""
    copy = archive.with_name("changed.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(copy, "w:gz") as target:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                target.addfile(member, io.BytesIO(data))
    return copy


def with_manifest(archive, **changes):
    def change(name, data):
        if name != backups.MANIFEST:
            return data
        return json.dumps({**json.loads(data), **changes}).encode()

    return rewritten(archive, change)


def assert_nothing_restored(database, settings):
    assert tables_in(database) == []
    assert every_file(settings) == {}


# What an archive holds


def test_the_archive_holds_the_database_every_file_and_a_manifest_with_checksums(archive):
    created = timezone.localtime()
    assert re.fullmatch(r"ketnghia-\d{4}-\d\d-\d\d-\d{4}\.tar\.gz", archive.name)
    assert archive.stat().st_mode & 0o777 == 0o600  # personal data: the owner only
    assert [path.name for path in archive.parent.iterdir()] == [archive.name]  # no leftovers
    with tarfile.open(archive) as tar:
        contents = {member.name: tar.extractfile(member).read() for member in tar}
    manifest = json.loads(contents.pop(backups.MANIFEST))
    assert set(contents) == {
        DATABASE_MEMBER,
        "private/scans/2024/scan.pdf",
        "private/documents/2024/Báo cáo – làng Díp.pdf",
        "private/documents/2024/empty.xlsx",
        "media/directives/2023/13-CT-TU.pdf",
    }
    assert manifest["members"] == {
        name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in contents.items()
    }
    made = dt.datetime.fromisoformat(manifest["created_at"])
    assert made.utcoffset() == dt.timedelta(hours=7)  # Asia/Ho_Chi_Minh
    assert archive.name == f"ketnghia-{made:%Y-%m-%d-%H%M}.tar.gz"
    assert abs(created - made) < dt.timedelta(minutes=2)
    assert manifest["engine"] == connection.vendor
    assert manifest["format"] == backups.FORMAT
    assert manifest["django"].startswith("5.2")


def test_the_manifest_names_the_latest_migration_of_every_app(archive):
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(backups.MANIFEST))
    leaves = MigrationLoader(connection).graph.leaf_nodes()
    assert manifest["schema"] == dict(leaves)
    assert {"assignments", "reports", "auth"} <= set(manifest["schema"])


# The round trip


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_an_empty_database_and_folders_gives_back_every_row_and_file(
    folders, empty_database, tmp_path
):
    make_data()
    output = io.StringIO()
    call_command("backup", tmp_path / "archives", stdout=output)
    (archive,) = (tmp_path / "archives").iterdir()
    assert "Đã sao lưu" in output.getvalue()
    rows, files = every_row(connection), every_file(folders)
    assert rows["reports_report"] and rows["reports_issueddocument"]
    assert {name.split("/")[1] for name in files} == {"scans", "documents", "directives"}
    use_empty_folders(folders, tmp_path)

    manifest = backups.backup_restore(archive=archive, database=empty_database)

    assert backups.file_count(manifest) == len(files)
    assert every_file(folders) == files
    with opened(empty_database) as restored:
        assert every_row(restored) == rows
        # The guard against overlapping assignments came back with the database.
        assert dbguards.installed(restored)
        # New rows continue the numbering rather than collide with restored ones.
        with restored.cursor() as cursor:
            cursor.execute(
                "INSERT INTO django_content_type (app_label, model) VALUES ('backup', 'check')"
            )
            cursor.execute("SELECT id FROM django_content_type WHERE app_label = 'backup'")
            new_id = cursor.fetchone()[0]
    assert new_id > max(row[0] for row in rows["django_content_type"])


# Refusals: each leaves the database and the folders as they were


def changed_file(archive):
    scan = "private/scans/2024/scan.pdf"
    return rewritten(archive, lambda name, data: data + b"%" if name == scan else data)


def missing_file(archive):
    directive = "media/directives/2023/13-CT-TU.pdf"
    return rewritten(archive, lambda name, data: None if name == directive else data)


def missing_manifest(archive):
    return rewritten(archive, lambda name, data: None if name == backups.MANIFEST else data)


def cut_short(archive):
    cut = archive.with_name("cut.tar.gz")
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return cut


def not_an_archive(archive):
    notes = archive.with_name("notes.tar.gz")
    notes.write_text("Ghi chú, không phải tệp sao lưu")
    return notes


UNREADABLE = "đây không phải là tệp sao lưu, hoặc tệp đã bị hỏng hay không đầy đủ"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            changed_file,
            "Tệp sao lưu bị hỏng: private/scans/2024/scan.pdf không khớp với mã kiểm tra",
        ),
        (missing_file, "Tệp sao lưu không đầy đủ: thiếu media/directives/2023/13-CT-TU.pdf."),
        (missing_manifest, "Tệp sao lưu không có bản kê (manifest.json)."),
        (cut_short, UNREADABLE),
        (not_an_archive, UNREADABLE),
    ],
)
def test_a_damaged_archive_is_refused_and_nothing_is_restored(
    archive, empty_database, folders, tmp_path, damage, message
):
    damaged = damage(archive)
    use_empty_folders(folders, tmp_path)
    with pytest.raises(backups.BackupError, match=re.escape(message)):
        backups.backup_restore(archive=damaged, database=empty_database)
    assert_nothing_restored(empty_database, folders)


@pytest.mark.parametrize(
    ("schema", "messages"),
    [
        (
            {"reports": "9999_from_a_later_version"},
            [
                "Tệp sao lưu được tạo từ phiên bản mới hơn của ứng dụng (reports: "
                "9999_from_a_later_version; phiên bản này có 0",
                "Hãy cập nhật ứng dụng lên phiên bản đó rồi khôi phục.",
            ],
        ),
        (
            {"assignments": "0001_initial"},
            [
                "Tệp sao lưu được tạo từ phiên bản cũ hơn của ứng dụng (assignments: "
                "0001_initial; phiên bản này có 0",
                "Hãy khôi phục bằng đúng phiên bản đã tạo tệp sao lưu, sau đó cập nhật ứng dụng "
                "và chạy “manage.py migrate”.",
            ],
        ),
        ({"an_app_of_the_future": "0001_initial"}, ["phiên bản mới hơn"]),
    ],
    ids=["newer", "older", "unknown-app"],
)
def test_an_archive_of_another_schema_is_refused_saying_which_side_is_newer(
    archive, empty_database, folders, tmp_path, schema, messages
):
    with tarfile.open(archive) as tar:
        archived = json.load(tar.extractfile(backups.MANIFEST))["schema"]
    other = with_manifest(archive, schema={**archived, **schema})
    use_empty_folders(folders, tmp_path)
    with pytest.raises(backups.BackupError) as refusal:
        backups.backup_restore(archive=other, database=empty_database)
    assert all(message in str(refusal.value) for message in messages), refusal.value
    assert_nothing_restored(empty_database, folders)


def test_an_archive_of_the_other_engine_is_refused(archive, empty_database, folders, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    changed = with_manifest(archive, engine=other)
    use_empty_folders(folders, tmp_path)
    names = backups.ENGINE_NAMES
    message = f"Tệp sao lưu chứa cơ sở dữ liệu {names[other]}, còn hệ thống này dùng "
    with pytest.raises(backups.BackupError, match=f"{message}{names[connection.vendor]}."):
        backups.backup_restore(archive=changed, database=empty_database)
    assert_nothing_restored(empty_database, folders)


def test_the_command_refuses_a_database_that_is_not_empty_and_changes_nothing(
    archive, folders, tmp_path
):
    # The configured database is this test's: migrated, with a user in it.
    User.objects.create_user(username="conlai", password="x-test-password")
    before = every_row(connection)
    use_empty_folders(folders, tmp_path)
    with pytest.raises(CommandError, match=r"không trống .* chỉ khôi phục vào cơ sở dữ liệu trống"):
        call_command("restore", archive)
    assert every_row(connection) == before
    assert every_file(folders) == {}


def test_folders_that_are_not_empty_are_refused_and_nothing_is_restored(
    archive, empty_database, folders, tmp_path
):
    use_empty_folders(folders, tmp_path)
    left = Path(folders.MEDIA_ROOT) / "directives" / "2020" / "left.pdf"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"%PDF-")
    with pytest.raises(backups.BackupError, match=r"Thư mục .*media không trống"):
        backups.backup_restore(archive=archive, database=empty_database)
    assert tables_in(empty_database) == []
    assert every_file(folders) == {"media/directives/2020/left.pdf": b"%PDF-"}


def test_a_backup_never_overwrites_an_archive_of_the_same_minute(db, folders, tmp_path):
    now = timezone.localtime()
    earlier = tmp_path / f"ketnghia-{now:%Y-%m-%d-%H%M}.tar.gz"
    earlier.write_bytes(b"an archive made earlier in this minute")
    with (
        mock.patch.object(backups.timezone, "localtime", return_value=now),
        pytest.raises(backups.BackupError, match=f"Đã có tệp sao lưu tên {earlier.name}"),
    ):
        backups.backup_create(destination=tmp_path)
    assert earlier.read_bytes() == b"an archive made earlier in this minute"
    assert list(tmp_path.iterdir()) == [earlier]
